package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// goDoc is a document with site r (controlled blending) and the events.
func goDoc(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "urn:t:site:r", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "r"}, {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "controlled_blending"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]},
	   {"id": "urn:t:site:mine-PAK", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]},
	   {"id": "urn:t:site:mine-AUS", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "AUS"}, {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"}]}]}]}},
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// goAssays is a cm:assay list of dry percentages ("Nd:60").
func goAssays(assays ...string) string {
	var as []string
	for _, a := range assays {
		el, v, _ := strings.Cut(a, ":")
		as = append(as, fmt.Sprintf(`{"cm:analyte": "%s", "cm:value": %s, "cm:unit": "%%", "cm:basis": "dry"}`, el, v))
	}
	return "[" + strings.Join(as, ",") + "]"
}

// goFeed commissions lot, t dry tonnes of commodity from iso at the
// assays, read at its mine (readPoint: it stands at no site, so the run
// at r may feed it without a shipment).
func goFeed(lot, commodity, iso string, t float64, assays ...string) string {
	return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine-%s"},
	  "ilmd": {"cm:commodity": "%s", "cm:originCountry": "%s", "cm:originMine": "urn:t:site:mine-%s", "cm:moisture": 0, "cm:assay": %s}}`, lot, lot, t, iso, commodity, iso, iso, goAssays(assays...))
}

// goRun is run id at site r on day (2025-10-dd): inputs "lot:t" whole
// into product out, t2 tonnes of NdPr oxide at the assays, its facts in
// an ObjectEvent at the same time.
func goRun(id string, day int, in []string, out string, t2 float64, assays ...string) string {
	var ins []string
	for _, i := range in {
		lot, t, _ := strings.Cut(i, ":")
		ins = append(ins, fmt.Sprintf(`{"epcClass": "urn:t:lot:%s", "quantity": %s, "uom": "TNE"}`, lot, t))
	}
	return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [%s], "outputQuantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:r"}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:%s-facts", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:%s"}], "bizLocation": {"id": "urn:t:site:r"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": %s}}`,
		id, day, strings.Join(ins, ","), out, t2, id, day, out, goAssays(assays...))
}

// MigrateGainedOrigin (fixYf, issue 9 nu37a): migration 0119 rebuilds the
// kept origin mixes of a store written before metal a run's product holds
// beyond what its recorded inputs supplied was of unknown origin, on
// SQLite and PostgreSQL alike (open reopens the same store). Every stage
// is in Pakistan or Australia (master data), so the covered-country rule
// (DFARS) reads only the origin shares.
//
//	GA, Pakistan, 10 t at Nd 4 %, Pr 0 % (assayed): 0.4 t Nd, 0 t Pr
//	R1 at r: GA 10 t → GX 0.5 t oxide at Nd 60 %, Pr 20 %
//	  Nd 0.5 × 60 % = 0.3 t ≤ 0.4 t in: Pakistan
//	  Pr 0.5 × 20 % = 0.1 t from 0 t in: of unknown origin (GX's kept
//	  cap, "c", which the binary before fixYf kept too)
//	GB, Australia, 1 t oxide at Nd 60 %, Pr 20 %: 0.6 t Nd, 0.2 t Pr
//	R2 at r: GX 0.5 t + GB 1 t → GY 2 t at Nd 45 %, Pr 10 %
//	  Nd 0.9 t = 0.3 + 0.6 in: 1/3 Pakistan, 2/3 Australia
//	  Pr 0.2 t = 0 + 0.2 in as recorded (no gain of its own), but GX
//	  brought 0.1 t of unknown origin: blended from 0.1 t unknown + 0.2 t
//	  Australia, 1/3 of GY's Pr (0.0667 t) is of unknown origin and
//	  0.1333 t Australian; GY's kept mix holds the third (Unrec, "n",
//	  Pr 1/3).
//
// The binary before fixYf kept GY's Pr as Australia 100 % (no "n"; the
// mix below, as it wrote it): put back to it, GY's origin read from the
// kept mix (lot list, lots CSV, risk ledger, planner) shows Pr Australia
// 100 % and no part of unknown origin, and verify names lot_origin; after
// the migration GY's mix holds the unknown third again and verify finds
// no difference. The covered-country rule (DFARS), which traces the
// genealogy rather than reading the kept mix, fails on GY throughout.
func MigrateGainedOrigin(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	const gy = "urn:t:lot:GY"
	mix := func(db *sqldb.DB) *custody.Mix {
		raw, ok, err := db.LotMix(ctx, gy)
		if err != nil || !ok {
			t.Fatalf("GY's kept mix: %v %v", ok, err)
		}
		m, err := custody.DecodeMix(raw)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	dfars := func(db *sqldb.DB) custody.Verdict {
		vs, err := custody.Evaluate(ctx, db, gy, custody.DefaultPack())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Rule == "dfars-covered-countries" {
				return v
			}
		}
		t.Fatalf("GY: no dfars-covered-countries verdict in %+v", vs)
		return custody.Verdict{}
	}
	checkReplayMigration(t, open, 119, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), goDoc(
			goFeed("GA", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:0"),
			goFeed("GB", "ndpr_oxide", "AUS", 1, "Nd:60", "Pr:20"),
			goRun("GR1", 2, []string{"GA:10"}, "GX", 0.5, "Nd:60", "Pr:20"),
			goRun("GR2", 3, []string{"GX:0.5", "GB:1"}, "GY", 2, "Nd:45", "Pr:10")))
	}, func(db *sqldb.DB) {
		// Back to GY's mix as the binary before fixYf kept it (captured
		// with it): no unknown part, its Pr all Australian by country and
		// mine, GX's 0 t counting nothing.
		m := mix(db)
		m.Unrec = nil
		m.Elem["Pr"] = [3]map[string]float64{{"AUS": 1, custody.Unknown: 0}, {"urn:t:site:mine-AUS": 1, custody.Unknown: 0}, {custody.Unknown: 1}}
		execRebound(t, db, `UPDATE lot_origin SET mix = ? WHERE lot = ?`, custody.EncodeMix(m), gy)
	}, func(db *sqldb.DB, stage migrationStage) {
		y, err := custody.OriginOf(ctx, db, gy, false)
		if err != nil {
			t.Fatal(err)
		}
		pr, m, v := y.Elements["Pr"], mix(db), dfars(db)
		var aus, unk float64
		for _, sh := range pr.ByCountry {
			switch sh.Key {
			case "AUS":
				aus = sh.Tonnes
			case custody.Unknown:
				unk = sh.Tonnes
			}
		}
		// The covered-country rule traces GY's genealogy (custody.Evaluate),
		// not its kept mix: it fails on the unknown part at every stage.
		if v.Status == custody.Pass || !strings.Contains(v.Detail, "no recorded input") {
			t.Errorf("%v: GY dfars %s %q; want not pass: metal of no recorded input", stage, v.Status, v.Detail)
		}
		if stage == beforeMigration {
			// What the readers of the kept mix (lot list, lots CSV, risk
			// ledger, planner) showed on an upgraded store before 0119.
			if len(m.Unrec) != 0 || pr.UnknownOrigin != 0 || !near(aus, 0.2) || y.Overall.OriginUnknown != nil {
				t.Errorf("%v: GY's Pr %+v (mix Unrec %v), overall unknown %+v; want the old mix: 0.2 t Australia, no unknown part", stage, pr, m.Unrec, y.Overall.OriginUnknown)
			}
			if rep := verifyFull(t, db, nil, true); rep.Difference == nil || rep.Difference.Table != "lot_origin" {
				t.Errorf("%v: verify %v %v; want lot_origin named (the old mix)", stage, rep.Problem, rep.Difference)
			}
			return
		}
		// Pr 0.2 t: 0.1 / 0.3 = 1/3 unknown (0.0667 t), 2/3 Australia
		// (0.1333 t).
		if !near(m.Unrec["Pr"], 1.0/3) || m.Unrec["Nd"] != 0 {
			t.Errorf("%v: GY's mix Unrec %v; want Pr 1/3, no Nd", stage, m.Unrec)
		}
		if !near(pr.Tonnes, 0.2) || !near(pr.UnknownOrigin, 0.2/3) || !near(unk, 0.2/3) || !near(aus, 0.4/3) {
			t.Errorf("%v: GY's Pr %+v; want 0.2 t: 0.0667 unknown origin, 0.1333 Australia", stage, pr)
		}
		if p := y.Overall.OriginUnknown; p == nil || !near(p.Tonnes, 0.2/3) {
			t.Errorf("%v: GY's overall unknown part %+v; want 0.0667 t of Pr", stage, p)
		}
	})
}

// MigrateReceiptContents (fixYb, issue 8/15): migration 0119 rewrites the
// contents (event_contents) of a receipt naming only a container that a
// store kept as what was packed, not what the trip's dispatch carried.
// GA, 10,000 kg at mb, 6,000 kg of it packed into C1 on Oct 2; C1
// shipped on Oct 3 under BOL-G beside a line "GA 5,000 kg" (the line
// states what moved of GA, C1's contents included); C1 alone received at
// khi on Oct 5 under BOL-G: it receives what the shipment carried,
// 5,000 kg, not the 6,000 kg packed. Put back to the packed 6,000 kg,
// verify names event_contents; after the migration the row is 5,000 kg
// again and verify finds no difference.
func MigrateReceiptContents(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	kg := func(db *sqldb.DB) float64 {
		var kg float64
		if err := db.Write.QueryRowContext(ctx, `SELECT COALESCE(SUM(quantity), 0) FROM event_contents WHERE event_id = 'urn:t:ev:ga-recv' AND canon = 'urn:t:lot:GA'`).Scan(&kg); err != nil {
			t.Fatal(err)
		}
		return kg
	}
	checkReplayMigration(t, open, 119, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(csLot("GA"), ctPack("ga-pack", "ADD", cbC1, 2, "GA:6000")))
		// Recorded before a line below what the named containers hold
		// was refused (custody heldBeside, nuq9): stored unchecked.
		MustCapture(t, service(db), ctDoc(ccShip("ga-ship", "urn:t:bol:BOL-G", 3, []string{cbC1}, "GA:5000")))
		MustCapture(t, svc, ctDoc(ctRecvAt("ga-recv", "urn:t:bol:BOL-G", "urn:t:site:khi", 5, []string{cbC1})))
	}, func(db *sqldb.DB) {
		// The receipt's contents as the rule before fixYb read them: what
		// was packed into C1.
		execRebound(t, db, `UPDATE event_contents SET quantity = 6000 WHERE event_id = 'urn:t:ev:ga-recv' AND canon = 'urn:t:lot:GA'`)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			if got := kg(db); !near(got, 6000) {
				t.Errorf("%v: receipt contents %v kg; want the old row, 6,000 kg packed", stage, got)
			}
			if rep := verifyFull(t, db, nil, true); rep.Difference == nil || rep.Difference.Table != "event_contents" {
				t.Errorf("%v: verify %v %v; want event_contents named (the old row)", stage, rep.Problem, rep.Difference)
			}
			return
		}
		if got := kg(db); !near(got, 5000) {
			t.Errorf("%v: receipt contents %v kg; want 5,000 (what BOL-G carried of GA)", stage, got)
		}
	})
}

// MigrateGainedOriginAgain: migration 0119 run again (its row removed
// from schema_migrations) on a store it already repaired changes no kept
// mix; on a store holding no run, container-only move or declared packing
// it replays nothing, so even an edited kept mix stays as it is.
func MigrateGainedOriginAgain(t *testing.T, open func() (*sqldb.DB, error), openOther func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	rowsOf := func(db *sqldb.DB, q string) string {
		rows, err := db.Write.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var lot, mix string
			if err := rows.Scan(&lot, &mix); err != nil {
				t.Fatal(err)
			}
			b.WriteString(lot + " " + mix + "\n")
		}
		return b.String()
	}
	rerun := func(open func() (*sqldb.DB, error), q string, edit func(db *sqldb.DB)) (string, string) {
		db, err := open()
		if err != nil {
			t.Fatal(err)
		}
		edit(db)
		before := rowsOf(db, q)
		execRebound(t, db, `DELETE FROM schema_migrations WHERE version = 119`)
		if err := db.ResealDerived(ctx); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if db, err = open(); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		return before, rowsOf(db, q)
	}
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	MustCapture(t, ledger.NewService(db), goDoc(
		goFeed("GA", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:0"),
		goFeed("GB", "ndpr_oxide", "AUS", 1, "Nd:60", "Pr:20"),
		goRun("GR1", 2, []string{"GA:10"}, "GX", 0.5, "Nd:60", "Pr:20"),
		goRun("GR2", 3, []string{"GX:0.5", "GB:1"}, "GY", 2, "Nd:45", "Pr:10")))
	db.Close()
	if before, after := rerun(open, `SELECT lot, mix FROM lot_origin ORDER BY lot`, func(*sqldb.DB) {}); before != after || !strings.Contains(after, `"n":{"Pr":0.333`) {
		t.Errorf("0119 run again changed the kept mixes:\n%s\nto\n%s", before, after)
	}
	// Another store: one commissioned lot, no run; its lots row edited
	// (a commodity it never had) is not replayed.
	if db, err = openOther(); err != nil {
		t.Fatal(err)
	}
	MustCapture(t, ledger.NewService(db), goDoc(goFeed("GC", "ree_concentrate", "PAK", 10, "Nd:4")))
	db.Close()
	before, after := rerun(openOther, `SELECT id, commodity FROM lots ORDER BY id`, func(db *sqldb.DB) {
		execRebound(t, db, `UPDATE lots SET commodity = 'edited'`)
	})
	if before != after || !strings.Contains(after, "urn:t:lot:GC edited") {
		t.Errorf("0119 replayed a store with no run or container:\n%s\nto\n%s", before, after)
	}
}
