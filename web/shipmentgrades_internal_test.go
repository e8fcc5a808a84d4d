package web

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestShipmentGradesAreDryWithTheirUnits (issue 15: a shipment listed an
// as-received Pr6O11 0.8 % at 7 % moisture as "0.8" beside dry grades,
// and gold as "Au 0.0004" in a per-cent column): every grade is on the
// dry basis, as on the lot page, with its unit.
//
//	Pr6O11 0.8 % as received, lot moisture 7 %: 0.8 / (1 − 0.07) = 0.86022 → 0.8602 %
//	TREO 50 % dry: 50 %
//	Au 4.1 g/t dry: 4.1 g/t (not 4.1 / 10 000 = 0.00041 %)
//	Nd2O3 12 % with no basis: read as dry, and said so
//	La2O3 3 % as received with no moisture: kept, and said so
func TestShipmentGradesAreDryWithTheirUnits(t *testing.T) {
	m := 0.07
	l := &critmin.Lot{Moisture: &m, Assays: []critmin.Assay{
		{Analyte: "Pr6O11", Value: 0.8, Unit: "%", Basis: "as_received"},
		{Analyte: "TREO", Value: 50, Unit: "%", Basis: "dry"},
		{Analyte: "Au", Value: 4.1, Unit: "g/t", Basis: "dry"},
		{Analyte: "Nd2O3", Value: 12, Unit: "%"},
	}}
	got := strings.Join(dryGradeTexts(l), "; ")
	want := "Pr6O11 0.8602 %; TREO 50 %; Au 4.1 g/t; Nd2O3 12 % (basis not stated, read as dry)"
	if got != want {
		t.Errorf("dry grades %q; want %q", got, want)
	}
	wet := &critmin.Lot{Assays: []critmin.Assay{{Analyte: "La2O3", Value: 3, Unit: "%", Basis: "as_received"}}}
	if got, want := strings.Join(dryGradeTexts(wet), "; "), "La2O3 3 % (as received, no moisture to make it dry)"; got != want {
		t.Errorf("as received with no moisture: %q; want %q", got, want)
	}
}

// TestOutturnReadsAsLossOrGain (issue 15: "Loss (%)" showed −0.5 for a
// loss, which read as a gain): received 99.5 t of 100 t shipped is
// (99.5 − 100) / 100 = −0.5 % → "−0.50 % loss"; 100.3 t is "+0.30 %
// gain"; 100 t and 99.999 t (−0.001 %) are "0.00 %", no loss or gain
// (two decimals, signed both ways: ledger.OutturnPercentText, fix15s).
func TestOutturnReadsAsLossOrGain(t *testing.T) {
	for _, c := range []struct {
		received float64
		want     string
	}{{99.5, "−0.50 % loss"}, {100.3, "+0.30 % gain"}, {100, "0.00 %"}, {99.999, "0.00 %"}} {
		if got := outturnText(100, c.received); got != c.want {
			t.Errorf("received %g t of 100 t: %q; want %q", c.received, got, c.want)
		}
	}
}
