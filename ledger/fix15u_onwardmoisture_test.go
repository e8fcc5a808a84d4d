package ledger_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestOnwardPartMoistureWeighted (issue 15, fix15u item 1): lot OM, 30 t
// at mine M; D1 ships 10 t to port P measured at 8 %, D2 ships 10 t to P
// measured at 4 %, both received at P (10 t stay at M). D3 ships 15 t on
// from P to hub H. The onward part takes of the parts received at P in
// the order they were shipped (Lot.Parts order): all 10 t of D1, then
// 15 − 10 = 5 t of D2. Its moisture is the mass-weighted mean of what it
// took: (10 × 0.08 + 5 × 0.04) / 15 = 1.0 / 15 = 6.667 %, dry
// 15 − 1.0 = 14.0 t (it read D1's 8 %: 15 × 0.92 = 13.8 t). Dry tonnes
// are kept: the parts before held 10 × 0.92 + 10 × 0.96 = 18.8 t dry;
// after, 5 t of D2 at P (5 × 0.96 = 4.8 t) + 14.0 t = 18.8 t.
func TestOnwardPartMoistureWeighted(t *testing.T) {
	t.Parallel()
	const id, mine, port, hub = "urn:lot:OM", "urn:site:M", "urn:site:P", "urn:site:H"
	wetAt := func(e *critmin.Event, m float64) *critmin.Event {
		e.Mineral = &critmin.MineralFacts{Moisture: &m}
		return e
	}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 30000),
		wetAt(noBodyEv(id, "d1", 2, "shipping", mine, port, "D1", kg(10000)), 0.08),
		wetAt(noBodyEv(id, "d2", 3, "shipping", mine, port, "D2", kg(10000)), 0.04),
		noBodyEv(id, "r1", 4, "receiving", port, "", "D1", kg(10000)), noBodyEv(id, "r2", 5, "receiving", port, "", "D2", kg(10000)),
		noBodyEv(id, "d3", 6, "shipping", port, hub, "D3", kg(15000))})
	l := lots[id]
	if len(l.Parts) != 3 {
		t.Fatalf("parts %+v, want 3", l.Parts)
	}
	on := l.Parts[2]
	if on.Moisture == nil || math.Abs(*on.Moisture-1.0/15) > 1e-12 {
		got := "none"
		if on.Moisture != nil {
			got = strconv.FormatFloat(*on.Moisture, 'g', -1, 64)
		}
		t.Fatalf("onward part D3 moisture %s, want 1/15 = 6.667 %% (10 t at 8 %% and 5 t at 4 %%)", got)
	}
	if d := on.DryTonnes(l.Moisture); math.Abs(d-14) > 1e-9 {
		t.Errorf("onward part D3 dry %v t, want 14.0 (15 − 10 × 0.08 − 5 × 0.04)", d)
	}
	if d := l.PartsDryTonnes(); math.Abs(d-18.8) > 1e-9 {
		t.Errorf("parts dry %v t, want 18.8 (4.8 at P + 14.0 bound for H, as before the onward shipment)", d)
	}
	if s, ok := ledger.StandingAt(l, port); !ok || math.Abs(s.WetTonnes-5) > 1e-9 || math.Abs(s.DryTonnes-4.8) > 1e-9 {
		t.Errorf("standing at P %+v %v, want 5 t wet, 4.8 t dry (what is left of D2)", s, ok)
	}
}

// TestRunTakesPartsFirstInFirstOut (issue 15, fix15u): lot RT2, 30 t at
// mine M; D1 and D2 ship 10 t each to port P, both received (10 t stay
// at M). A run at P takes 15 t: 10 t of D1 (all of it) and
// 15 − 10 = 5 t of D2, first in first out by shipment as an onward
// shipment takes (shipOnward). 10 + 10 − 15 = 5 t stand at P (it read
// 10 t: all 15 t booked on D1, whose 10 t cannot go below 0).
func TestRunTakesPartsFirstInFirstOut(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:RT2", "urn:site:M", "urn:site:P"
	run := &critmin.Event{EventID: "run", Type: critmin.TransformationEvent, EventTime: at(6), BizLocation: port,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(15000), UOM: "KGM"}}}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 30000),
		noBodyEv(id, "d1", 2, "shipping", mine, port, "D1", kg(10000)), noBodyEv(id, "d2", 3, "shipping", mine, port, "D2", kg(10000)),
		noBodyEv(id, "r1", 4, "receiving", port, "", "D1", kg(10000)), noBodyEv(id, "r2", 5, "receiving", port, "", "D2", kg(10000)), run})
	l := lots[id]
	if len(l.Parts) != 2 || math.Abs(l.Parts[0].TakenTonnes-10) > 1e-9 || math.Abs(l.Parts[1].TakenTonnes-5) > 1e-9 {
		t.Fatalf("parts %+v; want D1 taken 10 t, D2 taken 5 t", l.Parts)
	}
	if s, ok := ledger.StandingAt(l, port); !ok || math.Abs(s.WetTonnes-5) > 1e-9 {
		t.Errorf("standing at P %+v %v, want 5 t (20 received − 15 taken)", s, ok)
	}
	if s, ok := ledger.StandingAt(l, mine); !ok || math.Abs(s.WetTonnes-10) > 1e-9 || !s.Body {
		t.Errorf("standing at M %+v %v, want the body's 10 t", s, ok)
	}
}
