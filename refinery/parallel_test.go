package refinery_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/critmin/critmin/refinery"
)

// TestParallelColumnsReportedAsGroup (issue 12, fix12d gap 3): two
// parts of one flowsheet.
//
// Streams in series: s1 feeds A, s2 carries A's output to B, and B's
// residue s4 is not measured, so B's balances hold an unmeasured mass and
// grade each and are projected out: the only balances on s1 and s2 are
// A's, m1 − m2 = 0 and m1·g1 − m2·g2 = 0. The columns of m1 and m2 are
// (1, g1) and (−1, −g2): parallel at the solution (g1 = g2). A gross error
// in either moves the residuals the same way; the test on each is
// |z| = |108.5 − 100| / √(2² + 2²) = 8.5 / 2.8284 = 3.0052.
//
// One node C with feed t1 and products t2, t3: each grade enters only C's
// Cu balance (its column is (0, m) in C's mass and Cu rows), so the three
// grade columns are parallel: a Cu imbalance at C (t2 measured 14 t,
// not the 10 t that 100 = 10 + 90 asks) cannot be put on one of the
// three grades. Before the fix only the group the serial elimination
// stopped at was reported as a group; the three grades were flagged one
// by one.
func TestParallelColumnsReportedAsGroup(t *testing.T) {
	p, err := refinery.DecodeProblem(strings.NewReader(`{"elements": ["Cu"],
 "nodes": [{"id": "A"}, {"id": "B"}, {"id": "C"}],
 "streams": [
   {"id": "s1", "to": "A", "mass_t": {"value": 108.5, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "s2", "from": "A", "to": "B", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "s3", "from": "B", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "s4", "from": "B"},
   {"id": "t1", "to": "C", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 2.0, "sd": 0.05}}},
   {"id": "t2", "from": "C", "mass_t": {"value": 14, "sd": 0.3}, "grade_pct": {"Cu": {"value": 15.0, "sd": 0.3}}},
   {"id": "t3", "from": "C", "mass_t": {"value": 90, "sd": 2}, "grade_pct": {"Cu": {"value": 0.5556, "sd": 0.02}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := refinery.Reconcile(p)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]refinery.GrossError{}
	for _, g := range r.GrossErrors {
		got[g.Pointer] = g
		if g.Located {
			t.Errorf("%s located: a measurement of an equivalent set is never located on its own", g.Pointer)
		}
	}
	want := map[string][]string{
		"/streams/0/mass_t":       {"/streams/1/mass_t"},
		"/streams/1/mass_t":       {"/streams/0/mass_t"},
		"/streams/4/grade_pct/Cu": {"/streams/5/grade_pct/Cu", "/streams/6/grade_pct/Cu"},
		"/streams/5/grade_pct/Cu": {"/streams/4/grade_pct/Cu", "/streams/6/grade_pct/Cu"},
		"/streams/6/grade_pct/Cu": {"/streams/4/grade_pct/Cu", "/streams/5/grade_pct/Cu"},
	}
	for ptr, peers := range want {
		g, ok := got[ptr]
		if !ok {
			t.Errorf("%s not flagged", ptr)
			continue
		}
		if !slices.Equal(g.TiedWith, peers) {
			t.Errorf("%s tied with %v, want %v", ptr, g.TiedWith, peers)
		}
	}
	if g := got["/streams/0/mass_t"]; math.Abs(math.Abs(g.NormalisedAdjustment)-8.5/math.Sqrt(8)) > 1e-6 {
		t.Errorf("s1 mass |z| %g, want 8.5/√8 = 3.0052", g.NormalisedAdjustment)
	}
}
