package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// repairDerived runs `critmin rebuild`'s repair on s: the chain checked
// (Verify without a rebuild), then every derived table rebuilt and the
// differing ones rewritten.
func repairDerived(t *testing.T, s *sqldb.DB) *sqldb.RepairReport {
	t.Helper()
	ctx := context.Background()
	rep, err := s.Verify(ctx, nil, nil)
	if err != nil || rep.Problem != nil {
		t.Fatalf("chain check before the rebuild: %v %v", rep, err)
	}
	scratch, closeScratch, err := sqlite.OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeScratch()
	fixed, err := s.RepairDerived(ctx, scratch, rep.Records)
	if err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	return fixed
}

// lotAnswers is what a buyer asks of the fixture's lots: the origin of
// the ore lot and of the product made from it, and the DFARS verdicts of
// the built-in pack on both, as JSON.
func lotAnswers(t *testing.T, s *sqldb.DB) string {
	t.Helper()
	ctx := context.Background()
	var out []any
	for _, lot := range []string{"urn:critmin:lot:ree-1", "urn:critmin:lot:ndpr-1"} {
		o, err := custody.OriginOf(ctx, s, lot, true)
		if err != nil {
			return "refused: " + err.Error()
		}
		v, err := custody.Evaluate(ctx, s, lot, custody.DefaultPack())
		if err != nil {
			return "refused: " + err.Error()
		}
		out = append(out, o, v)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testRebuildRepairsDerived: derived rows edited, deleted and added in the
// database, as an intruder would (every kind verify names), are caught
// by verify; `critmin rebuild` (RepairDerived) rewrites the tables that
// differ from the log's rebuild, after which verify passes and the
// answers — each lot's origin and its DFARS verdicts — are those of the
// store before the edits. A second rebuild rewrites nothing.
func testRebuildRepairsDerived(t *testing.T, open Opener) {
	s := open(t)
	verifyFixture(t, s)
	db := s.(*sqldb.DB)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("intact store fails verify: %v %v", rep.Problem, rep.Difference)
	}
	want := lotAnswers(t, db)
	if strings.HasPrefix(want, "refused") || !strings.Contains(want, "PAK") {
		t.Fatalf("answers before the edits: %s; want the ore's origin PAK", want)
	}
	edits := []string{
		// The ore's origin moved to China (flips DFARS) and its kept mix
		// and seal made to agree, as a careful intruder would.
		`UPDATE lots SET origin_country = 'CHN' WHERE id = 'urn:critmin:lot:ree-1'`,
		`UPDATE lot_origin SET mix = '{}'`,
		`UPDATE lots SET seal = 'forged' WHERE id = 'urn:critmin:lot:ree-1'`,
		`DELETE FROM lot_links WHERE kind = 'transformation'`,
		`UPDATE lot_moves SET tonnes = tonnes + 1`,
		`UPDATE transformation_members SET quantity = quantity * 2`,
		`UPDATE transformation_runs SET member_count = member_count + 1`,
		`UPDATE event_quantities SET quantity = 1 WHERE epc_class = 'urn:critmin:lot:ree-1'`,
		`DELETE FROM event_epcs`,
		`INSERT INTO event_attrs (event_pk, kind, name, val, canon) SELECT pk, 'source', 'owning_party', 'urn:x', 'urn:x' FROM events WHERE chain_seq = 1`,
		`UPDATE events SET biz_location = 'urn:critmin:site:elsewhere', biz_location_canon = 'urn:critmin:site:elsewhere' WHERE chain_seq = 2`,
		`UPDATE master_data SET attrs = '{}' WHERE id = 'urn:critmin:site:mine-a'`,
		`DELETE FROM master_data_attrs`,
		`UPDATE chain_roots SET events = 99`,
		`INSERT INTO contexts (hash, body) VALUES ('00', '{}')`,
		`UPDATE tokens SET role = 'admin' WHERE name = 'auditor'`,
		`INSERT INTO tokens (name, name_key, role, hash, created_us) VALUES ('intruder', 'intruder', 'admin', 'h', 1)`,
	}
	tamper(t, s, edits...)
	rep := verifyFull(t, s, nil, true)
	if rep.Problem != nil || rep.Difference == nil {
		t.Fatalf("after the edits verify says problem %v, difference %v; want a difference", rep.Problem, rep.Difference)
	}
	if got := lotAnswers(t, db); got == want {
		t.Fatalf("the edits changed no answer: %s", got)
	}
	fixed := repairDerived(t, db)
	for _, name := range []string{"events", "contexts", "event_epcs", "event_quantities", "event_attrs", "transformation_members", "transformation_runs", "lots", "lot_links", "lot_moves", "lot_origin", "master_data", "master_data_attrs", "chain_roots", "tokens"} {
		if !strings.Contains(","+strings.Join(fixed.Rewritten, ",")+",", ","+name+",") {
			t.Errorf("rebuild rewrote %v; want %s among them", fixed.Rewritten, name)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("after the rebuild verify says %v %v", rep.Problem, rep.Difference)
	}
	if got := lotAnswers(t, db); got != want {
		t.Errorf("answers after the rebuild:\n%s\nwant those before the edits:\n%s", got, want)
	}
	if tok, err := db.FindTokenByHash(context.Background(), "5ecret-hash"); err != nil || tok.Name != "auditor" || tok.Role != critmin.RoleViewer {
		t.Errorf("token auditor after the rebuild: %+v, %v; want role viewer", tok, err)
	}
	if tok, err := db.FindTokenByHash(context.Background(), "h"); err == nil {
		t.Errorf("the token added in SQL survived the rebuild: %+v", tok)
	}
	if again := repairDerived(t, db); len(again.Rewritten) != 0 {
		t.Errorf("a second rebuild rewrote %v; want nothing", again.Rewritten)
	}
}

// testRebuildRefusesUncheckedRecords: RepairDerived rewrites nothing when
// the store holds other records than the chain check before it counted
// (a capture between the two); the CLI's refusal of a broken chain is
// tested in cli (TestRebuildCommand).
func testRebuildRefusesUncheckedRecords(t *testing.T, open Opener) {
	s := open(t)
	verifyFixture(t, s)
	db := s.(*sqldb.DB)
	ctx := context.Background()
	rep, err := db.Verify(ctx, nil, nil)
	if err != nil || rep.Problem != nil {
		t.Fatalf("intact: %v %v", rep, err)
	}
	scratch, closeScratch, err := sqlite.OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeScratch()
	if _, err := db.RepairDerived(ctx, scratch, rep.Records-1); err == nil || !strings.Contains(err.Error(), "captured while") {
		t.Errorf("rebuild with a stale record count: %v; want it refused", err)
	}
}

// testLotDeletedWholeCaught: the ore lot's lots row deleted together with
// every derived row that names it — its genealogy links either way, its
// moves, its kept mix, the run members and the index rows of its events
// — leaves its own views nothing to tell it from a lot never captured
// (FindLot: not found). The events that capture it are still in the
// chain, so verify's rebuild makes the lot again and names the first
// missing row (event_quantities comes before lots in DerivedTables); with
// the index rows kept, it names the lots row itself. `critmin rebuild`
// then restores the lot, its origin (PAK) and its verdicts.
func testLotDeletedWholeCaught(t *testing.T, open Opener) {
	const lot = "urn:critmin:lot:ree-1"
	lotRows := []string{
		`DELETE FROM lot_links WHERE parent = '` + lot + `' OR child = '` + lot + `'`,
		`DELETE FROM lot_moves WHERE lot = '` + lot + `'`,
		`DELETE FROM lot_origin WHERE lot = '` + lot + `'`,
		`DELETE FROM transformation_members WHERE epc_class = '` + lot + `'`,
		`DELETE FROM lots WHERE id = '` + lot + `'`,
	}
	indexRows := []string{
		`DELETE FROM event_quantities WHERE epc_class = '` + lot + `' OR canon = '` + lot + `'`,
		`DELETE FROM event_epcs WHERE epc = '` + lot + `' OR canon = '` + lot + `'`,
		`DELETE FROM event_attrs WHERE val = '` + lot + `' OR canon = '` + lot + `'`,
	}
	for _, c := range []struct {
		name    string
		sql     []string
		table   string
		keyPart string
	}{
		{"projection rows", lotRows, "transformation_members", `epc_class="` + lot + `"`},
		{"projection and index rows", append(append([]string{}, lotRows...), indexRows...), "event_quantities", `epc_class="` + lot + `"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			verifyFixture(t, s)
			db := s.(*sqldb.DB)
			ctx := context.Background()
			want := lotAnswers(t, db)
			var n int
			if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM transformation_members WHERE epc_class = '`+lot+`'`).Scan(&n); err != nil || n == 0 {
				t.Fatalf("the fixture's run has no member row of %s (%d, %v)", lot, n, err)
			}
			tamper(t, s, c.sql...)
			if _, err := s.FindLot(ctx, lot); critmin.ErrorCode(err) != critmin.ENOTFOUND {
				t.Errorf("FindLot after the deletion: %v; want not found (what verify must catch)", err)
			}
			rep := verifyFull(t, s, nil, true)
			if rep.Problem != nil {
				t.Fatalf("chain problem %v; want a difference", rep.Problem)
			}
			d := rep.Difference
			if d == nil {
				t.Fatalf("the lot deleted whole went unnoticed: %+v", rep.Rebuild)
			}
			if d.Table != c.table || !strings.Contains(d.Key, c.keyPart) || d.Column != "(row)" || d.Stored != "absent" || d.Rebuilt != "present" {
				t.Errorf("difference %v; want table %s, a row with %s stored absent, rebuilt present", d, c.table, c.keyPart)
			}
			repairDerived(t, db)
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("after the rebuild: %v %v", rep.Problem, rep.Difference)
			}
			if l, err := s.FindLot(ctx, lot); err != nil || l.OriginCountry != "PAK" {
				t.Errorf("lot after the rebuild: %+v, %v; want it back, origin PAK", l, err)
			}
			if got := lotAnswers(t, db); got != want {
				t.Errorf("answers after the rebuild:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
