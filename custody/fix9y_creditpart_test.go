package custody_test

import (
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestCreditReadsGradeOfPartTaken (issue 9, fix9y; docs/origin.md "An
// assay is of what stood where it was taken"; ISO 22095-2: credits in are
// the qualifying characteristic of the input the process took × the
// conversion factor): a credit is the contained element of what the run
// took — the part it took of its input lot, at that part's assay — never
// the lot's blended grade. Site mb (credit method, factor 0.9), element
// Nd (Nd2O3 → Nd 0.857356, shared/data/facts.md):
//
//	L (Pakistan) 10 t dry at its mine, Nd2O3 5 %. B1: 4 t shipped to mb
//	and received, assayed there Nd2O3 4 %. The body at the mine
//	re-assayed 7 %. B2: 2 t more shipped to mb (leaves at the body's 7 %).
//	M (Myanmar) 2 t at Nd2O3 6 %.
//	R1 takes 3 t of L (of B1) → O1 0.2 t at Nd 50 % (0.1 t Nd):
//	  3 × 4 % × 0.857356 = 0.102883 t Nd × 0.9 = 0.092594 t (< 0.1, no bound).
//	R2 takes 3 t of L (1 t of B1 at 4 %, 2 t of B2 at 7 %) + 2 t of M →
//	  O2 0.4 t at Nd 60 % (0.24 t Nd):
//	  L: (0.04 + 0.14) × 0.857356 = 0.154324 t Nd × 0.9 = 0.138892 t;
//	  M: 2 × 6 % × 0.857356 = 0.102883 × 0.9 = 0.092594 t.
//	Pakistan 0.092594 + 0.138892 = 0.231487 t; Myanmar 0.092594 t.
//
// The lot-wide grade (4 t body at 7 %, B1 4 t at 4 %, B2 2 t at 7 %:
// 5.8 %) credited R1 0.134262 (bounded to 0.1) and R2 0.134262. A
// re-assay of the body at the mine after both runs (a3, 9 %) changes
// neither credit and is named by no credit's note.
func TestCreditReadsGradeOfPartTaken(t *testing.T) {
	const mb, mine, lot = "urn:t:site:mb", "urn:t:site:mine-PAK", "urn:t:lot:L"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	ship := func(id, at, tonnes, bol string) string {
		return ev(id, at, "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}],
		 "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+mb+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
	}
	recv := func(id, at, tonnes, bol string) string {
		return ev(id, at, "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}],
		 "bizLocation": {"id": "`+mb+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
	}
	assay := func(id, at, site, pct string) string {
		return ev(id, at, "sampling", `"quantityList": [{"epcClass": "`+lot+`"}], "bizLocation": {"id": "`+site+`"},
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd2O3", "value": `+pct+`, "uom": "P1", "cm:basis": "dry"}]}]`)
	}
	db := mbfxStore(t, false,
		feedAt("L", "ree_concentrate", "PAK", 10, "Nd2O3:5"),
		ship("s1", "2025-10-02T00:00:00Z", "4", "B1"),
		recv("r1", "2025-10-04T00:00:00Z", "4", "B1"),
		assay("a1", "2025-10-05T00:00:00Z", mb, "4"),
		assay("a2", "2025-10-06T00:00:00Z", mine, "7"),
		ship("s2", "2025-10-07T00:00:00Z", "2", "B2"),
		recv("r2", "2025-10-09T00:00:00Z", "2", "B2"),
		feed("M", "ree_concentrate", "MMR", 2, "Nd2O3:6"))
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-10T01:00:00Z", "R1", runOf("R1", "mb", "2025-10-10T00:00:00Z", []string{"L:3"}, product{lot: "O1", commodity: "ndpr_oxide", t: 0.2, assays: []string{"Nd:50"}}))
	mbfxCapture(t, svc, "2025-10-12T01:00:00Z", "R2", runOf("R2", "mb", "2025-10-12T00:00:00Z", []string{"L:3", "M:2"}, product{lot: "O2", commodity: "ndpr_oxide", t: 0.4, assays: []string{"Nd:60"}}))
	// The body at the mine re-assayed after both runs (Nd2O3 9 %): no
	// credit rests on it (R1 and R2 took parts, at their own assays), so
	// no credit changes or says it was recomputed from it.
	mbfxCapture(t, svc, "2025-10-20T01:00:00Z", "a3", assay("a3", "2025-10-20T00:00:00Z", mine, "9"))
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC))
	var cs *custody.CategoryStatement
	for i := range st.Categories {
		if st.Categories[i].Category.ID == "ree" {
			cs = &st.Categories[i]
		}
	}
	if cs == nil {
		t.Fatalf("no ree category: %+v", st)
	}
	got := map[string]float64{}
	for _, l := range cs.Lines {
		got[l.Country] = l.Credits
	}
	byRun := map[string]float64{}
	for _, e := range cs.Entries {
		if e.Kind == "credit" && e.Country == "PAK" {
			byRun[e.Event] += e.Tonnes
			if e.Note != "" {
				t.Errorf("credit of %s: note %q, want none (0.092594 and 0.138892 are below the products' 0.1 and 0.24 t Nd, and the later assay a3 is of the body, not of what the runs took)", e.Event, e.Note)
			}
		}
	}
	for _, c := range []struct {
		key, why string
		got      float64
		want     float64
	}{
		{"PAK", "0.092594 + 0.138892", got["PAK"], 0.231487},
		{"MMR", "2 × 6 % × 0.857356 × 0.9", got["MMR"], 0.092594},
		{"R1", "3 t of B1 × 4 % × 0.857356 × 0.9", byRun["urn:t:ev:R1"], 0.092594},
		{"R2", "(1 × 4 % + 2 × 7 %) × 0.857356 × 0.9", byRun["urn:t:ev:R2"], 0.138892},
	} {
		if d := c.got - c.want; d > 1e-5 || d < -1e-5 {
			t.Errorf("%s credits %.6f t, want %s = %.6f t", c.key, c.got, c.why, c.want)
		}
	}
}
