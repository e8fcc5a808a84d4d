package sqldb

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// noteTotals records, after a live event ev was projected, which lots of
// ids it added to — their total wet mass or what runs took of them, as
// before it (before: WetTonnes, TakenTonnes) — and the line that did
// (ledger.TotalPointer), for checkTotals.
func (w *writer) noteTotals(ev *critmin.Event, ids []string, before map[string][2]float64) {
	for _, id := range ids {
		l := w.lots[id]
		if l == nil {
			continue
		}
		for k, now := range [2]float64{l.WetTonnes, l.TakenTonnes} {
			if !(now > before[id][k]) {
				continue
			}
			if w.raised == nil {
				w.raised = map[string]*[2]raisedBy{}
			}
			r := w.raised[id]
			if r == nil {
				r = &[2]raisedBy{}
				w.raised[id] = r
			}
			if n := len(r[k].events); n == 0 || r[k].events[n-1] != ev.EventID {
				r[k].events = append(r[k].events, ev.EventID)
			}
			r[k].last = "event " + ev.EventID + ledger.TotalPointer(ev, id, k == 1, canon)
		}
	}
}

// checkTotals refuses a live capture that takes a lot of ids past the
// mass limit in one of its summed figures (ledger.LotTotalsOver: its
// total, what runs took of it), as the lots stand once the unit's events
// are projected, replayed in event-time order and its declarations
// applied. Only a figure this capture added to and that is above what
// the record held (stored) is refused: a lot stored over the limit
// before the check can still be corrected. The refusal names the line
// of the latest event that added to it and the total: a conflict with
// the record (409) when the record held some of it, else 400.
func (w *writer) checkTotals(ids []string, stored map[string]*lotRow, lot func(string) *critmin.Lot) error {
	if w.db.writes != replayFull || len(w.raised) == 0 {
		return nil
	}
	var errs []critmin.FieldError
	for _, id := range ids {
		l, r := lot(id), w.raised[id]
		if l == nil || r == nil || !l.Material {
			continue
		}
		for _, over := range ledger.LotTotalsOver(l) {
			k := 0
			if over.Taken {
				k = 1
			}
			var was *critmin.Lot
			if row := stored[id]; row != nil {
				was = &row.l
			}
			if len(r[k].events) == 0 || over.Of(was) >= over.Tonnes {
				continue
			}
			recorded := over.Of(was) > 0
			errs = append(errs, critmin.FieldError{Pointer: r[k].last, Conflict: recorded, Reason: over.Reason(id, r[k].events, recorded)})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &critmin.Error{Code: critmin.RefusalCode(errs), Message: errs[0].Reason + "; nothing was stored", Fields: errs}
}
