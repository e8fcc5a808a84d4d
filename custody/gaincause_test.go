package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestGainNamesTheLaterMeasurement (issue 9, fix9n 3): an element_gain
// that a measurement after the run brought about names the kind of
// measurement — a weighing, a moisture report, an assay — never
// "weighing" for a moisture report or an assay.
//
//	W: Pakistan, 10 t dry at Nd 0.5 % = 0.05 t Nd → run R (2025-10-10) →
//	WO, 0.2 t wet at moisture 0.5 = 0.1 t dry at Nd 40 % = 0.04 t Nd:
//	balanced (0.04 ≤ 0.05 × 1.005).
//
// Then, on 2025-10-20, one of:
//   - weighing: Mass 1 t → 1 × 0.5 = 0.5 t dry × 40 % = 0.2 t Nd;
//   - moisture: H2O 0 % → 0.2 t dry × 40 % = 0.08 t Nd;
//   - assay: Nd 80 % → 0.1 t dry × 80 % = 0.08 t Nd.
//
// Each puts more Nd in WO than the 0.05 t its run's inputs held. A run
// that gains already at its own figures (WO at Nd 60 %: 0.1 × 0.6 =
// 0.06 t > 0.05 t) says so, and names a later moisture report (H2O 50 %,
// the moisture it had) without blaming it.
func TestGainAtRunNotBlamedOnLaterMeasurement(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:0.5"),
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:WO", "quantity": 0.2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:b"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0.5, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}`))
	later := `{"type": "ObjectEvent", "eventID": "urn:t:ev:later", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "quantityList": [{"epcClass": "urn:t:lot:WO"}], "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 50, "uom": "P1"}]}]}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(later)}); err != nil {
		t.Fatal(err)
	}
	c, err := custody.OriginOf(ctx, db, "urn:t:lot:WO", true)
	if err != nil {
		t.Fatal(err)
	}
	var gain string
	for _, a := range c.Anomalies {
		if a.Kind == "element_gain" {
			gain = a.Detail
		}
	}
	if !strings.Contains(gain, "already at the run (its outputs held 0.06 t Nd when made)") || !strings.Contains(gain, "a later moisture report of urn:t:lot:WO") || strings.Contains(gain, "reconcile the moisture") {
		t.Errorf("element_gain %q: want the gain at the run, the later moisture report named, not blamed", gain)
	}
}

// Each puts more Nd in WO than the 0.05 t its run's inputs held.
func TestGainNamesTheLaterMeasurement(t *testing.T) {
	ctx := context.Background()
	report := func(body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:later", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "quantityList": [{"epcClass": "urn:t:lot:WO"}], "sensorElementList": [{"sensorReport": [` + body + `]}]}`
	}
	for _, tc := range []struct {
		name, event, want, not string
	}{
		{"weighing", report(`{"type": "Mass", "value": 1, "uom": "TNE"}`), "a later weighing of urn:t:lot:WO (event urn:t:ev:later, 2025-10-20)", "moisture"},
		{"moisture", report(`{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 0, "uom": "P1"}`), "a later moisture report of urn:t:lot:WO (event urn:t:ev:later, 2025-10-20)", "weighing"},
		{"assay", report(`{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 80, "uom": "P1", "cm:basis": "dry"}`), "a later assay of Nd of urn:t:lot:WO (event urn:t:ev:later, 2025-10-20)", "weighing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := store(t, doc(map[string]string{"b": "controlled_blending"},
				feed("W", "ree_concentrate", "PAK", 10, "Nd:0.5"),
				`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:WO", "quantity": 0.2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:b"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0.5, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`))
			if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(tc.event)}); err != nil {
				t.Fatal(err)
			}
			c, err := custody.OriginOf(ctx, db, "urn:t:lot:WO", true)
			if err != nil {
				t.Fatal(err)
			}
			var gain string
			for _, a := range c.Anomalies {
				if a.Kind == "element_gain" {
					gain = a.Detail
				}
			}
			if !strings.Contains(gain, tc.want) || strings.Contains(gain, tc.not) || !strings.Contains(gain, "reconcile the "+tc.name) {
				t.Errorf("element_gain %q,\nwant it to name %q and to reconcile the %s, never %q", gain, tc.want, tc.name, tc.not)
			}
			// The cap holds whatever the cause: WO counts the 0.05 t
			// its run's inputs held.
			if got := c.Elements["Nd"].Recorded(); !near(got, 0.05) {
				t.Errorf("Nd %.4f t, want 0.05 (capped)", got)
			}
		})
	}
}
