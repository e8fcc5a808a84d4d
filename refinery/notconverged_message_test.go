package refinery_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// TestNotConvergedSaysWhatAndWhatToDo: hang.json's measurements are
// grossly inconsistent (its iterates never settle within MaxIterations):
// the refusal says it did not converge after N iterations, the last
// change (the largest move and worst balance residual against the
// tolerances), that no figures are reconciled, and what to do — check
// the named measurements for gross errors and the sds — and no result
// is returned.
func TestNotConvergedSaysWhatAndWhatToDo(t *testing.T) {
	p := loadNU(t, "hang.json")
	r, err := refinery.Reconcile(p)
	if err == nil {
		t.Fatal("hang.json converged: it is this test's non-converging fixture, so the message was not reached")
	}
	if r != nil {
		t.Errorf("a result beside the error: %+v", r)
	}
	msg := err.Error()
	for _, want := range []string{"did not converge after 100 iterations", "last change: a quantity still moved by", "worst balance was out by", "No figures are reconciled", "check first /streams/", "gross error", "standard deviations are not far too small", "reconcile again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	var e *critmin.Error
	if ce, ok := err.(*critmin.Error); ok {
		e = ce
	}
	if e == nil || e.Code != critmin.EINVALID || len(e.Fields) == 0 || !strings.HasPrefix(e.Fields[0].Pointer, "/streams/") {
		t.Errorf("error %#v: want EINVALID naming measurements", err)
	}
}
