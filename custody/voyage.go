package custody

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// LinkShipping is the kind of a trace edge from a container (or a lot
// shipped loose) to the voyage that carried it: the shipping event's
// epcList (containers) or quantityList (lots). Only the genealogy drawing
// reads these edges; origin, mass balance and certificates walk the
// lot edges of the store, which hold none.
const LinkShipping = "shipping"

// Voyage is a voyage node of a trace: one valid shipping event (CBV
// bizStep shipping, not declared in error), named by its bill of lading
// (a bizTransaction of type bol) when it has one.
type Voyage struct {
	EventID      string `json:"eventID"`
	BillOfLading string `json:"billOfLading,omitempty"`
	// Vessel is the event's cm:vessel extension (critmin's mineral
	// namespace) when stated; Carrier the possessing_party it was
	// handed to (destinationList), as EPCIS names a carrier.
	Vessel  string    `json:"vessel,omitempty"`
	Carrier string    `json:"carrier,omitempty"`
	From    string    `json:"from,omitempty"` // sourceList location, else readPoint
	To      string    `json:"to,omitempty"`   // destinationList location
	Shipped time.Time `json:"shipped"`
}

// addVoyages adds to a backward trace a voyage node for each valid
// shipping event of its containers and lots, and an edge (LinkShipping)
// from each container, or lot shipped outside a container of the event,
// to the voyage. A lot packed into a container the event ships is
// carried by the container, so it gets no edge of its own.
// It returns the voyages by node id.
func addVoyages(ctx context.Context, q eventQuerier, t *Trace, seen map[string]int, order *[]string, addEdge func(critmin.LotEdge)) (map[string]*Voyage, error) {
	// Every node is a lot or a container: the first query matches them
	// as shipped instances (epcList), the second as shipped classes.
	ids := append([]string(nil), *order...)
	packedIn := map[string]map[string]bool{} // container → lots packed into it
	for _, e := range t.Edges {
		if e.Kind != ledger.LinkTransformation {
			if packedIn[e.Child] == nil {
				packedIn[e.Child] = map[string]bool{}
			}
			packedIn[e.Child][e.Parent] = true
		}
	}
	var evs []*critmin.Event
	for _, f := range []critmin.EventFilter{
		{BizSteps: []string{"shipping"}, EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: ids, Exact: true}}},
		{BizSteps: []string{"shipping"}, ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: ids, Exact: true}}},
	} {
		f.OrderBy, f.OrderAscending, f.Limit = "eventTime", true, 1000
		for {
			page, err := q.FindEvents(ctx, f)
			if err != nil {
				return nil, err
			}
			evs = append(evs, page.Events...)
			if page.Next == nil {
				break
			}
			f.After = page.Next
		}
	}
	voyages := map[string]*Voyage{}
	done := map[string]bool{}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].EventTime.Before(evs[j].EventTime) })
	for _, stored := range evs {
		if !ledger.Live(stored) || done[stored.EventID] {
			continue
		}
		done[stored.EventID] = true
		ev := decodeStored(stored)
		v := Voyage{EventID: ev.EventID, Shipped: ev.EventTime, From: ev.ReadPoint}
		for _, b := range ev.BizTransactions {
			if v.BillOfLading == "" && (b.Type == "bol" || strings.HasSuffix(b.Type, ":bol")) {
				v.BillOfLading = b.ID
			}
		}
		for _, s := range ev.Sources {
			if isType(s.Type, "location") {
				v.From = s.ID
			}
		}
		for _, d := range ev.Destinations {
			switch {
			case isType(d.Type, "location"):
				v.To = d.ID
			case isType(d.Type, "possessing_party"):
				v.Carrier = d.ID
			}
		}
		v.Vessel = extensionString(ev, "vessel")
		id := v.BillOfLading
		if id == "" {
			id = "voyage " + ev.EventID
		}
		edge := func(from string, qty *float64, uom string) {
			addEdge(critmin.LotEdge{Parent: from, Child: id, EventID: ev.EventID, Kind: LinkShipping, ParentQty: qty, ParentUOM: uom,
				EventTime: ev.EventTime, BizLocation: v.From})
		}
		shipped := map[string]bool{} // containers of this event
		// The trace's nodes are canonical identifiers (docs/identity.md):
		// the event's spelling of a lot or container is read as its
		// canonical form.
		for _, x := range ev.EPCs {
			if x.Role != critmin.RoleEPC {
				continue
			}
			if key := epcis.Canonical(x.EPC); hasKey(seen, key) {
				shipped[key] = true
				edge(key, nil, "")
			}
		}
		for _, qe := range ev.Quantities {
			key := epcis.Canonical(qe.EPCClass)
			if !hasKey(seen, key) {
				continue
			}
			inContainer := false
			for c := range shipped {
				inContainer = inContainer || packedIn[c][key]
			}
			if !inContainer {
				edge(key, qe.Quantity, qe.UOM)
			}
		}
		if _, ok := seen[id]; !ok && len(shipped)+len(ev.Quantities) > 0 {
			seen[id] = 0
			*order = append(*order, id)
			voyages[id] = &v
		}
	}
	return voyages, nil
}

func isType(t, want string) bool {
	return t == want || strings.HasSuffix(t, ":"+want) || strings.HasSuffix(t, "/"+want)
}

// decodeStored decodes a stored event's document in full (sources,
// destinations, business transactions); the stored record is kept when
// it cannot be decoded.
func decodeStored(ev *critmin.Event) *critmin.Event {
	full, err := epcis.DecodeStored(ev.Raw, ev.Context)
	if err != nil {
		return ev
	}
	full.EventID, full.RecordTime, full.Raw, full.Context = ev.EventID, ev.RecordTime, ev.Raw, ev.Context
	return full
}

// extensionString reads a string field of critmin's mineral namespace
// (https://ns.critmin.org/mineral/v1/, prefix cm) from an event's ILMD or
// top level, e.g. cm:vessel on a shipping event.
func extensionString(e *critmin.Event, name string) string {
	const ns = "https://ns.critmin.org/mineral/v1/"
	if v := e.ILMD[ns+name]; v != "" {
		return v
	}
	// Only the two members are read, not the whole event (perf11x).
	keys := []string{"cm:" + name, ns + name}
	top := epcis.TopLevelStrings(e.Raw, keys...)
	for _, key := range keys {
		if v, ok := top[key]; ok {
			return v
		}
	}
	return ""
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

// LotLegs is ledger.LotLegs of lot read from s: its live events (as
// captured, ledger.DecodeStored) and the live shipping events (CBV 2.0
// bizStep shipping) of the containers it was packed into — a vessel's
// event may name the container alone, and then it carried what was
// packed of the lot. The genealogy graph draws a voyage into a run only
// along these legs: what the run took (ledger.RunInputScopes) travelled
// on it, before the run (issue 15, fix15r). A store that cannot list
// events gives no legs.
func LotLegs(ctx context.Context, s Store, lot string) (ledger.HoldingLegs, error) {
	lot = epcis.Canonical(lot)
	q, ok := s.(eventQuerier)
	if !ok {
		return ledger.HoldingLegs{}, nil
	}
	evs, err := lotLiveEvents(ctx, s, q, lot)
	if err != nil {
		return ledger.HoldingLegs{}, err
	}
	have := map[string]bool{}
	var containers []string
	for _, ev := range evs {
		have[ev.EventID] = true
		if ev.Type != critmin.AggregationEvent || ev.ParentID == "" {
			continue
		}
		for _, l := range ev.Quantities {
			if l.Role == critmin.RoleChild && epcis.Canonical(l.EPCClass) == lot && !slices.Contains(containers, epcis.Canonical(ev.ParentID)) {
				containers = append(containers, epcis.Canonical(ev.ParentID))
			}
		}
	}
	if len(containers) > 0 {
		ships, err := liveDecoded(ctx, q, critmin.EventFilter{BizSteps: []string{"shipping"}, EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: containers, Exact: true}}})
		if err != nil {
			return ledger.HoldingLegs{}, err
		}
		for _, ev := range ships {
			if !have[ev.EventID] {
				have[ev.EventID] = true
				evs = append(evs, ev)
			}
		}
	}
	return ledger.LotLegs(lot, evs), nil
}

// lotLiveEvents are the live events naming lot (canonical) in a line, as
// captured (ledger.DecodeStored): the store's LiveEventsOfLots where it
// has one, else every page q finds.
func lotLiveEvents(ctx context.Context, s Store, q eventQuerier, lot string) ([]*critmin.Event, error) {
	if f, ok := s.(liveEventsFinder); ok {
		return f.LiveEventsOfLots(ctx, []string{lot})
	}
	return liveDecoded(ctx, q, critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: []string{lot}, Exact: true}}})
}

// runsTakingNothing marks each transformation edge of t from an input
// lot with why the run took nothing of that lot, where it did
// (critmin.LotEdge.TookNothing; ledger.LotLegs' Nothing, replaying the
// lot's live events): the trace, the lot page's graph and `critmin lot
// trace` say so alike (issue 15, fix15za). A store that cannot list
// events marks none.
func runsTakingNothing(ctx context.Context, s Store, t *Trace) error {
	q, ok := s.(eventQuerier)
	if !ok {
		return nil
	}
	nothing := map[string]map[string]string{}
	for i, e := range t.Edges {
		if e.Kind != ledger.LinkTransformation {
			continue
		}
		lot := epcis.Canonical(e.Parent)
		m, ok := nothing[lot]
		if !ok {
			evs, err := lotLiveEvents(ctx, s, q, lot)
			if err != nil {
				return err
			}
			m = ledger.LotLegs(lot, evs).Nothing
			nothing[lot] = m
		}
		t.Edges[i].TookNothing = m[e.EventID]
	}
	return nil
}

// liveDecoded is every live event f finds (all its pages), decoded as
// captured (ledger.DecodeStored, lot identifiers canonical) with its
// capture order (PK) kept; an event that does not decode is an error.
func liveDecoded(ctx context.Context, q eventQuerier, f critmin.EventFilter) ([]*critmin.Event, error) {
	f.OrderBy, f.OrderAscending, f.Limit = "eventTime", true, 1000
	var out []*critmin.Event
	for {
		page, err := q.FindEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, ev := range page.Events {
			if !ledger.Live(ev) {
				continue
			}
			full, err := ledger.DecodeStored(ev.Raw, ev.Context)
			if err != nil {
				return nil, err
			}
			full.PK, full.EventID, full.RecordTime = ev.PK, ev.EventID, ev.RecordTime
			out = append(out, canonicalLots(full))
		}
		if page.Next == nil {
			return out, nil
		}
		f.After = page.Next
	}
}
