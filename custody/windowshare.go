package custody

import (
	"slices"
	"sort"

	"github.com/critmin/critmin"
)

// noteWindowShort records, for a claim booked in full at a rolling-average
// site (accepted at capture, its window since changed by a later fact),
// what it claims of each origin above that origin's share of the window
// at the claim (Claim.shortApart) and what the share allows
// (availApart): claimed q × share, allowed q × window share, shortfall
// the difference (the figures claim words in its error). The balance may
// still cover such a claim — it then leaves no deficit — yet it is not
// covered, and the statement lists it so (settleShares, fix9u), as a
// claim left short of the balance is at a credit-method site.
func (mc *mbCalc) noteWindowShort(cl *Claim) {
	if cl == nil || !cl.booked || mc.cur.Method != critmin.MassBalanceRollingAverage || apartKind(cl.ShortOf) {
		return
	}
	a := mc.acc[cl.Category]
	if a == nil {
		return
	}
	pct := a.percentages(mc.cur.CarryForward)
	for _, sh := range cl.ByCountry {
		if sh.Share <= pct[sh.Key]+1e-9 {
			continue
		}
		avail := cl.Tonnes * pct[sh.Key]
		if sh.Tonnes-avail <= claimTolerance {
			continue
		}
		if cl.shortApart == nil {
			cl.shortApart, cl.availApart = map[string]float64{}, map[string]float64{}
		}
		cl.shortApart[sh.Key] = sh.Tonnes - avail
		cl.availApart[sh.Key] = avail
	}
	if cl.shortApart != nil {
		cl.ShortOf = ShortOfWindowShare
		a.apartClaims = append(a.apartClaims, cl)
	}
}

// apartRows are the statement's not-covered rows of the period's
// claims booked short of something other than the balance: above their
// origin's share of the rolling window (fix9u, ShortOf
// ShortOfWindowShare), out of their category's system (fix9aj,
// ShortOfCategorySystem) or their lot's grade no longer measured (fix9al,
// ShortOfGrade). One per claim and short origin, claimed −
// available = shortfall.
func (mc *mbCalc) apartRows() []RefusedClaim {
	var out []RefusedClaim
	for _, id := range sortedKeys(mc.acc) {
		for _, cl := range mc.acc[id].apartClaims {
			for _, sh := range cl.ByCountry {
				w, ok := cl.shortApart[sh.Key]
				if !ok {
					continue
				}
				reasons := cl.apartReasons
				if cl.ShortOf == ShortOfWindowShare {
					reasons = []string{"above its origin's share of the rolling window by " + Figure(w) + " t"}
				}
				out = append(out, RefusedClaim{Lot: cl.bookedLot, Event: cl.Event, Category: id, Country: sh.Key, Claimed: sh.Tonnes, Available: cl.availApart[sh.Key], Shortfall: w,
					Reasons: slices.Clone(reasons), Error: cl.Error, RetractedBy: cl.RetractedBy, AssayedBy: cl.AssayedBy, WeighedBy: cl.WeighedBy, RunChangedBy: cl.RunChangedBy, Booked: true, ShortOf: cl.ShortOf})
			}
		}
	}
	return out
}

// eventConsumption is what one event of a run consumed of one input
// beyond the run's earlier events: edge is the event's earliest edge from
// the input (its event and time name the credit), mass the dry tonnes
// (consumedByEvent).
type eventConsumption struct {
	edge critmin.LotEdge
	mass float64
}

// consumedByEvent splits what run r consumed of each input in this
// period by the event that consumed it (fix9u): the events of the run
// are taken in time order (then event ID), and each is credited with the
// input's consumption by the run up to and including it (ledger
// RunConsumption, the one definition) less that up to the event before —
// the run's events of earlier periods (r.before) included, which earned
// their credits then. A later event that only links an input already
// consumed to another output adds nothing; one that consumes more of it
// (run R5: R5a 10 t of PK5, R5b 10 t more) is its own credit entry.
// Inputs come in the order of their first edge in the period.
func (mc *mbCalc) consumedByEvent(r ledgerRun) ([]eventConsumption, error) {
	for _, e := range r.before {
		if in := mc.oc.lots[e.Parent]; in != nil && in.OriginCountry == "" && in.Commodity == "" {
			if _, err := mc.oc.upstreamAt(e.Parent, e.EventTime); err != nil {
				return nil, err
			}
		}
	}
	var parents []string
	byParent := map[string][]critmin.LotEdge{}
	for _, e := range r.edges {
		if _, ok := byParent[e.Parent]; !ok {
			parents = append(parents, e.Parent)
		}
		byParent[e.Parent] = append(byParent[e.Parent], e)
	}
	prior := map[string][]critmin.LotEdge{}
	for _, e := range r.before {
		if _, ok := byParent[e.Parent]; ok {
			prior[e.Parent] = append(prior[e.Parent], e)
		}
	}
	var out []eventConsumption
	for _, p := range parents {
		// The events of this period consuming p, each by its earliest
		// edge, in time order.
		first := map[string]critmin.LotEdge{}
		var evs []string
		for _, e := range byParent[p] {
			b, ok := first[e.EventID]
			if !ok {
				evs = append(evs, e.EventID)
			}
			if !ok || e.EventTime.Before(b.EventTime) {
				first[e.EventID] = e
			}
		}
		sort.SliceStable(evs, func(i, j int) bool {
			a, b := first[evs[i]], first[evs[j]]
			if !a.EventTime.Equal(b.EventTime) {
				return a.EventTime.Before(b.EventTime)
			}
			return a.EventID < b.EventID
		})
		upto := append([]critmin.LotEdge(nil), prior[p]...)
		prev := 0.0
		if len(upto) > 0 {
			prev = mc.oc.runInputMass(upto)[p]
		}
		n := len(out)
		for _, ev := range evs {
			for _, e := range byParent[p] {
				if e.EventID == ev {
					upto = append(upto, e)
				}
			}
			cum := mc.oc.runInputMass(upto)[p]
			if inc := cum - prev; inc > claimTolerance {
				out = append(out, eventConsumption{edge: first[ev], mass: inc})
				prev = cum
			}
		}
		if len(out) == n && len(prior[p]) == 0 && len(evs) > 0 {
			// An input whose consumption reads no mass: as before, on
			// the event that first linked it (it earns nothing).
			out = append(out, eventConsumption{edge: first[evs[0]], mass: 0})
		}
	}
	return out, nil
}
