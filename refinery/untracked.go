package refinery

import (
	"fmt"
	"sort"
	"strings"
)

// maxUntrackedPlaces is how many places a warning about an untracked
// element names before it counts the rest.
const maxUntrackedPlaces = 5

// noteUntracked records that element el is measured at where (a lot on a
// stream, a sensor report at a read point) but the flowsheet does not
// track it.
func (p *Problem) noteUntracked(el, where string) {
	if p.untracked == nil {
		p.untracked = map[string][]string{}
	}
	for _, w := range p.untracked[el] {
		if w == where {
			return
		}
	}
	p.untracked[el] = append(p.untracked[el], where)
}

// untrackedWarnings is one warning per element the ledger measures at
// the site in the period that the flowsheet does not track: it is not
// reconciled, and the warning says where it was measured and how to
// account for it — never skipped silently.
func (p *Problem) untrackedWarnings() []string {
	els := make([]string, 0, len(p.untracked))
	for el := range p.untracked {
		els = append(els, el)
	}
	sort.Strings(els)
	var out []string
	for _, el := range els {
		out = append(out, UntrackedElementWarning(el, p.untracked[el]))
	}
	return out
}

// UntrackedElementWarning is the warning of element el, measured at the
// places where, that the flowsheet does not track.
func UntrackedElementWarning(el string, where []string) string {
	w := append([]string(nil), where...)
	sort.Strings(w)
	more := ""
	if len(w) > maxUntrackedPlaces {
		more = fmt.Sprintf(" and %d more", len(w)-maxUntrackedPlaces)
		w = w[:maxUntrackedPlaces]
	}
	return fmt.Sprintf("element %s is measured in the ledger for this site and period (%s%s) but the flowsheet does not track it: it is not reconciled, and no recovery, deportment or unaccounted loss of %s is reported — add %q to the flowsheet's elements to account for it", el, strings.Join(w, "; "), more, el, el)
}
