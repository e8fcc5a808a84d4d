package custody

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// Over-consumption. A run's input holds what the run consumed of its lot
// × the lot's grade — but never more than the lot held: its dry tonnes ×
// grade after every weighing, moisture, assay and retraction known now.
// Capture refuses a run that takes more than remains of a lot (beyond
// ConsumptionTolerance), but a later correction can shrink a lot already
// consumed: a weighing declared in error (EPCIS 2.0 §7.4.1.2) after a run
// took 100 t of what the weighing said, when the lot's commissioning says
// 10 t, leaves 100 t consumed of a 10 t lot. Read uncapped, the run's
// input would hold ten times the lot's metal, and its outputs, their
// blends and the mass-balance credits resting on them would count metal
// that no record now shows (ISO 22095-2: the balance counts the
// qualifying characteristic of the input through the conversion factor,
// and credits never exceed the input).
//
// The runs that consumed a lot take it in time order (event time, then
// run): each counts what it consumed while some was left, the run that
// takes more than was left counts the rest, later runs nothing. Each
// capped run is flagged over_consumed — on the lot, on every lot the run
// made and everything made from them, in the origin JSON, the lot page,
// the certificate and, through the capped figure (comp.grade of the
// outputs), the mass-balance statement. Runs whose consumption stays
// within ConsumptionTolerance of the lot's mass (a weighbridge's error,
// accepted at capture) are read as stated, as the mix kept at capture
// reads them; their mass-balance credits still count no more than the
// lot contains (creditCap).

// overConsumedEdges lists the transformation edges out of lot id: every
// run that consumed it, from the store where there is one, else those
// the calculation knows (a capture's kept mix).
func (oc *originCalc) overConsumedEdges(id string) ([]critmin.LotEdge, error) {
	var edges []critmin.LotEdge
	if oc.s != nil {
		out, err := oc.s.LotEdges(oc.ctx, []string{id}, false)
		if err != nil {
			return nil, err
		}
		edges = out
	} else {
		for _, list := range oc.runs {
			edges = append(edges, list...)
		}
		for _, list := range oc.up {
			edges = append(edges, list...)
		}
	}
	var out []critmin.LotEdge
	seen := map[[3]string]bool{}
	for _, e := range edges {
		k := [3]string{e.Parent, e.Child, e.EventID}
		if e.Parent != id || e.Kind != ledger.LinkTransformation && e.Kind != "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out, nil
}

// overConsumption fills oc.takes for lot id once: for each run that
// consumed more of it than was left (in time order) beyond
// ConsumptionTolerance, the fraction of its consumption the lot held,
// with an over_consumed anomaly. A lot whose runs took no more
// than its mass (TakenTonnes), or whose dry mass is not known, is read
// as stated.
func (oc *originCalc) overConsumption(id string) error {
	if _, done := oc.takes[id]; done {
		return nil
	}
	if oc.takes == nil {
		oc.takes = map[string]map[string]float64{}
	}
	fr := map[string]float64{}
	oc.takes[id] = fr
	l := oc.lots[id]
	if l == nil {
		return nil
	}
	// A lot whose making run was declared in error holds nothing: the
	// runs that consumed it took it from a run that never happened
	// (retractedMaker), so each is capped at 0, named with the
	// retraction.
	var gone *critmin.Event
	if l.DryTonnes <= 0 && l.WetTonnes <= 0 && l.UOM == "" {
		ev, err := oc.retractedMaker(id)
		if err != nil {
			return err
		}
		gone = ev
	}
	if gone == nil && (l.DryTonnes <= 0 || !units.IsMass(l.UOM) || l.TakenTonnes <= l.WetTonnes+massTolerance) {
		return nil
	}
	edges, err := oc.overConsumedEdges(id)
	if err != nil {
		return err
	}
	byRun := map[string][]critmin.LotEdge{}
	first := map[string]time.Time{}
	for _, e := range edges {
		k := e.RunKey()
		byRun[k] = append(byRun[k], e)
		if t, ok := first[k]; !ok || e.EventTime.Before(t) {
			first[k] = e.EventTime
		}
	}
	var keys []string
	for k := range byRun {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if !first[keys[i]].Equal(first[keys[j]]) {
			return first[keys[i]].Before(first[keys[j]])
		}
		return keys[i] < keys[j]
	})
	left, before := l.DryTonnes, 0.0
	for _, k := range keys {
		m := ledger.RunConsumption(byRun[k], func(e critmin.LotEdge) float64 { return inputMass(e, l) })[id]
		if m <= 0 {
			continue
		}
		if gone == nil && (m <= left+massTolerance || before+m <= l.DryTonnes*(1+ConsumptionTolerance)+massTolerance) {
			// All of it was there, or the excess is within the
			// consumption tolerance capture accepts (a weighbridge's
			// error): read as stated, as the mix kept at capture reads
			// it, so every path gives the same figure.
			left -= m
			before += m
			continue
		}
		take := max(0, left)
		fr[k] = take / m
		var evs []string
		seen := map[string]bool{}
		for _, e := range byRun[k] {
			if !seen[e.EventID] {
				seen[e.EventID] = true
				evs = append(evs, e.EventID)
			}
		}
		sort.Strings(evs)
		run := strings.Join(evs, ", ")
		if x := byRun[k][0].Run; x != "" {
			run = x + " (event " + run + ")"
		} else {
			run = "event " + run
		}
		earlier := ""
		if before > 0 {
			earlier = fmt.Sprintf(" (%s dmt of it consumed by earlier runs)", Figure(before))
		}
		a := Anomaly{Kind: "over_consumed", Detail: fmt.Sprintf("lot %s: run %s consumed %s dmt of a lot of %s dmt%s, by its weighings, moisture and retractions known now: the run's input counts %s dmt × grade — a run input never holds more of an element than its lot held; reconcile the lot's mass (a retracted weighing?) or the run's input quantity",
			id, run, Figure(m), Figure(l.DryTonnes), earlier, Figure(take)), Events: evs, Runs: nonEmpty(byRun[k][0].Run)}
		if gone != nil {
			a.Detail = fmt.Sprintf("lot %s: run %s consumed %s dmt of it, but the run that made it, event %s, was declared in error on %s (reason %s): the lot never existed and holds 0 dmt, so the run's input counts 0 dmt — reconcile the run's input (record what it really consumed) or the retraction",
				id, run, Figure(m), gone.EventID, gone.ErrorDeclaration.DeclarationTime.UTC().Format(time.RFC3339), gone.ErrorDeclaration.Reason)
			a.Events = dedupe(append(append([]string{}, evs...), gone.EventID))
		}
		// Listed only where it applies: on the lot itself, and on the
		// capped run's outputs and what is made from them (blend), never
		// on a sibling made by a run that took the lot first.
		if oc.overNotes == nil {
			oc.overNotes = map[[2]string]string{}
			oc.overAnoms = map[[2]string]Anomaly{}
		}
		oc.overNotes[[2]string{id, k}] = a.Detail
		oc.overAnoms[[2]string{id, k}] = a
		oc.overOrder = append(oc.overOrder, [2]string{id, k})
		before += m
		left = 0
	}
	return nil
}

// overConsumedOn lists the over_consumed anomalies of lot id's capped
// runs (overConsumption, read first), in time order.
func (oc *originCalc) overConsumedOn(id string) []Anomaly {
	var out []Anomaly
	for _, k := range oc.overOrder {
		if k[0] == id {
			out = append(out, oc.overAnoms[k])
		}
	}
	return out
}

// heldFraction is the fraction of its stated consumption of lot id that
// run (a LotEdge.RunKey) counts: 1, or less where the run took more than
// the lot held (overConsumption, read first).
func (oc *originCalc) heldFraction(id, run string) float64 {
	if f, ok := oc.takes[id][run]; ok {
		return f
	}
	return 1
}

// retractedMaker is a TransformationEvent declared in error that put out
// lot id (EPCIS 2.0 §7.4.1.2), the latest declared, or nil: none, or a
// store that cannot query events.
func (oc *originCalc) retractedMaker(id string) (*critmin.Event, error) {
	if oc.retractedBy == nil {
		oc.retractedBy = map[string]*critmin.Event{}
	}
	if ev, ok := oc.retractedBy[id]; ok {
		return ev, nil
	}
	f, ok := oc.s.(eventQuerier)
	if !ok || oc.s == nil {
		return nil, nil
	}
	page, err := f.FindEvents(oc.ctx, critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, ErrorDeclarationExists: true,
		ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleOutput}, Patterns: []string{id}, Exact: true}}, Limit: 100})
	if err != nil {
		return nil, err
	}
	var out *critmin.Event
	for _, ev := range page.Events {
		if ev.ErrorDeclaration != nil && (out == nil || ev.ErrorDeclaration.DeclarationTime.After(out.ErrorDeclaration.DeclarationTime)) {
			out = ev
		}
	}
	oc.retractedBy[id] = out
	return out, nil
}
