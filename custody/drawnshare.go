package custody

import (
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// DrawnShares is what each container (canonical) holds of lot id when
// event ev (a run fed containers whole, or a dispatch of them) reads
// them, wet tonnes, by the rule of the capture check (ContainedAt): the
// packings of the lot less the unpackings, less what the lot's own
// movements — a run's input line, a shipment by line — drew out of its
// containers at their site beyond its loose rest there, at each
// movement's own time (sitePackings.drawOut: loose stock first, then the
// containers, oldest packing first). Stock of the lot arriving at the
// site after a draw is loose: the draw never took it, and it never
// stands in a container the draw emptied (issue 9, new-user check
// n8e-1: A 6 t + B 4 t packed into C where A's 2 t stood loose, a run
// took "A 5 t" — 2 t loose, 3 t out of C — then A's last 2 t arrived
// loose; C fed whole held A 3 t, not the 5 t standing).
//
// evs are the lot's live events (the store's LiveEventsOfLots, with
// what the containers they moved held) and the AggregationEvent DELETEs
// emptying its containers, in capture order. ev itself is left out, as
// are events dated after it and, when ev is stored (PK > 0), those
// captured after it at its time; a run fed containers whole counts
// without the lines its containers gave it (ledger.WithoutCarried): it
// emptied them, which the holdings ev reads already count
// (ledger.Holdings.HeldAt). ok is false for a container when a packing
// of the lot into it states no quantity (the other cuts stand alone).
func DrawnShares(id string, evs []*critmin.Event, ev *critmin.Event) (map[string]float64, map[string]bool) {
	id = epcis.Canonical(id)
	var seq []*critmin.Event
	for _, e := range evs {
		if e == nil || e.EventID == ev.EventID || e.EventTime.After(ev.EventTime) || !ledger.Live(e) {
			continue
		}
		if ev.PK > 0 && e.PK > ev.PK && !e.EventTime.Before(ev.EventTime) {
			continue
		}
		if e.Type == critmin.TransformationEvent {
			e = ledger.WithoutCarried(e)
		}
		seq = append(seq, e)
	}
	sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
	held := map[string]float64{}
	known := map[string]bool{}
	for _, p := range containedAt(id, seq, time.Time{}) {
		box := epcis.Canonical(p.Container)
		w, ok := ledger.PackedWet(p, 0)
		if _, seen := known[box]; !seen {
			known[box] = true
		}
		if !ok || !p.Class {
			known[box] = false
			continue
		}
		held[box] += w // less what was unpacked or drawn out (Packing.Unpacked)
	}
	return held, known
}

// DrawnFirst is the share a container can still hold of a lot
// (ledger.WithinContainers) by DrawnShares (shares: per canonical lot),
// else by other (ledger.ContainerShare) where DrawnShares does not know
// it: the capture check's rule — loose stock first, then the
// containers, at each draw's time — binds a line draw wherever the
// packings tell, also when the lot's loose stock and a container that
// brought it stand at one site (fixPi left it to the order the parts
// were shipped).
func DrawnFirst(shares func(lot string) (map[string]float64, map[string]bool), other func(lot, box string) (float64, bool)) func(lot, box string) (float64, bool) {
	type got struct {
		held  map[string]float64
		known map[string]bool
	}
	memo := map[string]got{}
	return func(lot, box string) (float64, bool) {
		g, ok := memo[lot]
		if !ok {
			g.held, g.known = shares(lot)
			memo[lot] = g
		}
		if g.known[box] {
			return g.held[box], true
		}
		return other(lot, box)
	}
}
