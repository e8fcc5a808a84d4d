package custody

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// The credit bound (productBound) reads one basis: each product as the
// run made it (issue 9, fix9h F3). Its dry tonnes are the quantity the
// run's TransformationEvent states for it (outputQuantityList) × (1 −
// the moisture the run's own events state for it): the run's events and
// the lot's facts of the making — an ObjectEvent ADD naming it at or
// before the run, whose ILMD EPCIS 2.0 §7.3.6 sets when the lot is made.
// A moisture report or a weighing of the product (an OBSERVE) is a later
// fact even when dated at the run's very second: it changes the lot's
// figures from then on (what a claim on the lot reads, asClaimed), never
// what the run made, and so never the run's credit (docs/origin.md,
// "One basis for the credit bound"). Before, a moisture report dated at
// the run lowered the credit while a weighing at the same second did not.

// asMadeDry is the dry tonnes run r made of its output c (lot l): the
// wet tonnes every event of the run states for it, summed once per line
// (ledger.RunProduced, fix9f), × (1 − the moisture as made). Where the
// run's lines state no mass, or the store cannot give the lot's events,
// it reads producedMass (the lot's own figures), as before.
func (mc *mbCalc) asMadeDry(r ledgerRun, c string, l *critmin.Lot) float64 {
	var own []critmin.LotEdge
	for _, e := range r.edges {
		if e.Child == c {
			own = append(own, e)
		}
	}
	t, unknown := ledger.RunProduced(own)
	wet, ok := t[c]
	if !ok || unknown[c] {
		return producedMass(r.edges, c, l)
	}
	m, ok := mc.madeMoisture(r, l)
	if !ok {
		return producedMass(r.edges, c, l)
	}
	if m != nil {
		wet *= 1 - *m
	}
	return wet
}

// madeMoisture is the moisture of l as run r made it: the lot replayed
// (ledger.Replay) from the run's events and its ADD events dated at or
// before the run, live (stored, or of the document being captured, less
// mc.skip). ok is false for a store that cannot give a lot's events: the
// lot's moisture is read then, as before.
func (mc *mbCalc) madeMoisture(r ledgerRun, l *critmin.Lot) (*float64, bool) {
	f, ok := mc.s.(liveEventsFinder)
	if !ok {
		return nil, false
	}
	if mc.madeMoist == nil {
		mc.madeMoist = map[[2]string]*float64{}
	}
	k := [2]string{r.key, l.ID}
	if m, ok := mc.madeMoist[k]; ok {
		return m, true
	}
	evs, err := f.LiveEventsOfLots(mc.ctx, []string{l.ID})
	if err != nil {
		return nil, false
	}
	evs = append(append([]*critmin.Event(nil), evs...), mc.doc...)
	ofRun := map[string]bool{r.event: true}
	runs := map[string]bool{}
	for _, e := range r.edges {
		ofRun[e.EventID] = true
		if e.Run != "" {
			runs[e.Run] = true
		}
	}
	var kept []*critmin.Event
	for _, ev := range evs {
		if mc.skip[ev.EventID] {
			continue
		}
		ev = canonicalLots(ev)
		named := false
		for _, id := range ev.LotIDs() {
			if id == l.ID {
				named = true
				break
			}
		}
		if !named {
			continue
		}
		made := ev.Type == critmin.ObjectEvent && ev.Action == "ADD" && !ev.EventTime.After(r.at)
		// An event of the run with no edge of its own (an output-only
		// event captured before the run's inputs, whose line the first
		// input event's edge carries: ledger.RunLinks) made the lot too.
		ofRun[ev.EventID] = ofRun[ev.EventID] || ev.Type == critmin.TransformationEvent && runs[ev.TransformationID]
		if ofRun[ev.EventID] || made {
			kept = append(kept, ev)
		}
	}
	var m *float64
	if lots, _ := ledger.Replay([]string{l.ID}, kept); lots[l.ID] != nil && lots[l.ID].EventCount > 0 {
		m = lots[l.ID].Moisture
	}
	mc.madeMoist[k] = m
	return m, true
}
