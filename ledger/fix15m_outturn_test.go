package ledger_test

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestOutturnDetailRoundsHalfAwayAndSkipsReReceipt (issue 15, fix15m).
// Lot P2, 10 t at LS; 8 t shipped under P2A to K (event s).
//   - received 8,062.5 kg (r1): 8.0625 − 8 = +0.0625 t, 0.0625 / 8 =
//     +0.78125 %, beyond 0.5 %. By hand at the detail's precision:
//     0.0625 → 0.063 t, 8.0625 → 8.063 t, 0.78125 → +0.78 % (the digit
//     after 8 is 1 — below a half). All three are exact in binary, so
//     %.3f rounded them to even ("0.062", "8.062").
//   - received with no weight (r1), then again with 8,062.5 kg (r2): the
//     part was received by r1, so r2 is a re-receipt, which the ledger
//     treats as stating nothing (ReReceipt,
//     TestSecondReceiptUnderBillOfLadingCreatesNoMass) — it has no
//     outturn either.
func TestOutturnDetailRoundsHalfAwayAndSkipsReReceipt(t *testing.T) {
	t.Parallel()
	const id, ls, k = "urn:lot:P2", "urn:site:LS", "urn:site:K"
	base := []*critmin.Event{noBodyCommission(id, ls, 10000), noBodyEv(id, "s", 2, "shipping", ls, k, "P2A", kg(8000))}

	got := ledger.Outturns(id, append(base, noBodyEv(id, "r1", 3, "receiving", k, "", "P2A", kg(8062.5))))
	want := "lot urn:lot:P2 gained 0.063 t in transit under bill of lading P2A: shipped 8.000 t (event s), received 8.063 t (event r1), +0.78 % (tolerance 0.5 %)"
	if len(got) != 1 || got[0].Detail != want {
		t.Errorf("outturns %+v; want one with detail %q", got, want)
	}

	got = ledger.Outturns(id, append(base, noBodyEv(id, "r1", 3, "receiving", k, "", "P2A", nil),
		noBodyEv(id, "r2", 4, "receiving", k, "", "P2A", kg(8062.5))))
	if len(got) != 0 {
		t.Errorf("outturns after a weightless receipt and a re-receipt: %+v; want none (r2 states nothing of the lot)", got)
	}
}
