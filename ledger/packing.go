package ledger

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// CheckPacking refuses a packing (an AggregationEvent or AssociationEvent
// ADD or OBSERVE) that puts more of a lot into its parent than the lot
// holds: a conflict with the record (FieldError.Conflict, 409). A childQuantityList quantity is the part of the lot that went
// into the parent (EPCIS 2.0 §7.3.5.3), so the lines naming one lot in
// one event are summed: 12,000 kg and 9,000 kg of a 20 t lot are 21 t,
// refused like one line of 21,000 kg. lot returns the lot as projected
// before the event (nil, or a lot with no events, commodity or mass, is
// not checked: nothing is known to hold it against). Pointers are
// relative to the event (/childQuantityList/n/quantity, on the line that
// takes the sum over). Capture (sqldb) and the form preview
// (Service.Validate) both call it. An error declaration of a packing
// (EPCIS 2.0 §7.4.1.2) repeats the packing to retract it and packs
// nothing: it is not checked (a packing of 25 t of a lot later reweighed
// at 24.95 t could not be declared in error; fix15z).
func CheckPacking(ev *critmin.Event, lot func(id string) *critmin.Lot) []critmin.FieldError {
	if (ev.Type != critmin.AggregationEvent && ev.Type != critmin.AssociationEvent) || ev.Action == "DELETE" || ev.ErrorDeclaration != nil {
		return nil
	}
	sum := map[string]float64{}
	var lines = map[string][]int{}
	var errs []critmin.FieldError
	n := -1
	for _, q := range ev.Quantities {
		if q.Role != critmin.RoleChild {
			continue
		}
		n++
		if q.Quantity == nil || !units.IsMass(q.UOM) {
			continue
		}
		id := epcis.Canonical(q.EPCClass)
		l := lot(q.EPCClass)
		if l == nil || l.EventCount == 0 || l.WetTonnes <= 0 || l.Commodity == "" {
			continue
		}
		t, err := units.ToTonnes(*q.Quantity, q.UOM)
		if err != nil {
			continue
		}
		holds, where := packable(l, ev)
		over := sum[id] > holds*(1+1e-9)
		sum[id] += t
		lines[id] = append(lines[id], n)
		// A part-per-billion margin absorbs unit-conversion rounding
		// (19.95 t stated as 19950 KGM). One error per lot.
		if over || sum[id] <= holds*(1+1e-9) {
			continue
		}
		what := fmtTonnes(sum[id]) + " t"
		if len(lines[id]) > 1 {
			var names []string
			for _, i := range lines[id] {
				names = append(names, strconv.Itoa(i+1))
			}
			what += " (lines " + strings.Join(names, ", ") + " summed)"
		}
		errs = append(errs, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("/childQuantityList/%d/quantity", n),
			Reason: fmt.Sprintf("packs %s of lot %s, which holds %s t (wet)%s: a packing quantity is the part of the lot that went into the container",
				what, q.EPCClass, fmtTonnes(holds), where)})
	}
	return errs
}

// fmtTonnes is a mass in tonnes in a packing refusal, to the gram,
// thousands grouped (units.Group; issue 15, fix15zi).
func fmtTonnes(t float64) string {
	return units.Group(strconv.FormatFloat(math.Round(t*1e6)/1e6, 'f', -1, 64))
}

// packable is what of lot l a packing ev may pack, wet tonnes, and how
// the refusal words it: the lot's whole mass, except where its parts
// were received or its body left (the lot has parts, or is in transit)
// and something of it stands at ev's site: what stands there
// (StandingAt), " at <site>". A body that left the site, in transit,
// does not stand there (BodyStands; issue 15, fix15n: 10 t lot, B's
// 4 t part at Karachi, the 6 t body shipped from there with no
// quantity: 9 t packed at Karachi was judged against 10 t). Where
// nothing of it stands the whereabouts check judges the packing
// (custody), not this one. l is the lot as it stands now, so where it
// stands now says what stood at ev's time only when ev is not dated
// before l's latest event; a back-dated packing is judged against the
// whole lot here, and against what stood at its site at its time by
// custody's standing check, which replays the lot to that time (a
// packing dated 3 Nov at Karachi, where 20 t stood then, is not judged
// against what stands there after a later shipment).
func packable(l *critmin.Lot, ev *critmin.Event) (float64, string) {
	if len(l.Parts) == 0 && l.Status != critmin.LotInTransit || ev.EventTime.Before(l.LastEventAt) {
		return l.WetTonnes, ""
	}
	if st, ok := StandingAt(l, eventSite(ev)); ok {
		return st.WetTonnes, " at " + st.Site
	}
	return l.WetTonnes, ""
}
