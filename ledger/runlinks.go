package ledger

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// RunLinks returns every genealogy link one TransformationEvent adds to
// its run (EPCIS 2.0 §7.4.6: events sharing a transformationID are one
// transformation), given the input and output lines the run's earlier
// events stated (priorIn, priorOut) and the event's own (in, out). It is
// the one definition of a run's edges: capture (sqldb), its retraction
// rebuild, verify's replay and custody's capture-time checks all use it.
//
// Each input line of the run is consumed once (docs/origin.md "A run's
// accounting"): the edges that carry a line's quantity as consumption are
// those to the outputs the run had when the line arrived — its own event's
// and earlier ones — or, for a line stated before the run had any output,
// those to the first event's outputs (the quantities of such lines of one
// lot summed into one edge). A later event's edges from an earlier input
// line to its outputs record the genealogy only: they carry the line's
// quantity for display but are marked Replay and never count as
// consumption. So restating an output in a second event of the run adds
// no consumption, and the run's first output collects every input line
// once: a lot's consumption in the run is the largest, over outputs, of
// the sum of its non-replay edges into that output (RunConsumption).
func RunLinks(priorIn, priorOut, in, out []critmin.QuantityElement, eventID string) []Link {
	var links []Link
	at := map[[2]string]int{}
	add := func(l Link) {
		k := [2]string{l.Parent, l.Child}
		if i, ok := at[k]; ok {
			if !l.Replay && links[i].Replay {
				links[i] = l
			}
			return
		}
		at[k] = len(links)
		links = append(links, l)
	}
	// Output lines stated before the run had any input line (output-only
	// events captured first, however dated) have no edge of their own:
	// the first event bringing inputs carries them, summed per lot with
	// its own line of the lot (run Z: za "OZ 10 t", then zb "Q 100 t →
	// OZ 0.5 t": zb's edge Q→OZ carries 10 + 0.5 = 10.5 t, what the
	// projection gives OZ), so RunProduced counts every output line
	// whatever the order of capture (issue 9, fix9i).
	folded := len(priorIn) == 0 && len(in) > 0 && len(priorOut) > 0
	if folded {
		out, priorOut = foldOutputs(priorOut, out)
	}
	// Lines stated before the run had any output are consumed into this
	// event's outputs, together with this event's own line of the lot.
	pending := map[string][]critmin.QuantityElement{}
	var pendingOrder []string
	if len(priorOut) == 0 && len(out) > 0 {
		for _, p := range priorIn {
			if pending[p.EPCClass] == nil {
				pendingOrder = append(pendingOrder, p.EPCClass)
			}
			pending[p.EPCClass] = append(pending[p.EPCClass], p)
		}
	}
	for _, p := range in {
		line := p
		if prev := pending[p.EPCClass]; prev != nil {
			line = sumLines(append(append([]critmin.QuantityElement(nil), prev...), p))
			delete(pending, p.EPCClass)
		}
		for _, c := range out {
			if line.EPCClass != c.EPCClass {
				add(TransformationLink(line, c, eventID))
			}
		}
		// An edge to an output an earlier event stated carries that
		// event's line again (Carried), unless the output-only events
		// before this one made no edge of their own (folded: this edge
		// is the first to carry their lines).
		for _, c := range priorOut {
			if p.EPCClass != c.EPCClass {
				l := TransformationLink(p, c, eventID)
				l.Carried = !folded
				add(l)
			}
		}
	}
	for _, id := range pendingOrder {
		prev := pending[id]
		if prev == nil {
			continue
		}
		line := sumLines(prev)
		for _, c := range out {
			if line.EPCClass != c.EPCClass {
				add(TransformationLink(line, c, eventID))
			}
		}
	}
	if len(priorOut) > 0 {
		for _, p := range priorIn {
			for _, c := range out {
				if p.EPCClass != c.EPCClass {
					l := TransformationLink(p, c, eventID)
					l.Replay = true
					add(l)
				}
			}
		}
	}
	return links
}

// foldOutputs sums the output lines a run stated before its first input
// line (prior) per lot into the event's own line of that lot (out), and
// the rest per lot into one line each (rest), in the order first stated.
func foldOutputs(prior, out []critmin.QuantityElement) (merged, rest []critmin.QuantityElement) {
	byLot := map[string][]critmin.QuantityElement{}
	var order []string
	for _, c := range prior {
		if byLot[c.EPCClass] == nil {
			order = append(order, c.EPCClass)
		}
		byLot[c.EPCClass] = append(byLot[c.EPCClass], c)
	}
	for _, c := range out {
		if prev := byLot[c.EPCClass]; prev != nil {
			c = sumLines(append(append([]critmin.QuantityElement(nil), prev...), c))
			delete(byLot, c.EPCClass)
		}
		merged = append(merged, c)
	}
	for _, id := range order {
		if prev := byLot[id]; prev != nil {
			rest = append(rest, sumLines(prev))
		}
	}
	return merged, rest
}

// sumLines is one line holding the quantities of several lines of
// one lot: in their unit when they share it, else in tonnes; without a
// quantity (the whole lot) when any line has none or a unit that is not a
// mass.
func sumLines(lines []critmin.QuantityElement) critmin.QuantityElement {
	out := lines[0]
	if len(lines) == 1 {
		return out
	}
	same := true
	for _, l := range lines {
		if l.Quantity == nil {
			out.Quantity, out.UOM = nil, ""
			return out
		}
		same = same && l.UOM == lines[0].UOM
	}
	var sum float64
	for _, l := range lines {
		if same {
			sum += *l.Quantity
			continue
		}
		t, err := units.ToTonnes(*l.Quantity, l.UOM)
		if err != nil {
			out.Quantity, out.UOM = nil, ""
			return out
		}
		sum += t
	}
	if !same {
		out.UOM = "TNE"
	}
	out.Quantity = &sum
	return out
}

// RunConsumption sums mass(edge) per input lot over one run's edges as
// RunLinks defines it: per output, each non-replay (parent, child,
// event) once; per input, the largest of those sums. It is the one
// definition of what a run consumed: element balance, mass-balance
// credits, over-consumption checks at capture and when read, and verify's
// replay all read it.
func RunConsumption(edges []critmin.LotEdge, mass func(critmin.LotEdge) float64) map[string]float64 {
	perChild := map[[2]string]float64{}
	seen := map[[3]string]bool{}
	for _, e := range edges {
		k := [3]string{e.Parent, e.Child, e.EventID}
		if seen[k] {
			continue
		}
		seen[k] = true
		if e.Replay {
			perChild[[2]string{e.Parent, e.Child}] += 0 // present, consumes nothing
			continue
		}
		perChild[[2]string{e.Parent, e.Child}] += mass(e)
	}
	out := map[string]float64{}
	for k, m := range perChild {
		if cur, ok := out[k[0]]; !ok || m > cur {
			out[k[0]] = m
		}
	}
	return out
}

// RunProduced sums, per output lot, the tonnes (as stated, wet) that the
// events of the runs in edges state they produced of it: each event of a
// run records its own output lines (EPCIS 2.0 §7.4.6), so run R8 making
// O8 0.5 t in event r8a and 10 t in a later output-only event r8b
// produced 0.5 + 10 = 10.5 t — the mass the projection gives O8
// (Project: an output line adds to its run's product). It is the one
// definition of what a run produced: element balance, mass-balance
// credit bounds, the trace's mass check and the refinery ledger read it.
//
// Under RunLinks every edge of an event into an output carries the
// event's own line of it — its non-replay edges from its input lines, its
// Replay edges from the run's earlier ones — except a Carried edge, from
// a line of this event to an output only an earlier event stated, which
// carries the earlier line again. So per run, output and event, the
// event's line counts once when it has an edge into the output that is
// not Carried. Output lines stated by events of the run that have no
// edge of their own (output-only events before any input line) are
// carried, summed per lot, by the first event bringing inputs
// (RunLinks), so they count whatever the order of capture or the events'
// times (run Z: za "OZ 10 t", then zb "Q 100 t → OZ 0.5 t": 10.5 t). And
// a later input line, even of a lot the run already used, never counts
// an earlier output line again (run tA: a "PK 100 t → OA 2 t", a3 "OB
// 2 t", a4 "CN 20 t", a5 "PK 50 t": OA and OB made 2 t each; fix9r,
// fix9s). Unknown lists the outputs whose counted lines state no mass (no
// quantity, or a unit that is not a mass): their produced tonnes are not
// known from the run (the caller reads the lot).
func RunProduced(edges []critmin.LotEdge) (tonnes map[string]float64, unknown map[string]bool) {
	line := map[[3]string]critmin.LotEdge{} // run, child, event → its edge
	for _, e := range edges {
		if e.Kind != "" && e.Kind != LinkTransformation || e.Carried {
			continue
		}
		ek := [3]string{e.RunKey(), e.Child, e.EventID}
		if _, ok := line[ek]; !ok {
			line[ek] = e
		}
	}
	tonnes, unknown = map[string]float64{}, map[string]bool{}
	for ek, e := range line {
		if e.ChildQty == nil || !units.IsMass(e.ChildUOM) {
			unknown[ek[1]] = true
			continue
		}
		t, err := units.ToTonnes(*e.ChildQty, e.ChildUOM)
		if err != nil {
			unknown[ek[1]] = true
			continue
		}
		tonnes[ek[1]] += t
	}
	return tonnes, unknown
}
