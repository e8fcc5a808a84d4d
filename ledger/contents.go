package ledger

import (
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// ContentsAt is what container holds of lots at time at: the
// childQuantityList lines of its AggregationEvents dated at or before at
// (ADD and OBSERVE put a lot in, DELETE takes the lines it names out, a
// DELETE naming no child empties it: Containment.Apply, EPCIS 2.0
// §7.3.5), one line per lot (canonical) with what stays in it: the
// packed quantity less what partial unpackings took out (in the packing's
// unit), nil when a packing states no quantity (the whole lot). packings
// are the container's AggregationEvents not declared in error, in event
// time order (equal times in capture order); the caller leaves out those
// declared in error. Lots packed whole in several packings, or in several
// units, give one line without a quantity. Instances packed in it
// (childEPCs, nested containers) are not followed.
func ContentsAt(container string, packings []*critmin.Event, at time.Time) []critmin.QuantityElement {
	parent := epcis.Canonical(container)
	c := NewContainment(nil)
	var order []string
	seen := map[string]bool{}
	for _, ev := range packings {
		if ev.Type != critmin.AggregationEvent || epcis.Canonical(ev.ParentID) != parent || ev.ErrorDeclaration != nil || ev.EventTime.After(at) {
			continue
		}
		for _, k := range Children(ev) {
			if k.Class && !seen[k.Child] {
				seen[k.Child] = true
				order = append(order, k.Child)
			}
		}
		c.Apply(ev)
	}
	sort.Strings(order)
	var out []critmin.QuantityElement
	for _, lot := range order {
		var line *critmin.QuantityElement
		for _, p := range c.Of(lot) {
			if !p.Class || epcis.Canonical(p.Container) != parent {
				continue
			}
			stays := p.Quantity
			if p.Quantity != nil && p.Unpacked > 0 {
				full := p
				full.Unpacked = 0
				w, ok1 := PackedWet(p, 0)
				all, ok2 := PackedWet(full, 0)
				if ok1 && ok2 && all > 0 {
					v := *p.Quantity * w / all
					stays = &v
				}
			}
			if line == nil {
				line = &critmin.QuantityElement{Role: critmin.RoleEPC, EPCClass: lot, UOM: p.UOM}
				if stays != nil {
					v := *stays
					line.Quantity = &v
				}
				continue
			}
			if line.Quantity != nil && stays != nil && line.UOM == p.UOM {
				*line.Quantity += *stays
			} else {
				line.Quantity, line.UOM = nil, ""
			}
		}
		if line != nil && (line.Quantity == nil || *line.Quantity > 1e-9) {
			out = append(out, *line)
		}
	}
	return out
}

// ContentsSteps are the CBV 2.0 business steps whose ObjectEvent naming a
// container in its epcList moves what is packed in it (CBV 2.0 §7.2:
// dispatch — shipping, departing, loading, transporting — and receipt —
// receiving, arriving, unloading, accepting).
var ContentsSteps = map[string]bool{"shipping": true, "departing": true, "loading": true, "transporting": true,
	"receiving": true, "arriving": true, "unloading": true, "accepting": true}

// MovesContents reports whether ev moves the contents of the containers
// it names: an ObjectEvent OBSERVE of a ContentsSteps step naming
// instances in its epcList.
func MovesContents(ev *critmin.Event) bool {
	if ev.Type != critmin.ObjectEvent || ev.Action != "OBSERVE" || !ContentsSteps[stepOf(ev.BizStep)] {
		return false
	}
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleEPC {
			return true
		}
	}
	return false
}

// FeedsContainers reports whether ev is a TransformationEvent naming
// instances in its inputEPCList: a container (an SSCC) fed whole stands
// for what is packed in it (docs/origin.md "Inputs named by instance"),
// so the run consumes it lot by lot (WithContents).
func FeedsContainers(ev *critmin.Event) bool {
	if ev.Type != critmin.TransformationEvent {
		return false
	}
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleInput {
			return true
		}
	}
	return false
}

// WithinRemaining is lines, the contents of containers a run is fed whole
// (FeedsContainers), with each lot's lines cut to what the run may take
// of the lot (remaining: wet tonnes, FedHolding; ok false when not
// known), drawn in the order given: a lot's movements take its loose
// rest first and then draw on its containers (docs/origin.md), so a
// container holds no more of a lot than what stands of it at its site —
// 10 t, 3 t packed into S, 8 t shipped (7 t loose, 1 t out of S): S fed
// whole brings 2 t, not 3. A line without a quantity, or not in a mass
// unit, is left as it is.
func WithinRemaining(lines []critmin.QuantityElement, remaining func(lot string) (float64, bool)) []critmin.QuantityElement {
	left := map[string]float64{}
	known := map[string]bool{}
	out := make([]critmin.QuantityElement, 0, len(lines))
	for _, q := range lines {
		k := epcis.Canonical(q.EPCClass)
		if _, seen := known[k]; !seen {
			left[k], known[k] = remaining(k)
		}
		if !known[k] || q.Quantity == nil || !units.IsMass(q.UOM) {
			out = append(out, q)
			continue
		}
		t, err := units.ToTonnes(*q.Quantity, q.UOM)
		if err != nil {
			out = append(out, q)
			continue
		}
		take := max(0, min(t, left[k]))
		left[k] -= take
		if take < t {
			v, err := units.FromTonnes(take, q.UOM)
			if err != nil {
				out = append(out, q)
				continue
			}
			q.Quantity = &v
		}
		out = append(out, q)
	}
	return out
}

// FedHolding is what a run ev fed containers whole may take of lot l
// through them, wet tonnes: what stands of l at the run's site
// (HoldingOf: the body or the parts there the run concerns). A lot's
// movements take its loose rest at a site first and then draw on its
// containers there (docs/origin.md), so the containers there hold no
// more of it than stands there: 10 t of L, 6 t packed into E1, 8 t
// shipped from the site (4 t loose, 4 t out of E1) — 2 t stand, all in
// E1, and E1 fed whole brings 2 t, not 6. ok is false when l is not
// known, consumed, has no mass, or nothing of it stands there (the
// line is then left as it is, for the checks to judge).
func FedHolding(l *critmin.Lot, ev *critmin.Event) (float64, bool) {
	if l == nil || l.Status == critmin.LotConsumed || !units.IsMass(l.UOM) || l.WetTonnes <= 0 {
		return 0, false
	}
	h, ok := HoldingOf(l, ev)
	if !ok {
		if drained(l, eventSite(ev)) {
			// Its body stands at the site drained by its own line
			// draws, and no part of it stands there: its containers
			// there hold none of it (n8c s21: 6 t in C1 shipped, the
			// 4 t packed in C2 taken by a run's line; [C2] then shipped
			// carried 4 t, and its receipt was refused as received).
			return 0, true
		}
		return 0, false
	}
	return h.WetTonnes, true
}

// drained says whether lot l's body is in stock at site with nothing of
// it left (more than 1e-9 t), and no received part of l is there.
func drained(l *critmin.Lot, site string) bool {
	if site == "" || l.Status != critmin.LotInStock || l.Location == "" || epcis.Canonical(l.Location) != epcis.Canonical(site) || l.RemainingWetTonnes() > 1e-9 {
		return false
	}
	return !receivedAt(l, site)
}

// ReadsContents reports whether ev is given the lots its containers hold
// (WithContents): it moves them (MovesContents) or feeds them to a run
// (FeedsContainers).
func ReadsContents(ev *critmin.Event) bool {
	return MovesContents(ev) || FeedsContainers(ev)
}

// WithContents is ev with a quantityList line for each lot of contents
// (ContentsAt of the containers it names) that ev does not name itself:
// the lines Project moves as if the event had named them. A lot ev names
// by quantity moves as its line says: the line states what moved of the
// lot, what travels in the named containers included (the demo's
// departure of MSKU1234565 with 25 t of REE-2025-001 in it moves 25 t,
// not 50), and a receipt's line is the weight found on arrival. A lot
// ev does not name, held in several of the containers it names (one
// line per container in contents), moves as one line holding the sum
// of them (sumLines): a 10 t lot packed 6 t into C1 and 4 t into C2
// moves 10 t in [C1, C2], not C1's 6 t alone (new-user finding nu38a:
// the second container's share was dropped, and 4 t more of the lot
// shipped loose put 14 t of it in motion). ev is not changed. The lines
// added are also in Carried, after any ev had.
//
// A run fed containers whole (FeedsContainers) is given an input line
// (inputQuantityList) of each lot they held, and the containers of fed
// (canonical: those whose contents gave a line) leave its inputEPCList:
// the run consumes the lots, which become its parents in the genealogy,
// instead of the container standing for them — counting both would
// count the metal twice. An input line of the lot the run states itself
// states what the run took of it, its containers' share included (a
// container holding 2 t of Lb fed whole beside "Lb 2 t" takes 2 t, not
// 4), as a shipment's line does.
func WithContents(ev *critmin.Event, contents []critmin.QuantityElement, fed ...string) *critmin.Event {
	if len(contents) == 0 {
		return ev
	}
	run := ev.Type == critmin.TransformationEvent
	named := map[string]bool{}
	for _, q := range ev.Quantities {
		if !run || q.Role == critmin.RoleInput {
			named[epcis.Canonical(q.EPCClass)] = true
		}
	}
	var order, namedOrder []string
	lines := map[string][]critmin.QuantityElement{}
	namedLines := map[string][]critmin.QuantityElement{}
	// A receipt, or a carrier's step of the trip (n8d s34, s45: [D2]
	// departing a port on the way with "L 4 t", [D1] transporting at the
	// vessel with "L 6 t"), naming some of the trip's containers beside a
	// line of its own weighs their share by it.
	receipt := !run && (receiptSteps[stepOf(ev.BizStep)] || dispatchSteps[stepOf(ev.BizStep)])
	for _, q := range contents {
		k := epcis.Canonical(q.EPCClass)
		if named[k] {
			if receipt {
				// The receipt's own line weighs what these containers
				// carried of the lot (CarriedNamed), not the whole trip
				// (n8c s9: [D1] received with "X 6 t" of a 10 t lot
				// shipped in [D1, D2] closed the whole trip at 6 t).
				if namedLines[k] == nil {
					namedOrder = append(namedOrder, k)
				}
				namedLines[k] = append(namedLines[k], q)
			}
			continue
		}
		if lines[k] == nil {
			order = append(order, k)
		}
		lines[k] = append(lines[k], q)
	}
	c := *ev
	c.Quantities = append([]critmin.QuantityElement(nil), ev.Quantities...)
	c.Carried = append([]critmin.QuantityElement(nil), ev.Carried...)
	c.CarriedNamed = append([]critmin.QuantityElement(nil), ev.CarriedNamed...)
	for _, k := range namedOrder {
		c.CarriedNamed = append(c.CarriedNamed, sumLines(namedLines[k]))
	}
	for _, k := range order {
		q := sumLines(lines[k])
		if run {
			q.Role = critmin.RoleInput
		}
		c.Quantities = append(c.Quantities, q)
		c.Carried = append(c.Carried, q)
	}
	if run && len(fed) > 0 {
		gone := map[string]bool{}
		for _, f := range fed {
			gone[epcis.Canonical(f)] = true
		}
		c.EPCs = nil
		for _, e := range ev.EPCs {
			if e.Role == critmin.RoleInput && gone[epcis.Canonical(e.EPC)] {
				continue
			}
			c.EPCs = append(c.EPCs, e)
		}
	}
	return &c
}

// tripContentsSteps are the ContentsSteps that end or continue a
// container's trip (CBV 2.0 §7.2: a receipt, or a transporting seen on
// the way): what they move is what the trip's dispatch carried
// (ReadsTrip, Carried).
var tripContentsSteps = map[string]bool{"receiving": true, "arriving": true, "unloading": true, "accepting": true, "transporting": true}

// dispatchContentsSteps are the ContentsSteps that start a container's
// trip: shipping, departing, loading.
var dispatchContentsSteps = map[string]bool{"shipping": true, "departing": true, "loading": true}

// ReadsTrip reports whether ev, an event that moves the contents of the
// containers it names (MovesContents), ends or continues their trip — a
// receiving, arriving, unloading, accepting or transporting — and so
// moves what the trip's dispatch carried in them (TripOf, Carried).
func ReadsTrip(ev *critmin.Event) bool {
	return MovesContents(ev) && tripContentsSteps[stepOf(ev.BizStep)]
}

// TripOf is the dispatch among moves (live events naming container in
// their epcList, captured before receipt) whose trip receipt ends or
// continues (ReadsTrip): the latest dispatch (shipping, departing,
// loading) of
// container dated at or before receipt, under receipt's bill of lading
// when it names one and one does; nil when none.
func TripOf(container string, moves []*critmin.Event, receipt *critmin.Event) *critmin.Event {
	c := epcis.Canonical(container)
	bol := billOfLading(receipt)
	var last, lastOnBill *critmin.Event
	for _, m := range moves {
		if !MovesContents(m) || !dispatchContentsSteps[stepOf(m.BizStep)] || m.EventTime.After(receipt.EventTime) || m.ErrorDeclaration != nil {
			continue
		}
		names := false
		for _, e := range m.EPCs {
			names = names || e.Role == critmin.RoleEPC && epcis.Canonical(e.EPC) == c
		}
		if !names {
			continue
		}
		if last == nil || !m.EventTime.Before(last.EventTime) {
			last = m
		}
		if bol != "" && billOfLading(m) == bol && (lastOnBill == nil || !m.EventTime.Before(lastOnBill.EventTime)) {
			lastOnBill = m
		}
	}
	if lastOnBill != nil {
		return lastOnBill
	}
	return last
}

// Carried is what dispatch ship carried in container (canonical), lot by
// lot: held gives what each container ship names held at ship's time
// (ContentsAt). A lot ship also names by a quantity line travelled as
// that line says, its containers' share included (WithContents: the demo's
// departure of MSKU1234565 with 25 t of REE-2025-001 in it moved 25 t),
// so each container holding it carried its packed share of the line:
// packed × min(1, line ÷ packed in all ship's containers) — 6 t packed
// beside a 5 t line carried 5 t; 6 t and 6 t in two containers beside
// a 10 t line carried 5 t each; 6 t beside a 10 t line carried 6 t (the
// other 4 t travelled loose). A lot packed whole (no packed quantity)
// in the one container holding it carried the line's quantity; in
// several, no quantity can be told (nil). A line stating no quantity,
// or one not in a mass unit, leaves what was packed.
func Carried(ship *critmin.Event, container string, held func(container string) []critmin.QuantityElement) []critmin.QuantityElement {
	c := epcis.Canonical(container)
	mine := held(c)
	if len(mine) == 0 {
		return mine
	}
	// The lines ship states of each lot, wet tonnes.
	stated := map[string]float64{}
	unit := map[string]string{}
	bad := map[string]bool{}
	for _, q := range ship.Quantities {
		if q.Role != "" && q.Role != critmin.RoleEPC {
			continue
		}
		k := epcis.Canonical(q.EPCClass)
		if q.Quantity == nil || !units.IsMass(q.UOM) {
			bad[k] = true
			continue
		}
		t, err := units.ToTonnes(*q.Quantity, q.UOM)
		if err != nil {
			bad[k] = true
			continue
		}
		stated[k] += t
		unit[k] = q.UOM
	}
	if len(stated) == 0 {
		return mine
	}
	// What every container of ship held of each lot it states.
	packed := map[string]float64{}
	holders := map[string]int{}
	whole := map[string]bool{}
	seen := map[string]bool{}
	for _, e := range ship.EPCs {
		k := epcis.Canonical(e.EPC)
		if e.Role != critmin.RoleEPC || seen[k] {
			continue
		}
		seen[k] = true
		for _, q := range held(k) {
			lot := epcis.Canonical(q.EPCClass)
			if _, ok := stated[lot]; !ok {
				continue
			}
			holders[lot]++
			t, err := 0.0, error(nil)
			if q.Quantity != nil && units.IsMass(q.UOM) {
				t, err = units.ToTonnes(*q.Quantity, q.UOM)
			}
			if q.Quantity == nil || !units.IsMass(q.UOM) || err != nil {
				whole[lot] = true
				continue
			}
			packed[lot] += t
		}
	}
	out := make([]critmin.QuantityElement, 0, len(mine))
	for _, q := range mine {
		lot := epcis.Canonical(q.EPCClass)
		line, ok := stated[lot]
		if !ok || bad[lot] {
			out = append(out, q)
			continue
		}
		switch {
		case whole[lot] && holders[lot] == 1:
			v, err := units.FromTonnes(line, unit[lot])
			if err == nil {
				q.Quantity, q.UOM = &v, unit[lot]
			}
		case whole[lot]:
			q.Quantity, q.UOM = nil, ""
		case packed[lot] > line:
			t, err := units.ToTonnes(*q.Quantity, q.UOM)
			if err != nil {
				break
			}
			if v, err := units.FromTonnes(t*line/packed[lot], q.UOM); err == nil {
				q.Quantity = &v
			}
		}
		out = append(out, q)
	}
	return out
}

// WithoutCarried is ev without the lines WithContents gave it (ev itself
// when it has none): the event as captured, but for a run fed containers
// whole, whose containers stay out of its inputEPCList (the callers read
// moves of containers, MovesContents, never runs).
func WithoutCarried(ev *critmin.Event) *critmin.Event {
	if len(ev.Carried) == 0 && len(ev.CarriedNamed) == 0 {
		return ev
	}
	carried := map[string]bool{}
	for _, q := range ev.Carried {
		carried[epcis.Canonical(q.EPCClass)] = true
	}
	c := *ev
	c.Quantities = nil
	for _, q := range ev.Quantities {
		// WithContents adds a line only for a lot ev does not name.
		if !carried[epcis.Canonical(q.EPCClass)] {
			c.Quantities = append(c.Quantities, q)
		}
	}
	c.Carried, c.CarriedNamed = nil, nil
	return &c
}
