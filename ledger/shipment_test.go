package ledger_test

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestBodyShipment checks the rule that picks a lot's transit (its body's
// shipment), which the lot API, the lot page, the lot list and `critmin
// lot show` read, on hand-made events replayed as the store projects them
// (ledger.Replay: live events only). Lot 20 t commissioned at mine M.
//   - body, then a part: 5 t ship M→Q under a and are received at Q (a
//     part); the rest, the body, 20 − 5 = 15 t, ships M→K with no
//     quantity under b; then 2 t of the part at Q ship on Q→M under c.
//     The transit is the body's: b, from M to K, not c (a part's, the
//     latest shipping event; nu15b);
//   - only parts: 15 t ship M→K under a and 5 t M→Q under b: every tonne
//     left as parts, no body ships, so the latest of them, b (M→Q);
//   - declared in error: the body ships M→K under a; a transshipment
//     K→Q under x, later, is declared in error (EPCIS 2.0 §7.4.1.2:
//     its record marked, the declaration among the events too). The
//     transit is a's, M→K, not x's;
//   - received: the body ships M→K under a and is received at K under
//     a: the lot is in stock at K, with no transit (nil);
//   - declared only: the body's only shipment, a, is declared in error:
//     the lot stands at M, no transit.
func TestBodyShipment(t *testing.T) {
	t.Parallel()
	const id, m, k, q = "urn:lot:BS", "urn:site:M", "urn:site:K", "urn:site:Q"
	ev := func(eid string, day int, step, loc, dest, bol string, kgs *float64) *critmin.Event {
		return noBodyEv(id, eid, day, step, loc, dest, bol, kgs)
	}
	declared := func(e *critmin.Event) *critmin.Event {
		e.DeclaredInError = &critmin.ErrorDeclaration{DeclarationTime: at(9), Reason: "incorrect_data"}
		return e
	}
	declaration := func(e *critmin.Event) *critmin.Event {
		d := *e
		d.DeclaredInError, d.ErrorDeclaration = nil, &critmin.ErrorDeclaration{DeclarationTime: at(9), Reason: "incorrect_data"}
		return &d
	}
	xship := declared(ev("sx", 4, "shipping", k, q, "x", nil))
	aship := declared(ev("sa", 2, "shipping", m, k, "a", nil))
	for _, c := range []struct {
		name string
		evs  []*critmin.Event
		want string // the eventID of the transit, "" for none
		leg  ledger.Leg
	}{
		{"body then part", []*critmin.Event{noBodyCommission(id, m, 20000),
			ev("sa", 2, "shipping", m, q, "a", kg(5000)),
			ev("ra", 3, "receiving", q, "", "a", kg(5000)),
			ev("sb", 4, "shipping", m, k, "b", nil),
			ev("sc", 5, "shipping", q, m, "c", kg(2000))}, "sb", ledger.Leg{From: m, To: k, BillOfLading: "b"}},
		{"only parts", []*critmin.Event{noBodyCommission(id, m, 20000),
			ev("sa", 2, "shipping", m, k, "a", kg(15000)),
			ev("sb", 3, "shipping", m, q, "b", kg(5000))}, "sb", ledger.Leg{From: m, To: q, BillOfLading: "b"}},
		{"declared in error", []*critmin.Event{noBodyCommission(id, m, 20000),
			ev("sa", 2, "shipping", m, k, "a", nil),
			xship, declaration(xship)}, "sa", ledger.Leg{From: m, To: k, BillOfLading: "a"}},
		{"received", []*critmin.Event{noBodyCommission(id, m, 20000),
			ev("sa", 2, "shipping", m, k, "a", nil),
			ev("ra", 3, "receiving", k, "", "a", kg(19950))}, "", ledger.Leg{}},
		{"declared only", []*critmin.Event{noBodyCommission(id, m, 20000),
			aship, declaration(aship)}, "", ledger.Leg{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lots, _ := ledger.Replay([]string{id}, c.evs)
			l := lots[id]
			got := ledger.BodyShipment(l, ledger.EventTimeOrder(c.evs))
			if c.want == "" {
				if got != nil {
					t.Fatalf("lot %s at %s: transit %s; want none", l.Status, l.Location, got.EventID)
				}
				return
			}
			if got == nil || got.EventID != c.want {
				t.Fatalf("lot %s, parts %+v: transit %v; want %s", l.Status, l.Parts, got, c.want)
			}
			if g := ledger.LegOf(got); g != c.leg {
				t.Errorf("leg %+v; want %+v", g, c.leg)
			}
		})
	}
}
