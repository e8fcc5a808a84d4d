package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestLastPartDoesNotRejoinNoBody (issue 15, fix15w D1): lot L3, 20 t at
// 8 % at mine M; L3-A ships 10 t to port K, then L3-B ships the last
// 10 t to K: every tonne left as parts, the lot has no body (NoBody).
// L3-A is received at 10 t and L3-B at 9.9 t at K, where part A stands:
// B must stay a received part (no body for it to rejoin). A run at K
// takes 15 t, first in first out: all 10 t of A, 15 − 10 = 5 t of B.
// 10 + 9.9 − 15 = 4.9 t stand at K, dry 4.9 × 0.92 = 4.508 t; nothing
// at M. (It read 10 t at K: B "rejoined" a body that took the lot with
// it, all 15 t were booked on B's 9.9 t and A's 10 t stood untouched.)
func TestLastPartDoesNotRejoinNoBody(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:L3", "urn:site:M", "urn:site:K"
	m := 0.08
	c := noBodyCommission(id, mine, 20000)
	c.Mineral.Moisture = &m
	run := &critmin.Event{EventID: "run", Type: critmin.TransformationEvent, EventTime: at(6), BizLocation: port,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(15000), UOM: "KGM"}}}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{c,
		noBodyEv(id, "a", 2, "shipping", mine, port, "L3-A", kg(10000)), noBodyEv(id, "b", 3, "shipping", mine, port, "L3-B", kg(10000)),
		noBodyEv(id, "ra", 4, "receiving", port, "", "L3-A", kg(10000)), noBodyEv(id, "rb", 5, "receiving", port, "", "L3-B", kg(9900)), run})
	l := lots[id]
	if len(l.Parts) != 2 {
		t.Fatalf("parts %+v, want 2", l.Parts)
	}
	for i, p := range l.Parts {
		if p.Status != critmin.PartReceived {
			t.Errorf("part %d (%s) status %q, want received (no body to rejoin)", i, p.BillOfLading, p.Status)
		}
	}
	if math.Abs(l.Parts[0].TakenTonnes-10) > 1e-9 || math.Abs(l.Parts[1].TakenTonnes-5) > 1e-9 {
		t.Errorf("taken A %v t, B %v t; want 10 and 5 (first in first out)", l.Parts[0].TakenTonnes, l.Parts[1].TakenTonnes)
	}
	st := ledger.StandsAt(l)
	if len(st) != 1 || st[0].Body || math.Abs(st[0].WetTonnes-4.9) > 1e-9 || math.Abs(st[0].DryTonnes-4.9*0.92) > 1e-9 {
		t.Errorf("standsAt %+v; want only K, 4.9 t wet, 4.508 t dry, no body", st)
	}
	if !ledger.NoBody(l) {
		t.Errorf("NoBody false; every tonne left as parts")
	}
}
