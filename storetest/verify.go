package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// verifyFixture fills a store with the records the tamper tests edit:
// the corridor (commissioning, bagging, shipping, a refinery run with
// master data), two more captures, and a viewer token.
func verifyFixture(t *testing.T, s critmin.Store) {
	t.Helper()
	svc := service(s)
	MustCapture(t, svc, corridorDoc)
	MustCapture(t, svc, invalidDoc[:strings.Index(invalidDoc, `,
  {"type": "ObjectEvent", "eventID": "urn:uuid:10000000-0000-4000-8000-000000000002"`)]+`]}}`)
	MustCapture(t, svc, strings.ReplaceAll(strings.ReplaceAll(invalidDoc, "-3,", "3,"), "10000000", "20000000"))
	if err := s.CreateToken(context.Background(), &critmin.Token{Name: "auditor", Role: critmin.RoleViewer, Hash: "5ecret-hash", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}

// verifyFull runs the whole verification with a scratch rebuild.
func verifyFull(t *testing.T, s critmin.Store, old *custody.Checkpoint, rebuild bool) *sqldb.VerifyReport {
	t.Helper()
	ctx := context.Background()
	var scratch *sqldb.DB
	if rebuild {
		sc, closeScratch, err := sqlite.OpenScratch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer closeScratch()
		scratch = sc
	}
	rep, err := s.(*sqldb.DB).Verify(ctx, scratch, old)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// derivedTamper (DerivedTablesRebuilt, and DerivedTablesRebuiltSorted
// with sorted) edits every derived table directly in the database, as an
// intruder would, and checks that verify's rebuild names the table, the
// row and the column; sorted rebuilds the index tables held and sorted
// (the path of a store whose event keys do not follow the chain). The
// fixture is built and verified intact once, then closed, and each case
// tampers a fresh copy of it (copy), checked to hold the fixture's whole
// log before it is tampered.
func derivedTamper(t *testing.T, open Opener, copy Copier, sorted bool) {
	cases := []struct {
		name               string
		sql                []string
		table, key, column string
	}{
		{"lot origin country", []string{`UPDATE lots SET origin_country = 'CHN' WHERE id = 'urn:critmin:lot:ree-1'`}, "lots", "id=\"urn:critmin:lot:ree-1\"", "origin_country"},
		{"lot claims unreadable", []string{`UPDATE lots SET claims = 'garbage' WHERE id = 'urn:critmin:lot:ree-1'`}, "lots", "id=\"urn:critmin:lot:ree-1\"", "claims"},
		{"lot claims edited", []string{`UPDATE lots SET claims = '{"PAK":1}' WHERE id = 'urn:critmin:lot:ree-1'`}, "lots", "id=\"urn:critmin:lot:ree-1\"", "claims"},
		// A figure edited to NaN: PostgreSQL stores it in a double
		// precision column, and NaN < x and NaN > x are both false, so a
		// comparison by < and > alone called it equal to the rebuilt
		// 10 t. SQLite keeps the text 'NaN' (REAL affinity cannot convert
		// it), which differs from a number as well.
		{"lot wet mass NaN", []string{`UPDATE lots SET wet_t = 'NaN' WHERE id = 'urn:critmin:lot:ree-1'`}, "lots", "id=\"urn:critmin:lot:ree-1\"", "wet_t"},
		{"lot status", []string{`UPDATE lots SET status = 'in_transit' WHERE id = 'urn:critmin:lot:ndpr-1'`}, "lots", "urn:critmin:lot:ndpr-1", "status"},
		{"lot link quantity", []string{`UPDATE lot_links SET parent_qty = 1 WHERE kind = 'transformation'`}, "lot_links", "parent=", "parent_qty"},
		{"deleted lot link", []string{`DELETE FROM lot_links WHERE kind = 'transformation'`}, "lot_links", "parent=", "(row)"},
		{"kept origin mix", []string{`UPDATE lot_origin SET mix = '{}'`}, "lot_origin", "lot=", "mix"},
		{"event quantity", []string{`UPDATE event_quantities SET quantity = 1 WHERE epc_class = 'urn:critmin:lot:ree-1'`}, "event_quantities", "epc_class=\"urn:critmin:lot:ree-1\"", "(row)"},
		{"event index column", []string{`UPDATE events SET biz_location = 'urn:critmin:site:elsewhere' WHERE chain_seq = 2`}, "events", "chain_seq=2", "biz_location"},
		{"event attribute", []string{`UPDATE event_attrs SET val = 'urn:critmin:party:other' WHERE kind = 'destination'`}, "event_attrs", "kind=\"destination\"", "(row)"},
		{"transformation member", []string{`UPDATE transformation_members SET quantity = quantity * 2`}, "transformation_members", "transformation_id=", "(row)"},
		{"lot move", []string{`UPDATE lot_moves SET tonnes = tonnes + 1`}, "lot_moves", "lot=", "(row)"},
		{"master data", []string{`UPDATE master_data SET attrs = '{}' WHERE id = 'urn:critmin:site:mine-a'`}, "master_data", "id=\"urn:critmin:site:mine-a\"", "attrs"},
		{"day root count", []string{`UPDATE chain_roots SET events = 99`}, "chain_roots", "day=", "events"},
		{"log hash", []string{`UPDATE log_hashes SET hash = '` + custody.Genesis + `' WHERE idx = 0`}, "log_hashes", "idx=0", "hash"},
		{"token role", []string{`UPDATE tokens SET role = 'admin' WHERE name = 'auditor'`}, "tokens", "name=\"auditor\"", "role"},
		{"token added", []string{`INSERT INTO tokens (name, role, hash, created_us) VALUES ('intruder', 'admin', 'h', 1)`}, "tokens", "name=\"intruder\"", "(row)"},
		{"identifier canonical form", []string{`UPDATE event_epcs SET canon = 'stale:' || canon`}, "event_epcs", "event_pk=", "(row)"},
		// SQLite's index tables are read in insertion order (rowid), each
		// event's rows sorted: a row moved to another event keeps its
		// place in that order and must still be named.
		{"identifier moved to a later event", []string{`UPDATE event_epcs SET event_pk = (SELECT max(pk) FROM events) WHERE event_pk = (SELECT min(event_pk) FROM event_epcs)`}, "event_epcs", "event_pk=", "(row)"},
		{"quantity row duplicated", []string{`INSERT INTO event_quantities (event_pk, role, epc_class, quantity, uom, canon) SELECT event_pk, role, epc_class, quantity, uom, canon FROM event_quantities WHERE event_pk = (SELECT max(event_pk) FROM event_quantities)`}, "event_quantities", "event_pk=", "(row)"},
		{"attribute added", []string{`INSERT INTO event_attrs (event_pk, kind, name, val, canon) SELECT pk, 'source', 'owning_party', 'urn:x', 'urn:x' FROM events WHERE chain_seq = 1`}, "event_attrs", "val=\"urn:x\"", "(row)"},
		{"event canonical location", []string{`UPDATE events SET biz_location_canon = 'urn:critmin:site:elsewhere' WHERE biz_location IS NOT NULL`}, "events", "chain_seq=", "biz_location_canon"},
		{"lot canonical location", []string{`UPDATE lots SET location_canon = 'urn:critmin:site:elsewhere'`}, "lots", "id=", "location_canon"},
		{"origin mix marked stale", []string{`UPDATE lot_origin SET stale = 1`}, "lot_origin", "lot=", "stale"},
		{"context added", []string{`INSERT INTO contexts (hash, body) VALUES ('00', '{}')`}, "contexts", "hash=\"00\"", "(row)"},
		{"day roots removed", []string{`DELETE FROM chain_roots`}, "chain_roots", "day=", "(row)"},
		// The columns each lots row's seal covers beyond its values
		// (migration 0073's counts) and the seals themselves: a reader
		// refuses a row whose seal or counts were edited, so verify must
		// name it too, not call the store whole.
		{"lot link count", []string{`UPDATE lots SET link_count = link_count + 1 WHERE id = 'urn:critmin:lot:ndpr-1'`}, "lots", "id=\"urn:critmin:lot:ndpr-1\"", "link_count"},
		{"lot move count", []string{`UPDATE lots SET move_count = move_count + 1 WHERE id = 'urn:critmin:lot:ree-1'`}, "lots", "id=\"urn:critmin:lot:ree-1\"", "move_count"},
		{"lot out-link count", []string{`UPDATE lots SET out_link_count = out_link_count + 1 WHERE id = 'urn:critmin:lot:ree-1'`}, "lots", "id=\"urn:critmin:lot:ree-1\"", "out_link_count"},
		{"run member count", []string{`UPDATE transformation_runs SET member_count = member_count + 1`}, "transformation_runs", "transformation_id=", "member_count"},
		{"lot seal", []string{`UPDATE lots SET seal = 'forged' WHERE id = 'urn:critmin:lot:ree-1'`}, "lots", "id=\"urn:critmin:lot:ree-1\"", "seal"},
		{"lot link seal", []string{`UPDATE lot_links SET seal = 'forged' WHERE kind = 'transformation'`}, "lot_links", "parent=", "seal"},
		{"kept origin mix seal", []string{`UPDATE lot_origin SET seal = 'forged'`}, "lot_origin", "lot=", "seal"},
		{"lot move seal", []string{`UPDATE lot_moves SET seal = 'forged'`}, "lot_moves", "seal=", "(row)"}, // the seal is part of a move's key
		// The overview's flows are summed from lot_moves: a move deleted
		// or added by hand changes a flow.
		{"overview flow: move deleted", []string{`DELETE FROM lot_moves WHERE lot = 'urn:critmin:lot:ree-1'`}, "lot_moves", "lot=\"urn:critmin:lot:ree-1\"", "(row)"},
		{"overview flow: move added", []string{`INSERT INTO lot_moves (lot, from_loc, to_loc, tonnes, event_id) VALUES ('urn:critmin:lot:ree-1', 'urn:critmin:site:a', 'urn:critmin:site:b', 1000, 'urn:x')`}, "lot_moves", "lot=\"urn:critmin:lot:ree-1\"", "(row)"},
		// A packing's parent out-links (aggregation: container → child)
		// are lot_links rows too.
		{"parent out-link deleted", []string{`DELETE FROM lot_links WHERE kind = 'aggregation'`}, "lot_links", "parent=", "(row)"},
		// Every row of a key deleted together leaves no row or count to
		// compare a reader's check with; verify rebuilds them from the
		// log and names the first missing row (issue 8).
		{"run deleted whole", []string{`DELETE FROM transformation_members`, `DELETE FROM transformation_runs`}, "transformation_members", "transformation_id=\"urn:critmin:run:R-001\"", "(row)"},
		{"lot deleted whole", []string{`DELETE FROM lot_links WHERE child = 'urn:critmin:lot:ndpr-1' OR parent = 'urn:critmin:lot:ndpr-1'`, `DELETE FROM lot_moves WHERE lot = 'urn:critmin:lot:ndpr-1'`,
			`DELETE FROM lot_origin WHERE lot = 'urn:critmin:lot:ndpr-1'`, `DELETE FROM lots WHERE id = 'urn:critmin:lot:ndpr-1'`}, "lots", "id=\"urn:critmin:lot:ndpr-1\"", "(row)"},
		{"kept origin mixes deleted", []string{`DELETE FROM lot_origin`}, "lot_origin", "lot=", "(row)"},
		{"parent out-link added", []string{`INSERT INTO lot_links (parent, child, event_id, kind, parent_uom, child_uom, event_time, biz_location, replay) SELECT parent, 'urn:critmin:lot:forged', event_id, kind, parent_uom, child_uom, event_time, biz_location, replay FROM lot_links WHERE kind = 'aggregation'`}, "lot_links", "child=\"urn:critmin:lot:forged\"", "(row)"},
	}
	ctx := context.Background()
	fixture := open(t)
	verifyFixture(t, fixture)
	fixture.(*sqldb.DB).SortedRebuild = sorted
	if rep := verifyFull(t, fixture, nil, true); !rep.OK() {
		t.Fatalf("intact store fails verify: %v %v", rep.Problem, rep.Difference)
	}
	head, err := fixture.LogHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.Size == 0 {
		t.Fatalf("the fixture's log is empty: %+v", head)
	}
	open = copy(t, fixture)
	for _, c := range cases {
		if sorted && !strings.HasPrefix(c.table, "event_") {
			continue // the held and sorted rebuild differs from the streamed one in the index tables only
		}
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			s.(*sqldb.DB).SortedRebuild = sorted
			// The copy holds the verified fixture's log, to its last
			// record and hash.
			if h, err := s.LogHead(ctx); err != nil || h != head {
				t.Fatalf("the copy's log head is %+v (%v), the intact fixture's %+v", h, err, head)
			}
			tamper(t, s, c.sql...)
			rep := verifyFull(t, s, nil, true)
			if rep.Problem != nil {
				t.Fatalf("%s: chain problem %v; want a difference in %s", c.name, rep.Problem, c.table)
			}
			d := rep.Difference
			if d == nil {
				t.Fatalf("%s went unnoticed (%d records, %+v)", c.name, rep.Records, rep.Rebuild)
			}
			if d.Table != c.table || !strings.Contains(d.Key, c.key) || d.Column != c.column {
				t.Errorf("difference %v; want table %s, key with %s, column %s", d, c.table, c.key, c.column)
			}
			if d.Column != "(row)" && d.Stored == d.Rebuilt {
				t.Errorf("difference names equal values: %v", d)
			}
		})
	}
}

// testRebuildAloneChecksChain: Rebuild without the chain check of the
// same pass (Verify) recomputes every rebuilt chain hash itself, so an
// edited chain column is named as a difference of events.
func testRebuildAloneChecksChain(t *testing.T, open Opener) {
	s := open(t)
	verifyFixture(t, s)
	tamper(t, s, `UPDATE events SET chain = '`+custody.Genesis+`' WHERE chain_seq = 2`)
	ctx := context.Background()
	scratch, closeScratch, err := sqlite.OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeScratch()
	d, _, err := s.(*sqldb.DB).Rebuild(ctx, scratch)
	if err != nil {
		t.Fatal(err)
	}
	if d == nil || d.Table != "events" || d.Key != "chain_seq=2" || d.Column != "chain" || d.Stored != `"`+custody.Genesis+`"` {
		t.Fatalf("difference %v; want events, chain_seq=2, column chain, stored the genesis hash", d)
	}
	if rep := verifyFull(t, s, nil, true); rep.Problem == nil || rep.Problem.Seq != 2 {
		t.Fatalf("verify: problem %v; want the chain broken at record 2", rep.Problem)
	}
}

// testDerivedRowsCountedOnce: when the index tables are compared a
// second time, held and sorted (a store whose event keys do not follow
// the chain; forced here), verify reports each row compared once, as the
// streamed comparison does.
func testDerivedRowsCountedOnce(t *testing.T, open Opener) {
	s := open(t)
	verifyFixture(t, s)
	streamed := verifyFull(t, s, nil, true)
	s.(*sqldb.DB).SortedRebuild = true
	sorted := verifyFull(t, s, nil, true)
	if !streamed.OK() || !sorted.OK() {
		t.Fatalf("intact store fails verify: %v %v / %v %v", streamed.Problem, streamed.Difference, sorted.Problem, sorted.Difference)
	}
	if streamed.Rebuild == nil || sorted.Rebuild == nil || streamed.Rebuild.Rows == 0 || sorted.Rebuild.Rows != streamed.Rebuild.Rows {
		t.Errorf("rows compared %+v when sorted, %+v when streamed", sorted.Rebuild, streamed.Rebuild)
	}
}

// testIndexRowsOutOfInsertOrder: an index table whose rows are the
// rebuilt ones but not stored in event order (one event's rows deleted
// and inserted again, as an old migration or a copy by other means
// leaves them) verifies whole, with every row compared once: SQLite's
// reading in insertion order (sqldb compareInserted) finds the event keys
// not rising and the rows are compared again in key order.
func testIndexRowsOutOfInsertOrder(t *testing.T, open Opener) {
	s := open(t)
	verifyFixture(t, s)
	before := verifyFull(t, s, nil, true)
	if !before.OK() {
		t.Fatalf("intact store fails verify: %v %v", before.Problem, before.Difference)
	}
	for _, table := range []string{"event_epcs", "event_quantities", "event_attrs"} {
		tamper(t, s, `CREATE TABLE moved AS SELECT * FROM `+table+` WHERE event_pk = (SELECT min(event_pk) FROM `+table+`)`,
			`DELETE FROM `+table+` WHERE event_pk IN (SELECT event_pk FROM moved)`,
			`INSERT INTO `+table+` SELECT * FROM moved`, `DROP TABLE moved`)
	}
	if db := s.(*sqldb.DB); db.Dialect.Name == "sqlite" {
		// The first event's rows now come last in rowid order.
		var n int
		if err := db.Read.QueryRow(`SELECT count(*) FROM (SELECT event_pk, lag(event_pk) OVER (ORDER BY rowid) AS prev FROM event_attrs) WHERE event_pk < prev`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("event_attrs rows falling in rowid order: %d (%v); want 1", n, err)
		}
	}
	after := verifyFull(t, s, nil, true)
	if !after.OK() {
		t.Fatalf("store with index rows out of insertion order fails verify: %v %v", after.Problem, after.Difference)
	}
	if after.Rebuild == nil || after.Rebuild.Rows != before.Rebuild.Rows {
		t.Errorf("rows compared %+v; want %d as before", after.Rebuild, before.Rebuild.Rows)
	}
}

// testAuditChain checks that the audit chain records token creation and
// master data and that an edited or removed entry is caught.
func testAuditChain(t *testing.T, open Opener) {
	cases := []struct {
		name string
		sql  string
		seq  int64
	}{
		{"intact", "", 0},
		{"edited token role", `UPDATE audit_log SET detail = REPLACE(detail, 'viewer', 'admin') WHERE action = 'token.create'`, 2},
		{"deleted entry", `DELETE FROM audit_log WHERE seq = 1`, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			verifyFixture(t, s)
			var actions []string
			if err := s.ScanAudit(context.Background(), func(e *critmin.AuditEntry) error { actions = append(actions, e.Action+" "+e.Subject); return nil }); err != nil {
				t.Fatal(err)
			}
			// The corridor's master data, then the token.
			if len(actions) != 2 || !strings.HasPrefix(actions[0], critmin.AuditMasterData) || actions[1] != critmin.AuditTokenCreate+" auditor" {
				t.Fatalf("audit chain = %q", actions)
			}
			if c.sql != "" {
				tamper(t, s, c.sql)
			}
			rep := verifyFull(t, s, nil, false)
			if c.seq == 0 {
				if !rep.OK() || rep.Audit != 2 {
					t.Fatalf("intact: %+v %v", rep, rep.Problem)
				}
				return
			}
			if rep.Problem == nil || rep.Problem.Kind != custody.AuditBroken || rep.Problem.Seq != c.seq {
				t.Fatalf("problem %v; want audit entry %d", rep.Problem, c.seq)
			}
		})
	}
}

// rechain recomputes every chain hash and the log from the records as
// they now are, and the day roots: what an intruder with database access
// does to hide an edit or a truncation from the chain.
func rechain(t *testing.T, s critmin.Store) {
	t.Helper()
	ctx := context.Background()
	var recs []*critmin.ChainRecord
	if err := s.ScanChain(ctx, func(r *critmin.ChainRecord) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	prev := custody.Genesis
	db := s.(*sqldb.DB)
	for _, r := range recs {
		r.ContextHash = custody.ContextHash([]byte(r.Context))
		h := custody.Link(prev, r)
		if _, err := db.Write.ExecContext(ctx, rebind(db, `UPDATE events SET prev_chain = ?, chain = ? WHERE chain_seq = ?`), prev, h, r.Seq); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
	tamper(t, s, `DELETE FROM log_hashes`, `DELETE FROM log_tree`,
		`UPDATE chain_roots SET last_seq = (SELECT MAX(chain_seq) FROM events), events = (SELECT COUNT(*) FROM events), root = (SELECT chain FROM events WHERE chain_seq = (SELECT MAX(chain_seq) FROM events))`)
	if err := db.SyncLog(ctx); err != nil {
		t.Fatal(err)
	}
}

// testCheckpoint checks that a truncated or rewritten log — with every
// hash in the database recomputed to match — is caught by anyone holding
// an older signed checkpoint and the public key, through a consistency
// proof.
func testCheckpoint(t *testing.T, open Opener) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		sql  []string
		kind string
	}{
		{"intact", nil, ""},
		{"truncated", []string{`DELETE FROM events WHERE chain_seq > 5`}, custody.LogTruncated},
		{"rewritten", []string{`UPDATE events SET raw = REPLACE(raw, '25000', '2500') WHERE chain_seq = 1`}, custody.LogRewritten},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			verifyFixture(t, s)
			head, err := s.LogHead(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if head.Size != 8 || head.AuditSize != 2 {
				t.Fatalf("head %+v; want 8 records and 2 audit entries", head)
			}
			note, err := custody.SignCheckpoint(head, key)
			if err != nil {
				t.Fatal(err)
			}
			old, err := custody.OpenCheckpoint(note, pub)
			if err != nil {
				t.Fatal(err)
			}
			if old.Size != 8 || old.Root != head.Root {
				t.Fatalf("checkpoint %+v does not state the head %+v", old, head)
			}
			if _, err := custody.OpenCheckpoint(note, ed25519.PublicKey(make([]byte, 32))); critmin.ErrorCode(err) != critmin.EINVALID {
				t.Errorf("checkpoint opened with another key: %v", err)
			}
			// One more capture after the checkpoint: the log grows.
			MustCapture(t, service(s), strings.ReplaceAll(strings.ReplaceAll(invalidDoc, "-3,", "3,"), "10000000", "30000000"))
			if c.sql != nil {
				tamper(t, s, c.sql...)
				rechain(t, s)
				// The database alone is consistent again: only the
				// checkpoint tells.
				if rep := verifyFull(t, s, nil, false); !rep.OK() {
					t.Fatalf("re-hashed store should pass without a checkpoint: %v", rep.Problem)
				}
			}
			rep := verifyFull(t, s, old, c.kind == "")
			if c.kind == "" {
				if !rep.OK() || rep.Head.Size != 10 {
					t.Fatalf("intact: %+v %v %v", rep.Head, rep.Problem, rep.Difference)
				}
				return
			}
			if rep.Problem == nil || rep.Problem.Kind != c.kind {
				t.Fatalf("problem %v; want %s", rep.Problem, c.kind)
			}
			// Truncated after record 5 of the 8 the checkpoint signed: the
			// report says so, not "chain broken at record 5 (pk 0, event )".
			if want := "log truncated after record 5 (expected 8 records from checkpoint"; c.kind == custody.LogTruncated && !strings.HasPrefix(rep.Problem.Error(), want) {
				t.Errorf("truncation reported as %q; want it to start %q", rep.Problem.Error(), want)
			}
			// A verifier away from the database: the server signs its new
			// head and proves consistency; the proof does not check.
			newHead, err := s.LogHead(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if newHead.Size >= old.Size {
				proof, err := custody.ProveConsistency(ctx, s, old.Size, newHead.Size)
				if err != nil {
					t.Fatal(err)
				}
				if err := custody.CheckConsistency(old, &custody.Checkpoint{LogHead: newHead}, proof); err == nil {
					t.Fatal("consistency proof of a rewritten log checks")
				}
			} else if err := custody.CheckConsistency(old, &custody.Checkpoint{LogHead: newHead}, nil); err == nil || !strings.Contains(err.Error(), "truncated") {
				t.Fatalf("truncation: %v", err)
			}
		})
	}
}

func rebind(db *sqldb.DB, q string) string {
	if db.Dialect.Dollar {
		return sqldb.Rebind(q)
	}
	return q
}

// testLogMigration: a store made before the log (migration 0005) gets
// its log and audit chain built when opened, and then verifies whole.
func testLogMigration(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	verifyFixture(t, s)
	want, err := s.LogHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// What a store of schema 0004 holds: no log, no audit chain.
	tamper(t, s, `DELETE FROM log_hashes`, `DELETE FROM log_tree`, `DELETE FROM audit_log`)
	if err := s.(*sqldb.DB).SyncLog(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.LogHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The tree is a function of the records alone: the same root.
	if got.Size != want.Size || got.Root != want.Root {
		t.Fatalf("migrated log %d %x; want %d %x", got.Size, got.Root, want.Size, want.Root)
	}
	// The audit chain starts from the tokens and master data held.
	if got.AuditSize != 2 {
		t.Errorf("migrated audit chain has %d entries; want the token and the master data", got.AuditSize)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("migrated store: %v %v", rep.Problem, rep.Difference)
	}
}

// testRebuildDeclarations: error declarations and their corrective
// events replay like any record, and their index rows are rebuilt.
func testRebuildDeclarations(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, corridorDoc)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-03T00:00:00Z",
	 "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000003", "eventTime": "2025-10-02T08:00:00.000-05:00", "eventTimeZoneOffset": "-05:00",
	   "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "urn:critmin:lot:ree-1", "quantity": 24900, "uom": "KGM"}],
	   "readPoint": {"id": "urn:critmin:site:ushou"}, "bizLocation": {"id": "urn:critmin:site:ushou"},
	   "destinationList": [{"type": "possessing_party", "destination": "urn:critmin:party:ussm"}, {"type": "owning_party", "destination": "urn:critmin:party:ussm"}],
	   "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd2O3", "value": 4.2, "uom": "P1", "cm:basis": "dry"}]}],
	   "errorDeclaration": {"declarationTime": "2025-10-03T09:00:00.000-05:00", "reason": "incorrect_data", "correctiveEventIDs": ["urn:uuid:00000000-0000-4000-8000-0000000000c1"]}},
	  {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000000000c1", "eventTime": "2025-10-02T08:00:00.000-05:00", "eventTimeZoneOffset": "-05:00",
	   "action": "OBSERVE", "bizStep": "receiving", "quantityList": [{"epcClass": "urn:critmin:lot:ree-1", "quantity": 24850, "uom": "KGM"}],
	   "bizLocation": {"id": "urn:critmin:site:ushou"}}]}}`)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("store with a declaration: %v %v", rep.Problem, rep.Difference)
	}
	tamper(t, s, `DELETE FROM event_attrs WHERE kind = 'corrective'`)
	rep := verifyFull(t, s, nil, true)
	if rep.Difference == nil || rep.Difference.Table != "event_attrs" || !strings.Contains(rep.Difference.Key, "corrective") {
		t.Fatalf("deleted corrective link: %v %v", rep.Problem, rep.Difference)
	}
}

// testVerifyMasterDataFirst: a master-data document without events sets
// site T's cm:elementTolerance to 10 %; a later document runs K (10 t at
// 5 % Nd = 0.5 t Nd) into KO (1 t at 52 % Nd = 0.52 t) at T. 0.52 ≤ 0.5 ×
// 1.1 = 0.55: no element_gain in KO's kept mix at capture. The rebuild
// must apply the event-less master data at its place in the log, before
// the run, and keep the same mix (with the default 0.5 % tolerance, 0.52 >
// 0.5025 would add an element_gain and verify would fail on lot_origin).
func testVerifyMasterDataFirst(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [{"id": "urn:t:site:T", "attributes": [
	  {"id": "urn:epcglobal:cbv:mda#name", "attribute": "T"}, {"id": "https://ns.critmin.org/mineral/v1/elementTolerance", "attribute": 0.1}]}]}]}},
	 "epcisBody": {"eventList": []}}`)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:k", "eventTime": "2025-09-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	   "quantityList": [{"epcClass": "urn:t:lot:K", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
	   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}},
	  {"type": "TransformationEvent", "eventID": "urn:t:ev:r", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R",
	   "inputQuantityList": [{"epcClass": "urn:t:lot:K", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:KO", "quantity": 1, "uom": "TNE"}],
	   "bizLocation": {"id": "urn:t:site:T"},
	   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 52, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`)
	c, err := custody.OriginOf(context.Background(), s.(custody.Store), "urn:t:lot:KO", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range c.Anomalies {
		if a.Kind == "element_gain" {
			t.Fatalf("KO within the site's 10 %% tolerance has %v", a)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("master data before the run: %v %v", rep.Problem, rep.Difference)
	}
}

// testRebuildSplitRunBalance: a refinery run split over two captures (one
// transformationID, EPCIS 2.0 §7.4.6) whose element balance shows a gain
// only when both captures' outputs are weighed. The projection-only
// replay writes no event row it does not read back, but must keep the
// rows that carry a transformationID: the kept mix of the second output
// is built from every edge of the run (edgesOfRuns).
//
// Nd2O3 in:  ore-x 10,000 kg, moisture 0, 1 % dry  = 0.100 t
// Nd2O3 out: oxide-b 100 kg, 80 % dry = 0.080 t (capture 1), oxide-c
// 100 kg, 40 % dry = 0.040 t (capture 2), together 0.120 t.
// As Nd (0.857356 of Nd2O3, IUPAC 2021 atomic weights): in 0.1 ×
// 0.857356 = 0.085736 t, out 0.12 × 0.857356 = 0.102883 t (printed at six decimals, custody.Figure) — a gain beyond the 0.50 % tolerance, noted in oxide-c's kept
// mix with both events of the run; oxide-c's edge alone (0.034294 t Nd)
// would show none.
func testRebuildSplitRunBalance(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-20T18:00:00Z", "epcisBody": {"eventList": [`
	assay := func(v string) string {
		return `"cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": ` + v + `, "cm:unit": "%", "cm:basis": "dry"}]`
	}
	MustCapture(t, svc, head+`
	  {"type": "ObjectEvent", "eventID": "urn:uuid:30000000-0000-4000-8000-000000000001", "eventTime": "2025-10-01T10:00:00.000Z", "eventTimeZoneOffset": "+00:00",
	   "action": "ADD", "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:critmin:lot:ore-x", "quantity": 10000, "uom": "KGM"}],
	   "bizLocation": {"id": "urn:critmin:site:mine-x"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "AUS", `+assay("1")+`}},
	  {"type": "TransformationEvent", "eventID": "urn:uuid:30000000-0000-4000-8000-000000000002", "eventTime": "2025-10-10T10:00:00.000Z", "eventTimeZoneOffset": "+00:00",
	   "transformationID": "urn:critmin:run:X-1", "inputQuantityList": [{"epcClass": "urn:critmin:lot:ore-x", "quantity": 10000, "uom": "KGM"}],
	   "outputQuantityList": [{"epcClass": "urn:critmin:lot:oxide-b", "quantity": 100, "uom": "KGM"}],
	   "bizLocation": {"id": "urn:critmin:site:refinery-x"}, "ilmd": {"cm:commodity": "ndpr_oxide", `+assay("80")+`}}]}}`)
	MustCapture(t, svc, head+`
	  {"type": "TransformationEvent", "eventID": "urn:uuid:30000000-0000-4000-8000-000000000003", "eventTime": "2025-10-11T10:00:00.000Z", "eventTimeZoneOffset": "+00:00",
	   "transformationID": "urn:critmin:run:X-1", "outputQuantityList": [{"epcClass": "urn:critmin:lot:oxide-c", "quantity": 100, "uom": "KGM"}],
	   "bizLocation": {"id": "urn:critmin:site:refinery-x"}, "ilmd": {"cm:commodity": "ndpr_oxide", `+assay("40")+`}}]}}`)
	var mix string
	db := s.(*sqldb.DB)
	if err := db.Write.QueryRowContext(context.Background(), rebind(db, `SELECT mix FROM lot_origin WHERE lot = ?`), "urn:critmin:lot:oxide-c").Scan(&mix); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"element_gain"`, "outputs hold 0.102883 t Nd but its inputs only 0.085736 t", "30000000-0000-4000-8000-000000000002", "30000000-0000-4000-8000-000000000003"} {
		if !strings.Contains(mix, want) {
			t.Fatalf("oxide-c's kept mix lacks %s (the gain of the whole run): %s", want, mix)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify of a run split over two captures: %v %v", rep.Problem, rep.Difference)
	}
}

// testCheckpointOtherLog: a checkpoint signed for another store's log is
// reported as such (nu8f item 6), not as this log truncated or rewritten.
// Store A holds the fixture and one more capture (10 records); store B
// the fixture with a token made first, so its audit chain differs at the
// checkpoint's audit entry 2 (8 records). B checked against A's
// checkpoint of 10 records used to read "log truncated after record 8";
// checked against a checkpoint of A at 8 records (the same size, another
// root) it used to read "rewritten".
func testCheckpointOtherLog(t *testing.T, open Opener) {
	ctx := context.Background()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a, b := open(t), open(t)
	verifyFixture(t, a)
	sign := func() *custody.Checkpoint {
		t.Helper()
		head, err := a.LogHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		note, err := custody.SignCheckpoint(head, key)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := custody.OpenCheckpoint(note, pub)
		if err != nil {
			t.Fatal(err)
		}
		return cp
	}
	at8 := sign()
	MustCapture(t, service(a), strings.ReplaceAll(strings.ReplaceAll(invalidDoc, "-3,", "3,"), "10000000", "30000000"))
	at10 := sign()
	if err := b.CreateToken(ctx, &critmin.Token{Name: "first", Role: critmin.RoleViewer, Hash: "other-hash", CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	verifyFixture(t, b)
	for _, cp := range []*custody.Checkpoint{at10, at8} {
		rep := verifyFull(t, b, cp, false)
		if rep.Problem == nil || rep.Problem.Kind != custody.LogOther || !strings.Contains(rep.Problem.Error(), "different log or key") {
			t.Errorf("store B against A's checkpoint of %d records: %v; want another log", cp.Size, rep.Problem)
		}
	}
	if rep := verifyFull(t, a, at8, false); !rep.OK() {
		t.Errorf("store A against its own checkpoint: %v", rep.Problem)
	}
}
