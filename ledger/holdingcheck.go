package ledger

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// CheckHoldings is CheckLotBalance, under the name the store and the
// migrations first called it by.
func CheckHoldings(l *critmin.Lot) error { return CheckLotBalance(l) }

// fig is tonnes to the gram for CheckHoldings' messages.
func fig(t float64) string { return units.Fixed(t, 3) }
