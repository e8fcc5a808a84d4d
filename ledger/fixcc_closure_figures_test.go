package ledger_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestClosureFiguresReadPlainly (issue 15, fixCc item 6): the closure
// refusal printed its grades with %.4g, so a trace grade read in
// exponent form. Fe 100.6 % dry + Cu 0.00001 % dry = 100.60001 %, over
// 100 % + the 0.5-point tolerance: the refusal reads "add up to 100.6 %
// (Cu 0.00001 %, Fe 100.6 %" (four significant digits, 100.60001 →
// 100.6), not "Cu 1e-05 %".
func TestClosureFiguresReadPlainly(t *testing.T) {
	reason, i := ledger.Closure([]critmin.Assay{
		{Analyte: "Fe", Value: 100.6, Unit: "%", Basis: "dry"},
		{Analyte: "Cu", Value: 0.00001, Unit: "%", Basis: "dry"},
	}, nil)
	if i < 0 || !strings.Contains(reason, "add up to 100.6 % (Cu 0.00001 %, Fe 100.6 %") || strings.Contains(reason, "e-0") {
		t.Errorf("closure reason %q (assay %d); want Cu 0.00001 %% written out", reason, i)
	}
}
