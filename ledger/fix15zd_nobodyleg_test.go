package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestReceiptWithoutBOLNoBodyLeg (issue 15, fix15zd, nu15g item 4): lot
// 20 t at M; 5 t shipped M→Q under B/L a; the rest, 15,000 kg stated,
// shipped M→K under B/L b — nothing stands at M, the lot follows b
// (BodyShipment: sb, "the lot's body"). A receipt naming no bill of
// lading is matched to the open leg it weighs nearest, the body's (b) on
// a tie or with no weight (docs/identity.md):
//   - no weight at K: b closes (received, not weighed, its 15 t kept);
//     the lot 5 + 15 = 20 t, part a still at sea. It closed part a.
//   - 10,000 kg: |10 − 5| = |10 − 15| = 5, a tie → b received at 10 t;
//     the lot 5 + 10 = 15 t. It closed a: 10 + 15 = 25 t.
//   - 4,990 kg: |4.99 − 5| = 0.01 < |4.99 − 15| → a received; lot
//     4.99 + 15 = 19.99 t.
func TestReceiptWithoutBOLNoBodyLeg(t *testing.T) {
	t.Parallel()
	const id, m, k, q = "urn:lot:Z1", "urn:site:M", "urn:site:K", "urn:site:Q"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	evs := []*critmin.Event{noBodyCommission(id, m, 20000),
		noBodyEv(id, "sa", 2, "shipping", m, q, "a", kg(5000)),
		noBodyEv(id, "sb", 4, "shipping", m, k, "b", kg(15000))}
	if e := ledger.BodyShipment(projectAll(id, evs...), evs); e == nil || e.EventID != "sb" {
		t.Fatalf("body shipment: %+v; want sb", e)
	}
	for _, c := range []struct {
		name    string
		kgs     *float64
		closed  string // B/L of the part received
		open    string // B/L of the part still at sea
		wantLot float64
	}{
		{"no weight", nil, "b", "a", 20},
		{"tie 10 t", kg(10000), "b", "a", 15},
		{"4.99 t", kg(4990), "a", "b", 19.99},
	} {
		l := projectAll(id, append(append([]*critmin.Event(nil), evs...), noBodyEv(id, "r", 5, "receiving", k, "", "", c.kgs))...)
		for _, p := range l.Parts {
			switch p.BillOfLading {
			case c.closed:
				if p.Status != critmin.PartReceived || p.ReceiptEventID != "r" {
					t.Errorf("%s: part %s %s by %q; want received by r", c.name, p.BillOfLading, p.Status, p.ReceiptEventID)
				}
			case c.open:
				if p.Status != critmin.PartInTransit {
					t.Errorf("%s: part %s %s; want in transit", c.name, p.BillOfLading, p.Status)
				}
			}
		}
		if !near(l.WetTonnes, c.wantLot) {
			t.Errorf("%s: lot %v t; want %v", c.name, l.WetTonnes, c.wantLot)
		}
	}
}
