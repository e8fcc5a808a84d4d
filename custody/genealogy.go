package custody

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// Trace directions.
const (
	Backward = "backward"
	Forward  = "forward"
)

// Limits that keep a trace from running away on a corrupt or cyclic
// genealogy: it reports what it cut instead of hanging.
const (
	DefaultDepth = 50
	MaxDepth     = 1000
	MaxNodes     = 100000
)

// Node is a lot, container, bag or vessel in a trace.
type Node struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"` // "lot" (a class with a projection), "epc" or "voyage"
	Commodity string `json:"commodity,omitempty"`
	// Country is the one country the lot's physical origin gives
	// (Composition.Country, the origin function every view reads):
	// "unknown" where master data contradicts the origin stated
	// (origin_conflict), "" for a blend of several — never the stored,
	// stated country where the origin function says otherwise (issue 9
	// §5, fixKk). Flags are its headline's flags (Headline.Flags), as
	// the lot list and the lot page flag the lot.
	Country   string   `json:"originCountry,omitempty"`
	Flags     []string `json:"originFlags,omitempty"`
	DryTonnes float64  `json:"dryTonnes,omitempty"`
	// WetTonnes is the lot's stated mass in tonnes and Moisture its
	// moisture fraction (nil when not stated: DryTonnes is then the
	// stated mass, taken as dry).
	WetTonnes float64  `json:"wetTonnes,omitempty"`
	Moisture  *float64 `json:"moisture,omitempty"`
	Status    string   `json:"status,omitempty"`
	Depth     int      `json:"depth"`
	// Voyage is set on a node of kind "voyage": the shipping event that
	// carried the trace's containers (backward traces only).
	Voyage *Voyage `json:"voyage,omitempty"`
}

// Anomaly is something wrong in the genealogy, with the events at fault.
type Anomaly struct {
	Kind   string   `json:"kind"`
	Detail string   `json:"detail"`
	Events []string `json:"events,omitempty"`
	// Runs names the runs at fault by their transformationID (EPCIS 2.0
	// §7.4.5: the identifier that ties a run's events together), where
	// the events carry one; Events links them.
	Runs []string `json:"runs,omitempty"`
}

// eventFinder is the part of a store that reads events by ID (sqldb.DB);
// with it, anomalies name runs by transformationID.
type eventFinder interface {
	FindEventsByID(ctx context.Context, id string) ([]*critmin.Event, error)
}

// runNames returns, for events of a run, the run's name for people — its
// transformationID where an event carries one, else "event <eventID>" —
// and the transformationIDs found. Stores that cannot read events give
// the event IDs.
func runNames(ctx context.Context, s any, events []string) (string, []string, error) {
	seen := map[string]bool{}
	var ids []string
	if f, ok := s.(eventFinder); ok {
		for _, ev := range events {
			evs, err := f.FindEventsByID(ctx, ev)
			if critmin.ErrorCode(err) == critmin.ENOTFOUND {
				continue
			}
			if err != nil {
				return "", nil, err
			}
			if len(evs) > 0 && evs[0].TransformationID != "" && !seen[evs[0].TransformationID] {
				seen[evs[0].TransformationID] = true
				ids = append(ids, evs[0].TransformationID)
			}
		}
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		return "event " + strings.Join(events, ", "), nil, nil
	}
	return strings.Join(ids, ", ") + " (event " + strings.Join(events, ", ") + ")", ids, nil
}

// Trace is the genealogy of a lot in one direction.
type Trace struct {
	Lot       string            `json:"lot"`
	Direction string            `json:"direction"`
	Depth     int               `json:"depth"`
	Nodes     []Node            `json:"nodes"`
	Edges     []critmin.LotEdge `json:"edges"`
	Anomalies []Anomaly         `json:"anomalies"`
	Truncated bool              `json:"truncated"`
}

// Store is what the Prove job reads.
type Store interface {
	critmin.LotStore
	critmin.GenealogyStore
	critmin.MassBalanceStore
}

// packedAtAny says child was packed in container at one of the times.
func packedAtAny(ctx context.Context, s Store, child, container string, times []time.Time) (bool, error) {
	for _, at := range times {
		ps, err := s.PackedIn(ctx, []string{child}, at)
		if err != nil {
			return false, err
		}
		for _, p := range ps {
			if epcis.Canonical(p.Container) == epcis.Canonical(container) {
				return true, nil
			}
		}
	}
	return false, nil
}

// TraceLot walks the genealogy of id backward (where it came from) or
// forward (where it went) through transformations, packing into
// containers and associations, up to depth steps. Backward traces also
// show the containers the upstream lots travelled in. Cycles and
// transformations whose output outweighs their input are reported as
// anomalies; the walk never revisits a node, so it always ends. A
// transformation edge from an input lot the run took nothing of is kept
// — the event names the lot — and says why (LotEdge.TookNothing).
//
// Each lot's origin country and flags are the origin function's
// (Origins), as the lot list and the lot page give them.
func TraceLot(ctx context.Context, s Store, id, direction string, depth int) (*Trace, error) {
	t, err := traceLot(ctx, s, id, direction, depth)
	if err != nil {
		return nil, err
	}
	var lots []*critmin.Lot
	at := map[string]int{}
	for i, n := range t.Nodes {
		if n.Kind != "lot" {
			continue
		}
		l, err := s.FindLot(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		at[l.ID] = i
		lots = append(lots, l)
	}
	origins, err := Origins(ctx, s, lots)
	if err != nil {
		return nil, err
	}
	for id, c := range origins {
		n := &t.Nodes[at[id]]
		n.Country, n.Flags = c.Country(), c.Headline().Flags
	}
	return t, nil
}

// traceLot is TraceLot without the lots' origins: the rules and the
// supersession walk read the genealogy's shape only.
func traceLot(ctx context.Context, s Store, id, direction string, depth int) (*Trace, error) {
	if direction == "" {
		direction = Backward
	}
	if direction != Backward && direction != Forward {
		return nil, critmin.FieldErrorf("direction", "%q is not backward or forward", direction)
	}
	if depth == 0 {
		depth = DefaultDepth
	}
	if depth < 1 || depth > MaxDepth {
		return nil, critmin.FieldErrorf("depth", "%d is not 1–%d", depth, MaxDepth)
	}
	l, err := s.FindLot(ctx, id)
	if err != nil {
		return nil, err
	}
	id = l.ID // the canonical identifier, whatever spelling was asked (docs/identity.md)
	t := &Trace{Lot: id, Direction: direction, Depth: depth, Anomalies: []Anomaly{}}
	seen := map[string]int{id: 0}
	order := []string{id}
	frontier := []string{id}
	edgeSeen := map[string]bool{}
	addEdge := func(e critmin.LotEdge) {
		k := e.Parent + "\x00" + e.Child + "\x00" + e.EventID
		if !edgeSeen[k] {
			edgeSeen[k] = true
			t.Edges = append(t.Edges, e)
		}
	}
	// readAt holds, for a container a run fed (backward), the times the
	// runs read it: only what it held then is upstream of their outputs
	// (docs/origin.md, "A container is read as of the event that uses
	// it"), not what was packed into it later.
	readAt := map[string][]time.Time{}
	for level := 1; level <= depth && len(frontier) > 0; level++ {
		edges, err := s.LotEdges(ctx, frontier, direction == Backward)
		if err != nil {
			return nil, err
		}
		var next []string
		for _, e := range edges {
			if direction == Backward && e.Kind != ledger.LinkTransformation && len(readAt[e.Child]) > 0 {
				in, err := packedAtAny(ctx, s, e.Parent, e.Child, readAt[e.Child])
				if err != nil {
					return nil, err
				}
				if !in {
					continue
				}
				readAt[e.Parent] = append(readAt[e.Parent], readAt[e.Child]...) // a container inside: at the same times
			}
			if direction == Backward && e.Kind == ledger.LinkTransformation {
				readAt[e.Parent] = append(readAt[e.Parent], e.EventTime)
			}
			addEdge(e)
			other := e.Child
			if direction == Backward {
				other = e.Parent
			}
			if _, ok := seen[other]; ok {
				continue
			}
			if len(seen) >= MaxNodes {
				t.Truncated = true
				continue
			}
			seen[other] = level
			order = append(order, other)
			next = append(next, other)
		}
		frontier = next
		if level == depth && len(frontier) > 0 {
			t.Truncated = true
		}
	}
	if direction == Backward {
		// The containers, bags and vessels upstream lots travelled in
		// (and, below, the voyages that shipped them).
		packs, err := s.LotEdges(ctx, append([]string(nil), order...), false)
		if err != nil {
			return nil, err
		}
		for _, e := range packs {
			if e.Kind == ledger.LinkTransformation {
				continue
			}
			addEdge(e)
			if _, ok := seen[e.Child]; !ok {
				seen[e.Child] = seen[e.Parent] // drawn beside the lot it carried
				order = append(order, e.Child)
			}
		}
	}
	var voyages map[string]*Voyage
	if q, ok := s.(eventQuerier); ok && direction == Backward {
		if voyages, err = addVoyages(ctx, q, t, seen, &order, addEdge); err != nil {
			return nil, err
		}
	}
	if err := runsTakingNothing(ctx, s, t); err != nil {
		return nil, err
	}
	for _, n := range order {
		node := Node{ID: n, Kind: "epc", Depth: seen[n]}
		if v := voyages[n]; v != nil {
			node.Kind, node.Voyage = "voyage", v
		} else if l, err := s.FindLot(ctx, n); err == nil {
			node.Kind, node.Commodity, node.DryTonnes, node.Status = "lot", l.Commodity, l.DryTonnes, l.Status
			node.WetTonnes, node.Moisture = l.WetTonnes, l.Moisture
		} else if critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return nil, err
		}
		t.Nodes = append(t.Nodes, node)
	}
	t.Anomalies = append(t.Anomalies, cycles(t.Edges)...)
	gains := massGains(t.Edges)
	for i := range gains {
		name, ids, err := runNames(ctx, s, gains[i].Events)
		if err != nil {
			return nil, err
		}
		if f, ok := any(s).(runEventLister); ok && len(ids) > 0 {
			// Every event of the run, also one whose lines ride on
			// another event's edges (ledger.RunLinks).
			m, err := f.RunEvents(ctx, ids)
			if err != nil {
				return nil, err
			}
			evs := gains[i].Events
			for _, x := range ids {
				evs = mergeIDs(evs, m[x])
			}
			gains[i].Events = evs
			name = strings.Join(ids, ", ") + " (event " + strings.Join(evs, ", ") + ")"
		}
		gains[i].Runs = ids
		gains[i].Detail = "run " + name + ": " + gains[i].Detail
	}
	t.Anomalies = append(t.Anomalies, gains...)
	return t, nil
}

// cycles finds loops among transformation edges: a lot made, however
// indirectly, from itself.
func cycles(edges []critmin.LotEdge) []Anomaly {
	out := map[string][]critmin.LotEdge{}
	for _, e := range edges {
		if e.Kind == ledger.LinkTransformation {
			out[e.Parent] = append(out[e.Parent], e)
		}
	}
	const (
		white = iota
		grey
		black
	)
	colour := map[string]int{}
	var found []Anomaly
	var path []critmin.LotEdge
	var visit func(n string)
	visit = func(n string) {
		colour[n] = grey
		for _, e := range out[n] {
			switch colour[e.Child] {
			case grey:
				var evs []string
				desc := e.Child
				for i := len(path) - 1; i >= 0; i-- {
					evs = append(evs, path[i].EventID)
					desc = path[i].Parent + " → " + desc
					if path[i].Parent == e.Child {
						break
					}
				}
				evs = append(evs, e.EventID)
				found = append(found, Anomaly{Kind: "cycle", Detail: "lot made from itself: " + desc + " → " + e.Child, Events: evs})
			case white:
				path = append(path, e)
				visit(e.Child)
				path = path[:len(path)-1]
			}
		}
		colour[n] = black
	}
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if colour[k] == white {
			visit(k)
		}
	}
	return found
}

// massGains flags transformations whose outputs weigh more than their
// inputs, in tonnes, where both sides give masses: a conserving step
// cannot create mass. The TransformationEvents of one transformation
// (same time and place, shared inputs) are weighed together.
func massGains(edges []critmin.LotEdge) []Anomaly {
	parent := map[string]string{}
	var find func(x string) string
	find = func(x string) string {
		if p, ok := parent[x]; ok && p != x {
			r := find(p)
			parent[x] = r
			return r
		}
		parent[x] = x
		return x
	}
	union := func(a, b string) { parent[find(a)] = find(b) }
	// The edges of one transformationID are one run (EPCIS 2.0 §7.4.6,
	// ledger.RunLinks), whatever their events' times; events without one
	// are grouped by time, place and shared lots.
	key := func(e critmin.LotEdge, n string) string {
		if e.Run != "" {
			return "xid:" + e.Run
		}
		return e.EventTime.String() + "\x00" + e.BizLocation + "\x00" + n
	}
	var tx []critmin.LotEdge
	for _, e := range edges {
		if e.Kind == ledger.LinkTransformation {
			tx = append(tx, e)
			union(key(e, e.Parent), key(e, e.Child))
		}
	}
	type group struct {
		in, out map[string]float64
		events  map[string]bool
		order   int
		edges   []critmin.LotEdge
	}
	groups := map[string]*group{}
	for i, e := range tx {
		root := find(key(e, e.Parent))
		g := groups[root]
		if g == nil {
			g = &group{in: map[string]float64{}, out: map[string]float64{}, events: map[string]bool{}, order: i}
			groups[root] = g
		}
		g.events[e.EventID] = true
		if e.ParentQty != nil {
			if t, err := units.ToTonnes(*e.ParentQty, e.ParentUOM); err == nil {
				g.in[e.Parent] = t
			}
		}
		g.edges = append(g.edges, e)
	}
	// What each output weighs: the sum of what the events of its run
	// state they produced (ledger.RunProduced), not the last line read.
	for _, g := range groups {
		g.out, _ = ledger.RunProduced(g.edges)
	}
	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].order < list[j].order })
	var found []Anomaly
	for _, g := range list {
		var in, out float64
		for _, v := range g.in {
			in += v
		}
		for _, v := range g.out {
			out += v
		}
		if len(g.in) > 0 && out > in*(1+massTolerance) {
			var evs []string
			for e := range g.events {
				evs = append(evs, e)
			}
			sort.Strings(evs)
			found = append(found, Anomaly{Kind: "impossible_quantities", Detail: fmt.Sprintf("a transformation's outputs weigh %s t but its inputs only %s t", Figure(out), Figure(in)), Events: evs})
		}
	}
	return found
}

// massTolerance allows rounding in stated quantities before a
// transformation's output is called heavier than its input.
const massTolerance = 1e-6
