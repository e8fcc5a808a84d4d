package ledger

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// ContainerShare is the most container can still hold of lot l when
// event ev (a run fed it whole, or a dispatch of it) reads it at its
// site, wet tonnes, for a container that brought the lot there: what is
// left of the parts of l received at ev's site that travelled in it
// (critmin.LotPart.Containers), less what runs took of them since. A
// run's inputQuantityList line of the lot takes of those parts when
// nothing else of the lot stands there (docs/origin.md: a lot's loose
// rest first, then its containers): that draw came out of the container,
// and the container holds the rest only (issue 9, new-user check n9a-1,
// n9a-2: P 5 t travelled in C beside K 5 t, a run drew P 5 t by line,
// then P's other 5 t arrived loose; C fed whole took those 5 t as if
// they were in C — O2 read 50 % Pakistan instead of 100 % China, and
// P's loose 5 t were consumed). ok is false when no such part stands
// there (the body stands there, or the lot did not travel in container):
// FedHolding's rule then stands alone.
func ContainerShare(l *critmin.Lot, ev *critmin.Event, container string) (float64, bool) {
	if l == nil || container == "" || !units.IsMass(l.UOM) || l.WetTonnes <= 0 {
		return 0, false
	}
	site := eventSite(ev)
	if site == "" || BodyStands(l, site) {
		return 0, false
	}
	c := epcis.Canonical(container)
	var idx []int
	for i, p := range l.Parts {
		if p.Status != critmin.PartReceived || epcis.Canonical(p.To) != epcis.Canonical(site) {
			continue
		}
		for _, x := range p.Containers {
			if epcis.Canonical(x) == c {
				idx = append(idx, i)
				break
			}
		}
	}
	if len(idx) == 0 {
		return 0, false
	}
	// The parties' holding ev concerns, as HoldingOf picks it.
	if h, ok := HoldingOf(l, ev); ok && !h.Body {
		in := map[int]bool{}
		for _, i := range h.Parts {
			in[i] = true
		}
		kept := idx[:0:0]
		for _, i := range idx {
			if in[i] {
				kept = append(kept, i)
			}
		}
		idx = kept
	}
	t := 0.0
	for _, i := range idx {
		t += l.Parts[i].LeftTonnes()
	}
	return t, true
}

// WithinContainers is lines, the contents of containers an event reads
// (boxes[i] is the container, canonical, of lines[i]), with each lot's
// lines of one container cut to what the container can still hold of it
// (share: ContainerShare; ok false when not told). A line cut to nothing
// is dropped: the container no longer holds any of that lot. It returns
// the lines kept and their containers. A line without a quantity, or not
// in a mass unit, is left as it is.
func WithinContainers(lines []critmin.QuantityElement, boxes []string, share func(lot, box string) (float64, bool)) ([]critmin.QuantityElement, []string) {
	type key struct{ lot, box string }
	left := map[key]float64{}
	known := map[key]bool{}
	out := make([]critmin.QuantityElement, 0, len(lines))
	outBoxes := make([]string, 0, len(lines))
	for i, q := range lines {
		k := key{epcis.Canonical(q.EPCClass), boxes[i]}
		if _, seen := known[k]; !seen {
			left[k], known[k] = share(k.lot, k.box)
		}
		t, ok := tonnesOf(q)
		if !known[k] || !ok {
			out = append(out, q)
			outBoxes = append(outBoxes, boxes[i])
			continue
		}
		take := max(0, min(t, left[k]))
		left[k] -= take
		if take <= 1e-9 {
			continue
		}
		if take < t {
			v, err := units.FromTonnes(take, q.UOM)
			if err != nil {
				out = append(out, q)
				outBoxes = append(outBoxes, boxes[i])
				continue
			}
			q.Quantity = &v
		}
		out = append(out, q)
		outBoxes = append(outBoxes, boxes[i])
	}
	return out, outBoxes
}
