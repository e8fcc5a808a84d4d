package ledger

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// Containment is where each child (a lot's class identifier or an
// instance EPC, canonical) is packed now: the AggregationEvents that put
// it into a container (ADD, or an OBSERVE that first states it) and have
// not been undone by an AggregationEvent DELETE from that container (a
// DELETE naming the child, or naming no children: everything out). EPCIS
// 2.0 §7.3.5 and CBV 2.0 (packing, unpacking): a child is in at most one
// parent at a time, so a lot packed whole in one container cannot be
// packed into another until it is unpacked. Capture (sqldb, under its
// lock) and the form and import preview (Service.Validate) both keep one
// and check each packing against it (CheckRepacking).
type Containment struct {
	in map[string][]critmin.Packing // child → its packings, in event order
}

// NewContainment starts from the packings a store reports (PackedIn).
func NewContainment(packed []critmin.Packing) *Containment {
	c := &Containment{in: map[string][]critmin.Packing{}}
	for _, p := range packed {
		c.in[p.Child] = append(c.in[p.Child], p)
	}
	return c
}

// Known reports whether child's packings have been loaded or applied.
func (c *Containment) Known(child string) bool {
	_, ok := c.in[child]
	return ok
}

// Load adds a child's stored packings; a child with none is marked
// known (empty) so that it is not loaded twice.
func (c *Containment) Load(child string, packed []critmin.Packing) {
	if _, ok := c.in[child]; !ok {
		c.in[child] = []critmin.Packing{}
	}
	for _, p := range packed {
		if p.Child == child {
			c.in[child] = append(c.in[child], p)
		}
	}
}

// Of is child's current packings.
func (c *Containment) Of(child string) []critmin.Packing { return c.in[epcis.Canonical(child)] }

// Children is an AggregationEvent's children (canonical): its
// childQuantityList lines (with quantity and unit) and its childEPCs
// (whole, no quantity).
func Children(ev *critmin.Event) []critmin.Packing {
	var out []critmin.Packing
	for _, q := range ev.Quantities {
		if q.Role == critmin.RoleChild {
			out = append(out, critmin.Packing{Child: epcis.Canonical(q.EPCClass), Quantity: q.Quantity, UOM: q.UOM, Class: true})
		}
	}
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleChild {
			out = append(out, critmin.Packing{Child: epcis.Canonical(e.EPC)})
		}
	}
	return out
}

// childPointers is the JSON pointer of each child Children(ev) lists,
// in the same order: "/childQuantityList/i/epcClass" for a class line,
// "/childEPCs/i" for an instance.
func childPointers(ev *critmin.Event) []string {
	var out []string
	nq, ne := 0, 0
	for _, k := range Children(ev) {
		if k.Class {
			out = append(out, fmt.Sprintf("/childQuantityList/%d/epcClass", nq))
			nq++
		} else {
			out = append(out, fmt.Sprintf("/childEPCs/%d", ne))
			ne++
		}
	}
	return out
}

// Apply records an AggregationEvent (not declared in error): ADD puts
// its children into its parent, OBSERVE puts in those not already there,
// DELETE takes the named children (all children, when it names none) out
// of the parent. A DELETE line naming a lot with a mass quantity takes
// out only that part of it (EPCIS 2.0 §7.3.5.3: the quantity is the part
// of the class concerned), from its packings in the parent oldest first
// (Packing.Unpacked); what stays in still counts. Other events are
// ignored.
func (c *Containment) Apply(ev *critmin.Event) {
	if ev.Type != critmin.AggregationEvent || ev.ParentID == "" || ev.ErrorDeclaration != nil {
		return
	}
	parent := epcis.Canonical(ev.ParentID)
	kids := Children(ev)
	switch ev.Action {
	case "DELETE":
		if len(kids) == 0 {
			for child, ps := range c.in {
				c.in[child] = without(ps, parent)
			}
			return
		}
		for _, k := range kids {
			if t, ok := packedTonnes(k); ok && k.Class {
				c.in[k.Child] = unpackPart(c.in[k.Child], parent, t)
				continue
			}
			c.in[k.Child] = without(c.in[k.Child], parent)
		}
	case "ADD", "OBSERVE":
		for _, k := range kids {
			if ev.Action == "OBSERVE" && inside(c.in[k.Child], parent) {
				continue
			}
			k.Container, k.EventID, k.At = ev.ParentID, ev.EventID, ev.EventTime
			c.in[k.Child] = append(c.in[k.Child], k)
		}
	}
}

// Unpack takes t wet tonnes of child out of its packings in container,
// oldest first, as a partial AggregationEvent DELETE of that quantity
// does (unpackPart): what a movement stating a quantity of the lot
// itself took beyond what was not packed came out of its containers
// (issue 15, fix15g; docs/forms.md: a shipment or a run's input of a
// packed lot draws on the loose rest first, then on its containers).
func (c *Containment) Unpack(child, container string, t float64) {
	if t <= 0 {
		return
	}
	k := epcis.Canonical(child)
	c.in[k] = unpackPart(c.in[k], epcis.Canonical(container), t)
}

// unpackPart takes t wet tonnes of a lot out of its packings in parent,
// oldest first: a packing with a quantity gives up to what stays of it
// and is gone once emptied; a packing of the whole lot (no quantity)
// takes the rest, its mass unknown here (PackedWet subtracts it).
func unpackPart(ps []critmin.Packing, parent string, t float64) []critmin.Packing {
	out := make([]critmin.Packing, 0, len(ps))
	for _, p := range ps {
		if t <= 0 || epcis.Canonical(p.Container) != parent {
			out = append(out, p)
			continue
		}
		q, ok := packedTonnes(p)
		if !ok {
			p.Unpacked += t
			t = 0
			out = append(out, p)
			continue
		}
		take := min(t, q-p.Unpacked)
		p.Unpacked += take
		t -= take
		if q-p.Unpacked > q*1e-9 {
			out = append(out, p)
		}
	}
	return out
}

// PackedWet is the wet tonnes of a packing still in its container: its
// quantity — the lot's wet mass lotWet for a packing of the whole lot —
// less what partial unpackings took out (Packing.Unpacked). ok is false
// when the packing states no mass and lotWet is not known (0): the whole
// lot, of unknown mass, unless a partial unpacking says otherwise.
func PackedWet(p critmin.Packing, lotWet float64) (float64, bool) {
	q, ok := packedTonnes(p)
	if !ok {
		if lotWet <= 0 {
			return 0, false
		}
		q = lotWet
	}
	return max(q-p.Unpacked, 0), true
}

func without(ps []critmin.Packing, parent string) []critmin.Packing {
	out := ps[:0:0]
	for _, p := range ps {
		if epcis.Canonical(p.Container) != parent {
			out = append(out, p)
		}
	}
	if out == nil {
		out = []critmin.Packing{}
	}
	return out
}

func inside(ps []critmin.Packing, parent string) bool {
	for _, p := range ps {
		if epcis.Canonical(p.Container) == parent {
			return true
		}
	}
	return false
}

// CheckRepacking refuses an AggregationEvent ADD that packs a child
// already packed elsewhere and not unpacked:
//   - an instance (childEPCs) in another container;
//   - a lot packed whole in a container (a line without a mass, or lines
//     adding up to the lot's wet mass), packed again anywhere;
//   - a lot whose packings not undone, plus this one, exceed its wet mass
//     (12 t in one container and 12 t more into another of a 20 t lot).
//
// The reason names the lot, the container(s) it is in and the event that
// packed it. A packing by the same event (the event sent again) is not
// held against it. lot returns the lot as projected (nil when unknown);
// pointers are relative to the event.
//
// It refuses as well an AggregationEvent DELETE that unpacks more of a
// lot than is packed in its parent (checkUnpacking).
func CheckRepacking(ev *critmin.Event, c *Containment, lot func(id string) *critmin.Lot) []critmin.FieldError {
	if ev.Type == critmin.AggregationEvent && ev.Action == "DELETE" && ev.ParentID != "" && ev.ErrorDeclaration == nil {
		return checkUnpacking(ev, c, lot)
	}
	if ev.Type != critmin.AggregationEvent || ev.Action != "ADD" || ev.ParentID == "" || ev.ErrorDeclaration != nil {
		return nil
	}
	parent := epcis.Canonical(ev.ParentID)
	var errs []critmin.FieldError
	adding := map[string]float64{} // lot → tonnes this event packs (summed over its lines)
	done := map[string]bool{}
	ptrs := childPointers(ev)
	for i, k := range Children(ev) {
		ptr := ptrs[i]
		var held []critmin.Packing
		for _, p := range c.in[k.Child] {
			if p.EventID != ev.EventID || ev.EventID == "" {
				held = append(held, p)
			}
		}
		if len(held) == 0 || done[k.Child] {
			continue
		}
		name := childName(ev, k)
		if !k.Class {
			for _, p := range held {
				if epcis.Canonical(p.Container) != parent {
					done[k.Child] = true
					errs = append(errs, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf(
						"%s is already packed in container %s (event %s) and has not been unpacked: a child is in one container at a time (EPCIS 2.0 §7.3.5, CBV packing); unpack it from %s with an AggregationEvent DELETE before packing it into %s",
						name, p.Container, p.EventID, p.Container, ev.ParentID)})
					break
				}
			}
			continue
		}
		l := lot(k.Child)
		mass := 0.0
		if l != nil && l.Commodity != "" && l.WetTonnes > 0 {
			mass = l.WetTonnes
		}
		inTonnes, whole := 0.0, false
		var where []string
		for _, p := range held {
			t, ok := packedTonnes(p)
			switch {
			case ok:
				inTonnes += t - p.Unpacked
			case p.Unpacked > 0 && mass > 0:
				inTonnes += max(mass-p.Unpacked, 0) // the whole lot, less what was unpacked
			default:
				whole = true
			}
			where = append(where, p.Container+" (event "+p.EventID+")")
		}
		if mass > 0 && inTonnes >= mass*(1-1e-9) {
			whole = true
		}
		t, ok := packedTonnes(k)
		if whole {
			done[k.Child] = true
			errs = append(errs, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf(
				"lot %s is already packed whole in container %s and has not been unpacked: a lot is in one container at a time (EPCIS 2.0 §7.3.5, CBV packing); unpack it from there with an AggregationEvent DELETE before packing it into %s",
				name, strings.Join(where, ", "), ev.ParentID)})
			continue
		}
		if !ok || mass <= 0 {
			continue
		}
		adding[k.Child] += t
		if inTonnes+adding[k.Child] > mass*(1+1e-9) {
			done[k.Child] = true
			errs = append(errs, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf(
				"packs %s t of lot %s into %s, but %s t of its %s t (wet) is already in container %s and has not been unpacked: %s t is left to pack",
				fmtTonnes(adding[k.Child]), name, ev.ParentID, fmtTonnes(inTonnes), fmtTonnes(mass), strings.Join(where, ", "), fmtTonnes(max(mass-inTonnes, 0)))})
		}
	}
	return errs
}

// UnpackTolerance is the relative excess over what is packed that an
// unpacking may state: 0.5 %, a weighbridge's error (ConsumedTolerance);
// the unpacking's own weighing may differ that much from the packing's.
const UnpackTolerance = ConsumedTolerance

// checkUnpacking refuses an AggregationEvent DELETE whose
// childQuantityList takes out of the parent more of a lot than is packed
// in it: EPCIS 2.0 §7.3.5.3, a DELETE's childQuantityList is the part of
// each class removed from the parent, which cannot be more than the
// parent holds of it — what its packings not undone put in (PackedWet:
// the stated quantity, or the lot's wet mass for a packing of the whole
// lot, less what earlier partial unpackings took out). The lines of one
// event are summed per lot; UnpackTolerance is allowed above. A lot
// packed whole whose mass is unknown is not checked (there is no figure
// to hold the line against). The reason names the lot, the parent, the
// quantity unpacked and what is packed there.
func checkUnpacking(ev *critmin.Event, c *Containment, lot func(id string) *critmin.Lot) []critmin.FieldError {
	parent := epcis.Canonical(ev.ParentID)
	var errs []critmin.FieldError
	taking := map[string]float64{}
	done := map[string]bool{}
	nq := -1
	for _, k := range Children(ev) {
		if !k.Class {
			continue
		}
		nq++
		t, ok := packedTonnes(k)
		if !ok || done[k.Child] {
			continue
		}
		mass := 0.0
		if l := lot(k.Child); l != nil && units.IsMass(l.UOM) {
			mass = l.WetTonnes
		}
		in, known := 0.0, true
		var where []string
		for _, p := range c.in[k.Child] {
			if epcis.Canonical(p.Container) != parent {
				continue
			}
			w, ok := PackedWet(p, mass)
			if !ok {
				known = false
				break
			}
			in += w
			where = append(where, "event "+p.EventID)
		}
		if !known {
			continue
		}
		taking[k.Child] += t
		if taking[k.Child] <= in*(1+UnpackTolerance)+1e-9 {
			continue
		}
		done[k.Child] = true
		held := fmt.Sprintf("only %s t of it is packed there (%s)", fmtTonnes(in), strings.Join(where, ", "))
		if len(where) == 0 {
			held = "none of it is packed there"
		}
		errs = append(errs, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("/childQuantityList/%d/quantity", nq), Reason: fmt.Sprintf(
			"unpacks %s t of lot %s from %s, but %s: an unpacking takes out at most what was packed in and not yet unpacked (EPCIS 2.0 §7.3.5.3; tolerance %s %%)",
			fmtTonnes(taking[k.Child]), childName(ev, k), ev.ParentID, held, units.Fixed(UnpackTolerance*100, 1))})
	}
	return errs
}

// packedTonnes is a packing's mass in tonnes; false when it states none
// (the whole of the child).
func packedTonnes(p critmin.Packing) (float64, bool) {
	if p.Quantity == nil || !units.IsMass(p.UOM) {
		return 0, false
	}
	t, err := units.ToTonnes(*p.Quantity, p.UOM)
	return t, err == nil
}

// childName is a child as the event spells it.
func childName(ev *critmin.Event, k critmin.Packing) string {
	for _, q := range ev.Quantities {
		if q.Role == critmin.RoleChild && epcis.Canonical(q.EPCClass) == k.Child {
			return q.EPCClass
		}
	}
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleChild && epcis.Canonical(e.EPC) == k.Child {
			return e.EPC
		}
	}
	return k.Child
}

// SortPackingEvents orders stored aggregation events as they happened
// (event time, then storage order), for replay into a Containment.
func SortPackingEvents(evs []*critmin.Event, order []int64) {
	idx := make([]int, len(evs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ea, eb := evs[idx[a]], evs[idx[b]]
		if !ea.EventTime.Equal(eb.EventTime) {
			return ea.EventTime.Before(eb.EventTime)
		}
		return order[idx[a]] < order[idx[b]]
	})
	se, so := make([]*critmin.Event, len(evs)), make([]int64, len(evs))
	for i, j := range idx {
		se[i], so[i] = evs[j], order[j]
	}
	copy(evs, se)
	copy(order, so)
}

// CheckPackingCycle refuses an AggregationEvent ADD or OBSERVE that packs
// a child into a parent that is the child itself or is, directly or
// through other containers, packed in that child now (EPCIS 2.0 §7.3.5:
// the containment hierarchy is a tree; a pallet cannot be inside the case
// it holds). The packings that close the loop may come from this capture
// or from any earlier one: load is asked for the stored packings of each
// container on the way up that c does not know yet (it must Load them
// into c). Pointers are relative to the event; the reason names the
// chain of containers.
func CheckPackingCycle(ev *critmin.Event, c *Containment, load func(ids []string) error) ([]critmin.FieldError, error) {
	if ev.Type != critmin.AggregationEvent || (ev.Action != "ADD" && ev.Action != "OBSERVE") || ev.ParentID == "" || ev.ErrorDeclaration != nil {
		return nil, nil
	}
	parent := epcis.Canonical(ev.ParentID)
	// up[x] is the container x is packed in, on the walk from parent
	// upwards (breadth first, each container once).
	up := map[string]critmin.Packing{}
	// name is each container's spelling as its event wrote it.
	name := map[string]string{parent: ev.ParentID}
	seen := map[string]bool{parent: true}
	frontier := []string{parent}
	for len(frontier) > 0 {
		var unknown []string
		for _, x := range frontier {
			if !c.Known(x) {
				unknown = append(unknown, x)
			}
		}
		if len(unknown) > 0 {
			if err := load(unknown); err != nil {
				return nil, err
			}
			for _, x := range unknown {
				c.Load(x, nil) // known from now on, even with no packing
			}
		}
		var next []string
		for _, x := range frontier {
			for _, p := range c.in[x] {
				box := epcis.Canonical(p.Container)
				if seen[box] {
					continue
				}
				seen[box] = true
				name[box] = p.Container
				p.Child = x
				up[box] = p
				next = append(next, box)
			}
		}
		frontier = next
	}
	var errs []critmin.FieldError
	ptrs := childPointers(ev)
	for i, k := range Children(ev) {
		ptr := ptrs[i]
		if k.Child == parent {
			errs = append(errs, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf(
				"%s is the event's own parentID: packing a container into itself makes a cycle in the containment hierarchy (EPCIS 2.0 §7.3.5)", childName(ev, k))})
			continue
		}
		if !seen[k.Child] {
			continue
		}
		// The chain from the child down to the parent: child ⊃ … ⊃ parent.
		var chain []string
		for x := k.Child; x != parent; {
			p := up[x]
			chain = append(chain, fmt.Sprintf("%s holds %s (event %s)", name[x], name[p.Child], p.EventID))
			x = p.Child
		}
		errs = append(errs, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf(
			"packing %s into %s would make a cycle in the containment hierarchy: %s; a container cannot be packed, directly or through other containers, into what it holds (EPCIS 2.0 §7.3.5); unpack it first with an AggregationEvent DELETE",
			childName(ev, k), ev.ParentID, strings.Join(chain, ", "))})
	}
	return errs, nil
}

// CheckRepackingAt judges a packing or unpacking ev (an AggregationEvent)
// at its own eventTime (EPCIS 2.0 §7.3: when it happened, whenever it is
// recorded), as custody's standing check judges movements: hist holds the
// other AggregationEvents of its children — the stored ones
// (PackingEvents: those naming them, and the DELETEs emptying their
// containers), then the document's earlier ones — in any order. They are
// replayed in event time (equal times in the order given) up to ev's
// time, and ev is judged against where its children were then
// (CheckRepacking): a lot unpacked from C1 on 10 October was still in C1
// on 5 October, so a packing into C2 dated 5 October is refused, whenever
// it is entered. The events of hist dated after ev are then replayed on
// top of it: one that passed without ev and does not with it (ev, entered
// late, packed the lot into C3 before its recorded packing into C1)
// refuses ev, naming that event. An event of hist with ev's eventID (ev
// sent again) or declared in error is left out. Pointers are relative to
// the event.
//
// drawn, when given, is what the lots' own movements drew out of their
// containers by ev's time beyond their loose rest (DrawnBetween; sqldb
// PackedIn, custody.ContainedAt): it is taken out of the replay before ev
// is judged, so that the packing check and the unpacking check read what
// a container holds by the rule a run fed it whole reads (new-user check
// after fixNe: 6 t of L in E1 and 8 t of the 10 t lot shipped by a
// line leave 2 t in E1; 8 t of L packed at the destination was refused
// as 6 + 8 = 14 t packed).
func CheckRepackingAt(ev *critmin.Event, hist []*critmin.Event, lot func(id string) *critmin.Lot, drawn ...Drawn) []critmin.FieldError {
	if ev.Type != critmin.AggregationEvent || ev.ParentID == "" || ev.ErrorDeclaration != nil {
		return nil
	}
	var seq []*critmin.Event
	for _, e := range hist {
		if e != nil && e != ev && e.ErrorDeclaration == nil && (ev.EventID == "" || e.EventID != ev.EventID) {
			seq = append(seq, e)
		}
	}
	sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
	c := NewContainment(nil)
	i := 0
	for ; i < len(seq) && !seq[i].EventTime.After(ev.EventTime); i++ {
		c.Apply(seq[i])
	}
	for _, d := range drawn {
		c.Unpack(d.Child, d.Container, d.Tonnes)
	}
	if errs := CheckRepacking(ev, c, lot); len(errs) > 0 {
		for k := range errs {
			errs[k].Reason = "at its eventTime " + ev.EventTime.Format(time.RFC3339) + ", " + errs[k].Reason
		}
		return errs
	}
	later := seq[i:]
	if len(later) == 0 {
		return nil
	}
	// Which later events pass without ev (a record made before this
	// check may already be at fault: it does not refuse ev).
	base := NewContainment(nil)
	failed := map[*critmin.Event]bool{}
	for _, e := range seq {
		if len(CheckRepacking(e, base, lot)) > 0 {
			failed[e] = true
		}
		base.Apply(e)
	}
	c.Apply(ev)
	for _, e := range later {
		if fe := CheckRepacking(e, c, lot); len(fe) > 0 && !failed[e] {
			return []critmin.FieldError{{Conflict: true, Pointer: "/eventTime", Reason: fmt.Sprintf(
				"event %s, dated %s, is dated before the recorded event %s (%s of %s, %s), which it would leave at fault: %s — an event entered late may not leave a later packing packing what was already packed (a child is in one container at a time, EPCIS 2.0 §7.3.5); correct the dates, or declare the later event in error first",
				ev.EventID, ev.EventTime.Format(time.RFC3339), e.EventID, e.Action, e.ParentID, e.EventTime.Format(time.RFC3339), fe[0].Reason)}}
		}
		c.Apply(e)
	}
	return nil
}

// Drawn is what movements of lot Child (canonical) drew out of Container
// (canonical), wet tonnes, beyond what unpackings took out.
type Drawn struct {
	Child, Container string
	Tonnes           float64
}

// DrawnBetween is what the lots' movements drew out of each container:
// plain, where packings less unpackings put the lots, less drawn, where
// the lots' movements left them as well (custody.ContainedAt), per lot
// and container, wet tonnes (lotWet gives a lot's wet mass, for a
// packing of the whole lot; 0 when not known).
func DrawnBetween(plain, drawn []critmin.Packing, lotWet func(id string) float64) []Drawn {
	type key struct{ child, container string }
	sum := func(ps []critmin.Packing) (map[key]float64, []key) {
		out := map[key]float64{}
		var order []key
		for _, p := range ps {
			k := key{epcis.Canonical(p.Child), epcis.Canonical(p.Container)}
			w, ok := PackedWet(p, lotWet(k.child))
			if !ok {
				continue
			}
			if _, seen := out[k]; !seen {
				order = append(order, k)
			}
			out[k] += w
		}
		return out, order
	}
	before, order := sum(plain)
	after, _ := sum(drawn)
	var out []Drawn
	for _, k := range order {
		if d := before[k] - after[k]; d > 1e-9 {
			out = append(out, Drawn{Child: k.child, Container: k.container, Tonnes: d})
		}
	}
	return out
}
