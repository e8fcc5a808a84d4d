package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRetractedUnpackingRestoresContents (issue 9, fix9y item 5): an
// unpacking (AggregationEvent DELETE) declared in error never happened:
// the contents are back in the container, and the origin, the claim and
// its verdict read them there. Site mb (declaration(): ree, factor 0.9):
//
//	X, Pakistan, 10 t dry at Nd 4 % + Pr 1 % (0.5 t Nd+Pr), Oct 1
//	PACK (Oct 3, at mb): X 10 t packed into SSCC S
//	UNPACK (Oct 4, at mb): X 10 t taken out of S (DELETE)
//	E1 (Oct 5, at mb): S fed whole (inputEPCList) → O, 0.5 t oxide at
//	  Nd 62 % + Pr 18 % = 0.5 × 80 % = 0.4 t Nd+Pr, claims Pakistan.
//	With UNPACK live, S is empty when E1 reads it: E1 earns nothing, O's
//	  physical origin is not Pakistan, its claim is refused (0.4 t
//	  against 0 t, shortfall 0.4 t).
//	UNPACK declared in error (Oct 20): S held X when E1 read it: credit
//	  PAK 10 × 5 % × 0.9 = 0.45 t, bounded element by element by what O
//	  holds (fix9c, fix9ad: a run never credits more of an element than
//	  its products contain): Nd min(0.36, 0.31) + Pr min(0.09, 0.09) =
//	  0.4 t ≥ 0.4 t,
//	  the claim accepted (balance 0), O's Nd and Pr 100 % Pakistan (physical), the claim's
//	  verdict passes; O's origin (anomaly unpacking_withdrawn) and the
//	  claim's verdict name the withdrawn unpacking.
func TestRetractedUnpackingRestoresContents(t *testing.T) {
	ctx := context.Background()
	const sscc = "urn:epc:id:sscc:0614141.1234567890"
	agg := func(id, when, action string) string {
		return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "` + action + `", "bizStep": "packing",
	  "parentID": "` + sscc + `", "childQuantityList": [{"epcClass": "urn:t:lot:X", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`
	}
	unpack := strings.Replace(agg("UNPACK", "2025-10-04T00:00:00Z", "DELETE"), `"bizStep": "packing"`, `"bizStep": "unpacking"`, 1)
	e1 := `{"type": "TransformationEvent", "eventID": "urn:t:ev:E1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputEPCList": ["` + sscc + `"], "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 0.5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 62, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 18, "cm:unit": "%", "cm:basis": "dry"}]` + claimPAK + `}}`
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("X", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"), agg("PACK", "2025-10-03T00:00:00Z", "ADD"), unpack, e1))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimRefused || !near(cl.Shortfall, 0.4) {
		t.Fatalf("O's claim with the unpacking live: %+v, want refused, shortfall 0.4 t", cl)
	}
	if share(o.Elements["Nd"].ByCountry, "PAK").Share != 0 {
		t.Errorf("O's Nd with S empty: %+v, want no Pakistani share", o.Elements["Nd"])
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	retractEvent(t, svc, unpack, "2025-10-20T00:00:00Z")
	o, err = custody.OriginOf(ctx, db, "urn:t:lot:O", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimAccepted || !near(cl.Tonnes, 0.4) {
		t.Errorf("O's claim after the unpacking's retraction: %+v, want accepted, 0.4 t", cl)
	}
	for _, el := range []string{"Nd", "Pr"} {
		if sh := share(o.Elements[el].ByCountry, "PAK"); !near(sh.Share, 1) {
			t.Errorf("O's %s after the retraction: %+v, want Pakistan 100 %%", el, o.Elements[el])
		}
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l := line(t, st, "ree", "PAK"); !near(l.Credits, 0.4) || !near(l.Claims, 0.4) || !near(l.Closing, 0) {
		t.Errorf("PAK line %+v, want credits 0.4 (bounded by O's 0.4 t), claims 0.4, closing 0", l)
	}
	vs, err := custody.Evaluate(ctx, db, "urn:t:lot:O", custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	const named = "event urn:t:ev:UNPACK (unpacking of lot urn:t:lot:X from https://id.gs1.org/00/106141412345678908, 2025-10-04) took out: that unpacking was declared in error on 2025-10-20"
	// The store computes E1 again from what S held once UNPACK is
	// declared (X consumed, fixQs): the kept mix reads X by its own
	// link; the origin read with its evidence names the unpacking.
	ev, err := custody.OriginOf(ctx, db, "urn:t:lot:O", true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range ev.Anomalies {
		found = found || a.Kind == "unpacking_withdrawn" && strings.Contains(a.Detail, named)
	}
	if !found {
		t.Errorf("O's origin does not name the withdrawn unpacking: %+v", ev.Anomalies)
	}
	seen := false
	for _, v := range vs {
		if v.Rule == "mass-balance-claim" {
			seen = true
			if v.Status != custody.Pass || !strings.Contains(v.Detail, named) {
				t.Errorf("claim verdict %+v, want pass naming the withdrawn unpacking", v)
			}
		}
	}
	if !seen {
		t.Error("no mass-balance-claim verdict")
	}
}
