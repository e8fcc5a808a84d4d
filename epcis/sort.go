package epcis

import (
	"sort"

	"github.com/critmin/critmin"
)

// sortRefs puts EPC references and quantity elements in a stable order
// (role, then identifier) so that stored index rows do not depend on map
// iteration order.
func sortRefs(ev *critmin.Event) {
	sort.SliceStable(ev.EPCs, func(i, j int) bool {
		if ev.EPCs[i].Role != ev.EPCs[j].Role {
			return ev.EPCs[i].Role < ev.EPCs[j].Role
		}
		return false
	})
	sort.SliceStable(ev.Quantities, func(i, j int) bool {
		return ev.Quantities[i].Role < ev.Quantities[j].Role
	})
}
