package ledger_test

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// TestOutturnPercentHalfAwayFromZero (issue 15, fix15p): an outturn's
// relative difference is computed on the decimal figures as stated, so
// that a decimal half is a half and rounds away from zero as every
// figure does (units.Fixed). 8 t shipped, 7.99 t received: 7.99 − 8 =
// −0.01 t, −0.01 / 8 = −0.00125 = −0.125 % → "−0.13" at two decimals. In
// binary, 7.99 − 8 = −0.009999999999999787 and the per cent
// −0.12499999999999734, which printed "−0.12". 8 → 8.01: +0.125 % →
// "0.13"; 40 → 39.9: −0.1 / 40 = −0.25 % → "−0.25"; 82.93 → 82.83:
// −0.1 / 82.93 = −0.1206 % → "−0.12" (the demo's total).
func TestOutturnPercentHalfAwayFromZero(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		shipped, received float64
		want              string
	}{{8, 7.99, "-0.13"}, {8, 8.01, "0.13"}, {40, 39.9, "-0.25"}, {82.93, 82.83, "-0.12"}, {8, 8, "0.00"}} {
		if got := units.Fixed(ledger.OutturnPercent(c.shipped, c.received), 2); got != c.want {
			t.Errorf("OutturnPercent(%v shipped, %v received) = %s %%; want %s %%", c.shipped, c.received, got, c.want)
		}
		if got := units.Fixed(ledger.OutturnRel(c.shipped, c.received)*100, 2); got != c.want {
			t.Errorf("OutturnRel(%v shipped, %v received) × 100 = %s %%; want %s %%", c.shipped, c.received, got, c.want)
		}
	}
	// Through the lot's events: lot O, 10 t at LS; 8,000 kg shipped under
	// OB; 7,990 kg received: DifferenceRel −0.00125 (−0.13 % printed).
	const id, ls, k = "urn:lot:O", "urn:site:LS", "urn:site:K"
	got := ledger.Outturns(id, []*critmin.Event{noBodyCommission(id, ls, 10000), noBodyEv(id, "s", 2, "shipping", ls, k, "OB", kg(8000)),
		noBodyEv(id, "r", 3, "receiving", k, "", "OB", kg(7990))})
	if len(got) != 1 || units.Fixed(got[0].DifferenceRel*100, 2) != "-0.13" || units.Fixed(got[0].DifferenceTonnes, 3) != "-0.010" {
		t.Errorf("outturns %+v; want one of −0.010 t, −0.13 %%", got)
	}
}
