package ledger

import (
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
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

// WithContents is ev with a quantityList line for each lot of contents
// (ContentsAt of the containers it names) that ev does not name itself:
// the lines Project moves as if the event had named them. A lot ev names
// by quantity moves as its line says: the line states what moved of the
// lot, what travels in the named containers included (the demo's
// departure of MSKU1234565 with 25 t of REE-2025-001 in it moves 25 t,
// not 50), and a receipt's line is the weight found on arrival. ev is
// not changed. The lines added are also in Carried, after any ev had.
func WithContents(ev *critmin.Event, contents []critmin.QuantityElement) *critmin.Event {
	if len(contents) == 0 {
		return ev
	}
	named := map[string]bool{}
	for _, q := range ev.Quantities {
		named[epcis.Canonical(q.EPCClass)] = true
	}
	c := *ev
	c.Quantities = append([]critmin.QuantityElement(nil), ev.Quantities...)
	c.Carried = append([]critmin.QuantityElement(nil), ev.Carried...)
	for _, q := range contents {
		k := epcis.Canonical(q.EPCClass)
		if named[k] {
			continue
		}
		named[k] = true
		c.Quantities = append(c.Quantities, q)
		c.Carried = append(c.Carried, q)
	}
	return &c
}

// WithoutCarried is ev without the lines WithContents gave it (ev itself
// when it has none): the event as captured.
func WithoutCarried(ev *critmin.Event) *critmin.Event {
	if len(ev.Carried) == 0 {
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
	c.Carried = nil
	return &c
}
