package ledger_test

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestOutturnAtToleranceNotFlagged (issue 15, fix15z F2): 10,000 kg
// shipped under bill B, received at 9,950 kg: (9.95 − 10) / 10 = −0.5 %
// exactly, the tolerance, so no anomaly (only beyond it is flagged; in
// floating point the quotient reads −0.005000000000000071 and was
// flagged transit_loss). 9,949 kg is −0.51 %: transit_loss; 10,050 kg
// is +0.5 %: none; 10,051 kg is +0.51 %: transit_gain.
func TestOutturnAtToleranceNotFlagged(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:O", "urn:site:M", "urn:site:K"
	for _, tc := range []struct {
		received float64
		want     string
	}{{9950, ""}, {9949, "transit_loss"}, {10050, ""}, {10051, "transit_gain"}} {
		out := ledger.Outturns(id, []*critmin.Event{noBodyCommission(id, mine, 20000),
			noBodyEv(id, "s", 2, "shipping", mine, port, "B", kg(10000)),
			noBodyEv(id, "r", 3, "receiving", port, "", "B", kg(tc.received))})
		if len(out) != 1 || out[0].Anomaly != tc.want {
			t.Errorf("received %v kg of 10,000: %+v; want anomaly %q", tc.received, out, tc.want)
		}
	}
}
