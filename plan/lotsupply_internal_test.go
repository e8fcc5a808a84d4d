package plan

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// lotSupply is the one supply lotSupplies makes of a lot standing whole
// at one site (no parts): the tests of grades and origins read it; false
// when it makes none (or several).
func (n *Network) lotSupply(l *critmin.Lot, c *custody.Composition, bySite map[string]string) (Supply, bool) {
	ss := n.lotSupplies(l, c, bySite)
	if len(ss) != 1 {
		return Supply{}, false
	}
	return ss[0], true
}
