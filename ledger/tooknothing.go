package ledger

import (
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// RunTookNothing says whether run event ev (a TransformationEvent naming
// lot l as an input) takes nothing of l, l as it stood just before ev,
// and why, in words for people:
//   - it names as its source a party that holds nothing of l at its
//     site while other parties' holdings stand there (NamedAbsent): such
//     a run is refused at capture (409) and one stored before — its
//     party's holding gone by a declaration in error, EPCIS 2.0 §7.4.1.2
//     — takes nothing (applyPart's moveNone; issue 15, fix15t2):
//     "it named urn:party:X as its source party, who held nothing of the
//     lot at urn:site:S then";
//   - every input line of l states 0 in a mass unit (a zero draw, which
//     the validator refuses — "a run's input of 0 takes nothing" — and
//     a store written before that refusal may hold): "it stated 0 t of
//     the lot".
//
// The genealogy draws such a run's edge from l as taking nothing, with
// this reason, and no leg of l as feeding it (LotLegs' Nothing; issue 15,
// fix15za: the legs of the body were drawn into the run and the trace
// read as if the run were fed); DeclarationDependents lists a run a
// declaration leaves so.
func RunTookNothing(l *critmin.Lot, ev *critmin.Event) (string, bool) {
	if l == nil || ev == nil || ev.Type != critmin.TransformationEvent || !inputLine(ev, epcis.Canonical(l.ID)) {
		return "", false
	}
	if party, absent := NamedAbsent(l, ev); absent {
		return fmt.Sprintf("it named %s as its source party, who held nothing of the lot at %s then", party, eventSite(ev)), true
	}
	zero := false
	for _, q := range ev.LotLines() {
		if q.Role != critmin.RoleInput || epcis.Canonical(q.EPCClass) != epcis.Canonical(l.ID) {
			continue
		}
		t, stated := lineTonnes(q)
		if !stated || t > 0 {
			return "", false
		}
		zero = true
	}
	if zero {
		return "it stated 0 t of the lot", true
	}
	return "", false
}
