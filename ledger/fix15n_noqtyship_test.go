package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// projectAll projects evs in order on a fresh lot id and returns it.
func projectAll(id string, evs ...*critmin.Event) *critmin.Lot {
	lots := map[string]*critmin.Lot{id: {ID: id}}
	for _, ev := range evs {
		ledger.Project(lots, ev)
	}
	return lots[id]
}

// TestReceiptClosesItsOwnBillOfLading (issue 15, fix15n N1): lot 20 t
// at M; 5 t shipped M→Q under B/L a (at sea); the rest shipped M→K under
// B/L b with no quantity: the lot's body, what stood at M, 20 − 5 = 15 t.
// Received 14,950 kg at K under b: the receipt closes b's shipment, not
// the part at sea under a: the lot reads 5 (at sea) + 14.95 (at K) =
// 19.95 t, and part a is still in transit (the receipt closed part a:
// 29.95 t, "a received 14.95 t at K"). Its outturn: shipped 15 t,
// received 14.95 t: −0.05 / 15 = −0.33 %, within 0.5 %: no anomaly (it
// read shipped 5 t, transit_gain). Received 5 t at Q under a: part a
// received there, 5 t, the lot still 19.95 t. A receipt under b with no
// quantity does not close part a either.
func TestReceiptClosesItsOwnBillOfLading(t *testing.T) {
	t.Parallel()
	const id, m, k, q = "urn:lot:N1", "urn:site:M", "urn:site:K", "urn:site:Q"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	evs := []*critmin.Event{noBodyCommission(id, m, 20000),
		noBodyEv(id, "sa", 2, "shipping", m, q, "a", kg(5000)),
		noBodyEv(id, "sb", 4, "shipping", m, k, "b", nil),
		noBodyEv(id, "rb", 5, "receiving", k, "", "b", kg(14950))}
	l := projectAll(id, evs...)
	if !near(l.WetTonnes, 19.95) || len(l.Parts) != 1 || l.Location != k {
		t.Fatalf("lot %v t at %s, parts %+v; want 19.95 t (5 at sea + 14.95 at K), at K, one part", l.WetTonnes, l.Location, l.Parts)
	}
	if a := l.Parts[0]; a.Status != critmin.PartInTransit || a.BillOfLading != "a" || !near(a.Mass(), 5) {
		t.Errorf("part a %+v; want 5 t in transit under a", a)
	}
	out := ledger.Outturns(id, evs)
	if len(out) != 1 || out[0].BillOfLading != "b" || !near(out[0].ShippedTonnes, 15) || out[0].Anomaly != "" {
		t.Errorf("outturns %+v; want b: 15 t shipped, 14.95 received, no anomaly", out)
	}
	l = projectAll(id, append(evs, noBodyEv(id, "ra", 6, "receiving", q, "", "a", kg(5000)))...)
	if a := l.Parts[0]; !near(l.WetTonnes, 19.95) || a.Status != critmin.PartReceived || a.To != q || !near(a.Mass(), 5) {
		t.Errorf("after a's receipt: lot %v t, part a %+v; want 19.95 t, a received 5 t at Q", l.WetTonnes, a)
	}
	l = projectAll(id, evs[0], evs[1], evs[2], noBodyEv(id, "rb", 5, "receiving", k, "", "b", nil))
	if a := l.Parts[0]; a.Status != critmin.PartInTransit || !near(l.WetTonnes, 20) {
		t.Errorf("receipt under b with no quantity: lot %v t, part a %+v; want 20 t, a in transit", l.WetTonnes, a)
	}
}

// TestNoQuantityShipmentOutturn (issue 15, fix15n N2): a shipment with
// no quantity shipped what stood at its site when it left; its outturn
// is against that.
//   - split: 20 t at M, 5 t shipped to Q and received (5 t), the rest
//     shipped M→K with no quantity: 15 t shipped. Received 14.9 t:
//     −0.1 / 15 = −0.67 %: transit_loss (it read 5 t shipped, +198 %
//     transit_gain); 14 t: −1 / 15 = −6.67 %: transit_loss; 16 t:
//     +1 / 15 = +6.67 %: transit_gain.
//   - plain: 15 t commissioned, shipped with no quantity: 15 t; 16 t
//     received: +6.67 % transit_gain.
func TestNoQuantityShipmentOutturn(t *testing.T) {
	t.Parallel()
	const id, m, k, q = "urn:lot:N2", "urn:site:M", "urn:site:K", "urn:site:Q"
	split := []*critmin.Event{noBodyCommission(id, m, 20000),
		noBodyEv(id, "sa", 2, "shipping", m, q, "a", kg(5000)),
		noBodyEv(id, "ra", 3, "receiving", q, "", "a", kg(5000)),
		noBodyEv(id, "sb", 4, "shipping", m, k, "b", nil)}
	plain := []*critmin.Event{noBodyCommission(id, m, 15000), noBodyEv(id, "sb", 4, "shipping", m, k, "b", nil)}
	for _, c := range []struct {
		name     string
		evs      []*critmin.Event
		received float64
		rel      float64
		want     string
	}{
		{"split 14.9", split, 14900, -0.1 / 15, "transit_loss"},
		{"split 14", split, 14000, -1.0 / 15, "transit_loss"},
		{"split 16", split, 16000, 1.0 / 15, "transit_gain"},
		{"plain 16", plain, 16000, 1.0 / 15, "transit_gain"},
	} {
		evs := append(append([]*critmin.Event(nil), c.evs...), noBodyEv(id, "rb", 5, "receiving", k, "", "b", kg(c.received)))
		var got *ledger.Outturn
		for _, o := range ledger.Outturns(id, evs) {
			if o.BillOfLading == "b" {
				got = &o
			}
		}
		if got == nil || math.Abs(got.ShippedTonnes-15) > 1e-9 || math.Abs(got.DifferenceRel-c.rel) > 1e-9 || got.Anomaly != c.want {
			t.Errorf("%s: outturn under b %+v; want 15 t shipped, %.4f, %s", c.name, got, c.rel, c.want)
		}
	}
}

// TestReadingAfterRunKeepsTakenMoisture (issue 15, fix15n N3): lot RN,
// 30 t at mine M; D1 ships 10 t to port P at 8 %, D2 10 t at 4 %, D2
// received first, then D1. Run X at P takes 15 t, first in first out by
// shipping order: 10 t of D1 at 8 % = 9.2 t dry, 5 t of D2 at 4 % =
// 4.8 t dry: 14.0 t, 1.0 / 15 = 6.667 %. Then a reading at P, 5,000 kg
// at 6 %, concerns what stands there, the 5 t left of D2: D2 reads 6 %,
// D1 (nothing of it left there) keeps 8 % (it read 6 %), and run X
// still took 14.0 t dry (it read 15 × 0.94 = 14.1 t).
func TestReadingAfterRunKeepsTakenMoisture(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:RN", "urn:site:M", "urn:site:P"
	wetAt := func(e *critmin.Event, m float64) *critmin.Event {
		e.Mineral = &critmin.MineralFacts{Moisture: &m}
		return e
	}
	run := &critmin.Event{EventID: "x", Type: critmin.TransformationEvent, EventTime: at(6), BizLocation: port,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(15000), UOM: "KGM"}}}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 30000),
		wetAt(noBodyEv(id, "d1", 2, "shipping", mine, port, "D1", kg(10000)), 0.08),
		wetAt(noBodyEv(id, "d2", 3, "shipping", mine, port, "D2", kg(10000)), 0.04),
		noBodyEv(id, "r2", 4, "receiving", port, "", "D2", kg(10000)), noBodyEv(id, "r1", 5, "receiving", port, "", "D1", kg(10000)),
		run, wetAt(noBodyEv(id, "w", 7, "inspecting", port, "", "", kg(5000)), 0.06)})
	l := lots[id]
	if len(l.Parts) != 2 {
		t.Fatalf("parts %+v, want 2", l.Parts)
	}
	if m := l.Parts[0].Moisture; m == nil || math.Abs(*m-0.08) > 1e-12 {
		t.Errorf("D1 moisture %v; want 8 %% (nothing of it stood at P when read)", m)
	}
	if m := l.Parts[1].Moisture; m == nil || math.Abs(*m-0.06) > 1e-12 {
		t.Errorf("D2 moisture %v; want the reading's 6 %%", m)
	}
	m, ok := ledger.RunInputMoisture(l, "x")
	if !ok || m == nil || math.Abs(15*(1-*m)-14) > 1e-9 {
		t.Errorf("run X's input moisture %v %v; want 1/15, 9.2 + 4.8 = 14.0 t dry", m, ok)
	}
}
