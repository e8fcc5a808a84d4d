package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLaterAssayOfElementSupersedesAnySpelling (fix9b item 3): Nd and
// Nd2O3 report one element, so the newer supersedes the older whatever
// the spelling, everywhere a grade is read (GradesOf: origin, element
// balance, mass-balance claims; ledger.Contained; the planner). Nd2O3 →
// Nd is 2 × 144.242 / (2 × 144.242 + 3 × 15.999) = 288.484 / 336.481 =
// 0.857356 (IUPAC 2021 atomic weights).
//
//	lot Q, 20 t dry: Nd2O3 10 % (1 October), Nd 5 % (5 October):
//	  Nd grade 0.05 (the newer), not 10 × 0.857356 = 8.57356 %;
//	  Contained Nd = 20 × 5 % = 1.0 t; Nd2O3 = 1.0 / 0.857356 = 1.166377 t.
//	reversed, Nd 5 % (1 October), Nd2O3 10 % (5 October):
//	  Nd grade 0.08574; Contained Nd = 20 × 0.08574 = 1.7148 t.
func TestLaterAssayOfElementSupersedesAnySpelling(t *testing.T) {
	d1 := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	d5 := time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC)
	q := &critmin.Lot{ID: "urn:t:lot:Q", DryTonnes: 20, Moisture: fptr(0), Assays: []critmin.Assay{
		{Analyte: "Nd", Value: 5, Unit: "%", Basis: "dry", At: d5, EventID: "urn:t:ev:nd"},
		{Analyte: "Nd2O3", Value: 10, Unit: "%", Basis: "dry", At: d1, EventID: "urn:t:ev:ox"},
	}}
	if g := custody.GradesOf(q); !near(g["Nd"], 0.05) {
		t.Errorf("newer Nd: grade %v, want 0.05", g["Nd"])
	}
	if c, ok := ledger.Contained(q, "Nd"); !ok || !near(c, 1.0) {
		t.Errorf("Contained Nd %v %v, want 1.0", c, ok)
	}
	if c, ok := ledger.Contained(q, "Nd2O3"); !ok || !near(c, 1.0/ndOx) {
		t.Errorf("Contained Nd2O3 %v %v, want 1.1663", c, ok)
	}
	q.Assays[0].At, q.Assays[1].At = d1, d5
	if g := custody.GradesOf(q); !near(g["Nd"], 0.1*ndOx) {
		t.Errorf("newer Nd2O3: grade %v, want 0.1 × 0.857356", g["Nd"])
	}
	if c, ok := ledger.Contained(q, "Nd"); !ok || !near(c, 20*0.1*ndOx) {
		t.Errorf("Contained Nd %v %v, want 20 × 0.1 × 0.857356 = 1.714712", c, ok)
	}
	if la := ledger.LatestAssays(q.Assays); len(la) != 1 || la[0].Analyte != "Nd2O3" {
		t.Errorf("LatestAssays %+v, want the newer Nd2O3 alone", la)
	}
}

// TestElementTwiceInOneEventMustAgree (fix9b item 3): one event's Nd and
// Nd2O3 must agree once converted, within 0.5 percentage points: Nd2O3
// 70 % = 70 × 0.8574 = 60.02 % Nd beside Nd 60 % is taken; Nd2O3 80 % =
// 68.59 % beside Nd 60 % is refused (8.59 points apart), nothing stored.
func TestElementTwiceInOneEventMustAgree(t *testing.T) {
	db, svc := mbSvc(t)
	ev := func(id, lot, ox string) string {
		return objectEv(id, "2025-11-20T00:00:00Z", lot, "ADD", `, "bizStep": "commissioning",
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Nd2O3", "cm:value": `+ox+`, "cm:unit": "%", "cm:basis": "dry"}]}`)
	}
	err := capture(svc, ev("W1", "urn:t:lot:W1", "80"))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "Nd is assayed twice in this event, as Nd 60 % dry and as Nd2O3 80 % dry: 60 % and 68.59 % Nd on the dry basis") {
		t.Fatalf("Nd 60 %% beside Nd2O3 80 %%: %v", err)
	}
	if f := critmin.ErrorFields(err); len(f) != 1 || !strings.HasSuffix(f[0].Pointer, "/ilmd/cm:assay/1") {
		t.Errorf("fields %+v", f)
	}
	if _, err := db.FindLot(t.Context(), "urn:t:lot:W1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("refused lot stored: %v", err)
	}
	if err := capture(svc, ev("W2", "urn:t:lot:W2", "70")); err != nil {
		t.Errorf("Nd 60 %% beside Nd2O3 70 %%: %v", err)
	}
}
