package custody

import (
	"context"
	"fmt"
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

// lotTouch is a document's event, other than a TransformationEvent, on a
// stored lot or one an earlier event of the document made: the lot as
// projected just before and just after it, and what the document's
// earlier runs took of it.
type lotTouch struct {
	ev            *critmin.Event
	id            string
	before, after critmin.Lot
	doc           consumed
}

// handlingSteps are the CBV 2.0 business steps that handle a lot's
// material — pack it, load, ship, carry, receive or store it. Nothing
// of a lot that runs consumed is left to handle.
var handlingSteps = map[string]bool{"packing": true, "loading": true, "shipping": true, "departing": true, "transporting": true,
	"arriving": true, "receiving": true, "unloading": true, "accepting": true, "storing": true, "stocking": true}

// checkConsumedLots refuses a document's events that act on the material
// runs have consumed (ISO 22095:2020 §5: every quantity is accounted for
// once; what a run consumed cannot be packed, shipped, received or
// re-measured afterwards, or it is consumed or credited twice):
//
//   - a lot the runs consumed (remaining = stated wet mass − Σ taken ≤
//     ConsumptionTolerance of the mass, or a run named it without a
//     quantity) may not be packed (AggregationEvent or AssociationEvent
//     ADD or OBSERVE naming it as a child), shipped, received or
//     otherwise handled (a handlingSteps bizStep), nor given back a
//     status other than consumed;
//   - the moisture of a lot that runs took any of may not change: its dry
//     mass is wet × (1 − moisture), so a new moisture rewrites the dry
//     tonnes its runs consumed and were credited for — the rule the
//     import applies to a weighbridge row ("would change the mass its
//     runs consumed"), applied to every event (a Sample form's moisture,
//     an ILMD or a sensor report). The H2O of an as-received assay is
//     its sample's and leaves the lot's moisture (ledger.Project; issue
//     9, fix9t), so it is no change here;
//   - a part-consumed lot may be packed or shipped only up to what
//     remains: the child quantities of a packing, or the quantity of a
//     handling event, summed per lot, at most remaining × (1 + tolerance).
//
// The error names the lot, the runs that consumed it and what remains.
// A declared-in-error run frees what it took (its edges and members are
// gone): correct the record that way.
func checkConsumedLots(ctx context.Context, s Store, touches []lotTouch, declared map[string]bool) ([]critmin.FieldError, error) {
	if len(touches) == 0 {
		return nil, nil
	}
	seenID := map[string]bool{}
	var ids []string
	for _, t := range touches {
		if !seenID[t.id] {
			seenID[t.id] = true
			ids = append(ids, t.id)
		}
	}
	sc, err := storedConsumption(ctx, s, ids, declared)
	if err != nil {
		return nil, err
	}
	var out []critmin.FieldError
	for _, t := range touches {
		c := consumed{whole: t.doc.whole, tonnes: t.doc.tonnes, runs: t.doc.runs, at: t.doc.at, from: t.doc.from}
		if st := sc.used[t.id]; st != nil {
			c.whole = c.whole || st.whole
			c.tonnes += st.tonnes
			c.runs = append(append([]string(nil), st.runs...), c.runs...)
			c.at = append(append(append([]time.Time(nil), st.at...), make([]time.Time, len(st.runs)-len(st.at))...), c.at...)
			if len(t.doc.runs) == 0 || st.from.Before(c.from) {
				c.from = st.from
			}
		}
		if !c.whole && c.tonnes <= 0 || t.ev.EventTime.Before(c.from) {
			// No run took of it, or the event is dated before any did: a
			// shipment still cannot carry more than the lot holds.
			out = append(out, overShipped(t)...)
			continue
		}
		wet := t.before.WetTonnes
		massKnown := units.IsMass(t.before.UOM) && wet > 0
		full := c.whole || (massKnown && c.tonnes >= wet*(1-ConsumptionTolerance))
		remaining := 0.0
		if !full && massKnown {
			remaining = max(0, wet-c.tonnes)
		}
		runs := strings.Join(c.runs, ", ")
		took := Tonnes(c.tonnes) + " t of its " + Tonnes(wet) + " t"
		if c.whole {
			took = "all of it"
		}
		ptr := "event " + t.ev.EventID
		ev := t.ev
		packing := (ev.Type == critmin.AggregationEvent || ev.Type == critmin.AssociationEvent) && ev.Action != "DELETE" && names(ev, t.id, critmin.RoleChild)
		handling := packing || handlingSteps[stepName(ev.BizStep)]
		revived := t.before.Status == critmin.LotConsumed && t.after.Status != critmin.LotConsumed
		// Reading a consumed lot (an OBSERVE, or a sampling, inspection,
		// weighing or sensor report, with no claim) reads history, and a
		// TransactionEvent records a business transaction on it (an
		// invoice, a note: EPCIS 2.0 §7.4.5, no material moves); any
		// other event — an ADD, a claim, a DELETE — acts on material
		// that no longer exists (fix9s item 3: a claim ADD on a lot run
		// whole into another took the site's balance).
		claim := ev.Mineral != nil && ev.Mineral.OriginClaim != nil
		reading := !claim && !packing && (ev.Type == critmin.ObjectEvent && ev.Action == "OBSERVE" || ev.Type == critmin.TransactionEvent || readingSteps[stepName(ev.BizStep)])
		switch {
		case full && (handling || revived || !reading):
			what := string(ev.Type)
			if ev.BizStep != "" {
				what += " (" + stepName(ev.BizStep) + ")"
			}
			effect := "bring it back as " + t.after.Status
			if packing {
				effect = "pack it into " + ev.ParentID
			} else if claim {
				effect = "make a claim on material that no longer exists"
			} else if !revived {
				effect = "handle material that no longer exists"
			}
			out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("lot %s refused: it was consumed by %s (%s; 0 t remain), so this %s cannot act on it and would %s: a lot cannot be consumed twice. Declare the run or this lot's wrong event in error (errorDeclaration) to correct the record",
				t.id, runsWhen(c.runs, c.at), took, what, effect)})
		case moistureChanged(t.before.Moisture, t.after.Moisture) && math.Abs(t.before.DryTonnes-t.after.DryTonnes) > 1e-9:
			out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr + moistureMember(ev), Reason: fmt.Sprintf("moisture of lot %s refused: %s took %s, and a moisture of %s instead of %s would change its dry mass from %s t to %s t — the mass its runs consumed and were credited for; %s remain. Record the moisture before the run, or declare the run in error",
				t.id, runs, took, fmtMoisture(t.after.Moisture), fmtMoisture(t.before.Moisture), Tonnes(t.before.DryTonnes), Tonnes(t.after.DryTonnes), Tonnes(remaining)+" t")})
		case !full && massKnown && handling:
			want, ok := statedTonnes(ev, t.id, packing)
			if ok && want > remaining+wet*ConsumptionTolerance+1e-9 {
				out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr + statedLine(ev, t.id, packing), Reason: fmt.Sprintf("lot %s refused: the event states %s t of it but only %s t remain (%s t of its %s t consumed by %s; tolerance %s %%): a lot cannot be packed or shipped beyond what remains of it",
					t.id, Tonnes(want), Tonnes(remaining), Tonnes(c.tonnes), Tonnes(wet), runs, units.Fixed(ConsumptionTolerance*100, 1))})
			}
		}
	}
	return out, nil
}

// names says whether ev names lot id in the role.
func names(ev *critmin.Event, id, role string) bool {
	for _, q := range canonicalLots(ev).Quantities {
		if q.Role == role && q.EPCClass == id {
			return true
		}
	}
	return false
}

// statedTonnes is the tonnes an event states of lot id: the sum of its
// child lines (a packing) or of its quantityList lines, in tonnes; ok
// false when no line states a mass.
func statedTonnes(ev *critmin.Event, id string, packing bool) (float64, bool) {
	var sum float64
	ok := false
	for _, q := range canonicalLots(ev).Quantities {
		if q.EPCClass != id || q.Quantity == nil || (packing && q.Role != critmin.RoleChild) || (!packing && q.Role == critmin.RoleChild) {
			continue
		}
		t, err := units.ToTonnes(*q.Quantity, q.UOM)
		if err != nil {
			continue
		}
		sum += t
		ok = true
	}
	return sum, ok
}

// statedLine is the member of ev that states lot id's tonnes, as
// statedTonnes reads them: the first of its child lines (a packing) or of
// its other lines with a quantity, "/childQuantityList/0/quantity",
// "/quantityList/1/quantity" — a member the event has (nuq10: a bare
// "/quantity" named none).
func statedLine(ev *critmin.Event, id string, packing bool) string {
	n := map[string]int{}
	for _, q := range canonicalLots(ev).Quantities {
		list := ledger.QuantityListName(q.Role)
		i := n[list]
		n[list]++
		if q.EPCClass != id || q.Quantity == nil || (packing && q.Role != critmin.RoleChild) || (!packing && q.Role == critmin.RoleChild) {
			continue
		}
		return fmt.Sprintf("/%s/%d/quantity", list, i)
	}
	return ""
}

// stepName is a CBV bizStep by its short name, however spelt
// ("urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping").
func stepName(s string) string {
	if i := strings.LastIndexAny(s, ":-/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

func moistureChanged(a, b *float64) bool {
	switch {
	case a == nil && b == nil:
		return false
	case a == nil || b == nil:
		return true
	}
	return *a != *b
}

func fmtMoisture(m *float64) string {
	if m == nil {
		return "none"
	}
	return fmtT(*m)
}

// dispatchSteps are the CBV 2.0 steps that send material on its way: a
// quantity they state is what left, never a weighing of the lot.
var dispatchSteps = map[string]bool{"loading": true, "shipping": true, "departing": true, "transporting": true}

// overShipped refuses a dispatch event (dispatchSteps) that states more
// of a lot than the lot holds: shipping 25,000 kg of a 20 t lot would set
// its mass to 25 t, and shipping is not a weighing (CBV 2.0: a weighing
// is a sensorReport of type Mass). Re-weigh the lot first.
func overShipped(t lotTouch) []critmin.FieldError {
	wet := t.before.WetTonnes
	if !dispatchSteps[stepName(t.ev.BizStep)] || !units.IsMass(t.before.UOM) || wet <= 0 {
		return nil
	}
	want, ok := statedTonnes(t.ev, t.id, false)
	if !ok {
		return nil
	}
	if n := len(t.after.Parts); n > len(t.before.Parts) && (t.after.Parts[n-1].OnwardOf != "" || t.after.Parts[n-1].FromRetracted && siteKey(t.after.Parts[n-1].From) != siteKey(t.before.Location)) {
		// Shipped on from where a part was received (or bound), not
		// from the rest of the lot: the standing check judges it
		// against what is left of that part there (standing.go). A part
		// flagged where the body stands (more than the body held,
		// ledger's shipFromNothing) is judged below against the body.
		return nil
	}
	if site := eventSite(t.ev); site != "" && t.before.Location != "" && siteKey(site) != siteKey(t.before.Location) && partAt(&t.before, site) {
		// Sent from where parts were received, away from the body: what
		// stands there is judged (the standing check, standing.go), not
		// the body elsewhere (issue 15, fix15h: 8.96 t shipped from a
		// port where nothing was left were judged against the 7 t body
		// at the mine).
		return nil
	}
	if from, _ := departure(t.ev); leftWhileAtSeaSteps[stepName(t.ev.BizStep)] && from != "" && siteKey(from) != siteKey(t.before.Location) && !partAt(&t.before, from) && partBoundFor(&t.before, from) {
		// Shipped or sent off (leftWhileAtSea judges these steps) from
		// where a part of the lot is bound and nothing of it
		// was received yet: the whereabouts check names that part's
		// trip and its missing receipt (leftWhileAtSea), not a part
		// carrying more than the body holds (issue 8, fixOa item 5).
		return nil
	}
	if len(t.after.Parts) > len(t.before.Parts) {
		// A part sent away (ledger.Project, docs/identity.md "Parts
		// moved") leaves from what remains where the lot stands: the
		// lot less the parts already sent and what runs took.
		rest := t.before.RemainingWetTonnes()
		if want <= rest+wet*ConsumptionTolerance+1e-9 {
			return nil
		}
		if rest <= wet*ledger.PartTolerance {
			// No body is left: every tonne left as parts, and the
			// dispatch is not from where one was received (onward parts
			// return above). Say where the lot stands (issue 15, fix15v),
			// as the whereabouts check does.
			return []critmin.FieldError{{Conflict: true, Pointer: "event " + t.ev.EventID + "/quantityList", Reason: fmt.Sprintf("nothing of lot %s stands at %s at %s; the lot stands as %s — every tonne of it left as parts, and none was received at %s. It can be %s only where it stands — record its move there first (shipping and receiving events)%s",
				t.id, orNone(eventSite(t.ev)), t.ev.EventTime.Format(time.RFC3339), standsText(&t.before), orNone(eventSite(t.ev)), pastOf(stepName(t.ev.BizStep)), containersAtSeaWords(t.ev, &t.before))}}
		}
		return []critmin.FieldError{{Conflict: true, Pointer: "event " + t.ev.EventID + "/quantityList", Reason: fmt.Sprintf("lot %s refused: the %s event sends %s t of it away, but only %s t of its %s t remain where it stands (%s t already sent as parts; tolerance %s %%): a part cannot carry more than remains of the lot%s",
			t.id, stepName(t.ev.BizStep), Tonnes(want), Tonnes(rest), Tonnes(wet), Tonnes(t.before.PartsTonnes()), units.Fixed(ConsumptionTolerance*100, 1), containersAtSeaWords(t.ev, &t.before))}}
	}
	if want <= wet*(1+ConsumptionTolerance)+1e-9 {
		return nil
	}
	return []critmin.FieldError{{Conflict: true, Pointer: "event " + t.ev.EventID + "/quantityList", Reason: fmt.Sprintf("lot %s refused: the %s event states %s t of it, but the lot holds %s t (tolerance %s %%): a shipment cannot carry more than the lot holds, and shipping is not a weighing — record a weighing (a Mass sensor report) if the lot weighs more",
		t.id, stepName(t.ev.BizStep), Tonnes(want), Tonnes(wet), units.Fixed(ConsumptionTolerance*100, 1))}}
}

// partBoundFor says whether a part of lot l is in transit to site
// (canonical).
func partBoundFor(l *critmin.Lot, site string) bool {
	for _, p := range l.Parts {
		if p.Status == critmin.PartInTransit && siteKey(p.To) == siteKey(site) {
			return true
		}
	}
	return false
}

// checkShipments refuses a shipping event (CBV bizStep shipping) whose
// expected arrival (cm:eta) is before its departure (eventTime), or whose
// destination location is where it is loaded (its source location or
// bizLocation): a voyage ends after it starts, somewhere else. The error
// names the field.
func checkShipments(live []*critmin.Event) []critmin.FieldError {
	var out []critmin.FieldError
	for _, ev := range live {
		if stepName(ev.BizStep) != "shipping" {
			continue
		}
		if eta := extensionString(ev, "eta"); eta != "" {
			if at, err := time.Parse(time.RFC3339, eta); err == nil && at.Before(ev.EventTime) {
				out = append(out, critmin.FieldError{Pointer: "event " + ev.EventID + "/cm:eta", Reason: fmt.Sprintf("the expected arrival (ETA) %s is before the departure %s: a shipment arrives after it leaves",
					at.Format(time.RFC3339), ev.EventTime.Format(time.RFC3339))})
			}
		}
		from := map[string]bool{}
		if ev.BizLocation != "" {
			from[epcis.Canonical(ev.BizLocation)] = true
		}
		for _, s := range ev.Sources {
			if isType(s.Type, "location") {
				from[epcis.Canonical(s.ID)] = true
			}
		}
		for i, d := range ev.Destinations {
			if isType(d.Type, "location") && from[epcis.Canonical(d.ID)] {
				out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("event %s/destinationList/%d", ev.EventID, i), Reason: fmt.Sprintf("the destination %s is the loading site: a shipment goes somewhere else", d.ID)})
			}
		}
	}
	return out
}

// bolOf is the bill of lading an event names (a bizTransaction of type
// bol, CBV 2.0 §8.5), or "".
func bolOf(ev *critmin.Event) string {
	for _, b := range ev.BizTransactions {
		if isType(b.Type, "bol") {
			return b.ID
		}
	}
	return ""
}

// checkReceipts refuses a receiving event (CBV bizStep receiving) that
// names a bill of lading the lot was not shipped on: neither a shipping
// event naming the lot, nor one naming a container the receipt lists,
// carries it, in the store or earlier in the document. A receipt of a
// lot nothing recorded — no stored lot and no earlier event of the
// document — is the lot's first sighting (material arriving from outside
// the platform, as in GS1's EPCIS 2.0 example 9.6.2) and is accepted
// when it contradicts nothing: with no bill of lading, or with one no
// recorded shipping event carries (an outside shipment); it is refused,
// as any lot is, under a bill of lading a recorded shipment carries
// without it. A receipt on another shipment's
// bill of lading would move the lot (and, as a re-weigh, its mass) on a
// record that never carried it. A receipt on the right bill of lading is
// then checked against its shipment (receiptAgainst): not before it, at
// its destination, and with no gain beyond the outturn tolerance.
//
// The stored events in hidden (those the document declares in error)
// are not read: a receipt the document declares received nothing, so its
// corrective under the same bill of lading is no second receipt (fixNn).
//
// A receipt naming a container moves the lots it held (cj: the
// document's events with their contents, contentsJudge; nil when none
// were given them): each is judged as if the receipt named it, and a
// refusal names the container too.
//
// A receipt with no bill of lading is judged against the lot as it
// stands before it (receivedNoBill, beyondInTransit): lotAt(lot, i),
// the lot just before live[i], when given (judgeAgain: the record a
// declaration leaves, with the events before the receipt); else the
// stored lot less the hidden events (receiptLot), and a receipt after
// an earlier event of the document naming the lot is left to the other
// checks.
func checkReceipts(ctx context.Context, s Store, live []*critmin.Event, known func(id string, before int) bool, hidden map[string]bool, cj *contentsJudge, lotAt func(lot string, i int) (*critmin.Lot, error)) ([]critmin.FieldError, error) {
	var out []critmin.FieldError
	q, canQuery := s.(eventQuerier)
	if canQuery && len(hidden) > 0 {
		q = withoutEvents{s, hidden}
	}
	lotFor := func(i int, lot string) (*critmin.Lot, error) {
		if lotAt != nil {
			return lotAt(lot, i)
		}
		return receiptLot(ctx, s, lot, hidden)
	}
	// firstNamer holds, per lot, the index of the first event of live
	// naming it (namesLot), made once when a receipt first needs it: an
	// earlier event names lot when that index is below the receipt's.
	// Walking, for each receipt, every event before it cost time
	// quadratic in the document's size.
	var firstNamer map[string]int
	earlierNamer := func(i int, lot string) bool {
		if firstNamer == nil {
			firstNamer = map[string]int{}
			for k, e := range live {
				for _, qe := range canonicalLots(e).Quantities {
					if _, ok := firstNamer[qe.EPCClass]; !ok {
						firstNamer[qe.EPCClass] = k
					}
				}
			}
		}
		k, ok := firstNamer[lot]
		return ok && k < i
	}
	for i, ev := range live {
		if stepName(ev.BizStep) != "receiving" {
			continue
		}
		bol := bolOf(ev)
		var containers []string
		for _, e := range ev.EPCs {
			containers = append(containers, e.EPC)
		}
		if fe, err := containerNotShipped(ctx, q, canQuery, live[:i], ev, bol, cj); err != nil {
			return nil, err
		} else if fe != nil {
			out = append(out, *fe)
			continue
		}
		for n, qe := range canonicalLots(ev).Quantities {
			if qe.Role == critmin.RoleChild || qe.Role == critmin.RoleParent {
				continue
			}
			lot := qe.EPCClass
			if t, ok := ledger.LineTonnes(qe); ok && t <= 1e-9 && !namesOwnLine(ev, lot) {
				// Its containers carried nothing of the lot (emptied
				// before their trip, n8c s21): an empty container's
				// receipt receives nothing of it, and is no second
				// receipt of what else of the lot travelled.
				continue
			}
			firstSighting := !known(lot, i)
			if bol == "" {
				if firstSighting || lotAt == nil && earlierNamer(i, lot) {
					continue
				}
				l, err := lotFor(i, lot)
				if err != nil {
					return nil, err
				}
				fe, err := receivedNoBill(ctx, s, q, canQuery, live[:i], ev, n, lot, l)
				if err != nil {
					return nil, err
				}
				if len(fe) == 0 {
					if fe, err = beyondInTransit(ctx, s, ev, n, lot, l); err != nil {
						return nil, err
					}
				}
				out = append(out, fe...)
				continue
			}
			var ships []*critmin.Event
			for _, e := range live[:i] {
				// e is given what its containers held (contentsJudge):
				// it shipped lot when it names it, by quantity or in a
				// container — a container of this receipt that the
				// shipment did not carry lot in does not make lot
				// shipped (nu37-1, -2).
				if stepName(e.BizStep) == "shipping" && bolOf(e) == bol && namesLot(e, lot) {
					ships = append(ships, e)
				}
			}
			if len(ships) == 0 && canQuery {
				f := critmin.EventFilter{BizSteps: []string{"shipping"}, ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{lot}, Exact: true}}, Limit: 1000}
				g := critmin.EventFilter{BizSteps: []string{"shipping"}, EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: containers, Exact: true}}, Limit: 1000}
				// The shipments under the bill that moved containers
				// alone: one carried lot when a container it moved held
				// it then, though neither it nor this receipt names a
				// container of it — a receipt naming the lot by line
				// stands on a shipment of its container (new-user finding
				// nu38a item 1: that shipment declared in error alone was
				// taken, the receipt left receiving what nothing carried).
				h := critmin.EventFilter{BizSteps: []string{"shipping"}, BizTxns: map[string][]string{"bol": {bol}}, Limit: 1000}
				filters := []critmin.EventFilter{f, h}
				if len(containers) > 0 {
					filters = append(filters, g)
				}
				seenShip := map[string]bool{}
				for _, flt := range filters {
					page, err := q.FindEvents(ctx, flt)
					if err != nil {
						return nil, err
					}
					for _, st := range page.Events {
						if d := decodeStored(st); ledger.Live(st) && bolOf(d) == bol && !seenShip[d.EventID] {
							// A stored shipment of a container
							// shipped lot when the container held it
							// then (event_contents).
							carried, err := storedCarried(ctx, s, d, lot)
							if err != nil {
								return nil, err
							}
							if carried {
								seenShip[d.EventID] = true
								ships = append(ships, d)
							}
						}
					}
				}
			}
			if len(ships) == 0 {
				// No shipping under the bill: the trip a departing, a
				// loading or a transporting under it started ends here
				// too (ledger.TripStep: each puts the lot on a trip, with
				// or without a disposition; builder fixQw: such a trip
				// could never be received).
				var err error
				if ships, err = tripStarts(ctx, s, q, canQuery, live[:i], lot, bol, containers); err != nil {
					return nil, err
				}
			}
			if len(ships) == 0 && firstSighting {
				// A lot first seen here, on a bill of lading no recorded
				// shipment carries, came from outside the platform.
				carried, err := bolCarried(ctx, q, canQuery, live[:i], bol)
				if err != nil {
					return nil, err
				}
				if !carried {
					continue
				}
			}
			if len(ships) == 0 {
				out = append(out, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/bizTransactionList", ev.EventID), Reason: fmt.Sprintf("lot %s was not shipped on bill of lading %s: no shipping, departing, loading or transporting event under it names the lot or a container this receipt lists%s; receive it under the bill of lading it was shipped on", lot, bol, viaWords(cj.containersOfLot(ev, lot)))})
				continue
			}
			if fe, err := receivedAlready(ctx, s, q, canQuery, live[:i], ev, n, lot, bol, len(ships), cj); err != nil || fe != nil {
				if err != nil {
					return nil, err
				}
				out = append(out, *fe)
				continue
			}
			shipped := func(ship *critmin.Event) (float64, bool, error) {
				if !namesLot(ship, lot) {
					// A stored shipment of containers only: what they
					// carried of lot (its stored contents).
					return contentsTonnes(ctx, s, ship, lot)
				}
				return noQuantityShipped(ctx, s, live[:i], lot, ship)
			}
			l, err := lotFor(i, lot)
			if err != nil {
				return nil, err
			}
			judged := lessBroughtIn(ev, n, l)
			fe, err := receiptAgainst(judged, n, lot, ships, shipped)
			if err != nil {
				return nil, err
			}
			out = append(out, fe...)
		}
	}
	return out, nil
}

// otherTripSteps are the dispatch steps besides shipping that put a lot
// on a trip (ledger.TripStep, ledger.Departs): a receipt under the bill
// of lading one of them names, with no shipping under it, ends that trip.
var otherTripSteps = []string{"departing", "loading", "transporting"}

// tripStarts are the events that put lot on its trip under bill of
// lading bol when no shipping event under it names the lot (or, stored,
// moved a container carrying it): the departing, loading or
// transporting events under bol naming lot or moving a container that
// held it then (earlier in the document, or stored), as receiptAgainst
// judges a receipt against shipping events. Only those of the trip's
// first step (the earliest one's) are kept: a loading then a departing
// under one bill are one consignment's two steps, not two shipments
// (receivedAlready counts one receipt per event; a bill already
// received carries no further dispatch, checkBillReused). None when no
// such event exists: the receipt is refused naming the bill, as before.
func tripStarts(ctx context.Context, s Store, q eventQuerier, canQuery bool, earlier []*critmin.Event, lot, bol string, containers []string) ([]*critmin.Event, error) {
	steps := map[string]bool{}
	for _, st := range otherTripSteps {
		steps[st] = true
	}
	var found []*critmin.Event
	seen := map[string]bool{}
	for _, e := range earlier {
		if steps[stepName(e.BizStep)] && bolOf(e) == bol && namesLot(e, lot) && !seen[e.EventID] {
			seen[e.EventID] = true
			found = append(found, e)
		}
	}
	if len(found) == 0 && canQuery {
		filters := []critmin.EventFilter{
			{BizSteps: otherTripSteps, ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{lot}, Exact: true}}, Limit: 1000},
			{BizSteps: otherTripSteps, BizTxns: map[string][]string{"bol": {bol}}, Limit: 1000},
		}
		if len(containers) > 0 {
			filters = append(filters, critmin.EventFilter{BizSteps: otherTripSteps, EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: containers, Exact: true}}, Limit: 1000})
		}
		for _, flt := range filters {
			page, err := q.FindEvents(ctx, flt)
			if err != nil {
				return nil, err
			}
			for _, st := range page.Events {
				d := decodeStored(st)
				if !ledger.Live(st) || bolOf(d) != bol || seen[d.EventID] || !steps[stepName(d.BizStep)] {
					continue
				}
				carried, err := storedCarried(ctx, s, d, lot)
				if err != nil {
					return nil, err
				}
				if carried {
					seen[d.EventID] = true
					found = append(found, d)
				}
			}
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	sort.SliceStable(found, func(a, b int) bool { return found[a].EventTime.Before(found[b].EventTime) })
	first := stepName(found[0].BizStep)
	out := found[:0]
	for _, e := range found {
		if stepName(e.BizStep) == first {
			out = append(out, e)
		}
	}
	return out, nil
}

// receivedAlready refuses receipt ev (its quantityList line n) of lot
// under bill of lading bol when the shipments of the lot under bol
// (shipments of them, at least one) were all received already: as many
// live receiving events of the lot under bol — earlier in the document
// (earlier) or stored — as shipments. A receipt receives what its bill
// of lading carried and is still in transit (CBV 2.0 receiving, §8.5
// bol); a second one receives nothing, and read as a receipt of the
// lot's body it moved the body and grew the lot (issue 15, fix15j: lot
// P2 10 t, 8 t shipped under P2A and received at 8 t; P2A received
// again: 16 t). A re-weighing is a weighing (a Mass sensor report). nil
// when the shipment is still in transit. Receipts of containers that
// moved the lot count (their stored contents); cj gives the containers
// this receipt, and earlier ones of the document, move it in.
//
// A receipt moving the lot only in containers it names (no line of its
// own) receives what those containers carried: an earlier receipt
// counts against it when it named the lot by a line of its own, or
// moved it in one of the same containers. Lot 10 t packed 6 t into C1
// and 4 t into C2, shipped as [C1, C2] under B: [C1] received under B,
// then [C2] under B receives C2's 4 t still in transit, while [C1]
// again is refused (new-user finding nu38a: [C2] was refused as
// received).
func receivedAlready(ctx context.Context, s Store, q eventQuerier, canQuery bool, earlier []*critmin.Event, ev *critmin.Event, n int, lot, bol string, shipments int, cj *contentsJudge) (*critmin.FieldError, error) {
	mine := cj.containersOfLot(ev, lot)
	via := viaWords(mine)
	byContainer := len(mine) > 0 && !namesOwnLine(ev, lot)
	overlaps := func(cs []string) bool {
		for _, c := range cs {
			for _, m := range mine {
				if epcis.Canonical(c) == epcis.Canonical(m) {
					return true
				}
			}
		}
		return false
	}
	seen := map[string]*critmin.Event{}
	add := func(e *critmin.Event) {
		if e.EventID != ev.EventID && stepName(e.BizStep) == "receiving" && bolOf(e) == bol && namesLot(e, lot) {
			// An earlier receipt moving the lot in containers counts
			// only when it names one of this receipt's, whether or not it
			// weighed them by a line of its own (n8c s9: [D1] received
			// with "X 6 t", then [D2] alone was refused as received).
			// Two receipts of different containers of the trip, each
			// weighing its own by a line, are one each (n8d s51: [D1]
			// with "L 6 t" and [D2] with "L 4 t" in one document, the
			// second was refused as received).
			if cs := cj.containersOfLot(e, lot); (byContainer && (len(cs) > 0 || !namesOwnLine(e, lot)) || len(mine) > 0 && len(cs) > 0) && !overlaps(cs) {
				return
			}
			seen[e.EventID] = e
		}
	}
	for _, e := range earlier {
		add(e)
	}
	var movedIn map[string][]string // stored eventID → containers it moved lot in
	if byContainer && canQuery {
		if cs, ok := s.(critmin.ContainerMovesStore); ok {
			moves, err := cs.ContainerMovesOfLot(ctx, lot)
			if err != nil {
				return nil, err
			}
			movedIn = map[string][]string{}
			for _, m := range moves {
				movedIn[m.EventID] = append(movedIn[m.EventID], m.Container)
			}
		}
	}
	if canQuery {
		// Receipts naming the lot, and receipts of containers that
		// moved it (the contents stored with them): a container
		// received alone twice under one bill was taken twice.
		page, err := q.FindEvents(ctx, critmin.EventFilter{BizSteps: []string{"receiving"}, BizTxns: map[string][]string{"bol": {bol}}, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, st := range page.Events {
			if !ledger.Live(st) {
				continue
			}
			d := decodeStored(st)
			if carried, err := storedCarried(ctx, s, d, lot); err != nil {
				return nil, err
			} else if carried && d.EventID != ev.EventID && stepName(d.BizStep) == "receiving" && bolOf(d) == bol {
				if byContainer && movedIn != nil && (len(movedIn[d.EventID]) > 0 || !namesLot(d, lot)) && !overlaps(movedIn[d.EventID]) {
					continue
				}
				seen[d.EventID] = d
			}
		}
	}
	inDoc := false // an earlier receipt of this document counted
	for _, e := range earlier {
		inDoc = inDoc || seen[e.EventID] != nil
	}
	if !inDoc && canQuery {
		// What of the lot is in transit under bol, as the stored lot
		// stands when ev is its latest event (ledger's parts): the line
		// of a receipt governs what it receives, so one receiving the
		// rest of a trip by a line of its own stands while anything of
		// the lot is in transit under the bill (fixNa: after [C1, C2]
		// shipped under B and [C1] received, "L 4 t" under B was
		// refused as received); and once nothing is, any receipt under
		// it receives nothing, however many events the trip's
		// dispatches were spread over ([C1] and [C2] shipped by an
		// event each, both received: [C2] again was taken).
		l, err := s.FindLot(ctx, lot)
		if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return nil, err
		}
		if err == nil {
			// The lot as it stands without the stored events the
			// document declares in error, wherever the declaration
			// stands in the document (new-user check n8e-3: a receipt
			// declared with its corrective, the declaration first, was
			// refused "already received … (event <the declared
			// receipt>)", and a container receipt corrected from 4 t to
			// 3.9 t named the other container's receipt).
			if w, ok := q.(withoutEvents); ok && len(w.hidden) > 0 {
				if r, err := lotWithout(ctx, s, lot, w.hidden); err != nil {
					return nil, err
				} else if r != nil {
					l = r
				}
			}
		}
		if err == nil && !ev.EventTime.Before(l.LastEventAt) {
			open, closedBy := billTransit(l, bol)
			if open && !byContainer {
				return nil, nil
			}
			if !open && closedBy != "" {
				// Arriving, unloading, accepting and receiving are steps
				// of one end of the trip (CBV 2.0 §7.2): the first of
				// them booked what came in, and a receiving after an
				// arrival of it under the same bill receives nothing
				// new and is taken; a second receiving is counted
				// below (new-user check nuq8 item 7: 6 t shipped by a
				// line, arrived under B, then received under B was
				// refused "already received").
				step, err := eventStep(ctx, q, closedBy)
				if err != nil {
					return nil, err
				}
				if step != "receiving" {
					closedBy = ""
				}
			}
			if !open && closedBy != "" {
				at := ""
				if e := seen[closedBy]; e != nil {
					at = " at " + e.EventTime.Format(time.RFC3339)
				}
				return &critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/quantityList/%d", ev.EventID, n), Reason: fmt.Sprintf("lot %s was already received under bill of lading %s (event %s%s)%s: nothing of it is in transit under that bill of lading, and a second receipt would receive nothing; to record a new weight of the lot, record a weighing (an ObjectEvent with a Mass sensor report, or a quantity at the site), and if the first receipt is wrong, declare it in error (errorDeclaration) and receive again",
					lot, bol, closedBy, at, via)}, nil
			}
		}
	}
	if len(seen) < shipments {
		return nil, nil
	}
	var last *critmin.Event
	for _, e := range seen {
		if last == nil || e.EventTime.After(last.EventTime) || (e.EventTime.Equal(last.EventTime) && e.EventID > last.EventID) {
			last = e
		}
	}
	return &critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/quantityList/%d", ev.EventID, n), Reason: fmt.Sprintf("lot %s was already received under bill of lading %s (event %s at %s)%s: nothing of it is in transit under that bill of lading, and a second receipt would receive nothing; to record a new weight of the lot, record a weighing (an ObjectEvent with a Mass sensor report, or a quantity at the site), and if the first receipt is wrong, declare it in error (errorDeclaration) and receive again",
		lot, bol, last.EventID, last.EventTime.Format(time.RFC3339), via)}, nil
}

// receivedAgain says whether a live receiving naming no bill of lading
// at ev's site, dated at or after since (the first step of the trip's
// end), names one of the containers ev names — or, given lot (a trip
// carried by a line, ledger.LineTripEndBy), names lot by a line and no
// container: stored, or earlier in the document (earlier) — the trip's
// end already has its receiving.
func receivedAgain(ctx context.Context, q eventQuerier, earlier []*critmin.Event, ev *critmin.Event, since time.Time, lot string) (bool, error) {
	boxes := canonicalAll(listed(ev))
	if len(boxes) == 0 && lot == "" {
		return false, nil
	}
	names := func(e *critmin.Event) bool {
		if stepName(e.BizStep) != "receiving" || bolOf(e) != "" || eventSite(e) != eventSite(ev) || e.EventTime.Before(since) || e.EventID == ev.EventID {
			return false
		}
		if lot != "" {
			return len(listed(e)) == 0 && namesLot(e, lot)
		}
		for _, c := range listed(e) {
			if slices.Contains(boxes, epcis.Canonical(c)) {
				return true
			}
		}
		return false
	}
	for _, e := range earlier {
		if names(e) {
			return true, nil
		}
	}
	f := critmin.EventFilter{BizSteps: []string{"receiving"}, EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: boxes, Exact: true}}, Limit: 1000}
	if lot != "" {
		f = critmin.EventFilter{BizSteps: []string{"receiving"}, ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{lot}, Exact: true}}, Limit: 1000}
	}
	page, err := q.FindEvents(ctx, f)
	if err != nil {
		return false, err
	}
	for _, st := range page.Events {
		if ledger.Live(st) && names(decodeStored(st)) {
			return true, nil
		}
	}
	return false, nil
}

// eventStep is the business step (its last word) of stored event id,
// "" when it is not stored.
func eventStep(ctx context.Context, q eventQuerier, id string) (string, error) {
	page, err := q.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{id}, Limit: 1})
	if err != nil {
		return "", err
	}
	for _, st := range page.Events {
		return stepName(decodeStored(st).BizStep), nil
	}
	return "", nil
}

// billTransit reads stored lot l under bill of lading bol: open when
// something of it is in transit under bol — a part (ledger's parts) or
// its body, in transit on the trip a receipt under bol split a share
// off (a received part under bol that no dispatch of its own sent:
// ledger.receivedShare) — and, when nothing of it is in transit at all,
// closedBy, the receipt of the last part received under bol ("" none).
func billTransit(l *critmin.Lot, bol string) (open bool, closedBy string) {
	split := false
	for _, p := range l.Parts {
		if p.BillOfLading != bol || p.FromRetracted {
			continue
		}
		switch p.Status {
		case critmin.PartInTransit:
			if p.Tonnes > 1e-9 {
				return true, ""
			}
		case critmin.PartReceived:
			split = split || p.ShipEventID == ""
			closedBy = p.ReceiptEventID
		}
	}
	if l.Status == critmin.LotInTransit {
		return split && !ledger.NoBody(l) && l.RemainingWetTonnes() > l.WetTonnes*ledger.PartTolerance, ""
	}
	return false, closedBy
}

// leftWhileAtSeaSteps are the steps leftWhileAtSea judges: a shipping or
// a departing, the lot sent off.
var leftWhileAtSeaSteps = map[string]bool{"shipping": true, "departing": true}

// namesOwnLine says whether ev names lot (canonical) by a quantity line
// of its own, not one it was given for what its containers held
// (critmin.Event.Carried).
func namesOwnLine(ev *critmin.Event, lot string) bool {
	carried := map[string]bool{}
	for _, c := range ev.Carried {
		carried[epcis.Canonical(c.EPCClass)] = true
	}
	for _, q := range ev.Quantities {
		if k := epcis.Canonical(q.EPCClass); k == lot && !carried[k] {
			return true
		}
	}
	return false
}

// receivedNoBill refuses receipt ev (its quantityList line n) of stored
// lot naming no bill of lading when nothing of the lot is in transit and
// parts of it were already received at ev's site while its body stands
// elsewhere (ledger.ReReceipt): it would receive nothing (issue 15,
// fix15j). A receipt dated before the lot's latest event is left to
// the other checks.
//
// A later step of the end of the trip that brought the containers it
// names in (ledger.BroughtInBy: [C1] arriving, then [C1] receiving, with
// no bill of lading; new-user check nuq10 R4a) books nothing new and is
// taken, as under a bill (receivedAlready); after a receiving of them
// (the first step, or a later one: receivedAgain), another receiving is
// refused still.
func receivedNoBill(ctx context.Context, s Store, q eventQuerier, canQuery bool, earlier []*critmin.Event, ev *critmin.Event, n int, lot string, l *critmin.Lot) ([]critmin.FieldError, error) {
	if l == nil {
		return nil, nil
	}
	if ev.EventTime.Before(l.LastEventAt) || !ledger.ReReceipt(l, ev) {
		return nil, nil
	}
	if in := ledger.BroughtInBy(l, ev, canonicalLots(ev).Quantities[n]); len(in) > 0 && canQuery {
		later := true
		var since time.Time
		for _, id := range in {
			page, err := q.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{id}, Limit: 1})
			if err != nil {
				return nil, err
			}
			if len(page.Events) == 0 {
				later = false
				break
			}
			first := decodeStored(page.Events[0])
			later = later && stepName(first.BizStep) != "receiving"
			if first.EventTime.After(since) {
				since = first.EventTime
			}
		}
		if later {
			again, err := receivedAgain(ctx, q, earlier, ev, since, "")
			if err != nil || !again {
				return nil, err
			}
		}
	}
	if first := ledger.LineTripEndBy(l, ev, canonicalLots(ev).Quantities[n]); first != "" && canQuery {
		// With no bill of lading and no container, the trip is known
		// by what it carries (ledger.LineTripEndBy): a receiving after
		// the arriving, unloading or accepting that ended the lot's
		// part's trip at this site books nothing new and is taken,
		// until that end has its receiving (builder trips: "L 4 t"
		// shipped with no bill, arriving then receiving "L 4 t" was
		// refused "nothing of it is in transit").
		page, err := q.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{first}, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(page.Events) > 0 {
			if f := decodeStored(page.Events[0]); stepName(f.BizStep) != "receiving" {
				again, err := receivedAgain(ctx, q, earlier, ev, f.EventTime, lot)
				if err != nil || !again {
					return nil, err
				}
			}
		}
	}
	var by []string
	for _, p := range l.Parts {
		if p.Status == critmin.PartReceived && epcis.Canonical(p.To) == epcis.Canonical(ev.BizLocation) && p.ReceiptEventID != "" {
			by = append(by, p.ReceiptEventID)
		}
	}
	return []critmin.FieldError{{Conflict: true, Pointer: fmt.Sprintf("event %s/quantityList/%d", ev.EventID, n), Reason: fmt.Sprintf("lot %s is received at %s with no bill of lading, but nothing of it is in transit: what was shipped there was already received (event %s) and the rest of the lot stands at %s; to record a new weight there, record a weighing (an ObjectEvent with a Mass sensor report, or a quantity at the site); to receive a shipment, name its bill of lading",
		lot, ev.BizLocation, strings.Join(by, ", "), l.Location)}}, nil
}

// beyondInTransit refuses receipt ev (its quantityList line n) of
// stored lot naming no bill of lading when it receives more of the lot
// than is in transit to its site (ledger.InTransitTo: the outstanding
// trips that can end there, with no bill known by what they carry, and
// the lot's body when it travels whole) beyond ledger.OutturnTolerance,
// as a receipt under a bill is judged against its bill's shipments
// (receiptAgainst; EPCIS 2.0 §7.3.6 makes bizTransactionList optional,
// CBV 2.0 §7.2: a shipping puts goods in transit, a receiving ends the
// trip). New-user check nu12 W3: lot 10 t, "L 4 t" shipped with no
// bill, "L 7 t" received at B was taken: 6 t at A + 7 t at B = 13 t. A
// receipt dated before the lot's latest event is left to the other
// checks, and one with nothing in transit to it to receivedNoBill.
func beyondInTransit(ctx context.Context, s Store, ev *critmin.Event, n int, lot string, l *critmin.Lot) ([]critmin.FieldError, error) {
	if l == nil {
		return nil, nil
	}
	if ev.EventTime.Before(l.LastEventAt) || !units.IsMass(unitOf(ev, lot)) {
		return nil, nil
	}
	in, some := ledger.InTransitTo(l, ev)
	// What it receives: less what the containers it names that an
	// earlier trip's end brought in carried (lessBroughtIn; TripEndSite
	// XB: [C1] in, [C2] shipped, [C1, C2] received take C2's 4 t).
	judged := lessBroughtIn(ev, n, l)
	// Less what the arriving of the same trip's end brought in
	// (ledger.LessTripEnd; R2: "L 4 t" arriving, then "L 7 t"
	// receiving of the 4 t and 3 t trips).
	if c := canonicalLots(judged); n < len(c.Quantities) {
		if r := ledger.LessTripEnd(l, ev, c.Quantities[n]); r.Quantity != c.Quantities[n].Quantity {
			cp := *c
			cp.Quantities = slices.Clone(c.Quantities)
			cp.Quantities[n] = r
			judged = &cp
		}
	}
	got, ok := statedTonnes(judged, lot, false)
	if !some || !ok || got <= in*(1+ledger.OutturnTolerance)+1e-9 {
		return nil, nil
	}
	site := ev.BizLocation
	if site == "" {
		site = "its site"
	}
	return []critmin.FieldError{{Conflict: true, Pointer: fmt.Sprintf("event %s/quantityList/%d/quantity", ev.EventID, n), Reason: fmt.Sprintf("lot %s is received at %s t by event %s with no bill of lading, but only %s t of it is in transit to %s: the receipt takes %s t more than its trips carried, beyond the %s %% two weighbridges can differ by; check the weight (a real gain is recorded as a weighing, a Mass sensor report), and receive each trip at what it carried",
		lot, Tonnes(got), ev.EventID, Tonnes(in), site, Tonnes(got-in), units.Fixed(ledger.OutturnTolerance*100, 1))}}, nil
}

// viaWords is the clause naming the containers a receipt moved a lot in
// (contentsJudge), "" for none.
func viaWords(containers []string) string {
	switch len(containers) {
	case 0:
		return ""
	case 1:
		return " (this receipt moves it in container " + containers[0] + ", which held it then)"
	}
	return " (this receipt moves it in containers " + strings.Join(containers, ", ") + ", which held it then)"
}

// bolSteps are the dispatch steps whose events make a bill of lading a
// recorded trip's: shipping, and the others that put a lot on a trip
// (otherTripSteps; builder fixQw).
var bolSteps = append([]string{"shipping"}, otherTripSteps...)

// bolStep says whether step is one of bolSteps.
func bolStep(step string) bool {
	for _, s := range bolSteps {
		if s == step {
			return true
		}
	}
	return false
}

// bolCarried says whether a live dispatch event putting goods on a trip
// (bolSteps) — earlier in the document (earlier) or stored — carries
// bill of lading bol.
func bolCarried(ctx context.Context, q eventQuerier, canQuery bool, earlier []*critmin.Event, bol string) (bool, error) {
	for _, e := range earlier {
		if bolStep(stepName(e.BizStep)) && bolOf(e) == bol {
			return true, nil
		}
	}
	if !canQuery {
		return false, nil
	}
	page, err := q.FindEvents(ctx, critmin.EventFilter{BizSteps: bolSteps, BizTxns: map[string][]string{"bol": {bol}}, Limit: 1000})
	if err != nil {
		return false, err
	}
	for _, st := range page.Events {
		if d := decodeStored(st); ledger.Live(st) && bolOf(d) == bol {
			return true, nil
		}
	}
	return false, nil
}

// lessBroughtIn is receipt ev with its line n of lot (canonical) less
// what of it the containers it names that an earlier trip's end brought
// in at its site carried (ledger.LessBroughtIn on the stored lot, as the
// ledger books it): what it receives, judged against what its bill of
// lading shipped. [C1] 6 t received at B under B1, [C2] 4 t shipped
// under B2, [C1, C2] received under B2: C1's 6 t are in, C2's
// 6 + 4 − 6 = 4 t arrive against 4 t shipped (new-user check nuq10
// R4b: read as 10 t received of 4 t shipped). ev itself when nothing
// was brought in, or when it is dated before the lot's latest event.
func lessBroughtIn(ev *critmin.Event, n int, l *critmin.Lot) *critmin.Event {
	if l == nil {
		return ev
	}
	c := canonicalLots(ev)
	if ev.EventTime.Before(l.LastEventAt) || n >= len(c.Quantities) {
		return ev
	}
	q := ledger.LessBroughtIn(l, ev, c.Quantities[n])
	if q.Quantity == c.Quantities[n].Quantity {
		return ev
	}
	cp := *c
	cp.Quantities = slices.Clone(c.Quantities)
	cp.Quantities[n] = q
	return &cp
}

// receiptLot is stored lot (canonical) as a receipt is judged against
// it: as the store holds it, less the stored events hidden (those the
// document declares in error, lotWithout) — declarations apply before
// the document is judged, so a receipt declared with its corrective
// receives nothing and the corrective receives its trip (new-user check
// r2 R1: "declare r with corrective rc" was refused "nothing of it is
// in transit … already received (event r)"). Nil when no lot row holds
// it.
func receiptLot(ctx context.Context, s Store, lot string, hidden map[string]bool) (*critmin.Lot, error) {
	l, err := s.FindLot(ctx, lot)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(hidden) > 0 {
		r, err := lotWithout(ctx, s, lot, hidden)
		if err != nil {
			return nil, err
		}
		if r != nil {
			l = r
		}
	}
	return l, nil
}

// receiptAgainst checks a receipt of lot (its quantityList line n)
// against the shipping events of its bill of lading (ships, at least
// one): it is dated after the latest shipping dated before it, or it
// received what was not yet shipped; it is at that shipment's
// destination, when the shipment names one (destinationList type
// location); and the mass received is at most the mass shipped plus
// ledger.OutturnTolerance (0.5 %, two weighbridges' combined error): a
// larger gain is a mistyped weight, not a voyage (a real gain, rain on
// a bulk lot, is recorded as a weighing, a Mass sensor report). A
// shipment stating no quantity of the lot shipped what stood of it where
// it left (shippedOf, noQuantityShipped; issue 15, fix15n N2: 16 t
// received of 15 t shipped with no quantity passed).
func receiptAgainst(ev *critmin.Event, n int, lot string, ships []*critmin.Event, shippedOf func(*critmin.Event) (float64, bool, error)) ([]critmin.FieldError, error) {
	var ship *critmin.Event
	for _, e := range ships {
		if !e.EventTime.After(ev.EventTime) && (ship == nil || e.EventTime.After(ship.EventTime)) {
			ship = e
		}
	}
	if ship == nil {
		first := ships[0]
		for _, e := range ships {
			if e.EventTime.Before(first.EventTime) {
				first = e
			}
		}
		return []critmin.FieldError{{Conflict: true, Pointer: fmt.Sprintf("event %s/eventTime", ev.EventID), Reason: fmt.Sprintf("the receipt of lot %s at %s is before its shipping under bill of lading %s at %s (event %s): a lot is received after it is shipped; correct the date",
			lot, ev.EventTime.Format(time.RFC3339), bolOf(first), first.EventTime.Format(time.RFC3339), first.EventID)}}, nil
	}
	var out []critmin.FieldError
	var dests []string
	at := false
	for _, d := range ship.Destinations {
		if isType(d.Type, "location") {
			dests = append(dests, d.ID)
			at = at || epcis.Canonical(d.ID) == epcis.Canonical(ev.BizLocation)
		}
	}
	if len(dests) > 0 && !at {
		where := ev.BizLocation
		if where == "" {
			where = "no site"
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/bizLocation", ev.EventID), Reason: fmt.Sprintf("lot %s is received at %s, but bill of lading %s ships it to %s (event %s): receive it at the shipment's destination",
			lot, where, bolOf(ship), strings.Join(dests, ", "), ship.EventID)})
	}
	got, okR := statedTonnes(ev, lot, false)
	shippedBy := func(e *critmin.Event) (float64, bool, error) {
		t, ok := statedTonnes(e, lot, false)
		if !ok && okR {
			return shippedOf(e)
		}
		return t, ok, nil
	}
	shipped, okS, err := shippedBy(ship)
	if err != nil {
		return nil, err
	}
	// One trip's shipping events under the bill — its containers, and
	// the loose rest by a line, dispatched an event each (ledger
	// joinsTrip) — together shipped what the bill carries: the receipt
	// is judged against their sum, not the latest alone (issue 8, n8b
	// item 2: C1's 6 t received against the 4 t line shipped after it
	// read as a +50 % gain).
	{
		sum, n := 0.0, 0
		for _, e := range ships {
			if e.EventTime.After(ev.EventTime) || stepName(e.BizStep) != stepName(ship.BizStep) {
				continue
			}
			t, ok, err := shippedBy(e)
			if err != nil {
				return nil, err
			}
			if ok {
				sum, n = sum+t, n+1
			}
		}
		if n > 1 && sum > shipped {
			shipped, okS = sum, true
		}
	}
	// A receipt of some of a trip's containers that weighs the lot by a
	// line of its own weighs what those containers carried of it
	// (critmin.Event.CarriedNamed, ledger.WithContents), not the whole
	// trip (new-user check n8d s30: [D1] of [D1 6 t, D2 4 t] received
	// with "10 t" was taken, and the lot became 14 t).
	// Only where the trip's shipments name a container this receipt does
	// not: a receipt of every container the trip named weighs the whole
	// consignment by its line (fix15g: 8 t shipped naming C, with 3 t in
	// it, received naming C with 8 t).
	if c, ok := carriedNamedTonnes(ev, lot); ok && leavesContainers(ev, ships) {
		shipped, okS = c, true
	}
	if okS && okR && shipped > 0 && units.IsMass(unitOf(ev, lot)) && got > shipped*(1+ledger.OutturnTolerance)+1e-9 {
		out = append(out, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/quantityList/%d/quantity", ev.EventID, n), Reason: fmt.Sprintf("lot %s is received at %s t but was shipped at %s t (event %s): a gain of %s %% is beyond the %s %% two weighbridges can differ by; check the weight (a real gain is recorded as a weighing, a Mass sensor report)",
			lot, Tonnes(got), Tonnes(shipped), ship.EventID, WeighingPercent(ledger.OutturnRel(shipped, got)), units.Fixed(ledger.OutturnTolerance*100, 1))})
	}
	return out, nil
}

// carriedNamedTonnes is the wet tonnes of lot (canonical) the containers
// receipt ev names carried, where ev also weighs lot by a line of its
// own (critmin.Event.CarriedNamed); ok false when ev carries no such
// figure.
func carriedNamedTonnes(ev *critmin.Event, lot string) (float64, bool) {
	for _, c := range ev.CarriedNamed {
		if epcis.Canonical(c.EPCClass) == lot {
			return ledger.LineTonnes(c)
		}
	}
	return 0, false
}

// leavesContainers says whether a shipment in ships names in its epcList
// a container receipt ev does not name: ev receives some of the trip's
// containers, not all.
func leavesContainers(ev *critmin.Event, ships []*critmin.Event) bool {
	named := map[string]bool{}
	for _, e := range ev.EPCs {
		named[epcis.Canonical(e.EPC)] = true
	}
	for _, sh := range ships {
		for _, e := range sh.EPCs {
			if !named[epcis.Canonical(e.EPC)] {
				return true
			}
		}
	}
	return false
}

// noQuantityShipped is what ship, a shipping event of lot, shipped of it
// (ledger.ShippedBy): stating no quantity, what stood of the lot where
// it left, by the lot's live stored events (a store that cannot give
// them: none) and the document's events before the receipt (earlier),
// which replace a stored event of the same ID, replayed in event time.
func noQuantityShipped(ctx context.Context, s Store, earlier []*critmin.Event, lot string, ship *critmin.Event) (float64, bool, error) {
	doc := map[string]bool{}
	var docEvs []*critmin.Event
	for _, e := range earlier {
		doc[e.EventID] = true
		if namesLot(e, lot) {
			docEvs = append(docEvs, canonicalLots(e))
		}
	}
	var seq []*critmin.Event
	if f, ok := s.(liveEventsFinder); ok {
		evs, err := f.LiveEventsOfLots(ctx, []string{lot})
		if err != nil {
			return 0, false, err
		}
		for _, e := range ledger.EventTimeOrder(evs) {
			if ledger.Live(e) && !doc[e.EventID] {
				seq = append(seq, canonicalLots(e))
			}
		}
	}
	seq = append(seq, docEvs...)
	sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
	t, ok := ledger.ShippedBy(lot, seq, canonicalLots(ship))
	return t, ok, nil
}

// unitOf is the unit of the first line of ev stating lot, or "".
func unitOf(ev *critmin.Event, lot string) string {
	for _, q := range canonicalLots(ev).Quantities {
		if q.EPCClass == lot && q.Quantity != nil {
			return q.UOM
		}
	}
	return ""
}

// namesLot says whether ev names lot in any quantity list.
func namesLot(ev *critmin.Event, lot string) bool {
	for _, q := range canonicalLots(ev).Quantities {
		if q.EPCClass == lot {
			return true
		}
	}
	return false
}

// moistureMember is the member of ev that states its lot's moisture
// (ledger.DecodeMineral's MoistureAt): the ILMD's cm:moisture or the H2O
// sensor report, "/sensorElementList/0/sensorReport/0"; "/cm:moisture"
// when it cannot be told.
func moistureMember(ev *critmin.Event) string {
	if mf, _ := ledger.DecodeMineral(ev, ""); mf != nil && mf.MoistureAt != "" {
		// The report as a whole (its value, unit and substance say it).
		if strings.HasPrefix(mf.MoistureAt, "/sensorElementList/") {
			return strings.TrimSuffix(mf.MoistureAt, "/value")
		}
		return mf.MoistureAt
	}
	return "/cm:moisture"
}

// contentsTonnes is what stored event ev moved of lot (canonical) in the
// containers it names, by the contents stored with it
// (critmin.ContentsStore), in wet tonnes; ok false when none is known.
func contentsTonnes(ctx context.Context, s Store, ev *critmin.Event, lot string) (float64, bool, error) {
	cs, ok := s.(critmin.ContentsStore)
	if !ok || !ledger.MovesContents(ev) {
		return 0, false, nil
	}
	held, err := cs.EventContents(ctx, []string{ev.EventID})
	if err != nil {
		return 0, false, err
	}
	var sum float64
	found := false
	for _, q := range held[ev.EventID] {
		if epcis.Canonical(q.EPCClass) != lot || q.Quantity == nil {
			continue
		}
		if t, err := units.ToTonnes(*q.Quantity, q.UOM); err == nil {
			sum, found = sum+t, true
		}
	}
	return sum, found, nil
}

// containerNotShipped refuses receipt ev under bill of lading bol of a
// container it names in its epcList that carries no lot (cj: none of
// its contents) when no shipping event under bol — earlier in the
// document, or stored — names it while bol is a recorded shipment's:
// nothing was shipped in it under that bill, as a lot is refused on a
// bill no shipment of it carries (n8c s22: a container never packed nor
// shipped was accepted as received under B). nil when ev names no bill,
// or cj is nil.
func containerNotShipped(ctx context.Context, q eventQuerier, canQuery bool, earlier []*critmin.Event, ev *critmin.Event, bol string, cj *contentsJudge) (*critmin.FieldError, error) {
	if bol == "" || cj == nil {
		return nil, nil
	}
	carries := map[string]bool{}
	for _, via := range cj.via[ev] {
		for _, c := range via {
			carries[epcis.Canonical(c)] = true
		}
	}
	for n, e := range ev.EPCs {
		c := epcis.Canonical(e.EPC)
		if e.Role != critmin.RoleEPC || carries[c] {
			continue
		}
		shipped := false
		for _, m := range earlier {
			if bolStep(stepName(m.BizStep)) && bolOf(m) == bol && namesInstance(m, c) {
				shipped = true
				break
			}
		}
		if !shipped && canQuery {
			page, err := q.FindEvents(ctx, critmin.EventFilter{BizSteps: bolSteps, EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{c}, Exact: true}}, BizTxns: map[string][]string{"bol": {bol}}, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, st := range page.Events {
				if d := decodeStored(st); ledger.Live(st) && bolOf(d) == bol {
					shipped = true
					break
				}
			}
		}
		if shipped {
			continue
		}
		if carried, err := bolCarried(ctx, q, canQuery, earlier, bol); err != nil || !carried {
			return nil, err
		}
		return &critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/epcList/%d", ev.EventID, n), Reason: fmt.Sprintf("container %s was not shipped on bill of lading %s: no shipping, departing, loading or transporting event under it names the container, and it carries no lot; receive it under the bill of lading it was shipped on", e.EPC, bol)}, nil
	}
	return nil, nil
}

// namesInstance says whether ev names c (canonical) in its epcList.
func namesInstance(ev *critmin.Event, c string) bool {
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleEPC && epcis.Canonical(e.EPC) == c {
			return true
		}
	}
	return false
}

// lotWithout is stored lot id replayed from its live stored events less
// hidden (the events a document declares in error), in event time, as
// LotAt replays it; nil when none of its events is hidden (the stored
// lot stands) or the store cannot replay it.
func lotWithout(ctx context.Context, s Store, id string, hidden map[string]bool) (*critmin.Lot, error) {
	f, ok := s.(LiveEventsFinder)
	if !ok {
		return nil, nil
	}
	evs, err := f.LiveEventsOfLots(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	var seq []*critmin.Event
	hit := false
	for _, ev := range evs {
		if !ledger.Live(ev) {
			continue
		}
		if hidden[ev.EventID] {
			hit = true
			continue
		}
		cev := canonicalLots(ev)
		for _, lid := range cev.LotIDs() {
			if lid == id {
				seq = append(seq, cev)
				break
			}
		}
	}
	if !hit || len(seq) == 0 {
		return nil, nil
	}
	seq = ledger.EventTimeOrder(seq)
	sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
	_, _, l := replayMass(id, seq, nil)
	return l, nil
}
