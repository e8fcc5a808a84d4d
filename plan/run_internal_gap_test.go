package plan

import "testing"

// TestExplicitZeroGapHonoured: a gap given as 0 (prove optimality) stays
// 0 — it was replaced by DefaultGap (nu14 item 5) — while a gap left out
// takes the default.
func TestExplicitZeroGapHonoured(t *testing.T) {
	var o Options
	if g := o.withDefaults().Solver.Gap; g != DefaultGap {
		t.Errorf("gap left out: %v; want DefaultGap %v", g, DefaultGap)
	}
	o.GapSet = true
	if g := o.withDefaults().Solver.Gap; g != 0 {
		t.Errorf("gap given as 0: %v; want 0", g)
	}
}
