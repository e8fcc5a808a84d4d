package custody

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// DefaultElementTolerance is the relative tolerance of a run's element
// balance where the site declares none (cm:elementTolerance): 0.5 %, about
// the combined sampling and assay error of a concentrate assay at these
// grades. Above it, outputs that hold more of an element than the inputs
// are an anomaly: a transformation cannot create an element.
const DefaultElementTolerance = 0.005

// RunBalance is the element balance of one transformation (a run): for
// each element, the tonnes the inputs brought and the outputs hold.
type RunBalance struct {
	Event string `json:"event"`
	// TransformationID is the run's EPCIS transformationID, where its
	// event carries one; Run its name for people ("MO-REE-001 (event …)").
	// Both are filled for runs with an anomaly.
	TransformationID string        `json:"transformationID,omitempty"`
	Run              string        `json:"run,omitempty"`
	Site             string        `json:"site"`
	Inputs           []string      `json:"inputs"`
	Outputs          []string      `json:"outputs"`
	Elements         []ElementLine `json:"elements"`
	// OverConsumed are the inputs the run took more of than their lot
	// held (overConsumption, anomaly over_consumed): each element of the
	// input counts only what the lot held.
	OverConsumed []OverConsumedInput `json:"overConsumed,omitempty"`
	// took is, per input lot and element, what the balance counts that
	// input brought: In is their sum (RowPass.Took reads it).
	took map[string]map[string]float64
}

// OverConsumedInput is an input lot a run consumed more of than the lot
// held, by what is known now: the dry tonnes the run states it consumed
// and the dry tonnes its element balance counts.
type OverConsumedInput struct {
	Lot      string  `json:"lot"`
	Consumed float64 `json:"consumedDryTonnes"`
	Counted  float64 `json:"countedDryTonnes"`
}

// ElementLine is one element of a run balance, in tonnes of element.
// Checked is false where an input's or an output's grade of the element
// is not measured (the balance cannot be shown), with Note saying which;
// Out is null (nil) when any output has no assay of the element — an
// unmeasured output is unknown, never a measured zero. Gain where the
// measured outputs alone hold more than In × (1 + Tolerance): a gain is
// certain then, whatever the unmeasured outputs hold.
type ElementLine struct {
	Element string `json:"element"`
	// In is what the inputs are supported by: what their genealogy's
	// roots supplied, an earlier run's gain within its tolerance
	// accepted as measurement noise but never as new metal (comp.sup),
	// so that gains within the tolerance cannot add up along a chain of
	// runs unflagged (issue 9, nu38b item 2). InHeld is what the inputs
	// hold by their own (capped) figures, set only where it is more.
	In        float64  `json:"in"`
	InHeld    *float64 `json:"inHeld,omitempty"`
	Out       *float64 `json:"out"`
	Tolerance float64  `json:"tolerance"`
	Checked   bool     `json:"checked"`
	Gain      bool     `json:"gain"`
	// UnmeasuredOutputs are the run's outputs without an assay of the
	// element; Note explains an unchecked line.
	UnmeasuredOutputs []string `json:"unmeasuredOutputs,omitempty"`
	Note              string   `json:"note,omitempty"`
	// AssayedOutputs are the run's outputs with their own assay of the
	// element, each with the tonnes it holds by that assay: a product's
	// figure is never hidden because another product of the run lacks
	// an assay (only the run total, Out, is then unknown).
	AssayedOutputs []OutputElement `json:"assayedOutputs,omitempty"`
	// Reweighed are the outputs that a measurement after the run (a
	// weighing, a moisture) makes heavier than the run produced, each
	// with what it holds of the element now: the balance is checked on
	// the lot's current mass and assay too, and OutNow is the outputs'
	// total then (nil where Out is). A later figure that breaks the
	// balance is a measurement to reconcile, not a source of metal
	// (AMIRA P754): Gain is set, and the lot's contained figure is capped
	// at what the inputs held (Composition, element_capped).
	Reweighed []ReweighedOutput `json:"reweighedOutputs,omitempty"`
	OutNow    *float64          `json:"outNow,omitempty"`
	// OutAtRun is what the outputs held of the element as the run
	// recorded them — each output's mass, moisture and assay as its
	// events stood at the run — and OutCurrent what they hold now (current
	// dry tonnes × current grade). Both are set only where a measurement
	// after the run (a weighing, a moisture, an assay) changed an output,
	// and every output's grade is known: else Out is both (RunFigure).
	OutAtRun   *float64 `json:"outAtRun,omitempty"`
	OutCurrent *float64 `json:"outCurrent,omitempty"`
	// outMeasured is what the measured outputs hold (Out where all are);
	// outNowMeasured the same on their current masses.
	outMeasured, outNowMeasured float64
	// inWhole is what the inputs held by their own assays (comp.whole:
	// the recorded part and the part of no recorded input they carry),
	// In being the recorded part only: the whole content a product's
	// origin shares spread (capsFor, elementCap.Whole).
	inWhole float64
	// atRunChecked says figuresAtRun read the outputs as they stood at
	// the run: RunFigure is then the run's own figure.
	atRunChecked bool
	// InMeasured says every input of the run has its own grade of the
	// element, so In is what the inputs held (the credit bound caps the
	// products' figure at it: mbCalc.runInputCaps, fix9aa). False, In is
	// only what the measured inputs held and the input is "not measured",
	// never 0 (new-user finding nu37b-2).
	InMeasured bool `json:"inMeasured"`
}

// ReweighedOutput is an output of a run that weighs more now than the run
// produced (dry tonnes both), with the tonnes of the element it holds now.
type ReweighedOutput struct {
	Lot      string  `json:"lot"`
	Produced float64 `json:"producedDryTonnes"`
	Now      float64 `json:"nowDryTonnes"`
	Tonnes   float64 `json:"tonnes"`
}

// OutputElement is what one output of a run holds of an element, by its
// own assay: dry tonnes produced × its grade.
type OutputElement struct {
	Lot    string  `json:"lot"`
	Tonnes float64 `json:"tonnes"`
	// now is what it holds by its current dry tonnes (heldNow) × grade.
	now float64
}

// OutMeasured reports whether every output's grade of the element is
// measured (Out is known).
func (l ElementLine) OutMeasured() bool { return l.Out != nil }

// RunFigure is what the outputs held of the element at the run: OutAtRun
// where a later measurement changed an output, else Out (nil where an
// output has no assay of it).
func (l ElementLine) RunFigure() *float64 {
	if l.OutAtRun != nil {
		return l.OutAtRun
	}
	return l.Out
}

// CurrentDiffers reports whether the outputs hold another figure now than
// at the run (OutCurrent, RunFigure), beyond the tonnage tolerance.
func (l ElementLine) CurrentDiffers() bool {
	r := l.RunFigure()
	return l.OutCurrent != nil && (r == nil || math.Abs(*l.OutCurrent-*r) > massTolerance)
}

// OutTonnes is Out, or 0 where it is not measured (check OutMeasured).
func (l ElementLine) OutTonnes() float64 {
	if l.Out == nil {
		return 0
	}
	return *l.Out
}

// gainDetail words an element_gain anomaly of the line, for the ledger
// and the capture preview alike. later names the measurements of the
// run's outputs dated after the run that bear on the element
// (laterFigures: "a later moisture report of WO (event …, 2025-10-20)"),
// kinds their kinds ("weighing", "moisture report", "assay"): a gain they
// brought about names them, never a weighing where none was made.
func (l ElementLine) gainDetail(run, site string, later, kinds []string) string {
	d := l.gainText(run, site, later, kinds)
	if l.InHeld != nil {
		d += fmt.Sprintf("; the inputs' %s t %s is what their genealogy's roots supplied — they hold %s t by their own figures, the other %s t gained within the tolerance in earlier runs: measurement noise, never new metal, so gains within the tolerance do not add up along a chain of runs",
			Figure(l.In), l.Element, Figure(*l.InHeld), Figure(*l.InHeld-l.In))
	}
	return d
}

// gainText is gainDetail without the note on what the inputs are
// supported by.
func (l ElementLine) gainText(run, site string, later, kinds []string) string {
	reconcile := strings.Join(kinds, " and ")
	if !gained(l.outMeasured, l.In, l.Tolerance) && len(l.Reweighed) > 0 {
		var w []string
		for _, r := range l.Reweighed {
			w = append(w, fmt.Sprintf("%s (made %s t dry, now %s t dry, holding %s t %s)", r.Lot, Figure(r.Produced), Figure(r.Now), Figure(r.Tonnes), l.Element))
		}
		cause := "a later weighing of " + strings.Join(w, ", ")
		if len(later) > 0 {
			cause = strings.Join(later, ", ") + " — " + strings.Join(w, ", ") + " —"
		} else {
			reconcile = "weighing"
		}
		return fmt.Sprintf("run %s at %s: its outputs held %s t %s when made, but %s puts %s t %s in them against %s t in its inputs (tolerance %s %%): the later figure breaks the run's balance — reconcile the %s; no more metal is counted than the inputs held",
			run, epcis.Canonical(site), Figure(l.outMeasured), l.Element, cause, Figure(l.outNowMeasured), l.Element, Figure(l.In), units.Fixed(l.Tolerance*100, 2), reconcile)
	}
	var d string
	if l.Out == nil {
		d = fmt.Sprintf("run %s at %s: its assayed outputs alone hold %s t %s but its inputs only %s t (tolerance %s %%); %s not assayed for %s",
			run, epcis.Canonical(site), Figure(l.outMeasured), l.Element, Figure(l.In), units.Fixed(l.Tolerance*100, 2), strings.Join(l.UnmeasuredOutputs, ", "), l.Element)
	} else {
		d = fmt.Sprintf("run %s at %s: outputs hold %s t %s but its inputs only %s t (tolerance %s %%)", run, epcis.Canonical(site), Figure(*l.Out), l.Element, Figure(l.In), units.Fixed(l.Tolerance*100, 2))
	}
	switch {
	case len(later) == 0:
	case l.atRunChecked && l.RunFigure() != nil && *l.RunFigure() > l.In*(1+l.Tolerance)+massTolerance:
		// The run's own figures gain already: the later measurements
		// are named, not blamed.
		d += fmt.Sprintf(", already at the run (its outputs held %s t %s when made); measured after the run too: %s", Figure(*l.RunFigure()), l.Element, strings.Join(later, ", "))
	default:
		d += fmt.Sprintf(", by figures measured after the run: %s — the later figure breaks the run's balance — reconcile the %s; no more metal is counted than the inputs held", strings.Join(later, ", "), reconcile)
	}
	return d
}

// laterFigures names the measurements of a run's outputs dated after the
// run that bear on element el (a weighing, a moisture report, an assay of
// el), each with its output, event and date, and their kinds in order of
// first appearance. It reads the outputs' events where the store can be
// queried (a lot read on demand: a later measurement marks the kept mix
// stale); else it names what the projection shows — a later weighing
// (ElementLine.Reweighed) and an assay of el dated after the run.
func (oc *originCalc) laterFigures(l ElementLine, edges []critmin.LotEdge) (later, kinds []string) {
	seenKind := map[string]bool{}
	add := func(text string, ks []string) {
		if len(ks) == 0 {
			return
		}
		later = append(later, text)
		for _, k := range ks {
			k, _, _ = strings.Cut(k, " of ")
			if !seenKind[k] {
				seenKind[k] = true
				kinds = append(kinds, k)
			}
		}
	}
	q, canQuery := oc.s.(eventQuerier)
	for _, o := range l.AssayedOutputs {
		var runAt time.Time
		runEvents := map[string]bool{}
		for _, e := range edges {
			if e.Child == o.Lot {
				runEvents[e.EventID] = true
				if e.EventTime.After(runAt) {
					runAt = e.EventTime
				}
			}
		}
		out := oc.lots[o.Lot]
		if out == nil || runAt.IsZero() {
			continue
		}
		reweighed := slices.ContainsFunc(l.Reweighed, func(r ReweighedOutput) bool { return r.Lot == o.Lot })
		if !canQuery {
			if reweighed {
				add("a later weighing of "+o.Lot, []string{"weighing"})
			}
			for _, a := range ledger.LatestAssays(out.Assays) {
				if units.ElementOf(a.Analyte) == l.Element && a.At.After(runAt) {
					add(laterText("assay of "+l.Element, o.Lot, a.EventID, a.At), []string{"assay of " + l.Element})
				}
			}
			continue
		}
		page, err := q.FindEvents(oc.ctx, critmin.EventFilter{
			ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleOutput}, Patterns: []string{o.Lot}, Exact: true}},
			OrderBy:      "eventTime", OrderAscending: true, Limit: 1000,
		})
		if err != nil {
			continue
		}
		for _, ev := range page.Events {
			if !ledger.Live(ev) || runEvents[ev.EventID] || !ev.EventTime.After(runAt) {
				continue
			}
			full, err := ledger.DecodeStored(ev.Raw, ev.Context)
			if err != nil || full.Mineral == nil {
				continue
			}
			m := full.Mineral
			var ks []string
			// A Mass report weighs the lot; so does a quantity stated
			// for it where its mass changed since the run.
			weighed := m.MassTonnes != nil || reweighed && slices.ContainsFunc(full.Quantities, func(qe critmin.QuantityElement) bool {
				return qe.Role == critmin.RoleEPC && qe.EPCClass == o.Lot && qe.Quantity != nil
			})
			if weighed {
				ks = append(ks, "weighing")
			}
			if m.Moisture != nil {
				ks = append(ks, "moisture report")
			}
			if slices.ContainsFunc(m.Assays, func(a critmin.Assay) bool { return units.ElementOf(a.Analyte) == l.Element }) {
				ks = append(ks, "assay of "+l.Element)
			}
			add(laterText(strings.Join(ks, " and "), o.Lot, ev.EventID, ev.EventTime), ks)
		}
	}
	return later, kinds
}

// figuresAtRun sets each element line's OutAtRun and OutCurrent where a
// measurement after the run changed one of its outputs: the run's own
// figures are each output as its events stood at the run (outputAtRun),
// the current ones the lot as it is now. The balance itself (Out, Gain)
// is not changed: this is what the lot page and the JSON show beside it,
// so that a later weighing, moisture or assay never passes for the run's
// figure. Only a walk with evidence (runFigures) sets them; a store that
// cannot be queried leaves both unset.
func (oc *originCalc) figuresAtRun(rb *RunBalance, edges []critmin.LotEdge) {
	q, ok := oc.s.(eventQuerier)
	if !ok || !oc.runFigures {
		return
	}
	type output struct {
		edge       critmin.LotEdge
		atRun, now *critmin.Lot
	}
	var outs []output
	changed := false
	for _, id := range rb.Outputs {
		now := oc.lots[id]
		if now == nil {
			return
		}
		var e critmin.LotEdge
		for _, x := range edges {
			if x.Child == id && (e.EventID == "" || x.EventTime.After(e.EventTime)) {
				e = x
			}
		}
		o := output{edge: e, now: now, atRun: now}
		if now.LastEventAt.After(e.EventTime) {
			o.atRun = outputAtRun(oc.ctx, q, id, e.EventTime)
			if o.atRun == nil {
				return
			}
			changed = changed || math.Abs(producedMass(edges, id, o.atRun)-producedMass(edges, id, now)) > massTolerance || o.atRun.DryTonnes != now.DryTonnes ||
				!maps.Equal(GradesOf(o.atRun), GradesOf(now))
		}
		outs = append(outs, o)
	}
	for i := range rb.Elements {
		rb.Elements[i].atRunChecked = true
	}
	if !changed {
		return
	}
	for i := range rb.Elements {
		l := &rb.Elements[i]
		var atRun, now float64
		known := true
		for _, o := range outs {
			g0, ok0 := GradesOf(o.atRun)[l.Element]
			g1, ok1 := GradesOf(o.now)[l.Element]
			if !ok0 || !ok1 {
				known = false
				break
			}
			atRun += producedMass(edges, o.edge.Child, o.atRun) * g0
			now += o.now.DryTonnes * g1
		}
		if known {
			l.OutAtRun, l.OutCurrent = &atRun, &now
		} else {
			l.atRunChecked = false // Out is not the run's own figure
		}
	}
}

// outputAtRun is lot id as its live events dated up to at (the run) made
// it: replayed through the projection (ledger.Project) in event-time
// order. nil where the events cannot be read.
func outputAtRun(ctx context.Context, q eventQuerier, id string, at time.Time) *critmin.Lot {
	page, err := q.FindEvents(ctx, critmin.EventFilter{
		ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleOutput}, Patterns: []string{id}, Exact: true}},
		OrderBy:      "eventTime", OrderAscending: true, Limit: 1000,
	})
	if err != nil || page.Next != nil {
		return nil
	}
	lots := map[string]*critmin.Lot{}
	for _, ev := range page.Events {
		if !ledger.Live(ev) || ev.EventTime.After(at) {
			continue
		}
		full, err := ledger.DecodeStored(ev.Raw, ev.Context)
		if err != nil {
			return nil
		}
		full = canonicalLots(full)
		for _, x := range full.LotIDs() {
			if lots[x] == nil {
				lots[x] = &critmin.Lot{ID: x}
			}
		}
		ledger.Project(lots, full)
	}
	return lots[id]
}

// laterText names one later measurement of a run's output.
func laterText(kind, lot, event string, at time.Time) string {
	return fmt.Sprintf("a later %s of %s (event %s, %s)", kind, lot, event, at.UTC().Format("2006-01-02"))
}

// queueRun notes a run (by LotEdge.RunKey: its transformationID, else its
// one event) whose element balance the walk must check once.
func (oc *originCalc) queueRun(key string) {
	if key == "" || oc.checked == nil || oc.checked[key] {
		return
	}
	oc.checked[key] = true
	oc.pending = append(oc.pending, key)
}

// balanceAll checks the element balance of every queued run: it reads
// every edge of each run — of every event sharing its transformationID
// (EPCIS 2.0 §7.4.6), all its outputs, not only the one on the path — and
// the lots they name.
func (oc *originCalc) balanceAll() error {
	for len(oc.pending) > 0 {
		key := oc.pending[0]
		oc.pending = oc.pending[1:]
		edges, ok := oc.runs[key]
		if !ok && oc.s != nil {
			parents := map[string]bool{}
			for _, list := range oc.up {
				for _, e := range list {
					if e.RunKey() == key {
						parents[e.Parent] = true
					}
				}
			}
			var ids []string
			for p := range parents {
				ids = append(ids, p)
			}
			sort.Strings(ids)
			out, err := oc.s.LotEdges(oc.ctx, ids, false)
			if err != nil {
				return err
			}
			for _, e := range out {
				if e.RunKey() == key && e.Kind == ledger.LinkTransformation {
					edges = append(edges, e)
				}
			}
		}
		var ids []string
		var events []string
		seenEv := map[string]bool{}
		for _, e := range edges {
			ids = append(ids, e.Parent, e.Child)
			if !seenEv[e.EventID] {
				seenEv[e.EventID] = true
				events = append(events, e.EventID)
			}
		}
		sort.Strings(events)
		if len(events) == 0 {
			events = []string{key}
		}
		if oc.s != nil {
			if err := oc.loadLots(ids); err != nil {
				return err
			}
		}
		for _, e := range edges {
			if oc.edgeComp(e) == nil {
				if oc.s == nil {
					continue
				}
				// A container as the run read it (computeAt).
				if _, err := oc.upstreamAt(e.Parent, e.EventTime); err != nil {
					return err
				}
			}
		}
		for _, e := range edges {
			if err := oc.overConsumption(e.Parent); err != nil {
				return err
			}
		}
		rb := oc.runBalance(events[0], edges)
		oc.figuresAtRun(&rb, edges)
		if len(edges) > 0 && edges[0].Run != "" {
			rb.TransformationID = edges[0].Run
		} else if x := oc.xids[events[0]]; x != "" {
			rb.TransformationID = x
		}
		if rb.TransformationID != "" {
			// Every event of the run, also one whose lines ride on
			// another event's edges (ledger.RunLinks).
			more, err := oc.runEventIDs(rb.TransformationID)
			if err != nil {
				return err
			}
			events = mergeIDs(events, more)
		}
		for _, l := range rb.Elements {
			if !l.Gain {
				continue
			}
			if rb.Run == "" {
				name, xs, err := runNames(oc.ctx, oc.s, events)
				if err != nil {
					return err
				}
				if x := oc.xids[events[0]]; x != "" && rb.TransformationID == "" {
					rb.TransformationID = x
				}
				if rb.TransformationID != "" {
					name = rb.TransformationID + " (event " + strings.Join(events, ", ") + ")"
				} else if len(xs) > 0 {
					rb.TransformationID = xs[0]
				}
				rb.Run = name
			}
			later, kinds := oc.laterFigures(l, edges)
			oc.anomalies = append(oc.anomalies, Anomaly{Kind: "element_gain", Detail: l.gainDetail(rb.Run, rb.Site, later, kinds),
				Events: events, Runs: nonEmpty(rb.TransformationID)})
		}
		oc.balance = append(oc.balance, rb)
	}
	sort.Slice(oc.balance, func(i, j int) bool { return oc.balance[i].Event < oc.balance[j].Event })
	return nil
}

// runBalance weighs each element into and out of one run: in = Σ over
// distinct inputs of dry tonnes consumed × grade; out = Σ over distinct
// outputs of dry tonnes produced × the output's own grade (outputs without
// an assay of the element count nothing, so a gain is certain when the
// measured ones alone exceed the inputs).
func (oc *originCalc) runBalance(ev string, edges []critmin.LotEdge) RunBalance {
	rb := RunBalance{Event: ev, Inputs: []string{}, Outputs: []string{}, Elements: []ElementLine{}}
	if len(edges) > 0 {
		rb.Site = edges[0].BizLocation
	}
	tol := oc.tolerance(rb.Site, edges)
	in, out, inWhole, inHeld := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	unmeasured := map[string]bool{}
	seenIn, seenOut := map[string]bool{}, map[string]bool{}
	blank := false // an input without any assay: no element can be balanced
	var inputGrades, outputGrades []map[string]float64
	var outputMasses, outputNow []float64
	inMass := oc.runInputMass(edges)
	for _, e := range edges {
		if !seenIn[e.Parent] {
			seenIn[e.Parent] = true
			rb.Inputs = append(rb.Inputs, e.Parent)
			c := oc.edgeComp(e)
			if c == nil {
				if l := oc.lots[e.Parent]; l != nil {
					c = &comp{grades: GradesOf(l)}
				} else {
					c = &comp{}
				}
			}
			// What the run took of a part read at its own grades
			// (issue 15, fix15a).
			c = partTakenComp(oc.lots[e.Parent], e, c)
			if len(c.grades) == 0 && len(c.elem) == 0 {
				blank = true
			}
			inputGrades = append(inputGrades, c.grades)
			// Never more than the lot held (overConsumption).
			m := inMass[e.Parent]
			if f := oc.heldFraction(e.Parent, e.RunKey()); f < 1 {
				rb.OverConsumed = append(rb.OverConsumed, OverConsumedInput{Lot: e.Parent, Consumed: m, Counted: m * f})
				m *= f
			}
			for el := range c.grades {
				dry := oc.dryOfLot(e.Parent)
				g, _ := c.grade(el, dry)
				// Judged against what the input is supported by
				// (comp.supported); its whole content is that and the
				// part of no recorded input it carries (comp.whole).
				gs, _ := c.supported(el, dry)
				in[el] += m * gs
				inHeld[el] += m * g
				inWhole[el] += m * gs
				if t, u, _ := c.whole(el, dry); t > 0 {
					inWhole[el] += m * c.grades[el] * u / t
				}
				if rb.took == nil {
					rb.took = map[string]map[string]float64{}
				}
				if rb.took[e.Parent] == nil {
					rb.took[e.Parent] = map[string]float64{}
				}
				rb.took[e.Parent][el] += m * g
			}
			for el := range c.elem {
				if _, ok := c.grades[el]; !ok {
					unmeasured[el] = true
				}
			}
		}
		if !seenOut[e.Child] {
			seenOut[e.Child] = true
			rb.Outputs = append(rb.Outputs, e.Child)
			var og map[string]float64
			var m float64
			if l := oc.lots[e.Child]; l != nil {
				m = producedMass(edges, e.Child, l)
				og = GradesOf(l)
				for el, g := range og {
					out[el] += m * g
				}
			}
			outputGrades = append(outputGrades, og)
			outputMasses = append(outputMasses, m)
			outputNow = append(outputNow, oc.heldNow(e, edges, m))
		}
	}
	els := map[string]bool{}
	for e := range in {
		els[e] = true
	}
	for e := range out {
		els[e] = true
	}
	var names []string
	for e := range els {
		names = append(names, e)
	}
	sort.Strings(names)
	// An element counts as measured in the feed only when every input has
	// its own grade of it: an input assayed for Nd alone may well hold La,
	// so its La is unknown, not zero, and the run's La balance cannot be
	// shown (Checked false) rather than reported as a gain.
	for _, e := range names {
		for _, g := range inputGrades {
			if _, ok := g[e]; !ok {
				unmeasured[e] = true
			}
		}
	}
	// An output without its own grade of an element holds an unknown
	// amount of it, not none: Out is null and the line unchecked, never
	// "out 0, checked" (a product without an assay is "grade not
	// measured", docs/origin.md).
	for _, e := range names {
		l := ElementLine{Element: e, In: in[e], Tolerance: tol, outMeasured: out[e], inWhole: inWhole[e]}
		if h := inHeld[e]; h > in[e]+massTolerance {
			l.InHeld = &h
		}
		for i, g := range outputGrades {
			if gr, ok := g[e]; !ok {
				l.UnmeasuredOutputs = append(l.UnmeasuredOutputs, rb.Outputs[i])
			} else {
				l.AssayedOutputs = append(l.AssayedOutputs, OutputElement{Lot: rb.Outputs[i], Tonnes: outputMasses[i] * gr, now: outputNow[i] * gr})
				l.outNowMeasured += outputNow[i] * gr
				if outputNow[i] > outputMasses[i]+massTolerance {
					l.Reweighed = append(l.Reweighed, ReweighedOutput{Lot: rb.Outputs[i], Produced: outputMasses[i], Now: outputNow[i], Tonnes: outputNow[i] * gr})
				}
			}
		}
		inOK := !unmeasured[e] && !blank
		l.InMeasured = inOK
		if len(l.UnmeasuredOutputs) == 0 {
			v := out[e]
			l.Out = &v
			if len(l.Reweighed) > 0 {
				n := l.outNowMeasured
				l.OutNow = &n
			}
		}
		l.Checked = inOK && l.Out != nil
		switch {
		case !inOK && l.Out == nil:
			l.Note = fmt.Sprintf("not checked: an input's grade of %s is not measured, and output %s has no assay of it (unmeasured, not zero)", e, strings.Join(l.UnmeasuredOutputs, ", "))
		case !inOK:
			l.Note = fmt.Sprintf("not checked: an input's grade of %s is not measured", e)
		case l.Out == nil:
			l.Note = fmt.Sprintf("not checked: output %s has no assay of %s (unmeasured, not zero)", strings.Join(l.UnmeasuredOutputs, ", "), e)
		}
		// The measured outputs alone above the inputs: a certain gain.
		// So too on the outputs' current masses: a later weighing that
		// makes them hold more than the inputs is a certain gain.
		l.Gain = inOK && gained(max(l.outMeasured, l.outNowMeasured), l.In, tol)
		rb.Elements = append(rb.Elements, l)
	}
	return rb
}

// gained is the one test of an element_gain: out tonnes of an element
// are more than the in tonnes a run's inputs held beyond the run's
// relative tolerance tol and rounding (massTolerance, 1e-6 t). The run's
// element balance (ElementLine.Gain) and the mass-balance statement's
// credit note (productBound) both ask it, so a figure one calls a gain
// the other does too: 0.05 t × 20 % = 0.010000000000000002 t of Pr out of
// 1 t × 1 % = 0.01 t in is no gain (fixQj, issue 9).
func gained(out, in, tol float64) bool {
	return out > in*(1+tol)+massTolerance
}

// heldNow is the dry tonnes an output of a run holds now, by its current
// mass, where a measurement after the run (a weighing, a moisture) made
// it heavier than the produced tonnes m: only for a lot the run made (no
// record of it before the run) and no other run fed (every edge into it
// known to the walk is of this run), so that a lot a later run added to
// is not read as a gain. Else m.
func (oc *originCalc) heldNow(e critmin.LotEdge, edges []critmin.LotEdge, m float64) float64 {
	l := oc.lots[e.Child]
	if l == nil || l.DryTonnes <= m+massTolerance || !units.IsMass(l.UOM) {
		return m
	}
	// The run's first event into the lot: a lot it made in several
	// events was first recorded by the earliest of them.
	first := e.EventTime
	for _, x := range edges {
		if x.Child == e.Child && x.RunKey() == e.RunKey() && x.EventTime.Before(first) {
			first = x.EventTime
		}
	}
	if !l.FirstEventAt.IsZero() && l.FirstEventAt.Before(first) {
		return m
	}
	key := e.RunKey()
	for _, x := range oc.up[e.Child] {
		if x.RunKey() != key {
			return m
		}
	}
	// m is what every event of the run produced of it (producedMass):
	// the lot heavier still is a reading after the run.
	return l.DryTonnes
}

// elementCap is the most of an element a produced lot can hold by the
// runs that made it: what their inputs held less what their other
// outputs hold by their own assays (never below 0), with the runs named.
type elementCap struct {
	Tonnes float64 `json:"t"`
	// Whole is what the lot holds of the element that its runs' inputs
	// held by their own assays (comp.whole) — the recorded part and the
	// part of no recorded input they carry —, scaled like Tonnes where
	// the outputs hold more than that: the content the lot's carried
	// origin shares spread, the rest being new metal of unknown origin.
	// Nil in a mix kept before migration 0120: Tonnes stands for it.
	Whole  *float64 `json:"w,omitempty"`
	Runs   []string `json:"r"`
	Events []string `json:"e,omitempty"`
	XIDs   []string `json:"x,omitempty"`
}

// capsFor are the caps of lot id's elements whose balance gains in a run
// that made it (ElementLine.Gain): a measurement that breaks a run's
// balance — the product weighed or assayed above what its feed held — is
// an anomaly to reconcile, not a source of metal (AMIRA P754; ISO 22095
// §5: a claim rests on what the chain of custody proves). Every run that
// made the lot must have its inputs' grade measured for a cap to stand.
//
// Where a run's assayed outputs hold more of an element now (current dry
// tonnes × grade) than its inputs held, every one of them is scaled by
// input ÷ Σ outputs now, so that together they hold exactly what the
// inputs held — never each capped on its own, which would let several
// outputs together exceed the input (O1 0.07 + O2 0.04 = 0.11 t from
// 0.1 t in). A run that does not gain contributes what the lot holds of
// it now.
func (oc *originCalc) capsFor(id string) map[string]elementCap {
	caps := map[string]elementCap{}
	gained := map[string]bool{}
	unknown := map[string]bool{}
	for _, rb := range oc.balance {
		made := false
		for _, o := range rb.Outputs {
			if o == id {
				made = true
			}
		}
		if !made {
			continue
		}
		name := rb.Run
		if name == "" {
			name = rb.Event
		}
		for _, l := range rb.Elements {
			if l.Gain {
				gained[l.Element] = true
			}
			if !l.Checked && !l.Gain {
				if l.Note != "" && strings.Contains(l.Note, "an input's grade") {
					unknown[l.Element] = true
				}
			}
			mine := 0.0
			for _, a := range l.AssayedOutputs {
				if a.Lot == id {
					mine += a.now
				}
			}
			whole := mine
			if l.Gain && l.outNowMeasured > l.inWhole && l.outNowMeasured > 0 {
				whole *= l.inWhole / l.outNowMeasured
			}
			if l.Gain && l.outNowMeasured > 0 {
				mine *= l.In / l.outNowMeasured
			}
			c := caps[l.Element]
			c.Tonnes += mine
			if c.Whole != nil {
				whole += *c.Whole
			}
			c.Whole = &whole
			c.Runs = append(c.Runs, name)
			c.Events = append(c.Events, rb.Event)
			if rb.TransformationID != "" {
				c.XIDs = append(c.XIDs, rb.TransformationID)
			}
			caps[l.Element] = c
		}
	}
	for e := range caps {
		if !gained[e] || unknown[e] {
			delete(caps, e)
		}
	}
	if len(caps) == 0 {
		return nil
	}
	return caps
}

// supportFor is what lot id is supported by of each element where a run
// that made it gained within its tolerance (ElementLine.Gain unset, its
// outputs holding more now than In): the run's outputs are scaled by
// In ÷ Σ outputs now, as capsFor scales a gain beyond the tolerance, so
// that together they are supported by what the inputs were. The gain
// stays measurement noise — no anomaly, the lot's origin shares and its
// figure for credits and claims (comp.grade) unchanged — but a run fed
// the lot judges its outputs against this figure (runBalance: In), so
// gains within the tolerance never add up along a chain of runs
// unflagged (issue 9, nu38b item 2: five runs each gaining 9.9 % at a
// 10 % tolerance turned 1 t of Nd into 1.603 t, Pakistan 100 %). Nil
// where no run that made it gains so; an element a run gains beyond the
// tolerance is capped instead (capsFor).
func (oc *originCalc) supportFor(id string) map[string]float64 {
	sup := map[string]float64{}
	noise, skip := map[string]bool{}, map[string]bool{}
	for _, rb := range oc.balance {
		if !slices.Contains(rb.Outputs, id) {
			continue
		}
		for _, l := range rb.Elements {
			if l.Gain || !l.Checked {
				skip[l.Element] = true
				continue
			}
			mine := 0.0
			for _, a := range l.AssayedOutputs {
				if a.Lot == id {
					mine += a.now
				}
			}
			if l.outNowMeasured > l.In+massTolerance {
				mine *= l.In / l.outNowMeasured
				noise[l.Element] = true
			}
			sup[l.Element] += mine
		}
	}
	for e := range sup {
		if !noise[e] || skip[e] {
			delete(sup, e)
		}
	}
	if len(sup) == 0 {
		return nil
	}
	return sup
}

// runInputMass is the dry tonnes each input lot put into a run (one
// event, or every event sharing a transformationID, EPCIS 2.0 §7.4.6).
// The events of one run add up: run U4's event ua taking 10 t of lot K4
// and event ub 90 t put 100 t into U4; an output restated in a later event
// of the run adds nothing. Capture links the run's input lines to its
// outputs by ledger.RunLinks, under which every input line is carried as
// consumption by its edges to each output the run had when it arrived
// (or, stated before any output, to the first outputs), and a later
// event's edges from earlier lines to its outputs are Replay (genealogy
// only). So the input's mass is the largest, over the run's outputs, of
// the sum of its non-replay edges into that output (ledger.RunConsumption):
// the run's first output collects every line once. A container fed whole
// puts in what it held when the run read it (edgeMass), once its
// composition at the edge's time is computed (edgeComp).
func (oc *originCalc) runInputMass(edges []critmin.LotEdge) map[string]float64 {
	return ledger.RunConsumption(edges, func(e critmin.LotEdge) float64 { return edgeMass(e, oc.lots[e.Parent], oc.edgeComp(e)) })
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// runEventLister is the store's list of each run's live events
// (sqldb.RunEvents).
type runEventLister interface {
	RunEvents(ctx context.Context, xids []string) (map[string][]string, error)
}

// runEventIDs lists the live events of a transformationID (EPCIS 2.0
// §7.4.6: the events sharing it are one transformation): those the kept
// mix's capture knows (xids), and the store's.
func (oc *originCalc) runEventIDs(xid string) ([]string, error) {
	var out []string
	for ev, x := range oc.xids {
		if x == xid {
			out = append(out, ev)
		}
	}
	if f, ok := oc.s.(runEventLister); ok && oc.s != nil {
		m, err := f.RunEvents(oc.ctx, []string{xid})
		if err != nil {
			return nil, err
		}
		out = append(out, m[xid]...)
	}
	return out, nil
}

// mergeIDs is the sorted union of two lists of identifiers.
func mergeIDs(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]string{a, b} {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	sort.Strings(out)
	return out
}

// tolerance is the relative tolerance of the element balance of a run at
// site: the site's cm:elementTolerance in force when the run was recorded
// — the master-data version as of the earliest record time of the run's
// events (critmin.Site.ToleranceAt) —, else DefaultElementTolerance. A
// later master-data change never clears an earlier run's gain, and a
// later, tighter tolerance flags later runs only (issue 9, nu38b-1).
// Where the run's events cannot be read (a run being captured, not yet
// stored), its record time is now: the current tolerance.
func (oc *originCalc) tolerance(site string, edges []critmin.LotEdge) float64 {
	st, ok := oc.sites[siteKey(site)]
	if !ok || st == nil {
		return DefaultElementTolerance
	}
	var at time.Time
	if len(st.ToleranceVersions) > 0 {
		at = oc.runRecordTime(edges)
	}
	if t := st.ToleranceAt(at); t != nil {
		return *t
	}
	return DefaultElementTolerance
}

// runRecordTime is the earliest record time of the events of a run's
// edges, zero where none can be read (a run being captured, not yet
// stored: its record time is now, and the current master data holds).
func (oc *originCalc) runRecordTime(edges []critmin.LotEdge) time.Time {
	var at time.Time
	f, ok := oc.s.(eventFinder)
	if !ok {
		return at
	}
	seen := map[string]bool{}
	for _, e := range edges {
		if seen[e.EventID] {
			continue
		}
		seen[e.EventID] = true
		evs, err := f.FindEventsByID(oc.ctx, e.EventID)
		if err != nil || len(evs) == 0 {
			continue
		}
		if rt := evs[0].RecordTime; !rt.IsZero() && (at.IsZero() || rt.Before(at)) {
			at = rt
		}
	}
	return at
}
