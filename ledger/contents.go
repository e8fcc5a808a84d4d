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

// WithContents is ev with the lots of contents (ContentsAt of the
// containers it names) as quantityList lines: the lines Project moves as
// if the event had named them. A lot ev also names by quantity
// (quantityList) moves once: the line it names states what moved of the
// lot, what travels in the named containers included (the demo's
// departure of MSKU1234565 with 25 t of REE-2025-001 in it; an event
// naming C5, which holds 4 t of KH, and 6 t of KH ships 6 t, 4 t of it in
// C5) — but never less than the containers held of it: naming 2 t of KH
// beside C5 ships C5's 4 t (nu36-2), and a lot packed whole (no
// quantity) ships whole. Lines in another unit that cannot be compared
// leave the named line as it is. ev is not changed.
func WithContents(ev *critmin.Event, contents []critmin.QuantityElement) *critmin.Event {
	if len(contents) == 0 {
		return ev
	}
	named := map[string]int{}
	for i, q := range ev.Quantities {
		if k := epcis.Canonical(q.EPCClass); q.Role == critmin.RoleEPC || q.Role == "" {
			if _, ok := named[k]; !ok {
				named[k] = i
			}
		} else if _, ok := named[k]; !ok {
			named[k] = -1 - i // named in another role: not moved as its contents
		}
	}
	c := *ev
	c.Quantities = append([]critmin.QuantityElement(nil), ev.Quantities...)
	for _, q := range contents {
		k := epcis.Canonical(q.EPCClass)
		i, ok := named[k]
		if !ok {
			named[k] = len(c.Quantities)
			c.Quantities = append(c.Quantities, q)
			continue
		}
		if i < 0 {
			continue
		}
		c.Quantities[i] = addLine(c.Quantities[i], q)
	}
	return &c
}

// addLine is line raised to at least more of its lot (WithContents):
// the whole lot when more states no quantity; more's mass in line's unit
// when it is the larger; line unchanged otherwise.
func addLine(line, more critmin.QuantityElement) critmin.QuantityElement {
	if line.Quantity == nil {
		return line
	}
	if more.Quantity == nil {
		line.Quantity, line.UOM = nil, ""
		return line
	}
	held := *more.Quantity
	if more.UOM != line.UOM {
		t, ok := lineTonnes(more)
		if !ok || !units.IsMass(line.UOM) {
			return line
		}
		v, err := units.FromTonnes(t, line.UOM)
		if err != nil {
			return line
		}
		held = v
	}
	if held > *line.Quantity {
		line.Quantity = &held
	}
	return line
}
