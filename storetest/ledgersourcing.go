package storetest

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/risk"
)

// testLedgerSourcingCountsMetalOnce (issue 9, new-user check 1): ledger
// sourcing counts each tonne of contained metal once per row (commodity,
// month, element). Lots, all of 2025-10, feeds read at their mines:
//
//	PL-A2 ree_concentrate, Pakistan, 100 t at 10 % Nd = 10 t Nd
//	PL-M2 ree_concentrate, Myanmar,  100 t at  2 % Nd =  2 t Nd
//	run BL blends both whole → PL-BL ree_concentrate, 200 t at 6 % Nd = 12 t
//	X-O4  ndpr_oxide, China, 2 t at 80 % Nd = 1.6 t Nd
//	run O5 reprocesses 1 t of X-O4 → X-O5 ndpr_oxide, 1 t at 80 % = 0.8 t
//
// ree_concentrate/Nd: PL-A2 and PL-M2 passed all their Nd on to PL-BL,
// which holds it: 12 t (Pakistan 10/12 = 83.3 %, Myanmar 2/12 = 16.7 %),
// 1 lot counted — not 24 t. ndpr_oxide/Nd: X-O4 passed 1 of its 2 t on,
// keeping 1.6 × (1 − 1/2) = 0.8 t; X-O5 0.8 t: 1.6 t China, 2 lots — not
// 2.4 t.
//
// A run split over two events of one transformationID is one run (EPCIS
// 2.0 §7.4.6), and a run passes on within the row only the metal its
// outputs in the row hold. In 2025-11:
//
//	Y   ree_concentrate, Myanmar, 10 t at 10 % Nd = 1 t Nd
//	run YR event 1: Y (10 t) → Y-O ndpr_oxide, 1 t at 80 % Nd = 0.8 t
//	run YR event 2 (no inputs): → Y-C ree_concentrate, 2 t at 10 % = 0.2 t
//
// ree_concentrate/2025-11/Nd: run YR consumed all of Y and put 0.2 of the
// 0.2 + 0.8 = 1 t of Nd in its outputs into Y-C, in the row: Y passed
// 0.2 of its Nd on and keeps 1 × (1 − 0.2) = 0.8 t, Y-C 0.2 t: 1.0 t
// Myanmar from 2 lots (before: 1.2 t, Y counted whole as well as Y-C).
// The same run as one event (Z, Z-O, Z-C in 2025-12) counts the same
// 1.0 t (before: 0.2 t, all of Z passed on though 0.8 t left the row).
func testLedgerSourcingCountsMetalOnce(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	feed := func(lot, commodity, iso, tonnes, nd string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine-` + iso + `"},
  "ilmd": {"cm:commodity": "` + commodity + `", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, day, inputs, out, commodity, tonnes, nd string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
  "inputQuantityList": [` + inputs + `], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + tonnes + `, "uom": "TNE"}],
  "bizLocation": {"id": "urn:t:site:refinery"},
  "ilmd": {"cm:commodity": "` + commodity + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	// split is a run's event at the refinery under transformationID xid
	// with its own assayed outputs (lot:commodity:tonnes:Nd %).
	split := func(id, when, xid, inputs string, outs ...string) string {
		var ol, facts []string
		for k, o := range outs {
			f := strings.Split(o, ":")
			ol = append(ol, `{"epcClass": "urn:t:lot:`+f[0]+`", "quantity": `+f[2]+`, "uom": "TNE"}`)
			facts = append(facts, `{"type": "ObjectEvent", "eventID": "urn:t:ev:`+id+`-facts-`+strconv.Itoa(k)+`", "eventTime": "`+when+`", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "inspecting",
  "quantityList": [{"epcClass": "urn:t:lot:`+f[0]+`"}], "bizLocation": {"id": "urn:t:site:refinery"},
  "ilmd": {"cm:commodity": "`+f[1]+`", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": `+f[3]+`, "cm:unit": "%", "cm:basis": "dry"}]}}`)
		}
		xr := ""
		if xid != "" {
			xr = `"transformationID": "urn:t:xid:` + xid + `", `
		}
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", ` + xr + `
  "inputQuantityList": [` + inputs + `], "outputQuantityList": [` + strings.Join(ol, ",") + `], "bizLocation": {"id": "urn:t:site:refinery"}},` + strings.Join(facts, ",")
	}
	feedAt := func(lot, month string) string {
		return strings.Replace(feed(lot, "ree_concentrate", "MMR", "10", "10"), "2025-10-01", month+"-01", 1)
	}
	MustCapture(t, service(s), retractDoc(
		feedAt("Y", "2025-11"),
		split("YR1", "2025-11-05T00:00:00Z", "YR", `{"epcClass": "urn:t:lot:Y", "quantity": 10, "uom": "TNE"}`, "Y-O:ndpr_oxide:1:80"),
		split("YR2", "2025-11-06T00:00:00Z", "YR", "", "Y-C:ree_concentrate:2:10"),
		feedAt("Z", "2025-12"),
		split("ZR", "2025-12-05T00:00:00Z", "", `{"epcClass": "urn:t:lot:Z", "quantity": 10, "uom": "TNE"}`, "Z-O:ndpr_oxide:1:80", "Z-C:ree_concentrate:2:10"),
		feed("PL-A2", "ree_concentrate", "PAK", "100", "10"),
		feed("PL-M2", "ree_concentrate", "MMR", "100", "2"),
		feed("X-O4", "ndpr_oxide", "CHN", "2", "80"),
		run("BL", "05", `{"epcClass": "urn:t:lot:PL-A2", "quantity": 100, "uom": "TNE"}, {"epcClass": "urn:t:lot:PL-M2", "quantity": 100, "uom": "TNE"}`, "PL-BL", "ree_concentrate", "200", "6"),
		run("O5", "06", `{"epcClass": "urn:t:lot:X-O4", "quantity": 1, "uom": "TNE"}`, "X-O5", "ndpr_oxide", "1", "80"),
	))
	lots, _, err := s.FindLots(ctx, critmin.LotFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ll, err := risk.LedgerLotsOf(ctx, s, lots)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]risk.LedgerSourcing{}
	for _, r := range risk.LedgerSourcingOf(ll) {
		rows[r.Commodity+"/"+r.Period+"/"+r.Element] = r
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	share := func(r risk.LedgerSourcing, iso string) float64 {
		for _, sh := range r.Shares {
			if sh.ISO3 == iso {
				return sh.Share
			}
		}
		return 0
	}
	if r := rows["ree_concentrate/2025-10/Nd"]; !near(r.ElementTonnes, 12) || r.Lots != 1 || !near(share(r, "PAK"), 10.0/12) || !near(share(r, "MMR"), 2.0/12) {
		t.Errorf("ree_concentrate/2025-10/Nd %+v; want 12 t (PAK 10/12, MMR 2/12) from 1 lot", r)
	}
	if r := rows["ndpr_oxide/2025-10/Nd"]; !near(r.ElementTonnes, 1.6) || r.Lots != 2 || !near(share(r, "CHN"), 1) {
		t.Errorf("ndpr_oxide/2025-10/Nd %+v; want 1.6 t CHN from 2 lots", r)
	}
	for _, m := range []string{"2025-11", "2025-12"} {
		if r := rows["ree_concentrate/"+m+"/Nd"]; !near(r.ElementTonnes, 1) || r.Lots != 2 || !near(share(r, "MMR"), 1) {
			t.Errorf("ree_concentrate/%s/Nd %+v; want 1.0 t MMR from 2 lots (Y keeps 0.8 t, Y-C 0.2 t)", m, r)
		}
		if r := rows["ndpr_oxide/"+m+"/Nd"]; !near(r.ElementTonnes, 0.8) || r.Lots != 1 {
			t.Errorf("ndpr_oxide/%s/Nd %+v; want 0.8 t from 1 lot", m, r)
		}
	}
}

// testLedgerSourcingReportsRunLoss (issue 9, fix9j 7): a run whose
// outputs hold less metal than its inputs brought passes on only what its
// outputs hold; the rest stays counted with the input it came from and is
// reported as lost, never silently dropped. In 2026-01, at the refinery:
//
//	W   ree_concentrate, Myanmar, 10 t at 10 % Nd = 1 t Nd
//	run WR: W (10 t, all of it) → W-C ree_concentrate, 5 t at 16 % = 0.8 t
//
// WR lost 1 − 0.8 = 0.2 t Nd. W passes 0.8 / 1 = 80 % of its Nd on to
// W-C (before: 0.8 / 0.8 = 100 %, as if its outputs were all it brought)
// and keeps 1 × (1 − 0.8) = 0.2 t, the loss. ree_concentrate/2026-01/Nd:
// W-C 0.8 + W 0.2 = 1.0 t Myanmar from 2 lots, of which 0.2 t lost in
// runs (before: 0.8 t from 1 lot, the 0.2 t gone without a word).
func testLedgerSourcingReportsRunLoss(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	MustCapture(t, service(s), retractDoc(
		`{"type": "ObjectEvent", "eventID": "urn:t:ev:W", "eventTime": "2026-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine-MMR"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "MMR", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:WR", "eventTime": "2026-01-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
  "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:W-C", "quantity": 5, "uom": "TNE"}],
  "bizLocation": {"id": "urn:t:site:refinery"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 16, "cm:unit": "%", "cm:basis": "dry"}]}}`,
	))
	lots, _, err := s.FindLots(ctx, critmin.LotFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ll, err := risk.LedgerLotsOf(ctx, s, lots)
	if err != nil {
		t.Fatal(err)
	}
	var r *risk.LedgerSourcing
	for _, x := range risk.LedgerSourcingOf(ll) {
		if x.Commodity == "ree_concentrate" && x.Period == "2026-01" && x.Element == "Nd" {
			r = &x
		}
	}
	if r == nil {
		t.Fatal("no ree_concentrate/2026-01/Nd row")
	}
	if math.Abs(r.ElementTonnes-1) > 1e-9 || r.Lots != 2 || math.Abs(r.LostTonnes-0.2) > 1e-9 || r.Unknown != 0 {
		t.Errorf("ree_concentrate/2026-01/Nd %+v; want 1.0 t Myanmar from 2 lots, 0.2 t of it lost in runs", *r)
	}
}

// testLedgerSourcingCapsRetractedWeighing (fix9o item 1): ledger sourcing
// reads the capped run inputs the lot page reads after a weighing is
// declared in error (custody overConsumption), so that no row loses and
// passes on more metal than it holds. In 2025-10, at the refinery:
//
//	D15 copper_concentrate, Pakistan, 10 t at 30 % Cu = 3 t Cu
//	E15 copper_concentrate, China,    10 t at 30 % Cu = 3 t Cu
//	weighing W15 (Oct 3): D15 is 12 t
//	RA15 (Oct 5): D15 6 t + E15 4 t → 1 t copper_cathode at 99 % Cu
//	RB15 (Oct 6): D15 6 t + E15 6 t → 1 t copper_cathode at 99 % Cu
//	W15 declared in error (Oct 20): D15 is 10 t again
//
// In time order RA15 took 6 of D15's 10 t; RB15 took 6 with 4 left and
// counts 4. RA15 brought (6 + 4) × 30 % = 3.0 t, lost 3.0 − 0.99 =
// 2.01 t; RB15 brought (4 + 6) × 30 % = 3.0 t, lost 2.01 t.
// copper_concentrate/2025-10/Cu: 6 t held, 4.02 t of it lost in runs
// (uncapped, RB15 would bring 3.6 t and lose 2.61: 4.62 t).
func testLedgerSourcingCapsRetractedWeighing(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	feed := func(lot, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine-` + iso + `"},
  "ilmd": {"cm:commodity": "copper_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Cu", "cm:value": 30, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	run := func(id, day, e15, out string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
  "inputQuantityList": [{"epcClass": "urn:t:lot:D15", "quantity": 6, "uom": "TNE"}, {"epcClass": "urn:t:lot:E15", "quantity": ` + e15 + `, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 1, "uom": "TNE"}],
  "bizLocation": {"id": "urn:t:site:refinery"},
  "ilmd": {"cm:commodity": "copper_cathode", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Cu", "cm:value": 99, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	weighing := func(decl string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:W15", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE"` + decl + `,
  "quantityList": [{"epcClass": "urn:t:lot:D15"}], "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 12, "uom": "TNE"}]}]}`
	}
	svc := service(s)
	MustCapture(t, svc, retractDoc(feed("D15", "PAK"), feed("E15", "CHN"), weighing(""), run("RA15", "05", "4", "CA15"), run("RB15", "06", "6", "CB15")))
	MustCapture(t, svc, retractDoc(weighing(`, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}`)))
	lots, _, err := s.FindLots(ctx, critmin.LotFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ll, err := risk.LedgerLotsOf(ctx, s, lots)
	if err != nil {
		t.Fatal(err)
	}
	var r *risk.LedgerSourcing
	for _, x := range risk.LedgerSourcingOf(ll) {
		if x.Commodity == "copper_concentrate" && x.Period == "2025-10" && x.Element == "Cu" {
			r = &x
		}
	}
	if r == nil {
		t.Fatal("no copper_concentrate/2025-10/Cu row")
	}
	if math.Abs(r.ElementTonnes-6) > 1e-9 || math.Abs(r.LostTonnes-4.02) > 1e-9 {
		t.Errorf("copper_concentrate/2025-10/Cu %+v; want 6 t held, 4.02 t of it lost in runs (RB15 capped at the 4 t of D15 left)", *r)
	}
}

// testLedgerSourcingReadsPartTaken (issue 9, fix9ag; nu9f WRONG FIGURE 4):
// ledger sourcing reads what a run took of each input as the run's
// element balance on the lot page does (custody.RowPass.Took: the part
// taken at its own assay, ledger.RunInputScopes), never the input lot's
// average grade × the fraction of its mass consumed. In 2025-10:
//
//	L   ree_concentrate, Pakistan, 20 t wet at its mine, moisture 0.1
//	    (18 t dry), assayed as received Nd 4.5 % = 4.5 / 0.9 = 5 % dry.
//	    8 t shipped to pkkhi (7.2 t dry at 5 % = 0.36 t Nd); 6 t shipped to
//	    pkbqm (5.4 t dry) and assayed there Nd 6 % (0.324 t Nd); the body
//	    at the mine 6 t (5.4 t dry at 5 % = 0.27 t Nd). L holds 0.27 +
//	    0.36 + 0.324 = 0.954 t Nd.
//	MY  ree_concentrate, China, 10 t dry at pkkhi, Nd 1 % = 0.1 t Nd.
//	RX (pkkhi): L 8 t + MY 10 t → PX ndpr_oxide 0.6 t at Nd 60 % =
//	    0.36 t: in 0.36 + 0.1 = 0.46, out 0.36, lost 0.10 t.
//	RY (pkbqm): L 6 t → PY ndpr_oxide 0.4 t at Nd 60 % = 0.24 t: in
//	    0.324, out 0.24, lost 0.084 t.
//
// ree_concentrate/2025-10/Nd: 0.954 + 0.1 = 1.054 t, lost in runs 0.10 +
// 0.084 = 0.184 t (it read 0.1678: RX 0.4 × 0.954 + 0.1 = 0.4816 in,
// RY 0.3 × 0.954 = 0.2862 in, each lot's loss at those fractions).
//
// What passes on within a row reads the same figure. In 2025-11:
//
//	K   ree_concentrate, Pakistan, 10 t dry at its mine, Nd 5 %; 5 t
//	    shipped to pkbqm and assayed there Nd 8 % (0.4 t Nd); the body
//	    5 t at 5 % = 0.25 t. K holds 0.65 t Nd.
//	KB (pkbqm): K 5 t → KC ree_concentrate 5 t at Nd 8 % = 0.4 t.
//
// K passed 0.4 of its 0.65 t on to KC (a row's own output), keeping
// 0.25 t: ree_concentrate/2025-11/Nd 0.25 + 0.4 = 0.65 t, nothing lost
// (it read 0.725 t: K passed on 5 / 10 of its mass, keeping 0.65 × 0.5
// = 0.325 t, 0.075 t of KC's counted twice).
func testLedgerSourcingReadsPartTaken(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const mine = "urn:t:site:mine-a"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	commission := func(lot, at, iso, site, tonnes, moisture, nd, basis string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "bizLocation": {"id": "` + site + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": ` + moisture + `, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "` + basis + `"}]}}`
	}
	// move ships tonnes of lot from the mine to site (bill bol) and
	// receives them there.
	move := func(lot, day, tonnes, site, bol string) string {
		return ev(bol+"-s", day+"T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}],
  "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "urn:t:site:`+site+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`) + `,` +
			ev(bol+"-r", day+"T12:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}],
  "bizLocation": {"id": "urn:t:site:`+site+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
	}
	assay := func(id, at, lot, site, nd string) string {
		return ev(id, at, "inspecting", `"quantityList": [{"epcClass": "urn:t:lot:`+lot+`"}], "bizLocation": {"id": "urn:t:site:`+site+`"},
  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": `+nd+`, "uom": "P1", "cm:basis": "dry"}]}]`)
	}
	run := func(id, at, site, inputs, out, commodity, tonnes, nd string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
  "inputQuantityList": [` + inputs + `], "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": ` + tonnes + `, "uom": "TNE"}],
  "bizLocation": {"id": "urn:t:site:` + site + `"},
  "ilmd": {"cm:commodity": "` + commodity + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	in := func(lot, tonnes string) string {
		return `{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}`
	}
	MustCapture(t, service(s), retractDoc(
		commission("L", "2025-10-01T00:00:00Z", "PAK", mine, "20", "0.1", "4.5", "as_received"),
		commission("MY", "2025-10-01T00:00:00Z", "CHN", "urn:t:site:pkkhi", "10", "0", "1", "dry"),
		move("L", "2025-10-02", "8", "pkkhi", "BX"),
		move("L", "2025-10-03", "6", "pkbqm", "BY"),
		assay("LY", "2025-10-04T00:00:00Z", "L", "pkbqm", "6"),
		run("RX", "2025-10-05T00:00:00Z", "pkkhi", in("L", "8")+","+in("MY", "10"), "PX", "ndpr_oxide", "0.6", "60"),
		run("RY", "2025-10-06T00:00:00Z", "pkbqm", in("L", "6"), "PY", "ndpr_oxide", "0.4", "60"),
		commission("K", "2025-11-01T00:00:00Z", "PAK", mine, "10", "0", "5", "dry"),
		move("K", "2025-11-02", "5", "pkbqm", "BK"),
		assay("KY", "2025-11-03T00:00:00Z", "K", "pkbqm", "8"),
		run("KB", "2025-11-04T00:00:00Z", "pkbqm", in("K", "5"), "KC", "ree_concentrate", "5", "8"),
	))
	lots, _, err := s.FindLots(ctx, critmin.LotFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ll, err := risk.LedgerLotsOf(ctx, s, lots)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]risk.LedgerSourcing{}
	for _, r := range risk.LedgerSourcingOf(ll) {
		rows[r.Commodity+"/"+r.Period+"/"+r.Element] = r
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if r := rows["ree_concentrate/2025-10/Nd"]; !near(r.ElementTonnes, 1.054) || !near(r.LostTonnes, 0.184) {
		t.Errorf("ree_concentrate/2025-10/Nd %+v; want 0.954 + 0.1 = 1.054 t, 0.10 (RX: 0.46 − 0.36) + 0.084 (RY: 0.324 − 0.24) = 0.184 t of it lost in runs", r)
	}
	if r := rows["ree_concentrate/2025-11/Nd"]; !near(r.ElementTonnes, 0.65) || r.Lots != 2 || !near(r.LostTonnes, 0) {
		t.Errorf("ree_concentrate/2025-11/Nd %+v; want K keeps 0.65 − 0.4 = 0.25 t, KC 0.4 t: 0.65 t from 2 lots, none lost", r)
	}
}
