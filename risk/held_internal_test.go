package risk

import (
	"strings"
	"testing"
)

// TestCheckHeldRefusesMoreThanHeld (fix9o item 1): a lot that passes on
// and loses more than it holds is refused, never served. D15 read
// uncapped: RA15 took 6/10 of it and lost 2.01/3.0 of what it brought
// (0.6 × 0.67 = 0.402); RB15 took 6/10 and lost 2.61/3.6 (0.6 × 0.725 =
// 0.435); a third run passing on 0.2 → 0.402 + 0.435 + 0.2 = 1.037 > 1.
// Capped (RB15 4/10 × 0.67 = 0.268): 0.402 + 0.268 + 0.2 = 0.87 ≤ 1.
func TestCheckHeldRefusesMoreThanHeld(t *testing.T) {
	err := checkHeld(map[string]map[string]float64{"urn:t:lot:D15": {"Cu": 0.402 + 0.435 + 0.2}})
	if err == nil || !strings.Contains(err.Error(), "urn:t:lot:D15") || !strings.Contains(err.Error(), "Cu") {
		t.Errorf("1.037 of D15's Cu passed on and lost: %v, want refused naming the lot and element", err)
	}
	if err := checkHeld(map[string]map[string]float64{"urn:t:lot:D15": {"Cu": 0.402 + 0.268 + 0.2}}); err != nil {
		t.Errorf("0.87 of D15's Cu: %v, want served", err)
	}
	// Consumed whole and all passed on: 1 within rounding is served.
	if err := checkHeld(map[string]map[string]float64{"urn:t:lot:X": {"Nd": 1 + 1e-9}}); err != nil {
		t.Errorf("1 + 1e-9: %v, want served (rounding)", err)
	}
}
