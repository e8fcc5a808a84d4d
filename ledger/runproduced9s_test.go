package ledger_test

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// runEvent9s is one TransformationEvent of a run for the RunLinks tests:
// its ID, day of October 2025, and lines "lot:tonnes".
type runEvent9s struct {
	id      string
	day     int
	in, out []string
}

// lines9s reads "lot:tonnes" lines.
func lines9s(role string, ls []string) []critmin.QuantityElement {
	var out []critmin.QuantityElement
	for _, l := range ls {
		lot, t, _ := strings.Cut(l, ":")
		q, _ := strconv.ParseFloat(t, 64)
		out = append(out, critmin.QuantityElement{Role: role, EPCClass: lot, Quantity: &q, UOM: "TNE"})
	}
	return out
}

// capture9s gives the edges the store keeps for a run whose events are
// captured in order (sqldb: each event's links are ledger.RunLinks of the
// run's earlier lines and its own).
func capture9s(events []runEvent9s) []critmin.LotEdge {
	var priorIn, priorOut []critmin.QuantityElement
	var out []critmin.LotEdge
	for _, ev := range events {
		in, o := lines9s(critmin.RoleInput, ev.in), lines9s(critmin.RoleOutput, ev.out)
		for _, l := range ledger.RunLinks(priorIn, priorOut, in, o, ev.id) {
			out = append(out, critmin.LotEdge{Parent: l.Parent, Child: l.Child, EventID: l.EventID, Kind: l.Kind, ParentQty: l.ParentQty, ParentUOM: l.ParentUOM,
				ChildQty: l.ChildQty, ChildUOM: l.ChildUOM, EventTime: time.Date(2025, 10, ev.day, 0, 0, 0, 0, time.UTC), Run: "urn:t:run:tA", Replay: l.Replay, Carried: l.Carried})
		}
		priorIn, priorOut = append(priorIn, in...), append(priorOut, o...)
	}
	return out
}

// permute9s calls f with every order of events.
func permute9s(events []runEvent9s, f func([]runEvent9s)) {
	var walk func(done, left []runEvent9s)
	walk = func(done, left []runEvent9s) {
		if len(left) == 0 {
			f(done)
			return
		}
		for i := range left {
			rest := append(append([]runEvent9s(nil), left[:i]...), left[i+1:]...)
			walk(append(append([]runEvent9s(nil), done...), left[i]), rest)
		}
	}
	walk(nil, events)
}

// TestRunProducedLotBroughtAgain (fix9s, issue 9): what a run produced
// counts each output line once, whatever the order of capture, when a
// later input-only event brings more of a lot the run already used, and
// when a later event restates an output from such a lot. Run tA:
//
//	a (Oct 5) PK 100 t → OA 2 t; a3 (Oct 6) output OB 2 t only;
//	a4 (Oct 7) input CN 20 t only; a5 (Oct 8) input PK 50 t only.
//	Produced: OA 2 t, OB 2 t (4 t). Captured a, a3, a4, a5, a5's edge
//	PK → OB carried a3's 2 t again from PK, a lot a3's replay edge comes
//	from, and OB read 4 t (6 t in all).
//	With a6 (Oct 9) PK 10 t → OA 1 t as well: OA 2 + 1 = 3 t, OB 2 t
//	(5 t); a6's only edge into OA (PK → OA, a non-replay edge from a lot
//	a's edge also comes from) was left out whenever a was dated first.
//
// And the run consumed PK 100 + 50 (+ 10) t and CN 20 t: the largest
// over outputs of each lot's non-replay edges (RunConsumption).
func TestRunProducedLotBroughtAgain(t *testing.T) {
	base := []runEvent9s{
		{"a", 5, []string{"PK:100"}, []string{"OA:2"}},
		{"a3", 6, nil, []string{"OB:2"}},
		{"a4", 7, []string{"CN:20"}, nil},
		{"a5", 8, []string{"PK:50"}, nil},
	}
	for _, c := range []struct {
		events     []runEvent9s
		oa, ob, pk float64
	}{
		{base, 2, 2, 150},
		{append(append([]runEvent9s(nil), base...), runEvent9s{"a6", 9, []string{"PK:10"}, []string{"OA:1"}}), 3, 2, 160},
	} {
		permute9s(c.events, func(order []runEvent9s) {
			var ids []string
			for _, e := range order {
				ids = append(ids, e.id)
			}
			edges := capture9s(order)
			made, unknown := ledger.RunProduced(edges)
			if len(unknown) > 0 || math.Abs(made["OA"]-c.oa) > 1e-9 || math.Abs(made["OB"]-c.ob) > 1e-9 {
				t.Errorf("%s: produced %v (unknown %v), want OA %v t, OB %v t", strings.Join(ids, ","), made, unknown, c.oa, c.ob)
			}
			used := ledger.RunConsumption(edges, func(e critmin.LotEdge) float64 { return *e.ParentQty })
			if math.Abs(used["PK"]-c.pk) > 1e-9 || math.Abs(used["CN"]-20) > 1e-9 {
				t.Errorf("%s: consumed %v, want PK %v t, CN 20 t", strings.Join(ids, ","), used, c.pk)
			}
		})
	}
}
