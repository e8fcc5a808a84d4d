package ledger_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestDryGradeOver100Refused (issue 9): assays that cannot be true of one
// lot on the dry basis are refused at capture, naming the assay.
//
//   - Nd 60 % as received at moisture 0.5: dry = 60 / (1 − 0.5) = 120 %
//     → refused at /ilmd/cm:assay/0.
//   - the same as a sensor report (MassConcentration of Nd): refused at
//     the sensor report's path.
//   - Nd 30 % + Ce 45 % as received at moisture 0.2: 37.5 % + 56.25 % =
//     93.75 % dry → accepted; at moisture 0.3: 42.857 % + 64.286 % =
//     107.14 % > 100.5 % → refused, naming the element that crossed.
//   - NdPr oxide: TREO 99 %, Nd2O3 75 %, Pr6O11 24 %, Nd 64 %: oxides and
//     totals overlap the elements and are not summed; Nd alone is 64 %
//     → accepted.
func TestDryGradeOver100Refused(t *testing.T) {
	t.Parallel()
	ns := ledger.Namespace
	as := func(el, v, basis string) map[string]any {
		return map[string]any{ns + "analyte": el, ns + "value": num(v), ns + "unit": "%", ns + "basis": basis}
	}
	for _, tc := range []struct {
		name   string
		ilmd   map[string]any
		sensor []critmin.SensorReport
		field  string // "" when accepted
		reason string
	}{
		{name: "120 % dry", ilmd: map[string]any{ns + "moisture": num("0.5"), ns + "assay": []any{as("Nd", "60", "as_received")}},
			field: "/ilmd/cm:assay/0", reason: "is 120 % on the dry basis (dry = as_received / (1 − H2O))"},
		{name: "sensor 120 % dry", ilmd: map[string]any{ns + "moisture": num("0.5")},
			sensor: []critmin.SensorReport{{Type: "MassConcentration", ChemicalSubstance: ledger.AnalyteBase + "Nd", Value: ptr(60), UOM: "P1", Extensions: map[string]any{ns + "basis": "as_received"}, Pointer: "/sensorElementList/0/sensorReport/0"}},
			field:  "/sensorElementList/0/sensorReport/0", reason: "is 120 % on the dry basis"},
		{name: "sum 93.75 %", ilmd: map[string]any{ns + "moisture": num("0.2"), ns + "assay": []any{as("Nd", "30", "as_received"), as("Ce", "45", "as_received")}}},
		{name: "sum 107.14 %", ilmd: map[string]any{ns + "moisture": num("0.3"), ns + "assay": []any{as("Nd", "30", "as_received"), as("Ce", "45", "as_received")}},
			field: "/ilmd/cm:assay/1", reason: "add up to 107.1 % (Ce 64.29 %, Nd 42.86 %"},
		{name: "oxides not summed", ilmd: map[string]any{ns + "moisture": num("0"), ns + "assay": []any{as("TREO", "99", "dry"), as("Nd2O3", "75", "dry"), as("Pr6O11", "24", "dry"), as("Nd", "64", "dry")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := ledger.DecodeMineral(&critmin.Event{EventID: "urn:e:1", ILMDTree: tc.ilmd, Sensors: tc.sensor}, "/epcisBody/eventList/0")
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("refused: %+v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Pointer != "/epcisBody/eventList/0"+tc.field || !strings.Contains(errs[0].Reason, tc.reason) {
				t.Errorf("errors %+v; want one at %s saying %q", errs, tc.field, tc.reason)
			}
		})
	}
}

func ptr(v float64) *float64 { return &v }
