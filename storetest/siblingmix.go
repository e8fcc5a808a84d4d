package storetest

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/critmin/critmin/custody"
)

// Events of the sibling-output case (issue 9, fix9ac): lot SP (PAK, 10 t
// at Nd 4 %: 0.4 t Nd) runs at the refinery (ev:sib-r, Oct 20) into SO1
// and SO2, 0.5 t each, both assayed Nd 40 % (0.2 t Nd each; 0.4 t out,
// balanced); ev:sib-ra reassays SO1 at Nd 80 % (Oct 22); ev:sib-w weighs
// SO1 at 1 t (Oct 25).
const (
	sibFeed = `{"type": "ObjectEvent", "eventID": "urn:t:ev:sib-p", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:SP", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
	sibRun = `{"type": "TransformationEvent", "eventID": "urn:t:ev:sib-r", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00",
  "inputQuantityList": [{"epcClass": "urn:t:lot:SP", "quantity": 10, "uom": "TNE"}],
  "outputQuantityList": [{"epcClass": "urn:t:lot:SO1", "quantity": 0.5, "uom": "TNE"}, {"epcClass": "urn:t:lot:SO2", "quantity": 0.5, "uom": "TNE"}],
  "bizLocation": {"id": "urn:t:site:refinery"},
  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`
)

// sibReassay is ev:sib-ra, SO1 at Nd 80 %, with extra members (an
// errorDeclaration, or "").
func sibReassay(extra string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:sib-ra", "eventTime": "2025-10-22T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
  "quantityList": [{"epcClass": "urn:t:lot:SO1"}], "bizLocation": {"id": "urn:t:site:refinery"},
  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 80, "uom": "P1", "cm:basis": "dry"}]}]` + extra + `}`
}

// testSiblingOutputMix: a run caps each output at its share of what its
// inputs held when its outputs hold more (custody capsFor), so a fact of
// one output moves every other's figure. The kept origin mix of the other
// output goes stale (read from the genealogy), the reading without
// evidence agrees with the walk, and the evidence check behind a
// certificate (which replays the other outputs' events too) and verify's
// rebuild agree with the stored rows — after the reassay and after it is
// declared in error.
//
//	sib-r: SO1, SO2 0.2 t Nd each, 0.4 t out of 0.4 t in.
//	sib-ra: SO1 0.5 × 80 % = 0.4 t: out 0.6 > 0.4 in, so SO2 counts
//	  0.2 × 0.4 ÷ 0.6 = 0.133333 t Nd.
//	sib-ra declared in error: SO2 0.2 t Nd again.
func testSiblingOutputMix(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	type checker interface {
		CheckEvidence(ctx context.Context, nodes, eventIDs []string) error
	}
	ch, ok := s.(checker)
	if !ok {
		t.Fatalf("%T has no CheckEvidence", s)
	}
	check := func(what string, nd float64) {
		t.Helper()
		for _, evidence := range []bool{true, false} {
			o, err := custody.OriginOf(ctx, s, "urn:t:lot:SO2", evidence)
			if err != nil {
				t.Fatal(err)
			}
			// The recorded (capped) figure; SO2's own assay, 0.2 t,
			// stays its Tonnes, the rest of unknown origin (nu37a).
			if got := o.Elements["Nd"].Recorded(); math.Abs(got-nd) > 1e-9 {
				t.Errorf("%s: SO2 Nd %v t recorded (evidence %v), want %v t", what, got, evidence, nd)
			}
			if b := o.Elements["Nd"]; math.Abs(b.Tonnes-0.2) > 1e-9 || math.Abs(b.UnknownOrigin-(0.2-nd)) > 1e-9 {
				t.Errorf("%s: SO2 Nd %+v (evidence %v), want 0.2 t by its assay, %v t of unknown origin", what, b, evidence, 0.2-nd)
			}
		}
		if err := ch.CheckEvidence(ctx, []string{"urn:t:lot:SO2", "urn:t:lot:SP"}, nil); err != nil {
			t.Errorf("%s: evidence of SO2: %v", what, err)
		}
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Errorf("%s: verify: %v %v", what, rep.Problem, rep.Difference)
		}
	}
	MustCapture(t, svc, retractDoc(sibFeed, sibRun))
	if _, fresh, err := s.LotMix(ctx, "urn:t:lot:SO2"); err != nil || !fresh {
		t.Fatalf("SO2's mix after the run: fresh %v, %v", fresh, err)
	}
	check("after the run", 0.2)
	MustCapture(t, svc, retractDoc(sibReassay("")))
	if _, fresh, err := s.LotMix(ctx, "urn:t:lot:SO2"); err != nil || fresh {
		t.Errorf("SO2's kept mix after SO1's reassay: fresh %v, %v; want stale (its cap moved)", fresh, err)
	}
	check("after SO1's reassay", 0.2*0.4/0.6)
	MustCapture(t, svc, retractDoc(sibReassay(fmt.Sprintf(`, "errorDeclaration": {"declarationTime": %q, "reason": "incorrect_data"}`, "2025-10-24T00:00:00Z"))))
	check("after the reassay is declared in error", 0.2)
	// A weighing stated in the quantityList (no mineral fact) moves the
	// caps too: on a store of its own, SO1 weighed 1 t holds 1 × 40 % =
	// 0.4 t Nd, out 0.6 t > 0.4, and SO2 counts 0.133333 t.
	s = open(t)
	svc = service(s)
	if ch, ok = s.(checker); !ok {
		t.Fatalf("%T has no CheckEvidence", s)
	}
	MustCapture(t, svc, retractDoc(sibFeed, sibRun))
	MustCapture(t, svc, retractDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:sib-w", "eventTime": "2025-10-25T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
  "quantityList": [{"epcClass": "urn:t:lot:SO1", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:refinery"}}`))
	if _, fresh, err := s.LotMix(ctx, "urn:t:lot:SO2"); err != nil || fresh {
		t.Errorf("SO2's kept mix after SO1's weighing: fresh %v, %v; want stale (its cap moved)", fresh, err)
	}
	check("after SO1 is weighed 1 t", 0.2*0.4/0.6)
}
