package commercial

import (
	"testing"

	"github.com/shopspring/decimal"
)

// fix13u item 2: a moisture read from a sensor report in per cent (H2O
// 8.9 %) is stored as the fraction 8.9 ÷ 100 = 0.08900000000000001 in
// binary floating point; read back as 8.900000000000001 % it put the
// excess-moisture penalty one cent off: (8.9 − 8) × 2.5 × 72.82 dmt =
// 163.845 → half-even −163.84, but (8.900000000000001 − 8) × 2.5 × 72.82
// = 163.8450000000002 → −163.85. The moisture is read as written: 8.9.
func TestMoistureReadAsWritten(t *testing.T) {
	h2o := 8.9 // a variable: the constant 8.9 / 100 would be exact
	got := percentOf(h2o / 100)
	if !got.Equal(decimal.RequireFromString("8.9")) {
		t.Fatalf("percentOf(8.9/100) = %s, want 8.9", got)
	}
	penalty := got.Sub(decimal.NewFromInt(8)).Mul(decimal.RequireFromString("2.5")).Mul(decimal.RequireFromString("72.82")).RoundBank(2)
	if !penalty.Equal(decimal.RequireFromString("163.84")) {
		t.Errorf("penalty (8.9 − 8) × 2.5 × 72.82 = %s, want 163.84 (163.845 half-even)", penalty)
	}
	for f, want := range map[float64]string{0.07: "7", 0.089: "8.9", 0.123: "12.3", 0.0001234: "0.01234"} {
		if got := percentOf(f); !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("percentOf(%v) = %s, want %s", f, got, want)
		}
	}
	if got := fractionOf(h2o / 100); !got.Equal(decimal.RequireFromString("0.089")) {
		t.Errorf("fractionOf(8.9/100) = %s, want 0.089", got)
	}
}
