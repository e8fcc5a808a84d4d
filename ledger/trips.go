package ledger

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// Holdings reads what containers hold once their trips are counted
// (new-user finding nu38a-b): a dispatch whose quantity line states less
// of a lot than was packed in the container carried the line's share
// (Carried: 6 t packed beside a 5 t line carried 5 t), so after that
// trip the container holds what it carried — an onward shipment,
// departure or loading of it alone moves 5 t, a receipt of that onward
// trip receives 5 t, and an unpacking there releases 5 t — not the 6 t
// packed. Packings reads a container's (canonical) live
// AggregationEvents in event-time order (ContentsAt); Moves its live
// ObjectEvents naming it in their epcList, as captured (WithoutCarried).
//
// Feeds, when set, reads the live runs that fed the container whole and
// took what it held (FeedsContainers, with contents): such a run empties
// the container (the lots it held went into the run's products), so
// what was packed before it no longer counts — 6 t of L packed into E1
// and E1 fed whole to run RA: E1 holds nothing after RA until something
// is packed into it again (new-user check after fixNe: a second run fed
// E1 whole took L's loose 4 t).
//
// Recorded, when set, gives what a dispatch moved in each container
// (canonical) as it was recorded (event_contents): what the container
// held less what the lot's own line draws had taken out of it (n8b
// wrong refusal 1: 6 t packed in C1 and 4 t of them drawn by an 8 t line
// shipment, [C1] shipped moves 2 t). A trip's carried share is read from
// it (CarriedBy), so that its receipt receives what the dispatch moved;
// ok false when the dispatch's contents are not recorded (HeldAt then).
type Holdings struct {
	Packings func(container string) ([]*critmin.Event, error)
	Moves    func(container string) ([]*critmin.Event, error)
	Feeds    func(container string) ([]*critmin.Event, error)
	Recorded func(ev *critmin.Event) (map[string][]critmin.QuantityElement, bool, error)
	// Drawn, when set, reads the line draws out of a container
	// (canonical): what movements of its lots stating a quantity — a
	// shipment, a run's input line — took out of it beyond the lots'
	// loose rest at its site, each at its own time (custody.LineDraws).
	Drawn func(container string) ([]LineDraw, error)
	// Material, when set, says whether an instance identifier
	// (canonical) was commissioned as a lot of its own — an ObjectEvent
	// ADD naming it in its epcList with its own ILMD (a bag by SGTIN,
	// critmin.Event.LotLines) — as the lots are projected so far. Such
	// an instance never packed into (no packing names it as parent) is
	// material: it "holds" itself, so an event moving or feeding it
	// moves or consumes that lot; one packed into a container by
	// childEPCs is held by the container as a line of its own, with no
	// quantity (its mass is unknown unless stated: docs/origin.md
	// "Inputs by EPC count"; nuq10 s14, fixQx).
	Material func(id string) (bool, error)
}

// LineDraw is what movement EventID (stored as PK; 0 when not stored yet)
// at At took of lot Lot (canonical) out of Container (canonical), wet
// tonnes, beyond the lot's loose rest at the container's site (loose
// stock first, then its containers, oldest packing first; docs/forms.md).
type LineDraw struct {
	Lot, Container, EventID string
	PK                      int64
	At                      time.Time
	Tonnes                  float64
}

// drawsBefore is the line draws out of c (Drawn) that count at at for
// self: dated before at, or at at and neither self nor captured after a
// stored self; in event-time order.
func (h Holdings) drawsBefore(c string, at time.Time, self *critmin.Event) ([]LineDraw, error) {
	if h.Drawn == nil {
		return nil, nil
	}
	all, err := h.Drawn(c)
	if err != nil {
		return nil, err
	}
	var out []LineDraw
	for _, d := range all {
		if d.At.After(at) || self != nil && d.EventID == self.EventID {
			continue
		}
		if d.At.Equal(at) && self != nil && self.PK > 0 && (d.PK == 0 || d.PK > self.PK) {
			continue
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// heldBy is what each container ship names held when it left: as
// recorded with it (Recorded), else HeldAt.
func (h Holdings) heldBy(ship *critmin.Event) (func(k string) []critmin.QuantityElement, *error) {
	var ferr error
	var rec map[string][]critmin.QuantityElement
	ok := false
	if h.Recorded != nil {
		var err error
		rec, ok, err = h.Recorded(ship)
		if err != nil {
			ferr = err
		}
	}
	return func(k string) []critmin.QuantityElement {
		if ok {
			return rec[k]
		}
		lines, err := h.HeldAt(k, ship.EventTime, ship)
		if err != nil && ferr == nil {
			ferr = err
		}
		return lines
	}, &ferr
}

// packings is container's (canonical) packings with, for each run that
// fed it whole dated at or before at (Feeds; self and runs declared in
// error left out), an AggregationEvent DELETE naming no child at the
// run's time, after the packings of that time: the run emptied it.
func (h Holdings) packings(c string, at time.Time, self *critmin.Event) ([]*critmin.Event, error) {
	packs, err := h.Packings(c)
	if err != nil || h.Feeds == nil {
		return packs, err
	}
	feeds, err := h.fedBefore(c, at, self)
	if err != nil || len(feeds) == 0 {
		return packs, err
	}
	out := append([]*critmin.Event(nil), packs...)
	for _, f := range feeds {
		out = append(out, &critmin.Event{Type: critmin.AggregationEvent, Action: "DELETE", ParentID: c, EventID: f.EventID, EventTime: f.EventTime})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime.Before(out[j].EventTime) })
	return out, nil
}

// fedBefore is the runs of Feeds that fed c (canonical) whole at or
// before at, other than self, in event-time order.
func (h Holdings) fedBefore(c string, at time.Time, self *critmin.Event) ([]*critmin.Event, error) {
	if h.Feeds == nil {
		return nil, nil
	}
	all, err := h.Feeds(c)
	if err != nil {
		return nil, err
	}
	var out []*critmin.Event
	seen := map[string]bool{}
	for _, f := range all {
		if f == nil || f.ErrorDeclaration != nil || f.EventTime.After(at) || self != nil && f.EventID == self.EventID || seen[f.EventID] {
			continue
		}
		seen[f.EventID] = true
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime.Before(out[j].EventTime) })
	return out, nil
}

// EmptiedBy is the run that emptied container (canonical) by being fed
// it whole (Feeds), when nothing was packed into or taken out of it
// since, up to at: a run fed it at at (self) would be fed an emptied
// container, whose lots are already in that run's products. nil when
// no such run.
func (h Holdings) EmptiedBy(container string, at time.Time, self *critmin.Event) (*critmin.Event, error) {
	c := epcis.Canonical(container)
	feeds, err := h.fedBefore(c, at, self)
	if err != nil || len(feeds) == 0 {
		return nil, err
	}
	last := feeds[len(feeds)-1]
	packs, err := h.Packings(c)
	if err != nil {
		return nil, err
	}
	for _, p := range packs {
		if p.EventTime.After(last.EventTime) && !p.EventTime.After(at) && p.ErrorDeclaration == nil {
			return nil, nil
		}
	}
	return last, nil
}

// HeldAt is what container (canonical) holds at at: ContentsAt of its
// packings less, lot by lot, what its earlier dispatches (shipping,
// departing, loading naming it, dated before at — or at at when self is
// not itself a dispatch — other than self) did not carry of what it held
// then (Carried), in wet tonnes: GA packed 6 t into C1 and shipped
// beside a 5 t line leaves C1 holding 6 − (6 − 5) = 5 t. What a trip left
// behind stops counting once the lot is emptied out of the container
// (a later packing of it starts afresh), as does everything packed
// before a run fed it whole (Feeds). A lot packed without a quantity
// (the whole lot) is read as ContentsAt reads it. self may be nil.
//
// A receipt of the container's trip (receiving, arriving, unloading,
// accepting naming it, dated before at — or at at when self is not a
// dispatch — other than self) that weighs a lot by a quantity line of
// its own weighs what the containers it names carried of that lot
// (critmin.Event.CarriedNamed): from then on the container holds its
// share of the weighed figure, held × line ÷ what all the containers it
// names held of the lot, and every other lot in it keeps what it held
// (issue 9, new-user check n8e-2: L packed 6 t into D1 and 4 t into D2,
// [D1] received with "L 5.4 t" — D1 holds 5.4 t of L, and a run fed D1
// whole took the packed 6 t).
func (h Holdings) HeldAt(container string, at time.Time, self *critmin.Event) ([]critmin.QuantityElement, error) {
	selfDispatch := self != nil && MovesContents(self) && !ReadsTrip(self)
	return h.heldAt(container, at, self, !selfDispatch)
}

// heldAt is HeldAt counting the receipts dated before at, and those
// dated at at when atAt: what a receipt's line weighs is read from the
// other containers it names as they held the lot just before it (no
// receipt of that instant counted), so the reading ends.
func (h Holdings) heldAt(container string, at time.Time, self *critmin.Event, atAt bool) ([]critmin.QuantityElement, error) {
	c := epcis.Canonical(container)
	packs, err := h.packings(c, at, self)
	if err != nil {
		return nil, err
	}
	held := ContentsAt(c, packs, at)
	if len(packs) == 0 && h.Material != nil {
		// A commissioned instance never packed into stands for itself.
		m, err := h.Material(c)
		if err != nil {
			return nil, err
		}
		if m {
			return []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: c}}, nil
		}
	}
	inst, err := h.instancesIn(c, packs, at)
	if err != nil {
		return nil, err
	}
	held = append(held, inst...)
	if len(held) == 0 {
		return held, nil
	}
	draws, err := h.drawsBefore(c, at, self)
	if err != nil {
		return nil, err
	}
	var moves []*critmin.Event
	if h.Moves != nil {
		if moves, err = h.Moves(c); err != nil {
			return nil, err
		}
	}
	selfDispatch := self != nil && MovesContents(self) && !ReadsTrip(self)
	var trips []*critmin.Event
	for _, m := range moves {
		if m.ErrorDeclaration != nil || !MovesContents(m) || (self != nil && m.EventID == self.EventID) {
			continue
		}
		if ReadsTrip(m) {
			if receiptSteps[stepOf(m.BizStep)] && (m.EventTime.Before(at) || atAt && m.EventTime.Equal(at)) {
				if m = WithoutCarried(m); namesInstance(m, c) && len(weighedLines(m)) > 0 {
					trips = append(trips, m)
				}
			}
			continue
		}
		if m.EventTime.After(at) || selfDispatch && m.EventTime.Equal(at) {
			continue
		}
		m = WithoutCarried(m)
		if !namesInstance(m, c) {
			continue
		}
		if len(m.Quantities) == 0 {
			// A dispatch stating no line carried what was packed, or
			// what it recorded it moved, once line draws are counted
			// (Recorded: 6 t packed, 4 t drawn by a line, [C1] alone
			// shipped moved 2 t, and C1 holds 2 t after that trip).
			rec := false
			if h.Recorded != nil {
				var err error
				if _, rec, err = h.Recorded(m); err != nil {
					return nil, err
				}
			}
			if !rec {
				continue
			}
		}
		trips = append(trips, m)
	}
	if len(trips) == 0 && len(draws) == 0 {
		return held, nil
	}
	sort.SliceStable(trips, func(i, j int) bool { return trips[i].EventTime.Before(trips[j].EventTime) })
	short := map[string]float64{} // wet tonnes left behind or drawn out, by lot
	var last time.Time
	// drawTo takes the line draws dated up to t (before t when !atT) out
	// of what c holds then (Drawn): a draw takes at most what is left.
	drawTo := func(t time.Time, atT bool) {
		for len(draws) > 0 && (draws[0].At.Before(t) || atT && draws[0].At.Equal(t)) {
			d := draws[0]
			draws = draws[1:]
			emptied(c, packs, last, d.At, short)
			last = d.At
			if in, ok := tonnesOf(lineOf(lessShort(ContentsAt(c, packs, d.At), short), d.Lot)); ok && in > 0 {
				short[d.Lot] += min(d.Tonnes, in)
			}
		}
	}
	for _, m := range trips {
		drawTo(m.EventTime, false)
		emptied(c, packs, last, m.EventTime, short)
		before := lessShort(ContentsAt(c, packs, m.EventTime), short)
		if ReadsTrip(m) {
			if err := h.weighed(m, c, before, short); err != nil {
				return nil, err
			}
			last = m.EventTime
			continue
		}
		held, ferr := h.heldBy(m)
		recorded := false
		if h.Recorded != nil {
			_, ok, err := h.Recorded(m)
			if err != nil {
				return nil, err
			}
			recorded = ok
		}
		got := Carried(m, c, func(k string) []critmin.QuantityElement {
			if k == c && !recorded {
				return before
			}
			return held(k)
		})
		if *ferr != nil {
			return nil, *ferr
		}
		for _, q := range before {
			lot := epcis.Canonical(q.EPCClass)
			was, ok1 := tonnesOf(q)
			now, ok2 := tonnesOf(lineOf(got, lot))
			if ok1 && ok2 && was-now > 1e-12 {
				short[lot] += was - now
			}
		}
		last = m.EventTime
	}
	drawTo(at, true)
	emptied(c, packs, last, at, short)
	return lessShort(held, short), nil
}

// InstancesAt is the commissioned instances (Material) packed into
// container (canonical or as spelt) by childEPCs and still in it at at,
// by its packings (Packings): one line each, no quantity, as HeldAt
// reads them (instancesIn).
func (h Holdings) InstancesAt(container string, at time.Time) ([]critmin.QuantityElement, error) {
	c := epcis.Canonical(container)
	packs, err := h.Packings(c)
	if err != nil {
		return nil, err
	}
	return h.instancesIn(c, packs, at)
}

// instancesIn is the commissioned instances (Material) packed into
// container c (canonical) by childEPCs and still in it at at, by
// packings (its live AggregationEvents, event-time order): one line
// each, no quantity — the instance's mass is unknown unless an event
// states it, never read as 0. A nested container packed by childEPCs is
// not followed (ContentsAt).
func (h Holdings) instancesIn(c string, packs []*critmin.Event, at time.Time) ([]critmin.QuantityElement, error) {
	if h.Material == nil {
		return nil, nil
	}
	cn := NewContainment(nil)
	var order []string
	seen := map[string]bool{}
	for _, ev := range packs {
		if ev.Type != critmin.AggregationEvent || epcis.Canonical(ev.ParentID) != c || ev.ErrorDeclaration != nil || ev.EventTime.After(at) {
			continue
		}
		for _, k := range Children(ev) {
			if !k.Class && !seen[k.Child] {
				seen[k.Child] = true
				order = append(order, k.Child)
			}
		}
		cn.Apply(ev)
	}
	var out []critmin.QuantityElement
	for _, k := range order {
		in := false
		for _, p := range cn.Of(k) {
			in = in || !p.Class && epcis.Canonical(p.Container) == c
		}
		if !in {
			continue
		}
		m, err := h.Material(k)
		if err != nil {
			return nil, err
		}
		if m {
			out = append(out, critmin.QuantityElement{Role: critmin.RoleEPC, EPCClass: k})
		}
	}
	return out, nil
}

// weighed adds to short (wet tonnes left behind, by lot) what receipt
// rcpt, weighing lots by lines of its own (weighedLines), found missing
// of them in container c (canonical), which held before (HeldAt) just
// before it: c's share of each line is before × line ÷ what all the
// containers rcpt names held of the lot just before it; a gain counts
// as a negative shortfall. A lot c did not hold, or held without a
// mass quantity, is left as it was.
func (h Holdings) weighed(rcpt *critmin.Event, c string, before []critmin.QuantityElement, short map[string]float64) error {
	for lot, line := range weighedLines(rcpt) {
		mine, ok := tonnesOf(lineOf(before, lot))
		if !ok || mine <= 0 {
			continue
		}
		all := mine
		seen := map[string]bool{c: true}
		for _, e := range rcpt.EPCs {
			k := epcis.Canonical(e.EPC)
			if e.Role != critmin.RoleEPC || seen[k] {
				continue
			}
			seen[k] = true
			held, err := h.heldAt(k, rcpt.EventTime, rcpt, false)
			if err != nil {
				return err
			}
			if t, ok := tonnesOf(lineOf(held, lot)); ok {
				all += t
			}
		}
		short[lot] += mine - mine*line/all
	}
	return nil
}

// weighedLines is the wet tonnes of each lot (canonical) ev, as
// captured (WithoutCarried), states by quantity lines of its own in a
// mass unit; a lot one of whose lines states no mass is left out.
func weighedLines(ev *critmin.Event) map[string]float64 {
	out := map[string]float64{}
	bad := map[string]bool{}
	for _, q := range ev.Quantities {
		if q.Role != "" && q.Role != critmin.RoleEPC {
			continue
		}
		k := epcis.Canonical(q.EPCClass)
		t, ok := tonnesOf(q)
		if !ok {
			bad[k] = true
			continue
		}
		out[k] += t
	}
	for k := range bad {
		delete(out, k)
	}
	return out
}

// CarriedBy is what dispatch ship carried in container (canonical):
// Carried, reading what each of its containers held before it (HeldAt).
func (h Holdings) CarriedBy(ship *critmin.Event, container string) ([]critmin.QuantityElement, error) {
	held, ferr := h.heldBy(ship)
	out := Carried(ship, container, held)
	return out, *ferr
}

// emptied forgets what trips left behind of a lot that a packing dated in
// (from, to] leaves no longer in container.
func emptied(container string, packs []*critmin.Event, from, to time.Time, short map[string]float64) {
	if len(short) == 0 {
		return
	}
	for _, p := range packs {
		if !p.EventTime.After(from) || p.EventTime.After(to) {
			continue
		}
		in := map[string]bool{}
		for _, q := range ContentsAt(container, packs, p.EventTime) {
			in[epcis.Canonical(q.EPCClass)] = true
		}
		for lot := range short {
			if !in[lot] {
				delete(short, lot)
			}
		}
	}
}

// lessShort is lines less short (wet tonnes by lot; a negative figure,
// a weighed gain, adds), in each line's unit; a line left with nothing
// is dropped, one without a mass quantity kept as it is.
func lessShort(lines []critmin.QuantityElement, short map[string]float64) []critmin.QuantityElement {
	if len(short) == 0 {
		return lines
	}
	out := make([]critmin.QuantityElement, 0, len(lines))
	for _, q := range lines {
		d := short[epcis.Canonical(q.EPCClass)]
		t, ok := tonnesOf(q)
		if math.Abs(d) <= 1e-12 || !ok {
			out = append(out, q)
			continue
		}
		if t-d <= 1e-9 {
			continue
		}
		if v, err := units.FromTonnes(t-d, q.UOM); err == nil {
			q.Quantity = &v
		}
		out = append(out, q)
	}
	return out
}

// tonnesOf is q's quantity in wet tonnes, ok false for a line without a
// mass quantity.
func tonnesOf(q critmin.QuantityElement) (float64, bool) {
	if q.Quantity == nil || !units.IsMass(q.UOM) {
		return 0, false
	}
	t, err := units.ToTonnes(*q.Quantity, q.UOM)
	return t, err == nil
}

// lineOf is lines' line of lot (canonical); none gives a zero line.
func lineOf(lines []critmin.QuantityElement, lot string) critmin.QuantityElement {
	for _, q := range lines {
		if epcis.Canonical(q.EPCClass) == lot {
			return q
		}
	}
	return critmin.QuantityElement{}
}

// namesInstance reports whether ev names c (canonical) in its epcList.
func namesInstance(ev *critmin.Event, c string) bool {
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleEPC && epcis.Canonical(e.EPC) == c {
			return true
		}
	}
	return false
}

// EmptiedReason words the refusal of run ev fed container whole after
// run by emptied it (sqldb checkEmptied, custody contentsJudge).
func EmptiedReason(ev *critmin.Event, container string, by *critmin.Event) string {
	return fmt.Sprintf("this run (event %s) is fed container %s whole, but run %s (event %s, %s) was fed it whole and took what it held, and nothing has been packed into it since: it holds nothing to feed (a container fed whole gives its lots to that run once); name what this run took by inputQuantityList, or pack the container again first",
		ev.EventID, container, runName(by), by.EventID, by.EventTime.Format(time.RFC3339))
}

// EmptiedError is the refusal (ECONFLICT) of run ev fed container spelt
// (as its inputEPCList spells it) whole after run by emptied it: the
// field is that inputEPCList member, its reason EmptiedReason. Capture
// (custody) and the store (sqldb) refuse it alike.
func EmptiedError(ev *critmin.Event, spelt string, by *critmin.Event) *critmin.Error {
	reason := EmptiedReason(ev, spelt, by)
	return &critmin.Error{Code: critmin.ECONFLICT, Message: reason + "; nothing was stored",
		Fields: []critmin.FieldError{{Conflict: true, Pointer: fmt.Sprintf("event %s/inputEPCList/%d", ev.EventID, inputIndex(ev, spelt)), Reason: reason}}}
}

// inputIndex is the place of spelt among ev's inputEPCList entries.
func inputIndex(ev *critmin.Event, spelt string) int {
	k := 0
	for _, e := range ev.EPCs {
		if e.Role != critmin.RoleInput {
			continue
		}
		if e.EPC == spelt {
			return k
		}
		k++
	}
	return 0
}

// runName is a run's transformationID, else its eventID.
func runName(ev *critmin.Event) string {
	if ev.TransformationID != "" {
		return ev.TransformationID
	}
	return ev.EventID
}

// WeighedBy is the receipts of container (canonical) dated at or before
// at, other than self, that weighed lot (canonical) by a quantity line of
// their own (the weighings HeldAt reads), in event-time order: what a
// refusal names beside the held figure.
func (h Holdings) WeighedBy(container, lot string, at time.Time, self *critmin.Event) ([]*critmin.Event, error) {
	if h.Moves == nil {
		return nil, nil
	}
	c, lot := epcis.Canonical(container), epcis.Canonical(lot)
	moves, err := h.Moves(c)
	if err != nil {
		return nil, err
	}
	var out []*critmin.Event
	for _, m := range moves {
		if m.ErrorDeclaration != nil || !MovesContents(m) || !ReadsTrip(m) || !receiptSteps[stepOf(m.BizStep)] || m.EventTime.After(at) || (self != nil && m.EventID == self.EventID) {
			continue
		}
		if w := WithoutCarried(m); namesInstance(w, c) {
			if _, ok := weighedLines(w)[lot]; ok {
				out = append(out, m)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime.Before(out[j].EventTime) })
	return out, nil
}

// HeldTonnes is the wet tonnes of lot (canonical) in lines (HeldAt's),
// ok false when they hold no mass line of it.
func HeldTonnes(lines []critmin.QuantityElement, lot string) (float64, bool) {
	q := lineOf(lines, epcis.Canonical(lot))
	if q.EPCClass == "" {
		return 0, false
	}
	return tonnesOf(q)
}
