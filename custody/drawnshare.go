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

// LineDraws is what the movements of lot id stating a quantity — a
// shipment, a run's input line — drew out of each of its containers
// beyond its loose rest at the container's site, each at its own time
// (sitePackings.drawOut: loose stock first, then the containers, oldest
// packing first): 3 t of a 10 t lot packed into C, 8 t shipped from the
// site by a line took 7 t loose and 1 t out of C. evs are the lot's
// events and the AggregationEvent DELETEs emptying its containers, in
// capture order; those declared in error are left out, and a run fed
// containers whole counts without the lines its containers gave it
// (ledger.WithoutCarried). ledger.Holdings.HeldAt subtracts these draws,
// with the unpackings, weighed receipts, trips and runs fed the
// container whole, in one rule (docs/origin.md, "What a container
// holds").
func LineDraws(id string, evs []*critmin.Event) []ledger.LineDraw {
	id = epcis.Canonical(id)
	var seq []*critmin.Event
	for _, e := range evs {
		if e == nil || !ledger.Live(e) {
			continue
		}
		if e.Type == critmin.TransformationEvent {
			e = ledger.WithoutCarried(e)
		}
		seq = append(seq, e)
	}
	sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
	_, packs := replayLot(id, nil, seq, nil, nil)
	return packs.draws
}

// LineDrawsOut is the line draws (LineDraws) out of container
// (canonical) of each lot lots gives, reading each lot's events by
// events: what ledger.Holdings.Drawn reads.
func LineDrawsOut(container string, lots []string, events func(lot string) ([]*critmin.Event, error)) ([]ledger.LineDraw, error) {
	c := epcis.Canonical(container)
	var out []ledger.LineDraw
	seen := map[string]bool{}
	for _, lot := range lots {
		lot = epcis.Canonical(lot)
		if seen[lot] {
			continue
		}
		seen[lot] = true
		evs, err := events(lot)
		if err != nil {
			return nil, err
		}
		for _, d := range LineDraws(lot, evs) {
			if d.Container == c {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// PackedLots is the lots (canonical) packings packs into container by a
// childQuantityList line, in order.
func PackedLots(packs []*critmin.Event) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range packs {
		for _, k := range ledger.Children(p) {
			if c := epcis.Canonical(k.Child); k.Class && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}
