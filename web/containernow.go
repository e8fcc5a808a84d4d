package web

import (
	"net/http"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// heldLot is one lot a container holds now, as its page lists it: the
// wet mass the ledger counts in the container, its dry mass at the
// moisture of the lot's holding where the container stands, the lot's
// dry grades in effect there and its origin.
type heldLot struct {
	ID  string
	Lot *critmin.Lot
	// Wet is the wet mass as the container's lines give it ("5.97 t
	// (5,970 kg)"); Dry the dry tonnes, "" when no moisture is known
	// (DryNote says why) or the quantity is not a mass.
	Wet, Dry, DryNote string
	Grades            []string
	Origin            string
}

// containerNow is what a container that is not on its way holds now and
// where it stands, by its latest valid event: its page shows it once a
// trip of it was received (issue 15, uiQ2 item 1: the page listed only
// what it carried when shipped).
type containerNow struct {
	// Stands says where the container stands and since when, by its
	// latest valid event By: "received at plant on 2025-10-08",
	// "unpacked at plant on 2025-10-09", "at port since 2025-10-05".
	Stands string
	By     *critmin.Event
	Lots   []heldLot
	// Empty: everything packed into it was taken out (unpacked, fed to
	// a run, drawn out by its lots' own movements). Unknown: no packing
	// event records what it holds.
	Empty, Unknown bool
}

// containerNowOf is container id's contents now and where it stands, from
// its events evs (time order) of which valid ones count; nil while its
// latest valid event is a dispatch (it is on its way: its page's contents
// are what that trip carried) or it has none. What it holds is what the
// ledger counts (critmin.ContainerHoldingsStore, as a run fed it whole
// would be given; else its packings less unpackings and draws,
// containerContents), each lot dried at the moisture of its holding where
// the container stands (ledger.HoldingOf), graded as that holding stands
// now (shipmentGrades from that site).
func (s *site) containerNowOf(r *http.Request, id string, evs []*critmin.Event, valid func(*critmin.Event) bool, sites map[string]*critmin.Site) (*containerNow, error) {
	ctx := r.Context()
	var last *critmin.Event
	for _, e := range evs {
		if valid(e) {
			last = e
		}
	}
	if last == nil || dispatchStep(last.BizStep) && last.Type != critmin.AggregationEvent {
		return nil, nil
	}
	site := last.BizLocation
	if site == "" {
		site = last.ReadPoint
	}
	v := &containerNow{Stands: containerStandsWords(last, id, sites), By: last}
	held, known, err := s.containerContents(ctx, evs, id, time.Time{}, valid)
	if err != nil {
		return nil, err
	}
	if hs, ok := s.Store.(critmin.ContainerHoldingsStore); ok {
		// Each lot as its packings spelt it.
		spelt := map[string]string{}
		for _, q := range held {
			spelt[epcis.Canonical(q.EPCClass)] = q.EPCClass
		}
		if held, err = hs.ContainerHolds(ctx, id); err != nil {
			return nil, err
		}
		for i := range held {
			if o := spelt[epcis.Canonical(held[i].EPCClass)]; o != "" {
				held[i].EPCClass = o
			}
		}
	}
	if !known && len(held) == 0 {
		v.Unknown = true
		return v, nil
	}
	v.Empty = len(held) == 0
	now := s.Ledger.Now()
	for _, q := range held {
		hl := heldLot{ID: q.EPCClass, Wet: quantityText(q)}
		l, err := s.Store.FindLot(ctx, q.EPCClass)
		if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return nil, err
		}
		if err == nil {
			hl.Lot = l
			if c, err := custody.OriginOf(ctx, s.Store, l.ID, false); err == nil {
				hl.Origin = c.Headline().Text
			}
			levs, err := s.LotEvents(r, l.ID)
			if err != nil {
				return nil, err
			}
			hl.Grades, _ = shipmentGrades(l, levs, site, now, sites)
			m := l.Moisture
			h, found := ledger.HoldingOf(l, &critmin.Event{BizLocation: site})
			if found {
				m = h.Moisture
			}
			t, ok := tonnes(q)
			if q.Quantity == nil && found && h.WetTonnes > 0 {
				// Packed whole (no quantity): the lot as it stands where
				// the container stands.
				t, ok = h.WetTonnes, true
				hl.Wet = tonnesText(t) + " t (the whole lot here; packed with no quantity)"
			}
			if ok {
				if m != nil {
					hl.Dry = tonnesText(t*(1-*m)) + " t"
				} else {
					hl.DryNote = "no moisture on record"
				}
			}
		}
		v.Lots = append(v.Lots, hl)
	}
	return v, nil
}

// containerStandsWords says where container stands by its event e: "unpacked at
// SITE on DATE" (an unpacking of it), "packed at SITE on DATE",
// "received at SITE on DATE" (a receiving, accepting or unloading),
// "arrived at SITE on DATE", "in transit from SITE since DATE" (a
// dispatch), else "at SITE since DATE".
func containerStandsWords(e *critmin.Event, container string, sites map[string]*critmin.Site) string {
	at := e.BizLocation
	if at == "" {
		at = e.ReadPoint
	}
	where := siteLabel(sites, at)
	day := e.EventTime.UTC().Format("2006-01-02")
	if e.Type == critmin.AggregationEvent && epcis.Canonical(e.ParentID) == epcis.Canonical(container) {
		switch e.Action {
		case "DELETE":
			return "unpacked at " + where + " on " + day
		case "ADD":
			return "packed at " + where + " on " + day
		}
	}
	switch humanStep(e.BizStep) {
	case "receiving", "accepting", "unloading":
		return "received at " + where + " on " + day
	case "arriving":
		return "arrived at " + where + " on " + day
	}
	if dispatchStep(e.BizStep) {
		return "in transit from " + where + " since " + day
	}
	return "at " + where + " since " + day
}
