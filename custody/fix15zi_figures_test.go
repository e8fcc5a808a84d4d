package custody_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestMessageFiguresGrouped (issue 15, fix15zi): refusals printed
// "1010.02 t", "+201904.0 %" and "1e+299×". A mass in a message is
// grouped (1,010.02 t); a weighing change of 2,019.04 (a fraction) is
// 201,904 %, "+201,904.0" at one decimal; a run whose outputs weigh 10^299
// times its inputs (1 kg in, 10^299 kg out: 10^299 ÷ 1) reads
// "1 × 10²⁹⁹×", not Go's exponent form.
func TestMessageFiguresGrouped(t *testing.T) {
	if got := custody.Tonnes(1010.02); got != "1,010.02" {
		t.Errorf("Tonnes(1010.02) = %q, want 1,010.02", got)
	}
	if got := custody.WeighingPercent(2019.04); got != "+201,904.0" {
		t.Errorf("WeighingPercent(2019.04) = %q, want +201,904.0", got)
	}
	one, huge := 1.0, 1e299
	ev := &critmin.Event{Type: critmin.TransformationEvent, Quantities: []critmin.QuantityElement{
		{EPCClass: "urn:t:lot:in", Quantity: &one, UOM: "KGM", Role: critmin.RoleInput},
		{EPCClass: "urn:t:lot:out", Quantity: &huge, UOM: "KGM", Role: critmin.RoleOutput},
	}}
	msg := custody.RunMassGain(ev)
	// 10^299 kg is 10^296 t, written as a power of ten too.
	if !strings.Contains(msg, "weigh 1 × 10²⁹⁶ t in total, 1 × 10²⁹⁹× its inputs' 0.001 t") || strings.Contains(msg, "e+") {
		t.Errorf("RunMassGain: %q; want the ratio as 1 × 10²⁹⁹×, no exponent form", msg)
	}
}
