package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestReceiptWithoutBOLMatchesOpenLeg (issue 15, fix15t2 item 2): lot
// 20 t at M; 5 t shipped M→Q under B/L a (at sea); the rest shipped M→K
// under B/L b with no quantity — the body, 20 − 5 = 15 t, at sea on the
// lot's own shipment (BodyShipment: b). Received 14,950 kg at K naming
// no bill of lading: the receipt is matched to the open leg it weighs
// nearest — the body's 15 t (|15 − 14.95| = 0.05) rather than part a's
// 5 t (9.95) —, so the body arrives at K: the lot 5 (at sea) + 14.95 =
// 19.95 t, at K, not in transit (BodyShipment nil), part a still 5 t in
// transit under a. It closed part a: a received 14.95 t at K, the lot
// 14.95 + 15 = 29.95 t, still in transit on b. Stating no weight, it
// closes the body's leg too (the lot 20 t, at K). 4,990 kg received at
// Q naming no B/L weigh nearest part a (|5 − 4.99| = 0.01): a is
// received, the body still at sea.
func TestReceiptWithoutBOLMatchesOpenLeg(t *testing.T) {
	t.Parallel()
	const id, m, k, q = "urn:lot:T2", "urn:site:M", "urn:site:K", "urn:site:Q"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	evs := []*critmin.Event{noBodyCommission(id, m, 20000),
		noBodyEv(id, "sa", 2, "shipping", m, q, "a", kg(5000)),
		noBodyEv(id, "sb", 4, "shipping", m, k, "b", nil)}
	before := projectAll(id, evs...)
	if e := ledger.BodyShipment(before, evs); e == nil || e.EventID != "sb" {
		t.Fatalf("body shipment before the receipt: %+v; want sb", e)
	}
	all := append(append([]*critmin.Event(nil), evs...), noBodyEv(id, "rk", 5, "receiving", k, "", "", kg(14950)))
	l := projectAll(id, all...)
	if !near(l.WetTonnes, 19.95) || l.Location != k || l.Status == critmin.LotInTransit || ledger.BodyShipment(l, all) != nil {
		t.Errorf("lot %v t at %s (%s), body shipment %v; want 19.95 t at K, arrived, no open body shipment", l.WetTonnes, l.Location, l.Status, ledger.BodyShipment(l, all))
	}
	if a := l.Parts[0]; a.Status != critmin.PartInTransit || !near(a.Mass(), 5) {
		t.Errorf("part a %+v; want 5 t still in transit under a", a)
	}
	if err := ledger.CheckHoldings(l); err != nil {
		t.Errorf("CheckHoldings: %v", err)
	}
	l = projectAll(id, append(append([]*critmin.Event(nil), evs...), noBodyEv(id, "rk", 5, "receiving", k, "", "", nil))...)
	if a := l.Parts[0]; a.Status != critmin.PartInTransit || l.Location != k || l.Status == critmin.LotInTransit || !near(l.WetTonnes, 20) {
		t.Errorf("no weight: lot %v t at %s (%s), part a %+v; want 20 t, the body at K, a in transit", l.WetTonnes, l.Location, l.Status, a)
	}
	l = projectAll(id, append(append([]*critmin.Event(nil), evs...), noBodyEv(id, "rq", 5, "receiving", q, "", "", kg(4990)))...)
	if a := l.Parts[0]; a.Status != critmin.PartReceived || a.To != q || l.Status != critmin.LotInTransit || !near(l.WetTonnes, 19.99) {
		t.Errorf("4.99 t at Q: lot %v t (%s), part a %+v; want 15 + 4.99 = 19.99 t, the body at sea, a received at Q", l.WetTonnes, l.Status, a)
	}
}
