package storetest

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// testRunLinkMigration: a store whose lot_links were written before
// migration 0045 by the old run rule is repaired by migration 0052, which
// replays the log with the current rule (ledger.RunLinks) as verify does.
//
// Site mb (mass balance: REE factor 0.9, monthly periods). Feeds P and Q,
// Pakistan, 10 t dry each at 4 % Nd + 1 % Pr (5 % Nd+Pr). December 10:
//
//   - run Y: ya takes 10 t of P and makes YO (0.5 t oxide); yb restates YO
//     (no input). Current rule: (P, YO, ya) consumes 10 t, (P, YO, yb) is
//     replay. Old rule: both consume, 10 t each.
//   - run W: wa takes 4 t of Q, wb 6 t of Q (no outputs), wc makes WO; wd
//     restates WO. Current rule: (Q, WO, wc) carries the summed line 4 + 6
//     = 10 t, (Q, WO, wd) 4 t as replay (the first line; the pair is kept
//     once). Old rule: (Q, WO, wc) and (Q, WO, wd) both kept the first line
//     only, 4 t each, both consuming.
//
// Current credits, PAK, December: P 10 × 5 % × 0.9 = 0.45 t Nd+Pr plus Q
// 10 × 5 % × 0.9 = 0.45 t: 0.90 t (each run's oxide, 0.6 t at Nd 64 % +
// Pr 16 % = 0.48 t, holds its 0.45 t: fix9c, a run never credits more than
// its products contain; Nd 0.384 ≤ 0.4, Pr 0.096 ≤ 0.1). Under the old rows the statement is
// different (P counted twice, Q as 4 + 4 t) and verify names lot_links.
// The old mixes are stood for by YO's kept mix being stale ("{}", 1), as
// capture left a mix it could not compute. After the migration verify
// reports ok and the credits are 0.90 t again.
func testRunLinkMigration(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T is not a sqldb.DB", s)
	}
	svc := service(s)
	site := `{"id": "urn:t:site:mb", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "mb"}, {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}`
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` + site + `]}]}},
	 "epcisBody": {"eventList": [`
	feed := func(lot string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-PAK"},
		  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "urn:t:site:mine-PAK", "cm:moisture": 0,
		  "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, xid, in, inT, out string) string {
		body := ""
		if in != "" {
			body += `"inputQuantityList": [{"epcClass": "urn:t:lot:` + in + `", "quantity": ` + inT + `, "uom": "TNE"}], `
		}
		if out != "" {
			body += `"outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 0.6, "uom": "TNE"}],
			 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 64, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 16, "cm:unit": "%", "cm:basis": "dry"}]}, `
		}
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-12-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		 "transformationID": "urn:t:run:` + xid + `", ` + body + `"bizLocation": {"id": "urn:t:site:mb"}}`
	}
	MustCapture(t, svc, head+feed("P")+`, `+feed("Q")+`]}}`)
	decl := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-12", From: "2025-12-01", To: "2026-01-01"}}}
	if err := custody.DeclareMassBalance(ctx, s, decl, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	MustCapture(t, svc, head+run("ya", "Y", "P", "10", "YO")+`]}}`)
	MustCapture(t, svc, head+run("yb", "Y", "", "", "YO")+`]}}`)
	MustCapture(t, svc, head+run("wa", "W", "Q", "4", "")+`]}}`)
	MustCapture(t, svc, head+run("wb", "W", "Q", "6", "")+`, `+run("wc", "W", "", "", "WO")+`]}}`)
	MustCapture(t, svc, head+run("wd", "W", "", "", "WO")+`]}}`)
	credits := func() float64 {
		t.Helper()
		st, err := custody.StatementOf(ctx, s, "urn:t:site:mb", "2025-12", nil, time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, c := range st.Categories {
			for _, l := range c.Lines {
				if l.Country == "PAK" {
					sum += l.Credits
				}
			}
		}
		return sum
	}
	if got := credits(); math.Abs(got-0.90) > 1e-9 {
		t.Fatalf("credits PAK as captured = %v; want 0.90 t (P and Q once each)", got)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify as captured: %v %v", rep.Problem, rep.Difference)
	}
	// The store as the old rule left it: every transformation link of the
	// runs consumes (replay = 0, the default migration 0045 gave old rows)
	// and W's summed line is the first line only.
	link := func(parent, child, ev string, q int) string {
		return `INSERT INTO lot_links (parent, child, event_id, kind, parent_qty, parent_uom, child_qty, child_uom, event_time, biz_location, replay) VALUES ('urn:t:lot:` + parent + `', 'urn:t:lot:` + child + `', 'urn:t:ev:` + ev + `', 'transformation', ` +
			strconv.Itoa(q) + `, 'TNE', 0.5, 'TNE', 1765324800000000, 'urn:t:site:mb', 0)`
	}
	tamperAsOlder(t, s,
		`DELETE FROM lot_links WHERE kind = 'transformation'`,
		link("P", "YO", "ya", 10), link("P", "YO", "yb", 10), link("Q", "WO", "wc", 4), link("Q", "WO", "wd", 4),
		`UPDATE lot_origin SET mix = '{}', stale = 1 WHERE lot = 'urn:t:lot:YO'`,
		`DELETE FROM schema_migrations WHERE version = 52`)
	if got := credits(); math.Abs(got-0.90) < 1e-9 {
		t.Fatalf("credits PAK under the old links = %v: the fixture does not show the double count", got)
	}
	rep := verifyFull(t, s, nil, true)
	if rep.OK() || rep.Difference == nil || rep.Difference.Table != "lot_links" {
		t.Fatalf("verify of the old links: ok %v, difference %+v; want lot_links named", rep.OK(), rep.Difference)
	}
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatalf("migration 0052 on old links: %v", err)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after migration 0052: %v %v", rep.Problem, rep.Difference)
	}
	if got := credits(); math.Abs(got-0.90) > 1e-9 {
		t.Errorf("credits PAK after migration 0052 = %v; want 0.90 t", got)
	}
	var replay, n int
	if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(replay), 0) FROM lot_links WHERE kind = 'transformation'`).Scan(&n, &replay); err != nil || n != 4 || replay != 2 {
		t.Errorf("transformation links after migration 0052: %d, %d replay (%v); want 4, 2 replay (yb's and wd's)", n, replay, err)
	}
	var mix string
	if err := db.Write.QueryRowContext(ctx, rebind(db, `SELECT mix FROM lot_origin WHERE lot = ? AND stale = 0`), "urn:t:lot:YO").Scan(&mix); err != nil || !strings.Contains(mix, "PAK") {
		t.Errorf("YO's kept mix after migration 0052: %q (%v); want the replayed mix, from Pakistan", mix, err)
	}
	// Again: nothing changes.
	tamper(t, s, `DELETE FROM schema_migrations WHERE version = 52`)
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatal(err)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after migration 0052 run twice: %v %v", rep.Problem, rep.Difference)
	}
}
