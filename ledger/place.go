package ledger

import (
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// Place is where a container stands at an instant (Holdings.PlaceAt):
// at Site (canonical), put there by By — its packing or unpacking there,
// its receipt there, or another event seen there before any placed it —
// or AtSea on a trip that By (the trip's first dispatch: shipping,
// departing, transporting) started, under bill of lading Bill ("" none
// stated) and bound for Dests (none stated: anywhere).
type Place struct {
	Site  string
	AtSea bool
	By    *critmin.Event
	Bill  string
	Dests []string
}

// placeDispatchSteps are the CBV 2.0 steps that put a container at sea
// (a loading leaves it at its site, loaded, until it departs).
var placeDispatchSteps = map[string]bool{"shipping": true, "departing": true, "transporting": true}

// placeReceiptSteps are the CBV 2.0 steps that end a container's trip
// at the site where they happen.
var placeReceiptSteps = map[string]bool{"receiving": true, "arriving": true, "unloading": true, "accepting": true}

// PlaceAt is where container (any spelling) stands at at, by its live
// events dated at or before at other than self, in event-time order
// (equal times: packings, then moves, then runs): a packing or
// unpacking (Packings) puts it at its site; a shipping, departing or
// transporting naming it in its epcList (Moves) puts it at sea, a
// further step keeping the trip (and the first bill stated); a receipt
// puts it at the receipt's site; a loading, a sampling, a run fed it
// whole (Feeds) and any other event leave it where it stands, or place
// it at their site when nothing placed it before. ok is false when no
// event places it. An event's site is its bizLocation, else its
// readPoint.
//
// The unpacking check, a run fed it whole and a shipment of it read what
// it holds (HeldAt, cut to what the lot's own line draws left); PlaceAt
// says where that is, so that every event naming it happens there
// (custody contentsJudge.placeCheck; docs/epcis.md "What a container
// holds").
func (h Holdings) PlaceAt(container string, at time.Time, self *critmin.Event) (Place, bool, error) {
	c := epcis.Canonical(container)
	var evs []*critmin.Event
	add := func(list []*critmin.Event) {
		for _, e := range list {
			if e == nil || e.ErrorDeclaration != nil || e.EventTime.After(at) || self != nil && e.EventID != "" && e.EventID == self.EventID {
				continue
			}
			evs = append(evs, e)
		}
	}
	if h.Packings != nil {
		packs, err := h.Packings(c)
		if err != nil {
			return Place{}, false, err
		}
		add(packs)
	}
	if h.Moves != nil {
		moves, err := h.Moves(c)
		if err != nil {
			return Place{}, false, err
		}
		add(moves)
	}
	if h.Feeds != nil {
		feeds, err := h.Feeds(c)
		if err != nil {
			return Place{}, false, err
		}
		add(feeds)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].EventTime.Before(evs[j].EventTime) })
	var p Place
	placed := false
	seen := map[string]bool{}
	for _, e := range evs {
		if e.EventID != "" {
			if seen[e.EventID] {
				continue
			}
			seen[e.EventID] = true
		}
		site := epcis.Canonical(eventSite(e))
		switch {
		case e.Type == critmin.AggregationEvent:
			if epcis.Canonical(e.ParentID) != c || site == "" {
				continue
			}
			p, placed = Place{Site: site, By: e}, true
		case e.Type == critmin.ObjectEvent && namesInstance(e, c):
			step := stepOf(e.BizStep)
			switch {
			case placeReceiptSteps[step]:
				if site != "" {
					p, placed = Place{Site: site, By: e}, true
				}
			case placeDispatchSteps[step] || step == "" && e.Disposition == "in_transit":
				if !p.AtSea {
					p = Place{AtSea: true, By: e}
				}
				placed = true
				if p.Bill == "" {
					p.Bill = billOfLading(e)
				}
				var dests []string
				for _, d := range e.Destinations {
					if stepOf(d.Type) == "location" {
						dests = append(dests, epcis.Canonical(d.ID))
					}
				}
				if len(dests) > 0 {
					p.Dests = dests
				}
			case !placed && site != "":
				p, placed = Place{Site: site, By: e}, true
			}
		case e.Type == critmin.TransformationEvent:
			if !placed && site != "" {
				p, placed = Place{Site: site, By: e}, true
			}
		}
	}
	return p, placed, nil
}

// OnTrip reports whether container (any spelling) is at sea at ev's
// time by Moves alone: its latest shipping, departing or transporting
// dated at or before then (other than ev) has no receipt (receiving,
// arriving, unloading, accepting) after it. A dispatch of a container
// on its trip (a further leg) moves what the trip carries, not what
// stands where the leg starts (custody and sqldb cut only the contents
// of a container standing where it is dispatched to what the lot's line
// draws left there).
func (h Holdings) OnTrip(container string, ev *critmin.Event) (bool, error) {
	if h.Moves == nil {
		return false, nil
	}
	c := epcis.Canonical(container)
	moves, err := h.Moves(c)
	if err != nil {
		return false, err
	}
	var evs []*critmin.Event
	for _, m := range moves {
		if m == nil || m.ErrorDeclaration != nil || m.EventTime.After(ev.EventTime) || m.EventID != "" && m.EventID == ev.EventID || !namesInstance(m, c) {
			continue
		}
		evs = append(evs, m)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].EventTime.Before(evs[j].EventTime) })
	at := false
	for _, m := range evs {
		step := stepOf(m.BizStep)
		switch {
		case placeReceiptSteps[step]:
			at = false
		case placeDispatchSteps[step]:
			at = true
		}
	}
	return at, nil
}
