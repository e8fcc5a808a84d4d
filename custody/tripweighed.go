package custody

import (
	"context"
	"fmt"
	"slices"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// tripEndGain refuses a step that ends a trip (receiptSteps: receiving,
// arriving, unloading, accepting; CBV 2.0 §7.2) that leaves a lot
// heavier than the trips it ended carried, beyond the 0.5 % two
// weighbridges can differ by (ledger.OutturnTolerance), under a bill of
// lading or not. was is each lot as the record and the document's
// earlier events left it (the declarations it makes applied first),
// lots the same after ev (ledger.Project): what ev ended is what was in
// transit to its site before it (ledger.InTransitTo) less what still is
// after it, and what it took beyond them is the rise of the lot's total.
// One rule with the projection: the ledger books what the receipt
// states, so a receipt the projection would read as a gain is refused
// here. New-user check on suitetime: W1 ("L 4 t" shipped and "L 10 t"
// received in one document read 6 + 10 = 16 t of a 10 t lot), W2 (an
// arriving of "L 10 t" of a 4 t trip, with or without a bill, read 16
// t; a 10 t lot shipped whole and arriving at 15 t read 15 t). A
// receiving under a bill is judged against its bill's shipments by
// receiptAgainst (checkReceipts) and is left to it; a step dated before
// the lot's latest event is left to the other checks.
func tripEndGain(ev *critmin.Event, was map[string]critmin.Lot, lots map[string]*critmin.Lot) []critmin.FieldError {
	step := stepName(ev.BizStep)
	if ev.Type != critmin.ObjectEvent || ev.Action == "DELETE" || !receiptSteps[step] || step == "receiving" && bolOf(ev) != "" {
		return nil
	}
	var out []critmin.FieldError
	for _, id := range sortedKeys(was) {
		w, l := was[id], lots[id]
		if l == nil || !units.IsMass(w.UOM) || !units.IsMass(l.UOM) || ev.EventTime.Before(w.LastEventAt) {
			continue
		}
		in, some := ledger.InTransitTo(&w, ev)
		if !some {
			continue
		}
		left, _ := ledger.InTransitTo(l, ev)
		ended := max(in-left, 0)
		gain := l.WetTonnes - w.WetTonnes
		if gain <= ended*ledger.OutturnTolerance+1e-9 {
			continue
		}
		ptr := fmt.Sprintf("event %s", ev.EventID)
		c := canonicalLots(ev)
		if n := slices.IndexFunc(c.Quantities, func(q critmin.QuantityElement) bool {
			return q.EPCClass == id && q.Role != critmin.RoleChild && q.Role != critmin.RoleParent
		}); n >= 0 {
			ptr += fmt.Sprintf("/quantityList/%d/quantity", n)
		} else if len(ev.EPCs) > 0 {
			ptr += "/epcList/0"
		}
		got := ended + gain
		site := ev.BizLocation
		if site == "" {
			site = "its site"
		}
		bill := "with no bill of lading"
		if b := bolOf(ev); b != "" {
			bill = "under bill of lading " + b
		}
		what := "is received"
		if step != "receiving" {
			what = "ends its trip (" + step + ")"
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("lot %s %s at %s t by event %s %s, but only %s t of it is in transit to %s: the %s takes %s t more than its trips carried, beyond the %s %% two weighbridges can differ by; check the weight (a real gain is recorded as a weighing, a Mass sensor report), and end each trip at what it carried",
			id, what, Tonnes(got), ev.EventID, bill, Tonnes(in), site, step, Tonnes(gain), units.Fixed(ledger.OutturnTolerance*100, 1))})
	}
	return out
}

// docView is the store as a document's earlier events left it: each lot
// in lots as they left it (the declarations the document makes applied
// first), and the earlier events found by their IDs as stored ones, so
// that a receipt is judged by the receipt checks (receivedNoBill) as it
// would be in a document of its own after them (new-user check on
// suitetime W1: "L 4 t" shipped, received 4 t and received 4 t again in
// one document was taken, the second receipt alone refused).
type docView struct {
	Store
	lots    map[string]critmin.Lot
	earlier []*critmin.Event
}

// FindLot is the lot as the document's earlier events left it, else the
// store's.
func (d docView) FindLot(ctx context.Context, id string) (*critmin.Lot, error) {
	if l, ok := d.lots[id]; ok && l.EventCount > 0 {
		return cloneLot(&l), nil
	}
	return d.Store.FindLot(ctx, id)
}

// FindEvents finds the document's earlier events by their IDs, else
// asks the store.
func (d docView) FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error) {
	if len(f.EventIDs) > 0 {
		var found []*critmin.Event
		for _, e := range d.earlier {
			if slices.Contains(f.EventIDs, e.EventID) {
				found = append(found, e)
			}
		}
		if len(found) > 0 {
			return &critmin.EventPage{Events: found}, nil
		}
	}
	q, ok := d.Store.(eventQuerier)
	if !ok {
		return &critmin.EventPage{}, nil
	}
	return q.FindEvents(ctx, f)
}

// docReceipt judges receiving ev naming no bill of lading (live's event
// i) against each lot as the document's earlier events left it (was):
// the receipt checks (receivedNoBill) as in a document of its own.
func docReceipt(ctx context.Context, s Store, declared map[string]bool, live []*critmin.Event, i int, was map[string]critmin.Lot) ([]critmin.FieldError, error) {
	ev := live[i]
	if ev.Type != critmin.ObjectEvent || stepName(ev.BizStep) != "receiving" || bolOf(ev) != "" {
		return nil, nil
	}
	var base Store = s
	if len(declared) > 0 {
		base = withoutEvents{s, declared}
	}
	v := docView{Store: base, lots: was, earlier: live[:i]}
	_, canQuery := s.(eventQuerier)
	var out []critmin.FieldError
	for n, qe := range canonicalLots(ev).Quantities {
		if qe.Role == critmin.RoleChild || qe.Role == critmin.RoleParent {
			continue
		}
		w, ok := was[qe.EPCClass]
		if !ok || w.EventCount == 0 {
			continue
		}
		if t, ok := ledger.LineTonnes(qe); ok && t <= 1e-9 && !namesOwnLine(ev, qe.EPCClass) {
			continue
		}
		fe, err := receivedNoBill(ctx, v, v, canQuery, live[:i], ev, n, qe.EPCClass, &w)
		if err != nil {
			return nil, err
		}
		out = append(out, fe...)
	}
	return out, nil
}
