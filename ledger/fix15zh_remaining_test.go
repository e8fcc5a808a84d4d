package ledger_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// fix15zhLot is lot S7 (issue 15, fix15zh; new-user check of the demo
// corridor): 20 t at mine M at 8 % moisture, Sb 20 % dry. D1 ships 5 t
// to the refinery R (B/L S7-a), received there at 5 t; an assay there of
// that part reads Sb 5.5 % dry (the part's own grade, fix15a). A run at
// R takes 4,010 kg of the lot — of the part; a run at M takes 3,000 kg
// of the body; D2 then ships 2 t of the body towards H (B/L S7-b, at
// sea).
func fix15zhLot() []*critmin.Event {
	const id, m, r = "urn:lot:S7", "urn:site:M", "urn:site:R"
	moist := 0.08
	c := noBodyCommission(id, m, 20000)
	c.Mineral = &critmin.MineralFacts{Commodity: "antimony_ore", Moisture: &moist, Assays: []critmin.Assay{{Analyte: "Sb", Value: 20, Unit: "%", Basis: "dry", EventID: "c", At: at(1)}}}
	assay := noBodyEv(id, "x1", 4, "inspecting", r, "", "", nil)
	assay.Mineral = &critmin.MineralFacts{Assays: []critmin.Assay{{Analyte: "Sb", Value: 5.5, Unit: "%", Basis: "dry", EventID: "x1", At: at(4)}}}
	run := func(eid string, day int, site string, kgs float64) *critmin.Event {
		return &critmin.Event{EventID: eid, Type: critmin.TransformationEvent, EventTime: at(day), BizLocation: site,
			Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(kgs), UOM: "KGM"}}}
	}
	return []*critmin.Event{c,
		noBodyEv(id, "d1", 2, "shipping", m, r, "S7-a", kg(5000)), noBodyEv(id, "r1", 3, "receiving", r, "", "S7-a", kg(5000)),
		assay, run("runR", 5, r, 4010), run("runM", 6, m, 3000),
		noBodyEv(id, "d2", 7, "shipping", m, "urn:site:H", "S7-b", kg(2000))}
}

// TestAssayContainedIsOfWhatRemains (issue 15, fix15zh, findings 1 and
// 2): lot S7 (fix15zhLot).
//   - The part at R: 5 t wet at 8 % = 4.6 dmt as received; the run took
//     4.01 t of it, so 5 − 4.01 = 0.99 t wet stand there, 0.99 × 0.92 =
//     0.9108 dmt. Its dry mass is what stands (it read 4.6 dmt, counting
//     what the run took), and its assay row's contained Sb is 5.5 % ×
//     0.9108 = 0.050094 t (50.094 kg), not 5.5 % × 4.6 = 0.253 t.
//   - The lot's rows (the body and D2, at the lot's grade): the body
//     20 − 3 (taken) − 5 − 2 (parts) = 10 t wet at M, 9.2 dmt, and D2's
//     2 t at sea, 1.84 dmt: 11.04 dmt remain, Sb 20 % × 11.04 = 2.208 t
//     (it read 20 % × (18.4 − 4.6) = 2.76 t, counting the run's 3 t at
//     M, 2.76 t dry).
//
// The lot's own total stays what it was (DryTonnes 18.4 t, and
// ledger.Contained 2.76 + 0.253 = 3.013 t): the origin and the mass
// balance read the lot as a whole, what runs took included.
func TestAssayContainedIsOfWhatRemains(t *testing.T) {
	t.Parallel()
	const id = "urn:lot:S7"
	evs := fix15zhLot()
	l := projectAll(id, evs...)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(l.DryTonnes, 18.4) {
		t.Fatalf("lot dry %v t; want 18.4 t (its total)", l.DryTonnes)
	}
	if c, ok := ledger.Contained(l, "Sb"); !ok || !near(c, 3.013) {
		t.Errorf("ledger.Contained %v %v; want the lot's total 13.8 × 20 %% + 4.6 × 5.5 %% = 2.76 + 0.253 = 3.013 t", c, ok)
	}
	p := fix15qPart(t, l, "d1")
	if w, d := l.PartRemainingWetTonnes(p), l.PartRemainingDryTonnes(p); !near(w, 0.99) || !near(d, 0.9108) {
		t.Errorf("part D1 remaining %v t wet, %v t dry; want 5 − 4.01 = 0.99 t, 0.99 × 0.92 = 0.9108 t", w, d)
	}
	if d2 := fix15qPart(t, l, "d2"); !near(l.PartRemainingDryTonnes(d2), 1.84) {
		t.Errorf("part D2 (at sea) remaining %v t dry; want 2 × 0.92 = 1.84 t", l.PartRemainingDryTonnes(d2))
	}
	var part, lot *ledger.AssayRecord
	recs := ledger.AssayRecords(l, evs)
	for i := range recs {
		switch recs[i].Site {
		case "urn:site:R":
			part = &recs[i]
		case "":
			lot = &recs[i]
		}
	}
	if part == nil || lot == nil {
		t.Fatalf("assay records %+v; want the lot's and the part's at R", recs)
	}
	if c, ok := part.Contained(); !ok || !near(part.RemainingDryTonnes, 0.9108) || !near(c, 0.050094) {
		t.Errorf("the part's row: contained %v %v t of %v dmt; want 5.5 %% × 0.9108 = 0.050094 t (not 5.5 %% × 4.6 = 0.253 t)", c, ok, part.RemainingDryTonnes)
	}
	if c, ok := lot.Contained(); !ok || !near(lot.RemainingDryTonnes, 11.04) || !near(c, 2.208) {
		t.Errorf("the lot's row: contained %v %v t of %v dmt; want 20 %% × (9.2 + 1.84) = 2.208 t (not 20 %% × 13.8 = 2.76 t)", c, ok, lot.RemainingDryTonnes)
	}
}

// TestDependentNamesTheHoldingDrawnOn (issue 15, fix15zh, finding 3):
// lot NU-B1 owned by FWO at LS; 12 t shipped to K (NUB-1), received
// there for USSM (r1); s3 ships 6 t from K naming no party (NUB-3): it
// draws on USSM's holding, the only one at K. Declaring r1 leaves
// nothing of the lot at K when s3 left: s3 is flagged, and the holding
// it drew on was USSM's — the preview named FWO, the lot's owner, which
// the flagged part (naming no party) falls back to.
func TestDependentNamesTheHoldingDrawnOn(t *testing.T) {
	t.Parallel()
	const id, ls, k = "urn:lot:NU-B1", "urn:site:LS", "urn:site:K"
	c := noBodyCommission(id, ls, 30000)
	c.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:fwo"}}
	r1 := noBodyEv(id, "r1", 3, "receiving", k, "", "NUB-1", kg(12000))
	r1.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:ussm"}}
	evs := []*critmin.Event{c, noBodyEv(id, "s1", 2, "shipping", ls, k, "NUB-1", kg(12000)), r1,
		noBodyEv(id, "s3", 6, "shipping", k, "urn:site:H", "NUB-3", kg(6000))}
	deps := ledger.DeclarationDependents(id, evs, "r1")
	if len(deps) != 1 || deps[0].EventID != "s3" || !deps[0].Flagged {
		t.Fatalf("dependents %+v; want s3 flagged", deps)
	}
	if o := deps[0].Owners; len(o) != 1 || o[0] != "urn:party:ussm" {
		t.Errorf("s3 drew on the holding of %v; want USSM's (the part received by r1), not the lot's owner FWO", o)
	}
	if lf := deps[0].LeftFrom; lf == nil || len(lf.Stood) != 0 {
		t.Errorf("s3 left from %+v; want nothing of the lot standing at K once r1 is declared", lf)
	}
}

// TestReceiptWithoutBOLReadsTheDispatchBOL (issue 15, fix15zh, finding
// 4): lot B7, 20 t at M; 5 t shipped to Q under B7-a; the rest shipped
// to K under B7-b stating no quantity — the body, 15 t, at sea on B7-b.
// 14 t received at K naming no bill of lading closes the body's leg
// (the one it weighs nearest); its outturn is B7-b's, −1 t (−6.67 %),
// and reads "lost 1.000 t in transit under bill of lading B7-b" — it
// read "under no bill of lading", the body's B/L unread.
func TestReceiptWithoutBOLReadsTheDispatchBOL(t *testing.T) {
	t.Parallel()
	const id = "urn:lot:B7"
	evs := []*critmin.Event{noBodyCommission(id, "urn:site:M", 20000),
		noBodyEv(id, "sa", 2, "shipping", "urn:site:M", "urn:site:Q", "B7-a", kg(5000)),
		noBodyEv(id, "sb", 4, "shipping", "urn:site:M", "urn:site:K", "B7-b", nil),
		noBodyEv(id, "rk", 5, "receiving", "urn:site:K", "", "", kg(14000))}
	os := ledger.Outturns(id, evs)
	if len(os) != 1 || os[0].ShipEventID != "sb" || math.Abs(os[0].ShippedTonnes-15) > 1e-9 {
		t.Fatalf("outturns %+v; want the body's leg, 15 t shipped by sb", os)
	}
	if os[0].BillOfLading != "B7-b" || !strings.Contains(os[0].Detail, "under bill of lading B7-b") || strings.Contains(os[0].Detail, "no bill of lading") {
		t.Errorf("outturn B/L %q, detail %q; want B7-b, the bill of lading its shipment named", os[0].BillOfLading, os[0].Detail)
	}
}

// TestFromNothingWordedFromWhatStood (issue 15, fix15zh, finding 5): a
// part shipped from nothing is worded from the holdings that stood where
// it left when it left.
//   - Lot NU-B1 (fix15qLot): USSM's 12 t and the smelter's 5 t received
//     at K; s3 ships 6 t from K naming USSM. With r1 declared, USSM
//     holds nothing at K while the smelter's 5 t stand: the flag read
//     "nothing of the lot stood there"; it now names USSM's holding and
//     the smelter's 5 t.
//   - Without the smelter's part, nothing of the lot stood at K.
//   - r1 received 4 t, not 12 (the weight corrected): USSM held 4 t at
//     K, less than the 6 t s3 ships, beside the smelter's 5 t.
func TestFromNothingWordedFromWhatStood(t *testing.T) {
	t.Parallel()
	const id = "urn:lot:NU-B1"
	site := func(s string) string { return strings.TrimPrefix(s, "urn:site:") }
	party := func(s string) string { return strings.TrimPrefix(s, "urn:party:") }
	tonnes := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	text := func(evs []*critmin.Event) string {
		t.Helper()
		p := fix15qPart(t, projectAll(id, evs...), "s3")
		if !p.FromRetracted {
			t.Fatalf("s3 %+v; want flagged", p)
		}
		return ledger.FromNothingText(p.LeftFrom, p.From, p.Tonnes, site, party, tonnes)
	}
	got := text(fix15qLot(true, "r1"))
	if want := "nothing of the holding of ussm, the source party it names, stood at K when it left: what stood of the lot there then was another party's (5 wmt owned by smelter, held by no party named)"; !strings.HasPrefix(got, want) {
		t.Errorf("USSM's receipt declared: %q; want %q…", got, want)
	}
	if got := text(fix15qLot(false, "r1")); got != "nothing of the lot stood at K when it left" {
		t.Errorf("no smelter: %q; want nothing of the lot at K", got)
	}
	var corrected []*critmin.Event
	for _, e := range fix15qLot(true) {
		if e.EventID == "r1" {
			c := *e
			c.Quantities = []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: id, Quantity: kg(4000), UOM: "KGM"}}
			e = &c
		}
		corrected = append(corrected, e)
	}
	if want := "the holding of ussm, the source party it names, held 4 wmt at K when it left, less than the 6 wmt it ships (what stood of the lot there then: 4 wmt owned by ussm, held by no party named; 5 wmt owned by smelter, held by no party named)"; text(corrected) != want {
		t.Errorf("USSM's receipt 4 t: %q; want %q", text(corrected), want)
	}
}
