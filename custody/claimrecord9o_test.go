package custody_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLaterRetractionLeavesAcceptedClaim (fix9o item 3a): a retraction
// that caps only a later run leaves an accepted claim's figures as they
// were. Site mb (declaration: REE, Nd + Pr, factor 0.9), site b
// (controlled blending):
//
//	L13, Pakistan, 10 t dry at Nd 4 %, Pr 1 %; weighing wl (Oct 3): 12 t
//	RA13 at mb (Oct 5): L13 6 t → OA13 0.4 t at Nd 45 %, Pr 15 % = 0.24 t
//	  Nd+Pr, claims Pakistan: credits 6 × 5 % × 0.9 = 0.27 ≥ 0.24, accepted;
//	  RA13 also makes OA13R, 0.1 t at Nd 60 % = 0.06 t, no claim, so its
//	  products hold 0.3 t ≥ 0.27 (0.291 after the re-assay below): the
//	  credit is not bounded by them (fix9c; Nd 0.24 ≤ 0.24, Pr 0.06 ≤ 0.06)
//	RB13 at b (Oct 6): L13 6 t → OB13 0.2 t at Nd 45 % (0.09 ≤ 0.24 t)
//	OA13 re-assayed (Oct 10, after its claim): Nd 42.75 % — it holds
//	  0.4 × (42.75 + 15) % = 0.231 t from then on
//	wl retracted (Oct 20): L13 is 10 t; RA13 took 6 of 10 (not capped),
//	  RB13 6 with 4 left (capped). OA13's claim is still 0.24 t, accepted:
//	  a claim is a record of what its lot held when it was made (ISO
//	  22095-2); neither the later assay nor a retraction capping another
//	  run re-figures it (before: 0.4 × (42.75 + 15) % = 0.231 t, the
//	  later assay read because the retraction capped RB13).
func TestLaterRetractionLeavesAcceptedClaim(t *testing.T) {
	ctx := context.Background()
	wl := weighing("wl", "2025-10-03T00:00:00Z", "L13", 12)
	db := store(t, doc(map[string]string{"mb": "mass_balance", "b": "controlled_blending"},
		feed("L13", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		wl,
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-07T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("RA13", "mb", "2025-10-05T00:00:00Z", []string{"L13:6"}, product{lot: "OA13", commodity: "ndpr_oxide", t: 0.4, assays: []string{"Nd:45", "Pr:15"}, extra: claimPAK},
		product{lot: "OA13R", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60", "Pr:0"}}),
		runOf("RB13", "b", "2025-10-06T00:00:00Z", []string{"L13:6"}, product{lot: "OB13", commodity: "ndpr_oxide", t: 0.2, assays: []string{"Nd:45"}}))}); err != nil {
		t.Fatal(err)
	}
	reassay := `{"type": "ObjectEvent", "eventID": "urn:t:ev:ra13", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:OA13"}], "sensorElementList": [{"sensorReport": [{"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 42.75, "uom": "P1", "cm:basis": "dry"}]}]}`
	svc.Now = clockAt("2025-10-11T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(reassay)}); err != nil {
		t.Fatal(err)
	}
	before, err := custody.OriginOf(ctx, db, "urn:t:lot:OA13", false)
	if err != nil {
		t.Fatal(err)
	}
	retractEvent(t, svc, wl, "2025-10-20T00:00:00Z")
	after, err := custody.OriginOf(ctx, db, "urn:t:lot:OA13", false)
	if err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]*custody.Composition{"before": before, "after": after} {
		cl := o.Claimed
		if cl == nil || cl.Status != custody.ClaimAccepted || math.Abs(cl.Tonnes-0.24) > 1e-9 || cl.NotCovered != 0 {
			t.Errorf("%s the retraction: OA13's claim %+v, want accepted, 0.24 t (0.4 × 60 %%), nothing not covered", name, cl)
		}
	}
}
