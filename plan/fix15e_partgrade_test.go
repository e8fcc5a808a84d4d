package plan

import (
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestLedgerGradeReadsPartsAtTheirOwnAssay (issue 15, fix15e;
// docs/origin.md "An assay is of what stood where it was taken"): lot of
// 20 t wet at 8 % moisture (18.4 t dry), Nd2O3 5 % dry; a 5 t part
// (4.6 t dry) received at Karachi and assayed there at Nd2O3 4 % dry.
// The planner's dry Nd fraction is (13.8 × 5 % + 4.6 × 4 %) ÷ 18.4 ×
// 0.857356 = 0.874 ÷ 18.4 × 0.857356 = 0.0475 × 0.857356, so the supply
// holds 18.4 × that = 0.7493 t Nd, not 18.4 × 5 % × 0.857356 = 0.7888.
func TestLedgerGradeReadsPartsAtTheirOwnAssay(t *testing.T) {
	m := 0.08
	t0 := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	lot := []critmin.Assay{{Analyte: "Nd2O3", Value: 5, Unit: "%", Basis: "dry", At: t0}}
	part := append(append([]critmin.Assay(nil), lot...), critmin.Assay{Analyte: "Nd2O3", Value: 4, Unit: "%", Basis: "dry", At: t0.AddDate(0, 0, 5), EventID: "urn:t:ev:a1"})
	l := &critmin.Lot{ID: "urn:t:lot:P", WetTonnes: 20, DryTonnes: 18.4, Moisture: &m, Assays: lot,
		Parts: []critmin.LotPart{{Tonnes: 5, Status: critmin.PartReceived, To: "urn:t:site:karachi", ShipEventID: "urn:t:ev:s1", ReceivedTonnes: 5, Assays: part}}}
	p := &LedgerPull{Analytes: map[string]AnalyteElement{"Nd2O3": {Element: "Nd", Factor: 0.8574}}}
	want := (13.8*0.05 + 4.6*0.04) / 18.4 * ndOx
	if g := p.grade(l, true, nil)["Nd"]; math.Abs(g-want) > 1e-9 {
		t.Errorf("dry Nd = %v (supply %v t), want %v (%v t)", g, g*18.4, want, want*18.4)
	}
}
