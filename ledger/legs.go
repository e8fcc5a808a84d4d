package ledger

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// A lot's holdings travel separately once parts of it leave (parts.go):
// the body stays where it stands while a part is shipped, received, and
// perhaps packed and shipped on. What a refinery run took of the lot
// (RunInputScopes: the parts received at its site, else the body) came
// there by the movements of that holding only. A voyage that carried
// another part — one still at a port, or one shipped after the run — fed
// nothing to the run (issue 15, fix15r: the genealogy drew every voyage
// of the lot into its run).

// FromLot is the index HoldingLeg.Before and HoldingLegs.Fed give the lot itself:
// what came by no earlier leg, from where the lot was commissioned or
// first recorded.
const FromLot = -1

// HoldingLeg is one step that carried a holding of a lot (LotLegs): a shipping
// event (CBV 2.0 bizStep shipping) that moved it — Container "" — or a
// packing of it into a container (an AggregationEvent ADD naming the lot
// as a child, EPCIS 2.0 §7.4.3) — Container, canonical, the parentID it
// was packed into. BillOfLading is a shipping leg's bill of lading (its
// first bizTransaction of type bol), "" for none. Before are the legs
// (indexes in HoldingLegs.Legs, or FromLot) that had brought what this leg
// carried to where it began, in the order they were met.
type HoldingLeg struct {
	EventID      string
	Time         time.Time
	BillOfLading string
	Container    string
	Before       []int
}

// HoldingLegs are the legs of a lot's holdings, in event-time order (Legs), and
// for each run event that took of the lot (a TransformationEvent naming
// it as an input) the legs of what it took (Fed, by the run's eventID):
// the last legs of the holding it consumed — the parts received at its
// site that it took of (LotPart.RunTakes, RunInputScopes), else the
// body. A run fed only FromLot took of the lot where it never moved.
// Nothing holds, by the run's eventID, why a run that names the lot as
// an input took nothing of it (RunTookNothing); such a run is not in
// Fed: no leg of the lot fed it.
type HoldingLegs struct {
	Legs    []HoldingLeg
	Fed     map[string][]int
	Nothing map[string]string
}

// Reaching is every leg that led to the run events runEventIDs — those
// Fed names and, leg by leg, the legs before them — in Legs order; the
// legs of other holdings, and any leg after the runs, are not among them.
func (g HoldingLegs) Reaching(runEventIDs ...string) []int {
	seen := map[int]bool{}
	var walk func(i int)
	walk = func(i int) {
		if i < 0 || i >= len(g.Legs) || seen[i] {
			return
		}
		seen[i] = true
		for _, b := range g.Legs[i].Before {
			walk(b)
		}
	}
	for _, id := range runEventIDs {
		for _, i := range g.Fed[id] {
			walk(i)
		}
	}
	out := make([]int, 0, len(seen))
	for i := range g.Legs {
		if seen[i] {
			out = append(out, i)
		}
	}
	return out
}

// packedHolding is one holding of the lot packed into a container by a
// packing leg.
type packedHolding struct {
	holding int // -1: the body; else an index in Lot.Parts
	leg     int
}

// LotLegs follows lot's holdings through its events in the order that
// defines its state (EventTimeOrder: event time, equal times by capture
// order; only Live events), projecting them as the ledger does
// (Project) and reading what each did:
//   - a dispatch line (Effects.Dispatches) moved the body or one part;
//     a new part came from the body, a dispatch joining a part's trip
//     (LotPart.Joins) from the part and the body, or, shipped on, from the parts it
//     was carved out of (LotPart.OnwardFrom) and the body where these did
//     not cover its tonnes; a part shipped from a receipt declared in
//     error (FromRetracted) came from nowhere. A shipping event is a leg
//     after the legs of what it moved; another dispatch (departing,
//     loading) moves it on the same legs;
//   - a packing of the lot into a container is a leg of the holding it
//     concerns (HoldingOf: the named party's, else the body where it
//     stands, else the parts there); a shipment that moves that holding
//     and ships the container follows the packing, and a shipping event
//     of the container that names no quantity of the lot (events must
//     then include it) moves the holdings packed in it; an unpacking of
//     all that was packed empties the container;
//   - a part received where the body stands and rejoining it (Status
//     PartRejoined) brings its legs to the body;
//   - a run's input line took of the parts it booked takes on
//     (LotPart.RunTakes for its event), else of the body: Fed records
//     their legs at that moment, so a leg after the run is never one of
//     them. A run that took nothing of the lot (RunTookNothing: it named
//     a party holding nothing at its site, or stated 0 t) is in Nothing
//     with the reason instead, fed by no leg (issue 15, fix15za: the
//     body's legs were drawn into it).
//
// events are the lot's events (as the store gives them, decoded) and any
// shipping events of containers the lot was packed into.
func LotLegs(lot string, events []*critmin.Event) HoldingLegs {
	lot = epcis.Canonical(lot)
	l := &critmin.Lot{ID: lot}
	g := HoldingLegs{Fed: map[string][]int{}, Nothing: map[string]string{}}
	body := []int{FromLot}
	parts := map[int][]int{}
	lasts := func(h int) []int {
		if h < 0 {
			return body
		}
		if v, ok := parts[h]; ok {
			return v
		}
		return []int{FromLot}
	}
	set := func(h int, v []int) {
		if h < 0 {
			body = v
		} else {
			parts[h] = v
		}
	}
	legIndex := map[string]int{}
	leg := func(ev *critmin.Event, container, key string, before []int) int {
		k := ev.EventID + "\x00" + container + "\x00" + key
		i, ok := legIndex[k]
		if !ok {
			i = len(g.Legs)
			legIndex[k] = i
			g.Legs = append(g.Legs, HoldingLeg{EventID: ev.EventID, Time: ev.EventTime, Container: container})
			if container == "" {
				g.Legs[i].BillOfLading = billOfLading(ev)
			}
		}
		g.Legs[i].Before = union(g.Legs[i].Before, before)
		return i
	}
	packed := map[string][]packedHolding{}
	packedT := map[string]float64{}
	for _, ev := range EventTimeOrder(events) {
		if !Live(ev) {
			continue
		}
		shipping := stepOf(ev.BizStep) == "shipping"
		if !names(ev, lot) {
			if !shipping {
				continue
			}
			// A container shipped with no line of the lot carries the
			// holdings packed in it.
			var before, moved []int
			for _, c := range shippedContainers(ev) {
				for _, p := range packed[c] {
					if !slices.Contains(moved, p.holding) {
						moved = append(moved, p.holding)
						before = union(before, packedLegs(ev, packed, p.holding, lasts(p.holding)))
					}
				}
			}
			if len(moved) == 0 {
				continue
			}
			v := leg(ev, "", "", before)
			for _, h := range moved {
				set(h, []int{v})
			}
			continue
		}
		n := len(l.Parts)
		rejoined := make([]bool, n)
		for i, p := range l.Parts {
			rejoined[i] = p.Status == critmin.PartRejoined
		}
		var packing []int // holdings a packing of this event concerns
		if ev.Type == critmin.AggregationEvent && ev.ParentID != "" && childLine(ev, lot) != nil {
			if ev.Action == "ADD" {
				packing = []int{-1}
				if h, ok := HoldingOf(l, ev); ok && !h.Body && len(h.Parts) > 0 {
					packing = h.Parts
				}
			} else if ev.Action == "DELETE" {
				c := epcis.Canonical(ev.ParentID)
				t, ok := childTonnes(ev, lot)
				if packedT[c] -= t; !ok || packedT[c] <= 1e-9 {
					delete(packed, c)
					delete(packedT, c)
				}
			}
		}
		nothing, tookNothing := RunTookNothing(l, ev)
		fx := projectOn(l, lot, ev)
		for _, d := range fx.Dispatches {
			if epcis.Canonical(d.Lot) != lot {
				continue
			}
			var from []int // the holdings it carried
			switch {
			case d.Part < 0:
				from = []int{-1}
			case d.Part >= n:
				p := l.Parts[d.Part]
				if p.FromRetracted {
					break
				}
				if len(p.OnwardFrom) == 0 {
					from = []int{-1}
					break
				}
				took := 0.0
				for _, t := range p.OnwardFrom {
					took += t.Tonnes
					if i := slices.IndexFunc(l.Parts[:n], func(q critmin.LotPart) bool { return q.ShipEventID == t.ShipEventID }); i >= 0 {
						from = append(from, i)
					}
				}
				if took < p.Tonnes-1e-9 {
					from = append(from, -1)
				}
			default:
				from = []int{d.Part}
				if j := l.Parts[d.Part].Joins; len(j) > 0 && j[len(j)-1].ShipEventID == ev.EventID {
					// It joined the part's trip (joinsTrip): its share
					// came from the body.
					from = append(from, -1)
				}
			}
			var before []int
			for _, h := range from {
				before = union(before, packedLegs(ev, packed, h, lasts(h)))
			}
			if shipping {
				before = []int{leg(ev, "", "", before)}
			}
			set(d.Part, before)
		}
		for _, h := range packing {
			c := epcis.Canonical(ev.ParentID)
			i := leg(ev, c, strconv.Itoa(h), lasts(h))
			packed[c] = append(packed[c], packedHolding{holding: h, leg: i})
			t, ok := childTonnes(ev, lot)
			if !ok {
				t = math.Inf(1)
			}
			packedT[c] += t
		}
		for i := 0; i < n; i++ {
			if !rejoined[i] && l.Parts[i].Status == critmin.PartRejoined {
				body = union(body, lasts(i))
			}
		}
		if tookNothing {
			if _, fed := g.Fed[ev.EventID]; !fed {
				g.Nothing[ev.EventID] = nothing
			}
		} else if ev.Type == critmin.TransformationEvent && inputLine(ev, lot) {
			delete(g.Nothing, ev.EventID)
			var fed []int
			took := false
			for i, p := range l.Parts {
				for _, k := range p.RunTakes {
					if k.EventID == ev.EventID {
						fed, took = union(fed, lasts(i)), true
						break
					}
				}
			}
			if !took {
				fed = body
			}
			g.Fed[ev.EventID] = union(g.Fed[ev.EventID], fed)
		}
	}
	return g
}

// packedLegs are the legs before a shipment ev of holding h: the
// packing legs of h into the containers ev ships that came after h's own
// last legs (legs are in event-time order: a packing the holding already
// travelled on since is not its last step again), else h's own last
// legs.
func packedLegs(ev *critmin.Event, packed map[string][]packedHolding, h int, own []int) []int {
	last := FromLot
	if len(own) > 0 {
		last = slices.Max(own)
	}
	var out []int
	for _, c := range shippedContainers(ev) {
		for _, p := range packed[c] {
			if p.holding == h && p.leg > last {
				out = union(out, []int{p.leg})
			}
		}
	}
	if len(out) == 0 {
		return own
	}
	return out
}

// shippedContainers are the instances ev ships (its epcList), canonical.
func shippedContainers(ev *critmin.Event) []string {
	var out []string
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleEPC {
			out = append(out, epcis.Canonical(e.EPC))
		}
	}
	return out
}

// names says whether ev names lot (canonical) in a line (LotLines).
func names(ev *critmin.Event, lot string) bool {
	for _, id := range ev.LotIDs() {
		if epcis.Canonical(id) == lot {
			return true
		}
	}
	return false
}

// childLine is ev's child quantity line of lot, nil when it has none.
func childLine(ev *critmin.Event, lot string) *critmin.QuantityElement {
	for i, q := range ev.Quantities {
		if q.Role == critmin.RoleChild && epcis.Canonical(q.EPCClass) == lot {
			return &ev.Quantities[i]
		}
	}
	return nil
}

// childTonnes is the wet tonnes ev's child line of lot states; false
// when it states none in a mass unit.
func childTonnes(ev *critmin.Event, lot string) (float64, bool) {
	q := childLine(ev, lot)
	if q == nil || q.Quantity == nil {
		return 0, false
	}
	t, err := units.ToTonnes(*q.Quantity, q.UOM)
	return t, err == nil
}

// inputLine says whether ev names lot as an input (a TransformationEvent's
// inputQuantityList or inputEPCList).
func inputLine(ev *critmin.Event, lot string) bool {
	for _, q := range ev.LotLines() {
		if q.Role == critmin.RoleInput && epcis.Canonical(q.EPCClass) == lot {
			return true
		}
	}
	return false
}

// union is a with each element of b it lacks appended.
func union(a, b []int) []int {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
