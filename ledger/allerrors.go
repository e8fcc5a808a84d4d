package ledger

import (
	"strings"

	"github.com/critmin/critmin"
)

// independentMineralErrors runs the mineral profile's checks on an event the
// EPCIS validation refused (ev is what it could decode; nil is allowed) and
// returns the problems it finds that are not already reported — none at,
// inside or around a pointer in reported — so that a capture reports every
// independent problem of a document at once (issue 11 §5).
func independentMineralErrors(ev *critmin.Event, ptr string, reported []critmin.FieldError) []critmin.FieldError {
	if ev == nil {
		return nil
	}
	mf, ferrs := DecodeMineral(ev, ptr)
	ferrs = append(ferrs, MissingBasis(mf, ptr)...)
	ferrs = append(ferrs, zeroRunLines(ev, ptr)...)
	var out []critmin.FieldError
next:
	for _, f := range ferrs {
		for _, r := range reported {
			// A problem of the event as a whole (at ptr) overlaps nothing.
			if f.Pointer == r.Pointer || (r.Pointer != ptr && (strings.HasPrefix(f.Pointer, r.Pointer+"/") || strings.HasPrefix(r.Pointer, f.Pointer+"/"))) {
				continue next
			}
		}
		out = append(out, f)
	}
	return out
}
