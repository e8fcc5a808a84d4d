package storetest

import (
	"context"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// testLotParts: an ObjectEvent's quantityList is what that event observed
// (EPCIS 2.0 §7.3.x), so shipping part of a lot ships a part; the lot's
// total stays (ledger.Project, parts.go). Lot N, NdPr oxide, 2,530 kg
// commissioned at the refinery s1 (moisture 0, so dry = wet).
//
//  1. Shipping 1,150 kg under B/L B1 to s2: 1,150 < 2,530 × (1 − 0.005)
//     = 2,517.35, a part. Total 2.53 t; in transit 1.15 t; remaining at
//     s1 2.53 − 1.15 = 1.38 t; N stays in stock at s1.
//  2. Shipping 800 kg under B/L B2: a second part. In transit 1.15 + 0.80
//     = 1.95 t; remaining 2.53 − 1.95 = 0.58 t; total 2.53 t.
//  3. Receiving 1,148 kg under B1 at s2: part 1 received (1.148 t at s2),
//     in transit 0.80 t, remaining 0.58 t, total 2.53 t; N stays at s1
//     in stock; the flow s1 → s2 carries the part's shipped 1.15 t.
//
// Verify's replay agrees. A store written before migration 0061 held
// N's mass as the last quantity stated (1,148 kg) and no parts: verify
// names lots, and migration 0061's Go step restores the projection.
func testLotParts(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T is not a sqldb.DB", s)
	}
	svc := service(s)
	const lot, s1, s2 = "urn:t:lot:N", "urn:t:site:s1", "urn:t:site:s2"
	move := func(id, at, step, disp, kg, bol, loc string) string {
		where := `"readPoint": {"id": "` + s1 + `"}, "destinationList": [{"type": "location", "destination": "` + s2 + `"}]`
		if loc != "" {
			where = `"bizLocation": {"id": "` + loc + `"}`
		}
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "` + step + `", "disposition": "` + disp + `", "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}], ` + where + `,
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "` + bol + `"}]}`
	}
	MustCapture(t, svc, docOf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:N0", "eventTime": "2025-10-20T12:00:00Z", "eventTimeZoneOffset": "+00:00",
	 "action": "ADD", "bizStep": "commissioning", "disposition": "active", "quantityList": [{"epcClass": "`+lot+`", "quantity": 2530, "uom": "KGM"}],
	 "bizLocation": {"id": "`+s1+`"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:originCountry": "PAK", "cm:moisture": 0,
	 "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 74.5, "cm:unit": "%", "cm:basis": "dry"}]}}`))
	type want struct {
		total, inTransit, remaining float64
		parts                       int
	}
	check := func(when string, w want) {
		t.Helper()
		l, err := s.FindLot(ctx, lot)
		if err != nil {
			t.Fatal(err)
		}
		near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
		if !near(l.WetTonnes, w.total) || !near(l.DryTonnes, w.total) || !near(l.InTransitTonnes(), w.inTransit) || !near(l.RemainingWetTonnes(), w.remaining) ||
			len(l.Parts) != w.parts || l.Status != critmin.LotInStock || l.Location != s1 {
			t.Fatalf("%s: lot N total %v t (dry %v), in transit %v t, remaining %v t, %d parts, %s at %s; want %v t, %v t, %v t, %d parts, in stock at %s",
				when, l.WetTonnes, l.DryTonnes, l.InTransitTonnes(), l.RemainingWetTonnes(), len(l.Parts), l.Status, l.Location, w.total, w.inTransit, w.remaining, w.parts, s1)
		}
	}
	MustCapture(t, svc, docOf(move("urn:t:ev:N1", "2025-10-21T12:00:00Z", "shipping", "in_transit", "1150", "urn:t:bol:B1", "")))
	check("after the first part shipped", want{total: 2.53, inTransit: 1.15, remaining: 1.38, parts: 1})
	MustCapture(t, svc, docOf(move("urn:t:ev:N2", "2025-10-22T12:00:00Z", "shipping", "in_transit", "800", "urn:t:bol:B2", "")))
	check("after the second part shipped", want{total: 2.53, inTransit: 1.95, remaining: 0.58, parts: 2})
	MustCapture(t, svc, docOf(move("urn:t:ev:N3", "2025-10-30T12:00:00Z", "receiving", "in_progress", "1148", "urn:t:bol:B1", s2)))
	// The outturn weight counts (fix15v): 2.53 − 1.15 + 1.148 = 2.528 t.
	check("after the first part received", want{total: 2.528, inTransit: 0.80, remaining: 0.58, parts: 2})
	l, err := s.FindLot(ctx, lot)
	if err != nil {
		t.Fatal(err)
	}
	p := l.Parts[0]
	if p.Status != critmin.PartReceived || p.To != s2 || math.Abs(p.ReceivedTonnes-1.148) > 1e-9 || p.ReceiptEventID != "urn:t:ev:N3" || p.ShipEventID != "urn:t:ev:N1" ||
		l.Parts[1].Status != critmin.PartInTransit || l.Parts[1].BillOfLading != "urn:t:bol:B2" {
		t.Fatalf("parts after the receipt: %+v", l.Parts)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var flow float64
	for _, f := range st.Flows {
		if f.From == s1 && f.To == s2 {
			flow += f.Tonnes
		}
	}
	// In transit on the overview: part 2, 0.80 t (N itself is in stock).
	if math.Abs(st.TonnesInTransit-0.80) > 1e-9 {
		t.Errorf("tonnes in transit %v; want part 2's 0.80 t", st.TonnesInTransit)
	}
	if math.Abs(flow-1.15) > 1e-9 {
		t.Errorf("flow s1 → s2 = %v t; want the part's 1.15 t (flows %+v)", flow, st.Flows)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
	// The lot as a store written before migration 0061 holds it: the
	// receipt's 1,148 kg taken as the lot's mass, no parts.
	tamperAsOlder(t, s, `UPDATE lots SET quantity = 1148, wet_t = 1.148, dry_t = 1.148, parts = '[]' WHERE id = '`+lot+`'`)
	rep := verifyFull(t, s, nil, true)
	if rep.OK() || rep.Difference == nil || rep.Difference.Table != "lots" {
		t.Fatalf("verify of the pre-0061 lot: ok %v, difference %+v; want lots named", rep.OK(), rep.Difference)
	}
	// Without the column, as before the migration's SQL.
	tamper(t, s, `ALTER TABLE lots DROP COLUMN parts`, `DELETE FROM schema_migrations WHERE version = 61`)
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatalf("migration 0061: %v", err)
	}
	check("after migration 0061", want{total: 2.528, inTransit: 0.80, remaining: 0.58, parts: 2})
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after migration 0061: %v %v", rep.Problem, rep.Difference)
	}
}

// testPartsInTransitFilter (fix9c item 2): LotFilter.InTransit lists
// the lots with anything in transit — the lot as a whole or a part of it —
// and Status in_transit only the former. Lots (1,000 kg each, commissioned
// at mine-b): P ships 400 kg under B/L BP (400 < 1,000 × 0.995: a part; P
// stays in stock with 0.4 t in transit); W ships 1,000 kg under B/L BW
// (the whole lot: W in transit); S does not move. Then P's part is
// received: nothing of P is in transit and it drops out of the list.
func testPartsInTransitFilter(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	ship := func(id, lot, kg, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-11-02T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}],
		 "readPoint": {"id": "urn:critmin:site:mine-b"}, "destinationList": [{"type": "location", "destination": "urn:t:site:port"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "` + bol + `"}]}`
	}
	MustCapture(t, svc, docOf(
		commissionEv("urn:t:ev:P0", "2025-11-01T08:00:00Z", "urn:t:lot:P", "1000", "ree_concentrate", "PAK"),
		commissionEv("urn:t:ev:W0", "2025-11-01T08:00:00Z", "urn:t:lot:W", "1000", "ree_concentrate", "PAK"),
		commissionEv("urn:t:ev:S0", "2025-11-01T08:00:00Z", "urn:t:lot:S", "1000", "ree_concentrate", "PAK"),
		ship("urn:t:ev:P1", "urn:t:lot:P", "400", "urn:t:bol:BP"),
		ship("urn:t:ev:W1", "urn:t:lot:W", "1000", "urn:t:bol:BW")))
	ids := func(f critmin.LotFilter) string {
		t.Helper()
		lots, total, err := s.FindLots(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range lots {
			out = append(out, strings.TrimPrefix(l.ID, "urn:t:lot:"))
		}
		sort.Strings(out)
		if total != len(out) {
			t.Fatalf("total %d for %d lots listed", total, len(out))
		}
		return strings.Join(out, ",")
	}
	if got := ids(critmin.LotFilter{InTransit: true}); got != "P,W" {
		t.Errorf("in transit (whole or part): %q; want P,W", got)
	}
	if got := ids(critmin.LotFilter{Status: critmin.LotInTransit}); got != "W" {
		t.Errorf("status in_transit: %q; want W (P's rest is in stock)", got)
	}
	if got := ids(critmin.LotFilter{InTransit: true, Commodity: "ndpr_oxide"}); got != "" {
		t.Errorf("in transit, another commodity: %q; want none", got)
	}
	l, err := s.FindLot(ctx, "urn:t:lot:P")
	if err != nil {
		t.Fatal(err)
	}
	if l.Status != critmin.LotInStock || math.Abs(l.InTransitTonnes()-0.4) > 1e-9 {
		t.Fatalf("P: %s, %v t in transit; want in stock, 0.4 t", l.Status, l.InTransitTonnes())
	}
	MustCapture(t, svc, docOf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:P2", "eventTime": "2025-11-05T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 400, "uom": "KGM"}],
	 "bizLocation": {"id": "urn:t:site:port"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BP"}]}`))
	if got := ids(critmin.LotFilter{InTransit: true}); got != "W" {
		t.Errorf("in transit after P's part was received: %q; want W", got)
	}
}

// testPartReweigh (fix9c item 4): a weighing where a part of a lot was
// received weighs that part, and the lot's total follows; before, it was
// ignored. Lot R, 10,000 kg commissioned at mine-b (no moisture: dry =
// wet). 4,000 kg ship under B/L BR to the port (a part: 4 < 10 × 0.995)
// and are received there at 3,990 kg. An inspection at the port weighs
// 3,900 kg: the part is 3.9 t; the total 10 − 4 + 3.9 = 9.9 t; remaining
// at mine-b 9.9 − 3.9 = 6 t, as before. Then a Mass sensor report at the
// port of 3,950 kg: the part is 3.95 t, the total 6 + 3.95 = 9.95 t. A
// run at the port feeding the lot without a quantity takes the whole part
// as last weighed, 3.95 t. Verify's replay agrees; a store written before
// migration 0066 (the weighings ignored: total 10 t, no weighedTonnes) is
// named by verify and restored by the migration's Go step.
func testPartReweigh(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T is not a sqldb.DB", s)
	}
	svc := service(s)
	const lot, port = "urn:t:lot:R", "urn:t:site:port"
	obs := func(id, at, step, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + extra + `}`
	}
	MustCapture(t, svc, docOf(commissionEv("urn:t:ev:R0", "2025-11-01T08:00:00Z", lot, "10000", "ree_concentrate", "PAK"),
		obs("urn:t:ev:R1", "2025-11-02T08:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 4000, "uom": "KGM"}],
		 "readPoint": {"id": "urn:critmin:site:mine-b"}, "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BR"}]`),
		obs("urn:t:ev:R2", "2025-11-05T08:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 3990, "uom": "KGM"}],
		 "bizLocation": {"id": "`+port+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BR"}]`)))
	check := func(when string, total, part float64, by string) {
		t.Helper()
		l, err := s.FindLot(ctx, lot)
		if err != nil {
			t.Fatal(err)
		}
		near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
		if len(l.Parts) != 1 || !near(l.WetTonnes, total) || !near(l.DryTonnes, total) || !near(l.RemainingWetTonnes(), 6) || !near(l.Parts[0].Mass(), part) ||
			l.Parts[0].WeighEventID != by || !near(l.Parts[0].ReceivedTonnes, 3.99) || l.Status != critmin.LotInStock || l.Location != "urn:critmin:site:mine-b" {
			t.Fatalf("%s: lot R total %v t (dry %v), remaining %v t, parts %+v, %s at %s; want total %v t, remaining 6 t, the part %v t weighed by %q, received 3.99 t, in stock at mine-b",
				when, l.WetTonnes, l.DryTonnes, l.RemainingWetTonnes(), l.Parts, l.Status, l.Location, total, part, by)
		}
	}
	// The outturn weight counts (fix15v): the part is 3.99 t, the total
	// 10 − 4 + 3.99 = 9.99 t.
	check("after the receipt", 9.99, 3.99, "")
	MustCapture(t, svc, docOf(obs("urn:t:ev:R3", "2025-11-06T08:00:00Z", "inspecting", `"quantityList": [{"epcClass": "`+lot+`", "quantity": 3900, "uom": "KGM"}], "bizLocation": {"id": "`+port+`"}`)))
	check("after the inspection at the port", 9.9, 3.9, "urn:t:ev:R3")
	MustCapture(t, svc, docOf(obs("urn:t:ev:R4", "2025-11-07T08:00:00Z", "inspecting", `"quantityList": [{"epcClass": "`+lot+`"}], "bizLocation": {"id": "`+port+`"},
	 "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 3950, "uom": "KGM"}]}]`)))
	check("after the sensor report at the port", 9.95, 3.95, "urn:t:ev:R4")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
	// The lot as a store written before migration 0066 holds it: the two
	// weighings ignored.
	tamperAsOlder(t, s, `UPDATE lots SET quantity = 10000, wet_t = 10, dry_t = 10, parts = REPLACE(REPLACE(parts, '"weighedTonnes":3.95,', ''), '"weighEventID":"urn:t:ev:R4",', '') WHERE id = '`+lot+`'`)
	if l, err := s.FindLot(ctx, lot); err != nil || l.Parts[0].WeighedTonnes != nil || l.WetTonnes != 10 {
		t.Fatalf("tampered lot: %+v %v", l, err)
	}
	if rep := verifyFull(t, s, nil, true); rep.OK() || rep.Difference == nil || rep.Difference.Table != "lots" {
		t.Fatalf("verify of the pre-0066 lot: ok %v, difference %+v; want lots named", rep.OK(), rep.Difference)
	}
	tamper(t, s, `DELETE FROM schema_migrations WHERE version = 66`)
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatalf("migration 0066: %v", err)
	}
	check("after migration 0066", 9.95, 3.95, "urn:t:ev:R4")
	// A run at the port feeding R with no quantity takes the whole part
	// as last weighed: 3.95 t.
	MustCapture(t, svc, docOf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:R5", "eventTime": "2025-11-08T08:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputEPCList": [], "inputQuantityList": [{"epcClass": "`+lot+`"}], "outputQuantityList": [{"epcClass": "urn:t:lot:RO", "quantity": 1000, "uom": "KGM"}], "bizLocation": {"id": "`+port+`"},
	 "ilmd": {"cm:commodity": "ree_concentrate"}}`))
	l, err := s.FindLot(ctx, lot)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(l.Parts[0].TakenTonnes-3.95) > 1e-9 || math.Abs(l.RemainingWetTonnes()-6) > 1e-9 {
		t.Fatalf("after the run at the port: part taken %v t, remaining %v t; want 3.95 t taken of the part, 6 t remaining", l.Parts[0].TakenTonnes, l.RemainingWetTonnes())
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after the run: %v %v", rep.Problem, rep.Difference)
	}
}

// testOverUnpack: an AggregationEvent DELETE takes out of its parent at
// most what was packed in (EPCIS 2.0 §7.3.5.3). Lot U (10,000 kg) has
// 6,000 kg packed into C. Unpacking 7,000 kg: 7 > 6 × 1.005 = 6.03 t,
// refused, naming the lot, C and the 6 t packed; nothing stored, by
// capture and by the preview. Unpacking 4,000 kg then leaves 6 − 4 = 2 t
// in C; a further 2,500 kg (> 2 × 1.005 = 2.01 t) is refused; 2,000 kg
// is accepted.
func testOverUnpack(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	const lot, c = "urn:critmin:lot:u-1", "urn:epc:id:sscc:0614141.1000000009"
	agg := func(id, action, kg string) string {
		return `{"type": "AggregationEvent", "eventID": "` + id + `", "eventTime": "2025-11-02T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		 "action": "` + action + `", "bizStep": "packing", "parentID": "` + c + `", "childQuantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}]}`
	}
	MustCapture(t, svc, docOf(commissionEv("urn:t:ev:U0", "2025-11-01T08:00:00Z", lot, "10000", "ree_concentrate", "PAK"),
		agg("urn:t:ev:U1", "ADD", "6000")))
	refused := func(id, kg, held string) {
		t.Helper()
		doc := docOf(agg(id, "DELETE", kg))
		want := "lot " + lot + " from " + c + ", but only " + held + " t of it is packed there (event urn:t:ev:U1)"
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)})
		if fs := critmin.ErrorFields(err); err == nil || len(fs) != 1 || !strings.Contains(fs[0].Reason, want) || !strings.HasSuffix(fs[0].Pointer, "childQuantityList/0/quantity") {
			t.Fatalf("unpacking %s kg: %v %+v; want %q", kg, err, fs, want)
		}
		if _, err := s.FindEventsByID(ctx, id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Fatalf("the refused unpacking of %s kg was stored: %v", kg, err)
		}
		perEvent, err := svc.Validate(ctx, []byte(doc))
		if err != nil || len(perEvent) != 1 || len(perEvent[0]) != 1 || !strings.Contains(perEvent[0][0].Reason, want) {
			t.Fatalf("preview of unpacking %s kg: %+v, %v; want %q", kg, perEvent, err, want)
		}
	}
	refused("urn:t:ev:U2", "7000", "6")
	MustCapture(t, svc, docOf(agg("urn:t:ev:U3", "DELETE", "4000")))
	refused("urn:t:ev:U4", "2500", "2")
	MustCapture(t, svc, docOf(agg("urn:t:ev:U5", "DELETE", "2000")))
	if in, err := s.PackedIn(ctx, []string{lot}, time.Time{}); err != nil || len(in) != 0 {
		t.Errorf("PackedIn after unpacking all: %+v, %v; want none", in, err)
	}
}
