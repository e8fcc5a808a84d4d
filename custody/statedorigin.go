package custody

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// checkStatedOrigin refuses an event whose ILMD states cm:originCountry
// or cm:originMine for a produced lot — an output of a
// TransformationEvent, in the document or stored — that contradicts what
// the genealogy proves. A produced lot's physical origin is its inputs'
// (the origin function, Origin); a statement on it can only repeat that,
// and one that says otherwise ("CHN" on oxide made only from Pakistani
// concentrate) would put the stated origin in the lot JSON, the lots CSV
// and the identity card beside the proven one. So the statement is held
// to the proof: it must name the one country (mine) every input's
// physical origin is of; anything else — another country, or one
// country of several, or a country where the inputs' origin is unknown —
// is refused naming the field and the proven origin, and nothing is
// stored. (docs/origin.md, "A produced lot states no origin of its own".)
func checkStatedOrigin(ctx context.Context, s Store, live []*critmin.Event) ([]critmin.FieldError, error) {
	// What the document itself says of lots it commissions.
	docCountry, docMine := map[string]string{}, map[string]string{}
	for _, ev := range live {
		if m := ev.Mineral; m != nil && ev.Type != critmin.TransformationEvent {
			for _, id := range ev.LotIDs() {
				if m.OriginCountry != "" {
					docCountry[id] = m.OriginCountry
				}
				if m.OriginMine != "" {
					docMine[id] = m.OriginMine
				}
			}
		}
	}
	// The inputs of each run the document adds to: events sharing a
	// transformationID are one run (EPCIS 2.0 §7.4.6), so an output of
	// the run's input-less event is made from the inputs its other
	// events — stored, or in the document — name.
	runIns := map[string][]string{}
	var xids []string
	for _, ev := range live {
		if ev.Type != critmin.TransformationEvent || ev.TransformationID == "" {
			continue
		}
		if _, ok := runIns[ev.TransformationID]; !ok {
			runIns[ev.TransformationID] = nil
			xids = append(xids, ev.TransformationID)
		}
		for _, q := range ev.LotLines() {
			if q.Role == critmin.RoleInput {
				runIns[ev.TransformationID] = append(runIns[ev.TransformationID], q.EPCClass)
			}
		}
	}
	if f, ok := s.(runMembersFinder); ok && len(xids) > 0 {
		members, err := f.RunMembers(ctx, xids)
		if err != nil {
			return nil, err
		}
		for _, xid := range xids {
			for _, q := range members[xid] {
				if q.Role == critmin.RoleInput {
					runIns[xid] = append(runIns[xid], q.EPCClass)
				}
			}
		}
	}
	// insOf are the inputs of TransformationEvent ev's run: its own, and
	// under a transformationID the run's.
	insOf := func(ev *critmin.Event) []string {
		var ins []string
		for _, q := range ev.LotLines() {
			if q.Role == critmin.RoleInput {
				ins = append(ins, q.EPCClass)
			}
		}
		if ev.TransformationID != "" {
			ins = append(ins, runIns[ev.TransformationID]...)
		}
		return ins
	}
	// The runs of the document: output → its inputs, so that an event
	// beside the run stating the output's facts is held to them too.
	docRuns := map[string][]string{}
	for _, ev := range live {
		if ev.Type != critmin.TransformationEvent {
			continue
		}
		ins := insOf(ev)
		for _, q := range ev.LotLines() {
			if q.Role == critmin.RoleOutput {
				docRuns[q.EPCClass] = append(docRuns[q.EPCClass], ins...)
			}
		}
	}
	memo := map[string]*Composition{}
	originOf := func(id string) (*Composition, error) {
		if c, ok := memo[id]; ok {
			return c, nil
		}
		c, err := Origin(ctx, s, id)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			c, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		memo[id] = c
		return c, nil
	}
	// proven adds the countries and mines an input's physical origin is
	// of (dry-mass view, shares above zero).
	proven := func(in string, countries, mines map[string]bool) error {
		c, err := originOf(in)
		if err != nil {
			return err
		}
		if c == nil || len(c.Mass.ByCountry) == 0 {
			countries[orUnknown(docCountry[in])] = true
			mines[orUnknown(docMine[in])] = true
			return nil
		}
		for _, sh := range c.Mass.ByCountry {
			if sh.Share > 0 {
				countries[sh.Key] = true
			}
		}
		for _, sh := range c.Mass.ByMine {
			if sh.Share > 0 {
				mines[sh.Key] = true
			}
		}
		return nil
	}
	var out []critmin.FieldError
	for _, ev := range live {
		m := ev.Mineral
		if m == nil || (m.OriginCountry == "" && m.OriginMine == "") {
			continue
		}
		// The produced lots the statement describes, with the inputs that
		// make each: this run's inputs, and the stored runs' into it.
		inputs := map[string]map[string]bool{}
		var evIns []string
		if ev.Type == critmin.TransformationEvent {
			evIns = insOf(ev)
		}
		var named []string
		for _, q := range ev.LotLines() {
			if q.Role == critmin.RoleInput {
				continue
			}
			named = append(named, q.EPCClass)
			if ev.Type == critmin.TransformationEvent && q.Role == critmin.RoleOutput {
				inputs[q.EPCClass] = map[string]bool{}
				for _, in := range evIns {
					inputs[q.EPCClass][in] = true
				}
			}
			if ins, ok := docRuns[q.EPCClass]; ok {
				if inputs[q.EPCClass] == nil {
					inputs[q.EPCClass] = map[string]bool{}
				}
				for _, in := range ins {
					inputs[q.EPCClass][in] = true
				}
			}
		}
		if len(named) == 0 {
			continue
		}
		edges, err := s.LotEdges(ctx, named, true)
		if err != nil {
			return nil, err
		}
		for _, e := range edges {
			if e.Kind != ledger.LinkTransformation {
				continue
			}
			if inputs[e.Child] == nil {
				inputs[e.Child] = map[string]bool{}
			}
			inputs[e.Child][e.Parent] = true
		}
		for _, lot := range sortedKeys(inputs) {
			countries, mines := map[string]bool{}, map[string]bool{}
			for _, in := range sortedKeys(inputs[lot]) {
				if err := proven(in, countries, mines); err != nil {
					return nil, err
				}
			}
			if len(inputs[lot]) == 0 {
				countries[Unknown], mines[Unknown] = true, true
			}
			if m.OriginCountry != "" && !(len(countries) == 1 && countries[m.OriginCountry]) {
				out = append(out, critmin.FieldError{Pointer: "event " + ev.EventID + "/ilmd/cm:originCountry", Reason: statedOriginReason(lot, "cm:originCountry", m.OriginCountry, countries, true)})
			}
			if m.OriginMine != "" && !(len(mines) == 1 && (mines[m.OriginMine] || mines[epcis.Canonical(m.OriginMine)])) {
				out = append(out, critmin.FieldError{Pointer: "event " + ev.EventID + "/ilmd/cm:originMine", Reason: statedOriginReason(lot, "cm:originMine", m.OriginMine, mines, false)})
			}
		}
	}
	return out, nil
}

// statedOriginReason says why a produced lot's stated origin is refused:
// the lot, the field, the value and the proven origin.
func statedOriginReason(lot, field, stated string, proven map[string]bool, isCountry bool) string {
	var names []string
	for k := range proven {
		switch {
		case k == Unknown:
			names = append(names, "unknown")
		case isCountry:
			names = append(names, fmt.Sprintf("%s (%s)", country.Name(k), k))
		default:
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return fmt.Sprintf("lot %s is produced from other lots, so its physical origin is what its genealogy proves: %s; %s %s contradicts it. Leave a produced lot's origin unstated (critmin derives it from the inputs), or correct the inputs' records",
		epcis.Canonical(lot), strings.Join(names, ", "), field, stated)
}
