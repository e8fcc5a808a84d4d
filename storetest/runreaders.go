package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// testDerivedReadersRefuseTamperedRows: every store reader that answers
// a verdict from the run members (transformation_members) or the
// genealogy links (lot_links) checks the sealed counts the capture
// checks — a run's member count (transformation_runs, migration 0077), a
// lot's counts of links into and out of it (lots, 0073 and 0076) — and
// each row's own seal, so a row deleted, inserted or edited with raw SQL
// is refused (ECONFLICT naming the table and the run or lot) instead of
// making a run look input-less or open, or a lot parentless, with 200.
//
// The fixture: lot L (100 t) at site s1; run R takes 30 t of L and makes
// lot O (10 t) — two members of R, one link L→O; run S takes 20 t of L
// and states no output yet — one member of S, an open run. At site s2,
// lot M (50 t) and run U taking 5 t of M and making bag B, an instance
// named only in U's outputEPCList (with mineral facts, so a lot of its
// own) — one link M→B, which is U's only link at s2.
func testDerivedReadersRefuseTamperedRows(t *testing.T, open Opener) {
	ctx := context.Background()
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [`
	fixture := func(t *testing.T) (critmin.Store, *sqldb.DB) {
		s := open(t)
		svc := service(s)
		MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:L", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
		  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}]}}`)
		MustCapture(t, svc, head+`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R",
		  "inputQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 30, "uom": "TNE"}],
		  "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
		  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}]}}`)
		MustCapture(t, svc, head+`{"type": "TransformationEvent", "eventID": "urn:t:ev:S", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:S",
		  "inputQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"}}]}}`)
		MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:M", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		  "quantityList": [{"epcClass": "urn:t:lot:M", "quantity": 50, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s2"},
		  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}]}}`)
		MustCapture(t, svc, head+`{"type": "TransformationEvent", "eventID": "urn:t:ev:U", "eventTime": "2025-10-08T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:U",
		  "inputQuantityList": [{"epcClass": "urn:t:lot:M", "quantity": 5, "uom": "TNE"}],
		  "outputEPCList": ["urn:t:bag:B"], "bizLocation": {"id": "urn:t:site:s2"},
		  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}]}}`)
		return s, s.(*sqldb.DB)
	}
	from, to := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	// readers are the store's readers of runs and links, each with what
	// it answers as captured (checked below) and its error.
	type answer struct {
		what string
		ok   func() (bool, string)
	}
	readers := func(db *sqldb.DB) []answer {
		return []answer{
			{"RunsWithInputs(R, S)", func() (bool, string) {
				m, err := db.RunsWithInputs(ctx, []string{"urn:t:run:R", "urn:t:run:S"})
				return err == nil && m["urn:t:run:R"] && m["urn:t:run:S"], errText(err)
			}},
			{"RunMembers(R)", func() (bool, string) {
				m, err := db.RunMembers(ctx, []string{"urn:t:run:R"})
				return err == nil && len(m["urn:t:run:R"]) == 2, errText(err)
			}},
			{"OpenRunInputs(L)", func() (bool, string) {
				// S is open and took 20 t of L; R has an output.
				lines, evs, err := db.OpenRunInputs(ctx, []string{"urn:t:lot:L"})
				return err == nil && len(lines) == 1 && len(lines["urn:t:run:S"]) == 1 && *lines["urn:t:run:S"][0].Quantity == 20 && len(evs["urn:t:run:S"]) == 1, errText(err)
			}},
			{"LotEdges(O, upstream)", func() (bool, string) {
				es, err := db.LotEdges(ctx, []string{"urn:t:lot:O"}, true)
				return err == nil && len(es) == 1 && es[0].Parent == "urn:t:lot:L", errText(err)
			}},
			{"LotEdges(L, downstream)", func() (bool, string) {
				es, err := db.LotEdges(ctx, []string{"urn:t:lot:L"}, false)
				return err == nil && len(es) == 1 && es[0].Child == "urn:t:lot:O", errText(err)
			}},
			{"UpstreamEdges(O)", func() (bool, string) {
				es, err := db.UpstreamEdges(ctx, "urn:t:lot:O", 10)
				return err == nil && len(es) == 1, errText(err)
			}},
			{"EdgesAt(s1)", func() (bool, string) {
				es, err := db.EdgesAt(ctx, "urn:t:site:s1", from, to)
				return err == nil && len(es) == 1, errText(err)
			}},
			{"EdgesAt(s2)", func() (bool, string) {
				es, err := db.EdgesAt(ctx, "urn:t:site:s2", from, to)
				return err == nil && len(es) == 1 && es[0].Child == "urn:t:bag:B", errText(err)
			}},
		}
	}
	_, db := fixture(t)
	for _, r := range readers(db) {
		if ok, err := r.ok(); !ok {
			t.Errorf("as captured: %s answers otherwise (%s)", r.what, err)
		}
	}
	cases := []struct {
		name    string
		sql     []string
		readers []string // the readers that must refuse
		table   string
		row     string
		// verify is the table and the key `critmin verify` must name
		// as its first difference ("" not asserted here: derivedTamper
		// covers those tables).
		verify, verifyKey string
	}{
		{"R's input member deleted", []string{`DELETE FROM transformation_members WHERE transformation_id = 'urn:t:run:R' AND role = 'input'`},
			[]string{"RunsWithInputs(R, S)", "RunMembers(R)"}, "transformation_members", `transformation_id="urn:t:run:R"`, "", ""},
		{"S's input member deleted", []string{`DELETE FROM transformation_members WHERE transformation_id = 'urn:t:run:S'`},
			[]string{"RunsWithInputs(R, S)", "OpenRunInputs(L)"}, "transformation_members", `transformation_id="urn:t:run:S"`, "", ""},
		{"R's output member deleted", []string{`DELETE FROM transformation_members WHERE transformation_id = 'urn:t:run:R' AND role = 'output'`},
			[]string{"RunMembers(R)", "OpenRunInputs(L)"}, "transformation_members", `transformation_id="urn:t:run:R"`, "", ""},
		{"an output member inserted into S", []string{`INSERT INTO transformation_members (transformation_id, role, epc_class, quantity, uom, seal) SELECT 'urn:t:run:S', role, epc_class, quantity, uom, seal FROM transformation_members WHERE transformation_id = 'urn:t:run:R' AND role = 'output'`},
			[]string{"RunsWithInputs(R, S)", "OpenRunInputs(L)"}, "transformation_members", `transformation_id="urn:t:run:S"`, "", ""},
		{"S's input quantity edited", []string{`UPDATE transformation_members SET quantity = 2 WHERE transformation_id = 'urn:t:run:S'`},
			[]string{"RunsWithInputs(R, S)", "OpenRunInputs(L)"}, "transformation_members", `urn:t:run:S`, "", ""},
		{"R's output quantity edited", []string{`UPDATE transformation_members SET quantity = 99 WHERE transformation_id = 'urn:t:run:R' AND role = 'output'`},
			[]string{"RunMembers(R)"}, "transformation_members", `urn:t:run:R`, "", ""},
		{"link L→O deleted", []string{`DELETE FROM lot_links WHERE child = 'urn:t:lot:O'`},
			[]string{"LotEdges(O, upstream)", "LotEdges(L, downstream)", "UpstreamEdges(O)", "EdgesAt(s1)"}, "lot_links", `urn:t:lot:`, "", ""},
		{"a second link into O inserted", []string{`INSERT INTO lot_links (parent, child, event_id, kind, parent_qty, parent_uom, child_qty, child_uom, event_time, biz_location, replay, seal)
			SELECT parent, child, 'urn:t:ev:S', kind, parent_qty, parent_uom, child_qty, child_uom, event_time, biz_location, replay, seal FROM lot_links WHERE child = 'urn:t:lot:O'`},
			[]string{"LotEdges(O, upstream)", "LotEdges(L, downstream)", "UpstreamEdges(O)", "EdgesAt(s1)"}, "lot_links", `urn:t:lot:`, "", ""},
		// A run deleted whole — its count row and every member row —
		// leaves nothing to count: the log's event of the run names it.
		{"run S deleted whole", []string{`DELETE FROM transformation_members WHERE transformation_id = 'urn:t:run:S'`, `DELETE FROM transformation_runs WHERE transformation_id = 'urn:t:run:S'`},
			[]string{"RunsWithInputs(R, S)", "OpenRunInputs(L)"}, "transformation_runs", `transformation_id="urn:t:run:S"`, "transformation_members", `transformation_id="urn:t:run:S"`},
		{"run R deleted whole", []string{`DELETE FROM transformation_members WHERE transformation_id = 'urn:t:run:R'`, `DELETE FROM transformation_runs WHERE transformation_id = 'urn:t:run:R'`},
			[]string{"RunsWithInputs(R, S)", "RunMembers(R)"}, "transformation_runs", `transformation_id="urn:t:run:R"`, "transformation_members", `transformation_id="urn:t:run:R"`},
		// B is made only from U's outputEPCList: no event_quantities row
		// names it, yet EdgesAt finds it from U's event and checks its
		// sealed link count (1 link into B, 0 stored).
		{"link M→B into an instance lot deleted", []string{`DELETE FROM lot_links WHERE child = 'urn:t:bag:B'`},
			[]string{"EdgesAt(s2)"}, "lot_links", `child="urn:t:bag:B"`, "lot_links", `child="urn:t:bag:B"`},
	}
	// The verdict the open run feeds: run T taking 60 t more of L is over
	// L's 100 t (30 by R + 20 by S + 60 = 110), and refused as invalid.
	// With S's member deleted the consumption check (custody's, which
	// reads OpenRunInputs) would count 30 + 60 = 90 ≤ 100 and pass it;
	// the lot's at-site account still refused it as invalid, but an
	// invalid event is not what happened: the tamper is named (a conflict
	// naming the run), and nothing is stored.
	takeMore := head + `{"type": "TransformationEvent", "eventID": "urn:t:ev:T", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:T",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 60, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}]}}`
	t.Run("capture over an open run", func(t *testing.T) {
		s, db := fixture(t)
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store)) // as serve wires it
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(takeMore)}); critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("capture of T taking 60 t of L as captured: %v; want it refused as a conflict with the record (110 t of 100; 409 since fix15r)", err)
		}
		tamper(t, s, `DELETE FROM transformation_members WHERE transformation_id = 'urn:t:run:S'`)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(takeMore)})
		if msg := errText(err); !strings.HasPrefix(msg, critmin.ECONFLICT+": ") || !strings.Contains(msg, "table transformation_members") || !strings.Contains(msg, `transformation_id="urn:t:run:S"`) {
			t.Errorf("capture of T after S's member was deleted: %s; want a conflict naming table transformation_members and run S", msg)
		}
		var n int
		if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE event_id = 'urn:t:ev:T'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("events T stored: %d (%v); want none", n, err)
		}
	})
	// A capture continuing a run deleted whole would link its outputs to
	// none of the run's earlier inputs and seal a fresh count over the
	// deletion: it is refused, and nothing is stored.
	t.Run("capture continuing a run deleted whole", func(t *testing.T) {
		s, db := fixture(t)
		svc := service(s)
		tamper(t, s, `DELETE FROM transformation_members WHERE transformation_id = 'urn:t:run:S'`, `DELETE FROM transformation_runs WHERE transformation_id = 'urn:t:run:S'`)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(head + `{"type": "TransformationEvent", "eventID": "urn:t:ev:S2", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:S",
		  "outputQuantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
		  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}]}}`)})
		if msg := errText(err); !strings.HasPrefix(msg, critmin.ECONFLICT+": ") || !strings.Contains(msg, "table transformation_runs") || !strings.Contains(msg, `transformation_id="urn:t:run:S"`) {
			t.Errorf("capture of S2 continuing run S deleted whole: %s; want a conflict naming table transformation_runs and run S", msg)
		}
		var n int
		if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE event_id = 'urn:t:ev:S2'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("events S2 stored: %d (%v); want none", n, err)
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, db := fixture(t)
			tamper(t, s, c.sql...)
			must := map[string]bool{}
			for _, r := range c.readers {
				must[r] = true
			}
			for _, r := range readers(db) {
				if !must[r.what] {
					continue
				}
				_, msg := r.ok()
				if !strings.HasPrefix(msg, critmin.ECONFLICT+": ") || !strings.Contains(msg, "table "+c.table) || !strings.Contains(msg, c.row) {
					t.Errorf("%s after %s: %s; want a conflict naming table %s and %s", r.what, c.name, msg, c.table, c.row)
				}
			}
			if c.verify == "" {
				return
			}
			rep := verifyFull(t, s, nil, true)
			if d := rep.Difference; rep.Problem != nil || d == nil || d.Table != c.verify || !strings.Contains(d.Key, c.verifyKey) {
				t.Errorf("critmin verify after %s: problem %v, difference %v; want a difference in table %s, key with %s", c.name, rep.Problem, rep.Difference, c.verify, c.verifyKey)
			}
		})
	}
}

// errText is err's code and message ("" for nil).
func errText(err error) string {
	if err == nil {
		return ""
	}
	return critmin.ErrorCode(err) + ": " + err.Error()
}
