package ledger_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestConflictingMoistureRefused (issue 9, second new-user check, 6): one
// event states one moisture. Commissioning AF3, 10 t wet, with cm:moisture
// 0.2 and a sensor report of H2O 10 % and an as-received Nd 4 % assay:
// at 0.2 the lot is 10 × (1 − 0.2) = 8 t dry at 4 / 0.8 = 5 % Nd; at 0.1
// it would be 9 t at 4 / 0.9 = 4.44 %. The event was stored at 0.1 (the
// later statement won); it is refused, naming the sensor report and the
// cm:moisture it contradicts. H2O 20 % beside cm:moisture 0.2 agrees and
// is accepted, the assay's dry grade 4 / (1 − 0.2) = 5 %.
func TestConflictingMoistureRefused(t *testing.T) {
	t.Parallel()
	ns := ledger.Namespace
	ev := func(h2o float64) *critmin.Event {
		return &critmin.Event{EventID: "urn:e:af3", ILMDTree: map[string]any{ns + "moisture": num("0.2"),
			ns + "assay": []any{map[string]any{ns + "analyte": "Nd", ns + "value": num("4"), ns + "unit": "%", ns + "basis": "as_received"}}},
			Sensors: []critmin.SensorReport{{Type: "MassConcentration", ChemicalSubstance: ledger.AnalyteBase + "H2O", Value: ptr(h2o), UOM: "P1", Pointer: "/sensorElementList/0/sensorReport/0"}}}
	}
	_, errs := ledger.DecodeMineral(ev(10), "/epcisBody/eventList/0")
	if len(errs) != 1 || errs[0].Pointer != "/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/value" ||
		!strings.Contains(errs[0].Reason, "moisture 0.1 contradicts moisture 0.2 stated at /epcisBody/eventList/0/ilmd/cm:moisture") {
		t.Fatalf("H2O 10 %% beside cm:moisture 0.2: %+v", errs)
	}
	mf, errs := ledger.DecodeMineral(ev(20), "/epcisBody/eventList/0")
	if len(errs) > 0 {
		t.Fatalf("H2O 20 %% beside cm:moisture 0.2: %+v", errs)
	}
	if v, ok := ledger.DryValue(mf.Assays[0], nil); !ok || v < 5-1e-9 || v > 5+1e-9 {
		t.Errorf("dry Nd %v, want 4 / 0.8 = 5 %%", v)
	}
}
