package custody

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// This file holds two capture checks every path shares — the API, the
// import and the forms (fix15 items 2 and 3): no event before its lot
// exists, and no second, different reading of one quantity of a lot at
// one instant.

// checkLotExists refuses an event dated before a lot it names exists: a
// stored lot exists from its first event (its commissioning,
// critmin.Lot.FirstEventAt); a lot the document makes exists from the
// document's earliest ObjectEvent ADD or TransformationEvent output
// naming it — also for a stored lot whose first live event is later (its
// commissioning declared in error in this document and made anew, as a
// corrective event may move the date; a second commissioning of a lot
// still commissioned is refused by the commissioning check). A weighing, a sample, a packing or a run feeding a lot the
// day before it was commissioned records material that did not yet
// exist (EPCIS 2.0 §7.3.6: an object's life starts with its
// commissioning), and would move the lot's first event back. The error
// names the event's time.
//
// stagedBy names, by lot, the event of the document that first recorded
// a stored lot — staged by an earlier batch of the same streamed capture
// (stagedMakers) —: the lot then exists from an event "of this document",
// and the refusal is 400 as for a pair within one batch (issue 9,
// nu36b-4), not a conflict with the record. nil when none.
func checkLotExists(live []*critmin.Event, stored map[string]*critmin.Lot, stagedBy map[string]string) []critmin.FieldError {
	type start struct {
		at    time.Time
		event string
	}
	from := map[string]start{}
	for id, l := range stored {
		if !l.FirstEventAt.IsZero() {
			from[id] = start{at: l.FirstEventAt, event: stagedBy[id]}
		}
	}
	for _, ev := range live {
		makes := ev.Type == critmin.TransformationEvent || ev.Type == critmin.ObjectEvent && ev.Action == "ADD"
		if !makes {
			continue
		}
		for _, q := range canonicalLots(ev).Quantities {
			if ev.Type == critmin.TransformationEvent && q.Role != critmin.RoleOutput {
				continue
			}
			if s, ok := from[q.EPCClass]; ok && !ev.EventTime.Before(s.at) {
				continue
			}
			from[q.EPCClass] = start{at: ev.EventTime, event: ev.EventID}
		}
	}
	var out []critmin.FieldError
	for _, ev := range live {
		for _, id := range canonicalLots(ev).LotIDs() {
			s, ok := from[id]
			if !ok || !ev.EventTime.Before(s.at) || s.event == ev.EventID {
				continue
			}
			how := "first recorded (commissioned) on " + s.at.Format(time.RFC3339)
			if s.event != "" {
				how += " by event " + s.event + " of this document"
			}
			out = append(out, critmin.FieldError{Conflict: s.event == "", Pointer: "event " + ev.EventID + "/eventTime", Reason: fmt.Sprintf("the event time %s is before lot %s exists (%s): no event may be dated before its lot's commissioning; correct the date",
				ev.EventTime.Format(time.RFC3339), id, how)})
		}
	}
	return out
}

// stagedMakers is, for checkLotExists, the lots of stored (the stored
// lots live names) whose first record — their earliest ObjectEvent ADD or
// run output, at Lot.FirstEventAt — is an event an earlier batch of this
// streamed capture staged (ledger.StagedOf), by lot: its eventID. Only
// the lots a live event is dated before are read.
func stagedMakers(ctx context.Context, s Store, live []*critmin.Event, stored map[string]*critmin.Lot) (map[string]string, error) {
	st := ledger.StagedOf(ctx)
	f, ok := s.(LiveEventsFinder)
	if !ok {
		return nil, nil
	}
	var asked []string
	seen := map[string]bool{}
	for _, ev := range live {
		for _, id := range canonicalLots(ev).LotIDs() {
			if l := stored[id]; l != nil && !seen[id] && ev.EventTime.Before(l.FirstEventAt) {
				seen[id] = true
				asked = append(asked, id)
			}
		}
	}
	if len(asked) == 0 {
		return nil, nil
	}
	evs, err := f.LiveEventsOfLots(ctx, asked)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, id := range asked {
		var first *critmin.Event
		for _, ev := range evs {
			if !ev.EventTime.Equal(stored[id].FirstEventAt) || !makesOutput(ev, id) {
				continue
			}
			if first == nil || ev.PK < first.PK {
				first = ev
			}
		}
		if first != nil && st.Has(first.EventID) {
			out[id] = first.EventID
		}
	}
	return out, nil
}

// makesOutput reports whether ev is an ObjectEvent ADD naming lot or a
// TransformationEvent putting it out: what checkLotExists reads as a
// lot's first record within a document.
func makesOutput(ev *critmin.Event, lot string) bool {
	makes := ev.Type == critmin.TransformationEvent || ev.Type == critmin.ObjectEvent && ev.Action == "ADD"
	if !makes || ev.ErrorDeclaration != nil {
		return false
	}
	for _, q := range canonicalLots(ev).Quantities {
		if q.EPCClass == lot && (ev.Type != critmin.TransformationEvent || q.Role == critmin.RoleOutput) {
			return true
		}
	}
	return false
}

// reading is one measured quantity of a lot at an instant: its wet mass
// (a Mass sensor report) or an analyte's concentration on a basis (a
// MassConcentration report), with the value in tonnes or per cent.
type reading struct {
	lot, what, basis string
	// party and sublot are an assay-exchange result's (cm:assayParty,
	// cm:sublot): the fact a result states is lot + sublot + party + time
	// (docs/trade.md, "Assay exchange"), so the seller's sublot A and
	// sublot B certificates at one instant, or the buyer's and the
	// seller's, are distinct readings, not one quantity with two values.
	party, sublot string
	// holding names the holding of the lot the reading concerns
	// (ledger.AssayHolders: its body, or a part received elsewhere or
	// held by another party): an assay of the body at the mine and one
	// of BUY's part at Karachi at one instant are two facts (issue 9,
	// fix9z).
	holding        string
	at             time.Time
	value          float64
	text           string // as stated, for the error
	event, pointer string
}

func (r reading) key() string {
	return r.lot + "\x00" + r.holding + "\x00" + r.what + "\x00" + r.basis + "\x00" + r.party + "\x00" + r.sublot + "\x00" + r.at.UTC().Format(time.RFC3339Nano)
}

// readingsOf lists ev's readings of the lots it describes. A report's
// instant is its own time, else the event's.
func readingsOf(ev *critmin.Event) []reading {
	var lots []string
	for _, q := range canonicalLots(ev).Quantities {
		if q.Role == critmin.RoleEPC || q.Role == "" {
			lots = append(lots, q.EPCClass)
		}
	}
	if len(lots) == 0 {
		return nil
	}
	var out []reading
	for i, s := range ev.Sensors {
		if s.Value == nil {
			continue
		}
		r := reading{at: ev.EventTime, event: ev.EventID, pointer: s.Pointer, text: critmin.PlainNumber(*s.Value) + " " + units.Symbol(s.UOM)}
		if r.pointer == "" {
			r.pointer = fmt.Sprintf("/sensorElementList/0/sensorReport/%d", i)
		}
		if !s.Time.IsZero() {
			r.at = s.Time
		}
		switch {
		case sensorType(s.Type) == "Mass":
			t, err := units.ToTonnes(*s.Value, s.UOM)
			if err != nil {
				continue
			}
			r.what, r.value = "wet mass", t
		case sensorType(s.Type) == "MassConcentration":
			analyte := strings.TrimPrefix(s.ChemicalSubstance, ledger.AnalyteBase)
			if a, ok := s.Extensions[ledger.TermAnalyte].(string); ok {
				analyte = a
			}
			if ledger.IsWater(s.ChemicalSubstance) {
				analyte = ledger.MoistureAnalyte
			}
			if analyte == "" || analyte == s.ChemicalSubstance {
				continue // not an analyte the ledger reads
			}
			u, err := units.NormalizeGradeUnit(s.UOM)
			if err != nil {
				continue
			}
			v, err := units.ConvertGrade(*s.Value, u, units.Percent)
			if err != nil {
				continue
			}
			r.what, r.value = analyte, v
			r.party, _ = s.Extensions[ledger.Namespace+"assayParty"].(string)
			r.sublot, _ = s.Extensions[ledger.Namespace+"sublot"].(string)
			if b, ok := s.Extensions[ledger.TermBasis].(string); ok && analyte != ledger.MoistureAnalyte {
				r.basis = b
			}
		default:
			continue
		}
		for _, lot := range lots {
			r.lot = lot
			out = append(out, r)
		}
	}
	return out
}

// sensorType is a sensor report's type in its bare GS1 spelling (Mass,
// MassConcentration: epcis.NormalizeMeasurementType).
func sensorType(t string) string {
	bare, _ := epcis.NormalizeMeasurementType(t)
	return bare
}

// sameValue says whether two readings agree to one part in 10⁹.
func sameValue(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// checkSameInstant refuses a second, different reading of one quantity of
// a lot at one instant: a wet mass, or one analyte on one basis, of one
// holding of the lot, at the same time as a stored live event or an
// earlier event of the document gives it another value — from the
// import, the Sample form, a weighbridge or the API alike. The ledger
// keeps one value per quantity and time, so the later capture would
// replace the earlier without a word. The same value again (a re-sent
// reading) is accepted; a correction is made by declaring the wrong
// event in error. Events the document declares in error are not
// compared. A holding is what of the lot the reading measured
// (readingHolders): the lot's body and a part received at another site,
// or held there by another party, are measured apart — an assay of each
// at one instant is two facts, never a contradiction (issue 9, fix9z;
// docs/origin.md, "An assay is of what stood where it was taken").
func checkSameInstant(ctx context.Context, s Store, live, events []*critmin.Event, stored map[string]*critmin.Lot) ([]critmin.FieldError, error) {
	declared := map[string]bool{}
	for _, ev := range events {
		if ev.ErrorDeclaration != nil {
			declared[ev.EventID] = true
		}
	}
	first := map[string]reading{}
	var doc []reading
	lots := map[string]bool{}
	for _, ev := range live {
		for _, r := range readingsOf(ev) {
			doc = append(doc, r)
			lots[r.lot] = true
		}
	}
	if len(doc) == 0 {
		return nil, nil
	}
	holders, err := readingHolders(ctx, s, live, declared, lots, stored)
	if err != nil {
		return nil, err
	}
	for i := range doc {
		doc[i].holding = holders.of(doc[i].lot, doc[i].event)
	}
	if q, ok := s.(eventQuerier); ok {
		ids := make([]string, 0, len(lots))
		for id := range lots {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		page, err := q.FindEvents(ctx, critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: ids, Exact: true}}, Limit: 10000})
		if err != nil {
			return nil, err
		}
		// The first recorded reading of an instant is the one named.
		evs := append([]*critmin.Event(nil), page.Events...)
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].RecordTime.Before(evs[j].RecordTime) })
		for _, st := range evs {
			if !ledger.Live(st) || declared[st.EventID] {
				continue
			}
			for _, r := range readingsOf(decodeStored(st)) {
				r.holding = holders.of(r.lot, r.event)
				if _, ok := first[r.key()]; !ok && lots[r.lot] {
					first[r.key()] = r
				}
			}
		}
	}
	var out []critmin.FieldError
	for _, r := range doc {
		prev, ok := first[r.key()]
		if !ok {
			first[r.key()] = r
			continue
		}
		if prev.event == r.event || sameValue(prev.value, r.value) {
			continue
		}
		what := r.what
		if r.what != "wet mass" {
			what = r.what + " concentration"
			if r.basis != "" {
				what += " (" + r.basis + ")"
			}
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + r.event + r.pointer, Reason: fmt.Sprintf("lot %s already has a %s reading of %s at %s (event %s), and this one says %s: one quantity has one value at one instant, so one of them would be lost without a word. If the earlier reading is wrong, declare event %s in error; if both are right, they were taken at different times — give this one its own time",
			r.lot, what, prev.text, r.at.Format(time.RFC3339), prev.event, r.text, prev.event) + holdingWords(r.holding)})
	}
	return out, nil
}

// holdingWords names what of the lot two same-instant readings are of
// (ledger.AssayHolders: the body, or a part by the shipment that made it),
// so that a refusal on a lot with parts says which holding already has
// the reading (issue 9, fix9ab): " Both readings are of the lot's body."
func holdingWords(h string) string {
	var names []string
	for _, x := range strings.Split(h, ",") {
		names = append(names, ledger.HolderWords(x))
	}
	return " Both readings are of " + strings.Join(names, " and ") + "."
}

// holdings names, per lot and event, the holding of the lot the event's
// readings concern (ledger.AssayHolders); a lot not replayed has one,
// its body.
type holdings map[string]map[string]string

func (h holdings) of(lot, event string) string {
	if n, ok := h[lot][event]; ok {
		return n
	}
	return ledger.BodyHolder
}

// readingHolders is the holding each reading of lots concerns
// (ledger.AssayHolders), for the lots that have or may have parts — a
// stored lot with parts, or one the document ships or receives: the
// lot's live stored events (less those the document declares in error or
// re-sends) and the document's are replayed in event time through the
// ledger's projection (ledger.Project), each event's holders read just
// after it, as the ledger gave it its readings. A lot without parts is
// all body. A store that cannot give the live events of lots reads every
// lot as its body (one quantity per lot, as before).
func readingHolders(ctx context.Context, s Store, live []*critmin.Event, declared, lots map[string]bool, stored map[string]*critmin.Lot) (holdings, error) {
	f, ok := s.(liveEventsFinder)
	if !ok {
		return nil, nil
	}
	want := map[string]bool{}
	docID := map[string]bool{}
	for _, ev := range live {
		docID[ev.EventID] = true
		cev := canonicalLots(ev)
		step := stepName(ev.BizStep)
		moves := inTransitStep(step) || ledger.Departs(ev) || step == "receiving" || step == "arriving"
		for _, id := range cev.LotIDs() {
			if lots[id] && (moves || stored[id] != nil && len(stored[id].Parts) > 0) {
				want[id] = true
			}
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	evs, err := f.LiveEventsOfLots(ctx, ids)
	if err != nil {
		return nil, err
	}
	seqOf := map[string][]*critmin.Event{}
	add := func(ev *critmin.Event) {
		cev := canonicalLots(ev)
		for _, id := range cev.LotIDs() {
			if want[id] {
				seqOf[id] = append(seqOf[id], cev)
			}
		}
	}
	for _, ev := range evs {
		if ledger.Live(ev) && !declared[ev.EventID] && !docID[ev.EventID] {
			add(ev)
		}
	}
	for _, ev := range live {
		add(ev)
	}
	out := holdings{}
	for _, id := range ids {
		seq := ledger.EventTimeOrder(seqOf[id])
		sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
		lot := &critmin.Lot{ID: id}
		out[id] = map[string]string{}
		for _, ev := range seq {
			view := map[string]*critmin.Lot{}
			for _, other := range ev.LotIDs() {
				view[other] = &critmin.Lot{ID: other}
			}
			view[id] = lot
			ledger.Project(view, ev)
			out[id][ev.EventID] = strings.Join(ledger.AssayHolders(lot, ev.EventID), ",")
		}
	}
	return out, nil
}

// checkFedInTransit refuses a run (TransformationEvent) that feeds a lot
// on its way to another site: by the lot's whereabouts at the run's time
// (its live events up to the run, stored or earlier in the document,
// followed as checkWhereabouts follows them: a receipt ends a transit, a
// part shipped away leaves the rest where it stood) the lot is in transit
// after a shipping, departing or transporting event whose destinations
// (destinationList type location) do not include the run's site.
// Material at sea bound for Houston cannot be fed at a refinery in
// Missouri; it is received there first (CBV 2.0 receiving). A shipment
// naming no destination is not judged. A lot that stood at a site at the
// run's time is not called "in transit" (fix15m: a lot received at the
// port and shipped on later was refused as "in transit to" the port); the
// whereabouts check names where it stood.
func checkFedInTransit(ctx context.Context, s Store, live []*critmin.Event, fed []lotTouch) ([]critmin.FieldError, error) {
	var out []critmin.FieldError
	q, canQuery := s.(eventQuerier)
	for _, t := range fed {
		type step struct {
			ev  *critmin.Event
			doc int // index in live, -1 for a stored event
		}
		var walk []step
		inDoc := map[string]bool{}
		for i, e := range live {
			if e == t.ev {
				break
			}
			inDoc[e.EventID] = true
			if !e.EventTime.After(t.ev.EventTime) && namesLot(e, t.id) {
				walk = append(walk, step{ev: e, doc: i})
			}
		}
		if canQuery {
			end := t.ev.EventTime.Add(time.Nanosecond)
			page, err := q.FindEvents(ctx, critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: []string{t.id}, Exact: true}}, LTEventTime: &end, OrderBy: "eventTime", Limit: 10000})
			if err != nil {
				return nil, err
			}
			for _, st := range page.Events {
				if ledger.Live(st) && !inDoc[st.EventID] {
					walk = append(walk, step{ev: decodeStored(st), doc: -1})
				}
			}
		}
		sort.SliceStable(walk, func(a, b int) bool {
			ta, tb := walk[a].ev.EventTime, walk[b].ev.EventTime
			if !ta.Equal(tb) {
				return ta.Before(tb)
			}
			return walk[a].doc < walk[b].doc
		})
		lot := t.before
		tr := newTracker(t.id, &lot)
		for _, st := range walk {
			tr.add(st.ev)
		}
		w := tr.w
		if w.by == nil || !w.inTransit || len(w.dests) == 0 {
			continue
		}
		here := epcis.Canonical(t.ev.BizLocation)
		if w.partsAt[here] {
			continue
		}
		bound := false
		for _, d := range w.dests {
			bound = bound || d == here
		}
		if bound {
			continue
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + t.ev.EventID + "/inputQuantityList", Reason: fmt.Sprintf("lot %s cannot be fed at %s: it is in transit to %s (%s event %s on %s); receive it where the run is first",
			t.id, t.ev.BizLocation, strings.Join(w.dests, ", "), stepName(w.by.BizStep), w.by.EventID, w.by.EventTime.Format(time.RFC3339))})
	}
	return out, nil
}

// inTransitStep says whether a CBV business step sends a lot on its way.
func inTransitStep(step string) bool {
	switch stepName(step) {
	case "shipping", "departing", "transporting":
		return true
	}
	return false
}

// checkLotRecorded refuses an event of the corridor that consumes or
// observes a lot no event recorded — neither stored nor named by an
// earlier event of the document: a shipment, a packing, a sample, an
// inspection, a weighing or a run's input of a lot the platform has never
// seen would create the lot with nothing known of it (no site, 0 kg
// held), so a mistyped lot ID would be stored as a new lot (issue 15,
// fix15s item 1). Two events may name an unrecorded lot: its
// commissioning (an ObjectEvent ADD, or a TransformationEvent's output)
// makes it, and a receipt (CBV bizStep receiving) is its first sighting,
// material arriving from outside the platform (checkReceipts). The error
// names the lot and says to commission or receive it first.
//
// An event is the corridor's when it happens at a site the record knows
// (sites: stored master data and the document's, by siteKey) or carries
// the corridor's mineral data (cm: ILMD or extension). An event at a
// location no master data describes, carrying no mineral data — GS1's
// official examples, each one event out of a supply chain the platform
// never saw (docs/epcis.md, "XML binding") — is outside the corridor's
// record and keeps EPCIS's generic behaviour: its lots enter the record
// as it names them. The rule reads the event's lot (class) lines; an
// instance EPC (a container or bag fed to a run whole) is recorded by
// the packing that filled it and is not judged here.
//
// unmadeBy, when not nil, gives for a lot the declared event that made
// it (issue 8 §2, fixIi): such a lot is refused as declared in error
// (LotDeclaredUnmade), not as never recorded — at any site, inside the
// corridor or not: the record made it (fixWw).
func checkLotRecorded(live []*critmin.Event, stored map[string]*critmin.Lot, sites map[string]string, unmadeBy func(lot string) *critmin.Event) []critmin.FieldError {
	seen := map[string]bool{}
	for id := range stored {
		seen[id] = true
	}
	// The document's event that makes each lot (commissioning, first
	// receipt, run output), for a refusal of an event listed before it.
	madeBy := map[string]*critmin.Event{}
	for _, ev := range live {
		ev = canonicalLots(ev)
		makes := ev.Type == critmin.ObjectEvent && ev.Action == "ADD" || stepName(ev.BizStep) == "receiving"
		for _, q := range ev.Quantities {
			if (makes || ev.Type == critmin.TransformationEvent && q.Role == critmin.RoleOutput) && madeBy[q.EPCClass] == nil {
				madeBy[q.EPCClass] = ev
			}
		}
	}
	var out []critmin.FieldError
	for _, ev := range live {
		ev = canonicalLots(ev)
		_, atSite := sites[eventSite(ev)]
		corridor := atSite || ev.Mineral != nil
		makes := ev.Type == critmin.ObjectEvent && ev.Action == "ADD" || stepName(ev.BizStep) == "receiving"
		named := map[string]bool{}
		// Only the event's quantity (class) lines are judged here. An
		// instance EPC — a container's SSCC, a bag's SGTIN — is made by
		// the packing that fills it, which no lot line records, and is
		// judged by the packing checks (checkPackedAtSea, PackedIn).
		for i, q := range ev.Quantities {
			if seen[q.EPCClass] || named[q.EPCClass] || makes || ev.Type == critmin.TransformationEvent && q.Role == critmin.RoleOutput {
				continue
			}
			// A lot whose making event is declared in error was recorded,
			// wherever it was made: an event acting on it without a
			// standing maker depends on that event at any site, known to
			// master data or not (issue 8 §2, fixWw: declaring the
			// commissioning was refused at a described site and taken at
			// a fresh one, leaving its shipment standing on nothing).
			var maker *critmin.Event
			if unmadeBy != nil {
				maker = unmadeBy(q.EPCClass)
			}
			if !corridor && maker == nil {
				continue
			}
			named[q.EPCClass] = true
			what := "an " + string(ev.Type)
			switch {
			case ev.Type == critmin.TransformationEvent:
				what = "a run's input"
			case ev.BizStep != "":
				what = "an event of step " + stepName(ev.BizStep)
			}
			// The pointer names the line's epcClass, the field at fault
			// (RFC 9457 problem details name the member): a form or an
			// import files the refusal under its lot field, not under
			// the quantity the list also holds (issue 15, fix15s: an
			// import listed it a second time under the net mass).
			reason := LotNotRecorded(q.EPCClass, what)
			if m := madeBy[q.EPCClass]; m != nil && maker == nil {
				// Made later in the document: say so, and to list it
				// first (issue 8, fixNb item 3: it read only "lot not
				// known").
				reason = LotMadeLaterInDocument(q.EPCClass, what, m)
			}
			if maker != nil {
				reason = LotDeclaredUnmade(q.EPCClass, what, maker, nil)
			}
			out = append(out, critmin.FieldError{Pointer: "event " + ev.EventID + "/" + quantityPtr(ev, i) + "/epcClass", Reason: reason})
		}
		for _, q := range ev.LotLines() {
			seen[q.EPCClass] = true
		}
	}
	return out
}

// LotMadeLaterInDocument is the reason checkLotRecorded gives for an
// event acting on a lot that an event listed after it in the same
// document makes (maker: its commissioning, first receipt or run
// output): the document's events are judged in the order listed — what
// each one finds is what the events listed before it recorded (the
// capture checks and the store's projection alike) — so the maker must
// come first, whatever its eventTime.
func LotMadeLaterInDocument(lot, what string, maker *critmin.Event) string {
	return fmt.Sprintf("lot not known: no event before this one recorded lot %s — it is made later in this document, by event %s (%s, dated %s), listed after this one; a document's events are judged in the order listed, so %s cannot act on it yet: list event %s before this one",
		lot, maker.EventID, stepName(maker.BizStep), maker.EventTime.Format(time.RFC3339), what, maker.EventID)
}

// LotNotRecorded is the reason an event refused for acting on a lot no
// event recorded gives (checkLotRecorded); what names the event ("a
// run's input", "an event of step shipping"). The record forms give it
// too when the validator stops before the capture checks (a field not
// well formed beside it), so one preview names every fault.
func LotNotRecorded(lot, what string) string {
	return fmt.Sprintf("lot not known: no event recorded lot %s, so %s cannot act on it (it would create the lot with no site and 0 kg held); commission it (or receive it, as its first sighting) first, or correct the lot ID", lot, what)
}

// checkContainerRecorded refuses a run that feeds by its inputEPCList a
// container (or any instance) no event ever named — no stored event in
// any role (epcList, parentID, childEPCs, inputEPCList, outputEPCList)
// and no event listed before it in the document — as a run naming a
// lot no event recorded is refused (checkLotRecorded): it would feed
// the run nothing anyone recorded, and the product's origin would rest
// on an identifier the record never saw (issue 9, fixQm: an SSCC never
// packed, fed whole, was taken and left the product's origin unknown).
// Judged, like the lot, where the run's site is known to master data
// (sites) or the run carries mineral data; a store that cannot tell
// which events name an identifier is not judged.
func checkContainerRecorded(ctx context.Context, s any, live []*critmin.Event, sites map[string]string) ([]critmin.FieldError, error) {
	namer, ok := s.(eventKeysNamer)
	if !ok {
		return nil, nil
	}
	var fed []string
	for _, ev := range live {
		if ev.Type != critmin.TransformationEvent {
			continue
		}
		for _, e := range ev.EPCs {
			if e.Role == critmin.RoleInput {
				fed = append(fed, epcis.Canonical(e.EPC))
			}
		}
	}
	if len(fed) == 0 {
		return nil, nil
	}
	named := map[string]bool{}
	for _, role := range []string{critmin.RoleEPC, critmin.RoleParent, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput} {
		for start := 0; start < len(fed); start += 500 {
			keys, err := namer.EventKeysNaming(ctx, role, fed[start:min(start+500, len(fed))])
			if err != nil {
				return nil, err
			}
			for c, k := range keys {
				if len(k) > 0 {
					named[epcis.Canonical(c)] = true
				}
			}
		}
	}
	var out []critmin.FieldError
	for _, ev := range live {
		_, atSite := sites[eventSite(ev)]
		if ev.Type == critmin.TransformationEvent && (atSite || ev.Mineral != nil) {
			k := 0
			for _, e := range ev.EPCs {
				if e.Role != critmin.RoleInput {
					continue
				}
				if c := epcis.Canonical(e.EPC); !named[c] {
					out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("event %s/inputEPCList/%d", ev.EventID, k), Reason: ContainerNotRecorded(e.EPC, ev)})
					named[c] = true // once per document
				}
				k++
			}
		}
		for _, e := range ev.EPCs {
			named[epcis.Canonical(e.EPC)] = true
		}
		if ev.ParentID != "" {
			named[epcis.Canonical(ev.ParentID)] = true
		}
	}
	return out, nil
}

// ContainerNotRecorded is the reason checkContainerRecorded gives for
// run ev fed container (as ev spells it) whole when no event ever named
// it.
func ContainerNotRecorded(container string, ev *critmin.Event) string {
	run := ev.TransformationID
	if run == "" {
		run = ev.EventID
	}
	return fmt.Sprintf("container not known: %s was never recorded — no event packed, moved or fed it — so run %s (event %s) cannot be fed it whole (it holds nothing the record knows, and the product's origin would rest on it); pack the lots into it first (AggregationEvent ADD), or correct the identifier", container, run, ev.EventID)
}
