package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestRunInputMoistureByPart (issue 15, fix15y item 1): a run that takes
// of several parts received at its site dries each tonne at the moisture
// of the part it came from. Lot RM, 30 t at mine M; D1 ships 10 t to
// port P measured at 8 %, D2 10 t measured at 4 %, both received at P
// (10 t stay at M). Run X at P takes 15 t, first in first out by the
// order the parts were shipped: all 10 t of D1, then 5 t of D2.
//   - dry taken: 10 × 0.92 + 5 × 0.96 = 9.2 + 4.8 = 14.0 t;
//   - moisture of what it took: (10 × 0.08 + 5 × 0.04) / 15 = 1.0 / 15
//     = 6.667 % (it read D1's 8 %: 15 × 0.92 = 13.8 t);
//   - left standing at P: 5 t of D2, 5 × 0.96 = 4.8 t dry.
//
// A second run Y at P takes the last 5 t, all of D2: 4 %, 4.8 t dry.
func TestRunInputMoistureByPart(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:RM", "urn:site:M", "urn:site:P"
	wetAt := func(e *critmin.Event, m float64) *critmin.Event {
		e.Mineral = &critmin.MineralFacts{Moisture: &m}
		return e
	}
	run := func(eid string, day int, kgs float64) *critmin.Event {
		return &critmin.Event{EventID: eid, Type: critmin.TransformationEvent, EventTime: at(day), BizLocation: port,
			Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(kgs), UOM: "KGM"}}}
	}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 30000),
		wetAt(noBodyEv(id, "d1", 2, "shipping", mine, port, "D1", kg(10000)), 0.08),
		wetAt(noBodyEv(id, "d2", 3, "shipping", mine, port, "D2", kg(10000)), 0.04),
		noBodyEv(id, "r1", 4, "receiving", port, "", "D1", kg(10000)), noBodyEv(id, "r2", 5, "receiving", port, "", "D2", kg(10000)),
		run("x", 6, 15000), run("y", 7, 5000)})
	l := lots[id]
	if len(l.Parts) != 2 {
		t.Fatalf("parts %+v, want 2", l.Parts)
	}
	want := [][]critmin.RunTake{{{EventID: "x", Tonnes: 10}}, {{EventID: "x", Tonnes: 5}, {EventID: "y", Tonnes: 5}}}
	for i, p := range l.Parts {
		if len(p.RunTakes) != len(want[i]) {
			t.Fatalf("part %d run takes %+v, want %+v", i, p.RunTakes, want[i])
		}
		for k, w := range want[i] {
			if g := p.RunTakes[k]; g.EventID != w.EventID || math.Abs(g.Tonnes-w.Tonnes) > 1e-9 {
				t.Errorf("part %d take %d: %+v, want %+v", i, k, g, w)
			}
		}
	}
	m, ok := ledger.RunInputMoisture(l, "x")
	if !ok || m == nil || math.Abs(*m-1.0/15) > 1e-12 {
		t.Fatalf("run X's input moisture %v %v, want 1/15 = 6.667 %% (10 t at 8 %% and 5 t at 4 %%)", m, ok)
	}
	if d := 15 * (1 - *m); math.Abs(d-14) > 1e-9 {
		t.Errorf("run X took %v t dry, want 9.2 + 4.8 = 14.0 t", d)
	}
	if m, ok := ledger.RunInputMoisture(l, "y"); !ok || m == nil || math.Abs(*m-0.04) > 1e-12 {
		t.Errorf("run Y's input moisture %v %v, want D2's 4 %%", m, ok)
	}
	// Both events of one run (a transformationID over two events): 20 t,
	// 10 × 0.08 + 10 × 0.04 = 1.2 t water, 6 %.
	if m, ok := ledger.RunInputMoisture(l, "x", "y"); !ok || m == nil || math.Abs(*m-0.06) > 1e-12 {
		t.Errorf("runs X and Y together %v %v, want 1.2 / 20 = 6 %%", m, ok)
	}
	// A run that took of no part (of the body, at M): not ok, the lot's
	// moisture holds.
	if _, ok := ledger.RunInputMoisture(l, "d1"); ok {
		t.Errorf("an event that took of no part reads ok")
	}
	if _, ok := ledger.StandingAt(l, port); ok {
		t.Errorf("something stands at P after 20 t taken of the 20 t received")
	}
}

// TestRejoinKeepsPartReceipt (issue 15, fix15y item 2): the body moving
// onto the site where a part stands rejoins the part, and the part keeps
// its own receipt. Lot RK, 30 t at 8 % at mine M; D1 ships 10 t to port
// P (10 % on dispatch), received there by r1. The body (no quantity
// stated: the whole of what stands at M) ships to P by d2 and is
// received there by r2: the part rejoins the body by r2, received by r1
// (it read r2, the body's receipt, as the part's). The body's moisture
// is the mass-weighted mean: (20 × 0.08 + 10 × 0.10) / 30 = 2.6 / 30 =
// 8.667 %, dry 30 − 2.6 = 27.4 t.
func TestRejoinKeepsPartReceipt(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:RK", "urn:site:M", "urn:site:P"
	m8, m10 := 0.08, 0.10
	c := noBodyCommission(id, mine, 30000)
	c.Mineral.Moisture = &m8
	d1 := noBodyEv(id, "d1", 2, "shipping", mine, port, "D1", kg(10000))
	d1.Mineral = &critmin.MineralFacts{Moisture: &m10}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{c, d1,
		noBodyEv(id, "r1", 3, "receiving", port, "", "D1", kg(10000)),
		noBodyEv(id, "d2", 4, "shipping", mine, port, "", nil),
		noBodyEv(id, "r2", 5, "receiving", port, "", "", nil)})
	l := lots[id]
	if len(l.Parts) != 1 || l.Parts[0].Status != critmin.PartRejoined {
		t.Fatalf("parts %+v, want D1 rejoined", l.Parts)
	}
	if p := l.Parts[0]; p.ReceiptEventID != "r1" || p.RejoinEventID != "r2" || p.RejoinedBy() != "r2" {
		t.Errorf("part received by %q, rejoined by %q (%q); want received by r1, rejoined by r2", p.ReceiptEventID, p.RejoinEventID, p.RejoinedBy())
	}
	if l.Location != port || l.Moisture == nil || math.Abs(*l.Moisture-2.6/30) > 1e-12 || math.Abs(l.DryTonnes-27.4) > 1e-9 {
		t.Errorf("lot at %s, moisture %v, dry %v; want at P, 2.6 / 30 = 8.667 %%, 27.4 t", l.Location, l.Moisture, l.DryTonnes)
	}
}
