package custody

import (
	"fmt"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// A container is used only where it stands (issue 8, new-user check n8b
// items 3, 4 and 5): an event naming a container that holds something —
// a packing or unpacking of it (its parentID), its shipping, loading,
// departing, transporting or receipt, a sampling or any other
// ObjectEvent naming it in its epcList, a run fed it whole (its
// inputEPCList) — happens where the container stands then
// (ledger.Holdings.PlaceAt: the site it was packed at, at sea on a trip,
// or the site that received it). C1 standing at the mine holding 2 t was
// shipped from the port and moved 6 t of the port's stock; 2 t were
// unpacked from it at the port; a run at the refinery was fed C2 while
// it was at sea and took 4 t of C1's received 6 t.

// namesContainer says whether ev names an instance where a container
// stands for what it holds: an AggregationEvent's parentID, an
// ObjectEvent's epcList, a run's inputEPCList.
func namesContainer(ev *critmin.Event) bool {
	if ev.Type == critmin.AggregationEvent && ev.ParentID != "" {
		return true
	}
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleEPC && ev.Type == critmin.ObjectEvent || e.Role == critmin.RoleInput && ev.Type == critmin.TransformationEvent {
			return true
		}
	}
	return false
}

// containersNamed is the containers ev names (namesContainer), as it
// spells them, once each.
func containersNamed(ev *critmin.Event) []string {
	var out []string
	seen := map[string]bool{}
	put := func(c string) {
		if k := epcis.Canonical(c); c != "" && !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	if ev.Type == critmin.AggregationEvent {
		put(ev.ParentID)
		return out
	}
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleEPC && ev.Type == critmin.ObjectEvent || e.Role == critmin.RoleInput && ev.Type == critmin.TransformationEvent {
			put(e.EPC)
		}
	}
	return out
}

// placeMoves is container's (canonical) live ObjectEvents naming it in
// their epcList: the stored ones (movesOf), then the document's so far,
// receipts and readings included.
func (j *contentsJudge) placeMoves(container string) ([]*critmin.Event, error) {
	if _, err := j.movesOf(container); err != nil {
		return nil, err
	}
	return append(append([]*critmin.Event(nil), j.storedMoves[container]...), j.named[container]...), nil
}

// placeCheck refuses ev, a live event of the document not declared in
// error, when a container it names holds something (HeldAt) and stands
// elsewhere (PlaceAt, by the stored events and the document's before
// ev): 409 at the member stating where ev happens (a dispatch: where it
// leaves from, departure), naming the container, where it stands and
// the event that put it there. A dispatch of a container at sea is
// judged by its trip (leftWhileAtSea); a receipt of one at sea only
// where the trip is bound (anywhere when it states no destination). A
// container none of whose events states a place is not judged. One that
// holds nothing stands where it was emptied, received or first seen:
// its receipt, packing, unpacking, dispatch and a run fed it are judged
// alike (fixQl, fixQr), and a run fed it where it stands is refused, as
// it feeds nothing (emptyFedReason); an observation of it is not.
func (j *contentsJudge) placeCheck(ev *critmin.Event) error {
	if !namesContainer(ev) {
		return nil
	}
	h := j.holdings()
	h.Moves = j.placeMoves
	step := stepName(ev.BizStep)
	dispatch := ev.Type == critmin.ObjectEvent && atSeaSteps[step]
	receipt := ev.Type == critmin.ObjectEvent && receiptSteps[step]
	here, member := eventSite(ev), "bizLocation"
	if ev.BizLocation == "" {
		member = "readPoint"
	}
	if dispatch {
		here, member = departure(ev)
	}
	if here == "" {
		return nil
	}
	for _, c := range containersNamed(ev) {
		k := epcis.Canonical(c)
		// A bag commissioned by its own identifier is material, judged
		// where it stands as a lot (its own lot line), not a container
		// holding nothing (nuq10 s14c, fixQx); a packing into it makes
		// it a container.
		if ev.Type != critmin.AggregationEvent {
			m, err := j.material(k)
			if err != nil {
				return err
			}
			if m {
				continue
			}
		}
		// Judged while its packings leave something in it (HeldAt
		// without the lots' line draws: a container emptied by draws
		// and unpackings still stands where it was emptied); worded by
		// what the lots' line draws left.
		packed := j.holdings()
		packed.Drawn = nil
		held, err := packed.HeldAt(k, ev.EventTime, ev)
		if err != nil {
			return err
		}
		// A container that holds nothing still stands where it was
		// last placed — emptied there by an unpacking or by a run fed
		// it whole, received there, or first seen there: a receipt of
		// it, a packing into it, its shipping, departing or loading,
		// or a run fed it, happens there or ends a trip bound there
		// (issue 8, fixQl, new-user check nuq5 W3: C1 emptied at khi
		// was "received" at hou under the bill it once travelled on,
		// and packed at hou, with no trip between; fixQr, nuq8 b1 and
		// b6: C1 emptied at khi was shipped from mb, and fed to a run
		// at hou). An observation of an empty container (a sampling,
		// an inspecting) moves nothing and is not judged.
		empty := len(held) == 0
		if empty && ev.Type == critmin.ObjectEvent && !receipt && !dispatch {
			continue
		}
		left, err := j.leftByDraws(k, held, ev)
		if err != nil {
			return err
		}
		p, ok, err := h.PlaceAt(k, ev.EventTime, ev)
		if err != nil {
			return err
		}
		if !ok {
			// Placed by no event: a container never recorded fed to a
			// run is refused by checkContainerRecorded (400).
			continue
		}
		var reason string
		when := func(t time.Time) string { return t.Format(time.RFC3339) }
		what := pastOfContainer(ev, step)
		holds := heldWords(left)
		switch {
		case empty:
			holds = "nothing"
		case len(left) == 0:
			holds = "nothing of the lots packed into it once their own line draws are counted (" + heldWords(held) + " packed)"
		}
		switch {
		case p.AtSea && dispatch:
			continue // leftWhileAtSea judges it by its trip
		case p.AtSea && transshipment(ev, p.Bill):
			continue // a carrier's step at a port on the way of its trip
		case p.AtSea && receipt:
			bound := len(p.Dests) == 0
			for _, d := range p.Dests {
				bound = bound || d == here
			}
			if bound {
				continue
			}
			reason = fmt.Sprintf("container %s, which holds %s, is at sea at %s (%s from %s, event %s on %s, bill of lading %s) bound for %s, not for %s: it can be received only where its trip is bound — record its receipt there, or, if that shipment is wrong, declare event %s in error (errorDeclaration)",
				c, holds, when(ev.EventTime), stepName(p.By.BizStep), orNone(departureOf(p.By)), p.By.EventID, when(p.By.EventTime), orNoneStated(p.Bill), strings.Join(p.Dests, " or "), here, p.By.EventID)
		case p.AtSea:
			reason = fmt.Sprintf("container %s, which holds %s, is at sea at %s (%s from %s to %s, event %s on %s, bill of lading %s) and has not been received: it stands at no site, so it cannot be %s at %s — record its receipt at %s first",
				c, holds, when(ev.EventTime), stepName(p.By.BizStep), orNone(departureOf(p.By)), orDest(p.Dests), p.By.EventID, when(p.By.EventTime), orNoneStated(p.Bill), what, here, orDest(p.Dests))
		case p.Site == here && ledger.FedEmpty(ev, !empty, false, ok):
			// Where it stands, but holding nothing: the run would rest
			// on no material the record knows (fixQr, nuq8 b6). One
			// emptied by a run fed it whole is refused naming that run
			// (ledger.EmptiedError, contentsJudge.next).
			by, err := j.holdings().EmptiedBy(k, ev.EventTime, ev)
			if err != nil {
				return err
			}
			if by != nil {
				continue
			}
			reason = emptyFedReason(ev, c, p)
			return &critmin.Error{Code: critmin.ECONFLICT, Message: reason + "; nothing was stored",
				Fields: []critmin.FieldError{{Conflict: true, Pointer: fmt.Sprintf("event %s/inputEPCList/%d", ev.EventID, inputAt(ev, c)), Reason: reason}}}
		case p.Site == here:
			continue
		case receipt && empty:
			// On no trip and holding nothing: its receipt elsewhere
			// ends no trip and would move it without one, whatever
			// bill of lading it names (a bill it travelled on before
			// was ended by that trip's receipt).
			reason = fmt.Sprintf("container %s, which holds nothing, stands at %s at %s (since %s, event %s on %s) and is on no trip: it cannot be %s at %s — a container's place changes only by a receipt of a trip it is on (CBV 2.0: receiving, arriving, unloading and accepting end a trip at its destination). Record its shipment from %s first (a shipping or departing event, in this document or before), or, if the event that put it at %s is wrong, declare event %s in error (errorDeclaration)",
				c, p.Site, when(ev.EventTime), orNone(stepName(p.By.BizStep)), p.By.EventID, when(p.By.EventTime), what, here, p.Site, p.Site, p.By.EventID)
		case receipt:
			// A receipt of a container standing at a site holding
			// lots is judged by the lots' whereabouts and the receipt
			// checks (its bill of lading, its time; a lot shipped by a
			// line may be received in its container).
			continue
		case ev.Type == critmin.TransformationEvent:
			reason = fmt.Sprintf("this run is fed container %s, which holds %s, but the container stands at %s at %s (since %s, event %s on %s), not at %s: it can be fed to a run only where it stands — record its move to %s first (shipping and receiving events)",
				c, holds, p.Site, when(ev.EventTime), orNone(stepName(p.By.BizStep)), p.By.EventID, when(p.By.EventTime), here, here)
		default:
			reason = fmt.Sprintf("container %s, which holds %s, stands at %s at %s (since %s, event %s on %s), not at %s: it can be %s only where it stands — record its move to %s first (shipping and receiving events)",
				c, holds, p.Site, when(ev.EventTime), orNone(stepName(p.By.BizStep)), p.By.EventID, when(p.By.EventTime), here, what, here)
		}
		if member == "" {
			member = "bizLocation"
		}
		return &critmin.Error{Code: critmin.ECONFLICT, Message: reason + "; nothing was stored",
			Fields: []critmin.FieldError{{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: reason}}}
	}
	return nil
}

// DispatchedElsewhere judges recorded event ev as placeCheck judges a
// document's dispatch: an ObjectEvent loading, shipping, departing or
// transporting naming containers in its epcList moves each from where it
// leaves (departure); a container the record places (h.PlaceAt, ev left
// out) at another site, not at sea, was moved without a trip (issue 8,
// n8b items 3 to 5, fixQl). A container on a trip is judged by its trip
// (leftWhileAtSea), and an instance commissioned as a lot of its own and
// never packed into (h.Material, fixQx) is material, not a container.
// Verify applies it to the stored record (sqldb containerRuleProblem):
// a dispatch stored before the rule reads the same in the rebuild. It
// returns the first such container (canonical), where ev leaves from and
// where the container stood; ok false when none.
func DispatchedElsewhere(ev *critmin.Event, h ledger.Holdings) (container, from string, p ledger.Place, ok bool, err error) {
	if ev.Type != critmin.ObjectEvent || ev.Action == "DELETE" || ev.ErrorDeclaration != nil || !atSeaSteps[stepName(ev.BizStep)] {
		return "", "", ledger.Place{}, false, nil
	}
	here, _ := departure(ev)
	if here == "" {
		return "", "", ledger.Place{}, false, nil
	}
	for _, c := range containersNamed(ev) {
		k := epcis.Canonical(c)
		if h.Packings != nil && h.Material != nil {
			packs, err := h.Packings(k)
			if err != nil {
				return "", "", ledger.Place{}, false, err
			}
			if len(packs) == 0 {
				m, err := h.Material(k)
				if err != nil {
					return "", "", ledger.Place{}, false, err
				}
				if m {
					continue
				}
			}
		}
		pl, placed, err := h.PlaceAt(k, ev.EventTime, ev)
		if err != nil {
			return "", "", ledger.Place{}, false, err
		}
		if placed && !pl.AtSea && pl.Site != here {
			return k, here, pl, true, nil
		}
	}
	return "", "", ledger.Place{}, false, nil
}

// emptiesStoredRun refuses packing or unpacking ev of container c (its
// parentID), a document event not stored, dated at or before a stored
// live run fed c whole that took what c held (feedsOf: a run with stored
// contents of c), when with ev — and the document's other events — c
// would hold nothing for that run (HeldAt without the lots' line draws,
// as placeCheck reads it): the stored run would be fed an empty
// container (ledger.FedEmpty, the reading verify applies to the stored
// record, ledger.StoredContainerRule). EPCIS 2.0 §7.4.3: an event
// entered late takes its place in event time, and may not leave a later
// recorded one breaking a rule capture enforces. A conflict (409) naming
// the run; nil when none.
func (j *contentsJudge) emptiesStoredRun(ev *critmin.Event) (*critmin.FieldError, error) {
	if ev.Type != critmin.AggregationEvent || ev.ParentID == "" {
		return nil, nil
	}
	c := epcis.Canonical(ev.ParentID)
	if _, err := j.feedsOf(c); err != nil {
		return nil, err
	}
	packed := j.holdings()
	packed.Drawn = nil
	for _, r := range j.storedFeeds[c] {
		if r.EventTime.Before(ev.EventTime) || j.declared[r.EventID] {
			continue
		}
		held, err := packed.HeldAt(c, r.EventTime, r)
		if err != nil {
			return nil, err
		}
		if !ledger.FedEmpty(r, len(held) > 0, false, true) {
			continue
		}
		reason := fmt.Sprintf("event %s (%s of container %s, %s) is dated before the recorded run %s (%s), which was fed %s whole and took what it held; with event %s, %s would hold nothing for that run: a run fed an empty container consumes no material the record knows, and its products' origin would rest on nothing (CBV 2.0: a transformation's inputs are what it consumes). An event entered late may not leave a later one breaking a rule capture enforces (EPCIS 2.0 §7.4.3: eventTime is when it happened) — correct the dates, or declare run %s in error first (errorDeclaration)",
			ev.EventID, packingVerb(ev), ev.ParentID, ev.EventTime.Format(time.RFC3339), r.EventID, r.EventTime.Format(time.RFC3339), ev.ParentID, ev.EventID, ev.ParentID, r.EventID)
		return &critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/eventTime", ev.EventID), Reason: reason}, nil
	}
	if ev.Action == "DELETE" {
		return nil, nil
	}
	// A packing adding material: the first recorded run fed c whole at
	// or after it took what c held then, as its stored contents record
	// (event_contents, read at its capture). Where c would hold more of
	// a lot the packing adds than that run took of it, the run would have
	// consumed material the record leaves standing (builder packlater).
	var first *critmin.Event
	for _, r := range j.storedFeeds[c] {
		if r.EventTime.Before(ev.EventTime) || j.declared[r.EventID] {
			continue
		}
		if first == nil || r.EventTime.Before(first.EventTime) {
			first = r
		}
	}
	if first == nil {
		return nil, nil
	}
	held, err := packed.HeldAt(c, first.EventTime, first)
	if err != nil {
		return nil, err
	}
	rec, ok, err := j.recorded(first)
	if err != nil || !ok {
		return nil, err
	}
	tonnes := func(lines []critmin.QuantityElement, lot string) float64 {
		var sum float64
		for _, l := range lines {
			if epcis.Canonical(l.EPCClass) != lot || l.Quantity == nil {
				continue
			}
			if t, err := units.ToTonnes(*l.Quantity, l.UOM); err == nil {
				sum += t
			}
		}
		return sum
	}
	var took []critmin.QuantityElement
	for k, lines := range rec {
		if epcis.Canonical(k) == c {
			took = append(took, lines...)
		}
	}
	for _, q := range ev.Quantities {
		if q.Role != critmin.RoleChild {
			continue
		}
		lot := epcis.Canonical(q.EPCClass)
		h, t := tonnes(held, lot), tonnes(took, lot)
		if h <= t*(1+ConsumptionTolerance)+1e-9 {
			continue
		}
		reason := fmt.Sprintf("event %s (packing of lot %s into container %s, %s) is dated before the recorded run %s (%s), which was fed %s whole and consumed what it held as recorded at its capture, %s t of the lot; with event %s, %s would hold %s t of it then: the run would have consumed %s t the record leaves standing (CBV 2.0: a transformation's inputs are what it consumes). An event entered late may not change what a recorded run consumed (EPCIS 2.0 §7.4.3: eventTime is when it happened) — correct the packing's date to after the run, or declare run %s in error first and capture it again (errorDeclaration)",
			ev.EventID, q.EPCClass, ev.ParentID, ev.EventTime.Format(time.RFC3339), first.EventID, first.EventTime.Format(time.RFC3339), ev.ParentID, Tonnes(t), ev.EventID, ev.ParentID, Tonnes(h), Tonnes(h-t), first.EventID)
		return &critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/eventTime", ev.EventID), Reason: reason}, nil
	}
	return nil, nil
}

// material says whether instance k (canonical), named where a
// container would be (namesContainer), is material rather than a
// container: commissioned as a lot of its own — an ObjectEvent ADD
// naming it in its epcList with mineral facts (its own ILMD: commodity
// or origin), stored or earlier in the document (critmin.Event.LotLines)
// — and never the parentID of a live AggregationEvent. docs/origin.md
// "Inputs by EPC count": a bag commissioned by SGTIN is a lot of known
// origin and unknown mass; the empty-container rules (fixQl, fixQr)
// apply to containers only (nuq10 s14c, fixQx).
func (j *contentsJudge) material(k string) (bool, error) {
	packs, err := j.packingsOf(k)
	if err != nil {
		return false, err
	}
	if len(packs) > 0 {
		return false, nil
	}
	return j.commissioned(k)
}

// commissioned says whether id (canonical) is a lot commissioned with
// facts of its own (commodity or origin), stored or projected by the
// document so far (ledger.Holdings.Material).
func (j *contentsJudge) commissioned(id string) (bool, error) {
	if err := j.load([]string{id}); err != nil {
		return false, err
	}
	l := j.lots[id]
	return l != nil && (l.Commodity != "" || l.OriginCountry != "" || l.OriginMine != ""), nil
}

// emptyFedReason words the refusal of run ev fed container c (as ev
// spells it) whole where it stands (p) while no packing leaves anything
// in it: emptied there by an unpacking, or never packed (only seen or
// received empty). The run would rest on nothing the record knows, and
// its products' origin with it (fixQr, nuq8 b6).
func emptyFedReason(ev *critmin.Event, c string, p ledger.Place) string {
	when := func(t time.Time) string { return t.Format(time.RFC3339) }
	since := fmt.Sprintf("since %s, event %s on %s", orNone(stepName(p.By.BizStep)), p.By.EventID, when(p.By.EventTime))
	if p.By.Type == critmin.AggregationEvent && p.By.Action == "DELETE" {
		since = fmt.Sprintf("emptied by event %s (%s) on %s", p.By.EventID, orNone(stepName(p.By.BizStep)), when(p.By.EventTime))
	}
	return fmt.Sprintf("this run (event %s) is fed container %s whole, but the container holds nothing at %s (it stands at %s, %s, and no packing since puts anything in it): a run fed an empty container consumes no material the record knows, and its products' origin would rest on nothing (CBV 2.0: a transformation's inputs are what it consumes). Pack the lots into %s first (AggregationEvent ADD), name what the run took by inputQuantityList, or, if the event that emptied it is wrong, declare event %s in error (errorDeclaration)",
		ev.EventID, c, when(ev.EventTime), p.Site, since, c, p.By.EventID)
}

// inputAt is the place of container c (canonical or as spelt) among
// ev's inputEPCList entries.
func inputAt(ev *critmin.Event, c string) int {
	k := 0
	for _, e := range ev.EPCs {
		if e.Role != critmin.RoleInput {
			continue
		}
		if epcis.Canonical(e.EPC) == epcis.Canonical(c) {
			return k
		}
		k++
	}
	return 0
}

// leftByDraws is held, what container k (canonical) holds at ev by its
// packings and trips (HeldAt), less what the lots' own movements drew
// out of it beyond their loose rest, as the unpacking check reads it
// (Store.PackedIn, custody.ContainedAt): 6 t packed into C1, an 8 t line
// shipped of the 10 t lot and 2 t unpacked leave C1 empty. Read from the
// stored events when the document has not packed into or unpacked k
// before ev; lines left with nothing are dropped.
func (j *contentsJudge) leftByDraws(k string, held []critmin.QuantityElement, ev *critmin.Event) ([]critmin.QuantityElement, error) {
	if len(held) == 0 {
		return held, nil
	}
	if len(j.packs[k]) > 0 {
		return held, nil
	}
	var ids []string
	for _, q := range held {
		ids = append(ids, q.EPCClass)
	}
	ps, err := j.s.PackedIn(j.ctx, ids, ev.EventTime)
	if err != nil {
		return nil, err
	}
	left := map[string]float64{}
	known := map[string]bool{}
	for _, p := range ps {
		if epcis.Canonical(p.Container) != k {
			continue
		}
		lot := epcis.Canonical(p.Child)
		w, ok := ledger.PackedWet(p, 0)
		if !ok {
			continue
		}
		left[lot] += w
		known[lot] = true
	}
	var out []critmin.QuantityElement
	for _, q := range held {
		lot := epcis.Canonical(q.EPCClass)
		if q.Quantity == nil || !units.IsMass(q.UOM) {
			out = append(out, q)
			continue
		}
		t, err := units.ToTonnes(*q.Quantity, q.UOM)
		if err != nil {
			out = append(out, q)
			continue
		}
		if known[lot] && left[lot] < t {
			t = left[lot]
		} else if !known[lot] {
			t = 0 // no packing of it is left in k
		}
		if t <= 1e-9 {
			continue
		}
		if v, err := units.FromTonnes(t, q.UOM); err == nil {
			q.Quantity = &v
		}
		out = append(out, q)
	}
	return out, nil
}

// departureOf is where dispatch ev left from (departure).
func departureOf(ev *critmin.Event) string {
	p, _ := departure(ev)
	return p
}

// pastOfContainer words what ev does to a container: "fed to a run",
// "packed or unpacked", else pastOf its step ("received" for a receipt,
// "used" for an event of no step).
func pastOfContainer(ev *critmin.Event, step string) string {
	switch {
	case ev.Type == critmin.TransformationEvent:
		return "fed to a run"
	case ev.Type == critmin.AggregationEvent:
		return "packed or unpacked"
	case receiptSteps[step]:
		return "received"
	case step == "":
		return "used"
	}
	return pastOf(step)
}

// heldWords words what a container holds: "lot L (N t)" per lot.
func heldWords(held []critmin.QuantityElement) string {
	var out []string
	for _, q := range held {
		w := "lot " + q.EPCClass
		if q.Quantity != nil {
			w += fmt.Sprintf(" (%s %s)", strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", *q.Quantity), "0"), "."), q.UOM)
		}
		out = append(out, w)
	}
	return andList(out)
}
