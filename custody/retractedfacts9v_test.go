package custody_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// assayEvent is an ObjectEvent recording an assay (sensor report, % dry)
// of element el in lot at its mine on October 2.
func assayEvent(id, lot, el, pct string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "readPoint": {"id": "urn:t:site:mine-PAK"},
	  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/` + el + `", "value": ` + pct + `, "uom": "P1", "cm:basis": "dry"}]}]}`
}

// TestRetractedFactsNamed (fix9v item 3): an origin or an assay missing
// because the event that recorded it was declared in error says so and
// names the event, rather than reading as if it never existed.
//
//	X: Pakistan, 10 t dry, Nd 4 % (commissioning, event X); its Pr 1 %
//	   recorded apart (event XA, Oct 2)
//	Z: Pakistan, 10 t dry, Nd 4 % + Pr 1 %
//	E1 (Oct 5, site seg): X 10 t + Z 10 t → O, 1 t at Nd 60 % + Pr 20 %
//
// XA declared in error: O's Pr shares are unknown (X brought an unknown
// amount of Pr), element_not_assayed names XA as declared in error. X's
// commissioning declared in error too: X has no origin, and no_origin
// names event X as declared in error.
func TestRetractedFactsNamed(t *testing.T) {
	ctx := context.Background()
	x := feed("X", "ree_concentrate", "PAK", 10, "Nd:4")
	xa := assayEvent("XA", "X", "Pr", "1")
	db := store(t, doc(map[string]string{"seg": "segregated"},
		x, xa,
		feed("Z", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		runOf("E1", "seg", "2025-10-05T00:00:00Z", []string{"X:10", "Z:10"}, product{lot: "O", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}}),
	))
	svc := ledger.NewService(db)
	retractEvent(t, svc, xa, "2025-10-20T00:00:00Z")
	o, err := custody.Origin(ctx, db, "urn:t:lot:O")
	if err != nil {
		t.Fatal(err)
	}
	if !anomalyWith(o.Anomalies, "element_not_assayed", "urn:t:lot:X", "urn:t:ev:XA", "declared in error on 2025-10-20T00:00:00Z") {
		t.Errorf("O's anomalies %+v,\nwant element_not_assayed naming X's assay event XA declared in error", o.Anomalies)
	}
	retractEvent(t, svc, x, "2025-10-21T00:00:00Z")
	o, err = custody.Origin(ctx, db, "urn:t:lot:O")
	if err != nil {
		t.Fatal(err)
	}
	if !anomalyWith(o.Anomalies, "no_origin", "urn:t:lot:X", "urn:t:ev:X", "declared in error on 2025-10-21T00:00:00Z") {
		t.Errorf("O's anomalies %+v,\nwant no_origin naming X's commissioning, event X, declared in error", o.Anomalies)
	}
	// The covered-country rule cannot show exclusion (X's country is
	// unknown) and says that X's origin record was declared in error.
	pack, err := custody.ParsePack([]byte(`{"id": "t", "title": "t", "rules": [{"id": "no-chn-mining", "kind": "excluded_countries", "countries": ["CHN"], "stages": ["mining"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := custody.Evaluate(ctx, db, "urn:t:lot:O", pack)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Status != custody.Fail || !strings.Contains(vs[0].Detail, "urn:t:ev:X") || !strings.Contains(vs[0].Detail, "declared in error") || slices.Contains(vs[0].Evidence, "urn:t:ev:X") {
		t.Errorf("verdicts %+v, want no-chn-mining failing as unknown, naming event X declared in error in words (a verdict never rests on a declared event)", vs)
	}
}

// TestRetractedOwnAssayNamed (fix9v item 3): a product whose own assay
// was declared in error reads grade_not_measured naming that event.
// E1 (Oct 5, site seg): Z 10 t → P, 1 t oxide with no assay in its
// facts; P's Nd 60 % recorded by event PA (Oct 6), then declared in error.
func TestRetractedOwnAssayNamed(t *testing.T) {
	ctx := context.Background()
	pa := strings.Replace(assayEvent("PA", "P", "Nd", "60"), "2025-10-02", "2025-10-06", 1)
	db := store(t, doc(map[string]string{"seg": "segregated"},
		feed("Z", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		runOf("E1", "seg", "2025-10-05T00:00:00Z", []string{"Z:10"}, product{lot: "P", commodity: "ndpr_oxide", t: 1}),
		pa,
	))
	retractEvent(t, ledger.NewService(db), pa, "2025-10-20T00:00:00Z")
	o, err := custody.Origin(ctx, db, "urn:t:lot:P")
	if err != nil {
		t.Fatal(err)
	}
	if !anomalyWith(o.Anomalies, "grade_not_measured", "urn:t:lot:P", "urn:t:ev:PA", "declared in error on 2025-10-20T00:00:00Z") {
		t.Errorf("P's anomalies %+v,\nwant grade_not_measured naming P's assay event PA declared in error", o.Anomalies)
	}
}

// TestClaimOnRetractedRunOutputNamed (fix9v, fix9as): a stored claim on a
// lot whose only making run was declared in error since stays booked,
// not covered, shortOf lot_no_longer_made — and says that the run that
// made it was declared in error, naming it (retractedBy), rather than as
// if none ever had. E1 (Oct 5,
// site mb): A9 10 t → O, 0.5 t oxide (0.4 t Nd+Pr) claimed Pakistani,
// its facts and claim in their own event; E1 declared in error Oct 20.
func TestClaimOnRetractedRunOutputNamed(t *testing.T) {
	ctx := context.Background()
	r := runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"A9:10"}, product{lot: "O", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK})
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("A9", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"), r))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	retractEvent(t, ledger.NewService(db), r[:strings.Index(r, `,{"type": "ObjectEvent"`)], "2025-10-20T00:00:00Z")
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O", false)
	if err != nil {
		t.Fatal(err)
	}
	cl := o.Claimed
	if cl == nil || cl.Status != custody.ClaimNotCovered || cl.ShortOf != custody.ShortOfUnmade || strings.Join(cl.RetractedBy, " ") != "urn:t:ev:E1" || !strings.Contains(cl.Error, "no longer made by any standing event") ||
		!strings.Contains(cl.Error, "urn:t:ev:E1") || !strings.Contains(cl.Error, "declared in error on 2025-10-20T00:00:00Z") {
		t.Errorf("O's claim %+v, want not covered naming run event E1 declared in error (retractedBy)", cl)
	}
}
