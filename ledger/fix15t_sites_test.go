package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestNoBodyLocationWhereMostStands (issue 15, fix15t item 4): lot NL4,
// 30 t at mine M, leaves whole as 20 t to port P (D1) and, last, 10 t to
// quay Q (D2), both received. Its Location named Q, where its last part
// went; it names P, where most of it stands (20 t > 10 t), and StandsAt
// lists P 20 t and Q 10 t, nothing at M.
func TestNoBodyLocationWhereMostStands(t *testing.T) {
	t.Parallel()
	const id, mine, port, quay = "urn:lot:NL4", "urn:site:M", "urn:site:P", "urn:site:Q"
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 30000),
		noBodyEv(id, "d1", 2, "shipping", mine, port, "D1", kg(20000)), noBodyEv(id, "d2", 3, "shipping", mine, quay, "D2", kg(10000)),
		noBodyEv(id, "r1", 4, "receiving", port, "", "D1", kg(20000)), noBodyEv(id, "r2", 5, "receiving", quay, "", "D2", kg(10000))})
	l := lots[id]
	if !ledger.NoBody(l) {
		t.Fatalf("lot NL4 has a body: %+v", l)
	}
	if l.Location != port {
		t.Errorf("lot NL4's location %q, want %q (20 t stand there, 10 t at the quay)", l.Location, port)
	}
	st := ledger.StandsAt(l)
	if len(st) != 2 || st[0].Site != port || math.Abs(st[0].WetTonnes-20) > 1e-9 || st[1].Site != quay || math.Abs(st[1].WetTonnes-10) > 1e-9 || st[0].Body || st[1].Body {
		t.Errorf("StandsAt %+v; want port 20 t, quay 10 t, no body", st)
	}
}

// TestOnwardFromEveryPart (issue 15, fix15t item 4): lot OF, 30 t at
// mine M, leaves whole as two 15 t parts (D1, D2), both received at port
// P; 20 t are shipped on from P to quay Q (D3). The onward part takes
// 15 t of D1 and 20 − 15 = 5 t of D2: its OnwardFrom names both, where
// OnwardOf named only D1; 30 − 20 = 10 t stand at P.
func TestOnwardFromEveryPart(t *testing.T) {
	t.Parallel()
	const id, mine, port, quay = "urn:lot:OF", "urn:site:M", "urn:site:P", "urn:site:Q"
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 30000),
		noBodyEv(id, "d1", 2, "shipping", mine, port, "D1", kg(15000)), noBodyEv(id, "d2", 3, "shipping", mine, port, "D2", kg(15000)),
		noBodyEv(id, "r1", 4, "receiving", port, "", "D1", kg(15000)), noBodyEv(id, "r2", 5, "receiving", port, "", "D2", kg(15000)),
		noBodyEv(id, "d3", 6, "shipping", port, quay, "D3", kg(20000))})
	l := lots[id]
	if len(l.Parts) != 3 {
		t.Fatalf("parts %+v, want 3", l.Parts)
	}
	on := l.Parts[2]
	if len(on.OnwardFrom) != 2 || on.OnwardFrom[0].ShipEventID != "d1" || math.Abs(on.OnwardFrom[0].Tonnes-15) > 1e-9 ||
		on.OnwardFrom[1].ShipEventID != "d2" || math.Abs(on.OnwardFrom[1].Tonnes-5) > 1e-9 {
		t.Errorf("onward part D3 takes from %+v; want d1 15 t, d2 5 t", on.OnwardFrom)
	}
	if s, ok := ledger.StandingAt(l, port); !ok || math.Abs(s.WetTonnes-10) > 1e-9 {
		t.Errorf("standing at the port %+v %v, want 10 t", s, ok)
	}
}
