package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// fix15t2Possessor names party as ev's source possessing_party alone
// (CBV 2.0 §7.5).
func fix15t2Possessor(ev *critmin.Event, party string) *critmin.Event {
	ev.Sources = append(ev.Sources, critmin.SourceDest{Type: "possessing_party", ID: party})
	return ev
}

// TestRunNamingAbsentPartyTakesNothing (issue 15, fix15t2 items 1 and 3):
// site S of fix15gSite holds A's 6 t body and B's 4 t part (10 t).
//   - a run at S taking 3,000 kg and naming X, who holds nothing there,
//     as its source owning_party is NamedAbsent (X) and takes nothing:
//     the body stays 6 t, B's part 4 t, taken 0 t, the lot 10 t (it took
//     3 t of A's body: body 6 − 3 = 3 t);
//   - the same stating no quantity took the whole body, 6 t: now 0 t;
//   - naming X as possessing_party alone is judged alike (X), as a
//     shipment of 2,000 kg naming X as possessor is: flagged, counted
//     nowhere, the body 6 t (it shipped 2 t of A's body: 4 t);
//   - naming B (owner) takes 3 t of B's part: 4 − 3 = 1 t left, the
//     body 6 t; naming possessor B alone likewise; naming owner B with
//     possessor X is X's absence (B's part is held by B).
func TestRunNamingAbsentPartyTakesNothing(t *testing.T) {
	t.Parallel()
	id, s, evs := fix15gSite()
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	before := projectAll(id, evs...)
	after := func(ev *critmin.Event) *critmin.Lot {
		return projectAll(id, append(append([]*critmin.Event(nil), evs...), ev)...)
	}
	bPart := func(l *critmin.Lot) float64 { return l.Parts[0].LeftTonnes() }
	for _, c := range []struct {
		name  string
		ev    *critmin.Event
		party string
	}{
		{"owner X, 3 t", fix15gNamed(fix15gRun(id, s, kg(3000)), "urn:party:X"), "urn:party:X"},
		{"owner X, no quantity", fix15gNamed(fix15gRun(id, s, nil), "urn:party:X"), "urn:party:X"},
		{"possessor X, 3 t", fix15t2Possessor(fix15gRun(id, s, kg(3000)), "urn:party:X"), "urn:party:X"},
		{"owner B, possessor X, 3 t", fix15t2Possessor(fix15gNamed(fix15gRun(id, s, kg(3000)), "urn:party:B"), "urn:party:X"), "urn:party:X"},
	} {
		if p, absent := ledger.NamedAbsent(before, c.ev); !absent || p != c.party {
			t.Errorf("%s: NamedAbsent %q %v; want %s, true", c.name, p, absent, c.party)
		}
		l := after(c.ev)
		if !near(l.RemainingWetTonnes(), 6) || !near(bPart(l), 4) || !near(l.TakenTonnes, 0) || !near(l.WetTonnes, 10) {
			t.Errorf("%s: body %v t, B's part %v t, taken %v t, lot %v t; want 6, 4, 0, 10 (it takes nothing)",
				c.name, l.RemainingWetTonnes(), bPart(l), l.TakenTonnes, l.WetTonnes)
		}
		if err := ledger.CheckHoldings(l); err != nil {
			t.Errorf("%s: CheckHoldings: %v", c.name, err)
		}
	}
	for _, c := range []struct {
		name string
		ev   *critmin.Event
	}{
		{"owner B", fix15gNamed(fix15gRun(id, s, kg(3000)), "urn:party:B")},
		{"possessor B", fix15t2Possessor(fix15gRun(id, s, kg(3000)), "urn:party:B")},
	} {
		if _, absent := ledger.NamedAbsent(before, c.ev); absent {
			t.Errorf("%s: NamedAbsent true; B holds 4 t at S", c.name)
		}
		if l := after(c.ev); !near(l.RemainingWetTonnes(), 6) || !near(bPart(l), 1) {
			t.Errorf("%s: body %v t, B's part %v t; want 6, 4 − 3 = 1", c.name, l.RemainingWetTonnes(), bPart(l))
		}
	}
	ship := fix15t2Possessor(noBodyEv(id, "s5", 8, "shipping", s, "urn:site:K", "c", kg(2000)), "urn:party:X")
	if p, absent := ledger.NamedAbsent(before, ship); !absent || p != "urn:party:X" {
		t.Errorf("shipment naming possessor X: NamedAbsent %q %v; want urn:party:X, true", p, absent)
	}
	l := after(ship)
	if len(l.Parts) != 2 || !l.Parts[1].FromRetracted || !near(l.RemainingWetTonnes(), 6) || !near(bPart(l), 4) || !near(l.InTransitTonnes(), 0) {
		t.Errorf("shipment naming possessor X: body %v t, parts %+v; want the body 6 t, B's 4 t, the shipped 2 t flagged", l.RemainingWetTonnes(), l.Parts)
	}
}
