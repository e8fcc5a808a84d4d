package commercial

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Mineral-extension terms the Trade job adds to sensor reports and
// events (docs/mineral-extension.md, "Trade"): which party of an assay
// exchange reported a result, for which sublot and its dry weight, and the
// invoice a TransactionEvent records.
const (
	TermAssayParty = ledger.Namespace + "assayParty"
	TermSublot     = ledger.Namespace + "sublot"
	TermSublotDMT  = ledger.Namespace + "sublotDMT"
	TermLab        = ledger.Namespace + "lab"
	TermInvoice    = ledger.Namespace + "invoice"
)

// lotEvents returns a lot's events in event-time order, without the events
// declared in error (EPCIS 2.0 §7.4.1.2) nor the declarations themselves.
//
// A non-zero asOf reconstructs the lot as it was known at that instant,
// on both time axes (bitemporal, ISO/IEC 9075-2 system and application
// time; docs/trade.md, "As-of views: what was known then"): an event
// counts when it happened by then (eventTime not after asOf) and was
// recorded by then (recordTime not after asOf, knownBy); a declaration
// in error retracts it when made by then (declarationTime) and recorded
// by then. A weighing, assay or exchange result entered later, dated
// earlier, is not known as of a day before its entry.
//
// The lot's opening record is the exception (OpeningRecord): the events
// recorded within a day of the lot's first record — a history loaded at
// once, the demo, a trader's past imported from spreadsheets — count from
// their eventTime, as the documents of their days (B/L, certificates)
// say; without it a back-filled ledger would know nothing of its past.
//
// keys are the critmin.LotEventKeys of every event read, declarations and
// retracted events included: an invoice's basis (critmin.LotEventSet).
func lotEvents(ctx context.Context, store critmin.EventStore, lot string, asOf time.Time) (events []*critmin.Event, keys []string, err error) {
	var all []*critmin.Event
	f := critmin.LotEventFilter(lot)
	for {
		page, err := store.FindEvents(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, page.Events...)
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	keys = critmin.LotEventKeys(all)
	known := func(t time.Time) bool { return asOf.IsZero() || t.IsZero() || !t.After(asOf) }
	recorded := knownBy(all, asOf)
	retracted := map[string]bool{}
	plain := map[string]bool{} // eventIDs recorded as an event, not only as a declaration
	for _, ev := range all {
		if d := ev.ErrorDeclaration; d != nil && known(d.DeclarationTime) && recorded(declRecordTime(ev)) {
			retracted[ev.EventID] = true
		}
		if ev.ErrorDeclaration == nil {
			plain[ev.EventID] = true
		}
	}
	// Each event counts once: a declaration (the event recorded again with
	// its errorDeclaration) is no event, so as of a day before it was made
	// the event it retracts is back once, not twice (fix13u).
	seen := map[string]bool{}
	out := all[:0]
	for _, ev := range all {
		if retracted[ev.EventID] || !known(ev.EventTime) || !recorded(ev.RecordTime) || seen[ev.EventID] ||
			(ev.ErrorDeclaration != nil && plain[ev.EventID]) {
			continue
		}
		seen[ev.EventID] = true
		full, err := rehydrate(ev)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, full)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime.Before(out[j].EventTime) })
	return out, keys, nil
}

// OpeningRecord is how long after a lot's first record its events are
// still its opening record, a history loaded at once (lotEvents): one
// day. Events recorded later count as of a day only once recorded.
const OpeningRecord = 24 * time.Hour

// knownBy tells, of the record times of a lot's events (all, as read),
// which were known at asOf (zero: now): recorded by then, or within the
// lot's opening record (OpeningRecord after its first record time). A
// zero record time (facts given directly) is known.
func knownBy(all []*critmin.Event, asOf time.Time) func(time.Time) bool {
	if asOf.IsZero() {
		return func(time.Time) bool { return true }
	}
	var first time.Time
	for _, ev := range all {
		if rt := ev.RecordTime; !rt.IsZero() && (first.IsZero() || rt.Before(first)) {
			first = rt
		}
	}
	opening := first.Add(OpeningRecord)
	return func(rt time.Time) bool {
		return rt.IsZero() || !rt.After(asOf) || !rt.After(opening)
	}
}

// declRecordTime is when an error declaration was recorded: its own
// record time when the store gives it, else its event record's.
func declRecordTime(ev *critmin.Event) time.Time {
	if d := ev.ErrorDeclaration; d != nil && !d.RecordTime.IsZero() {
		return d.RecordTime
	}
	return ev.RecordTime
}

// rehydrate decodes a stored event's raw JSON again (stores return the
// indexed columns; quantities, bizTransactions and sensor reports are in
// the raw event), with its mineral-extension content.
func rehydrate(ev *critmin.Event) (*critmin.Event, error) {
	body, err := epcis.EventWithContext(ev)
	if err != nil {
		return nil, fmt.Errorf("commercial: event %s: %w", ev.EventID, err)
	}
	doc, err := epcis.ParseDocument(body, true)
	if err != nil {
		return nil, fmt.Errorf("commercial: event %s: %w", ev.EventID, err)
	}
	full, ferr := doc.Decode(0, ev.RecordTime)
	if ferr != nil {
		return nil, fmt.Errorf("commercial: event %s: %w", ev.EventID, ferr)
	}
	full.EventID, full.RecordTime, full.Raw, full.Context = ev.EventID, ev.RecordTime, ev.Raw, ev.Context
	if m, _ := ledger.DecodeMineral(full, ""); m != nil {
		full.Mineral = m
	}
	return full, nil
}

// sameLot tells whether an identifier as captured names the lot whose key
// (canonical identifier, docs/identity.md) is lot: an LGTIN URN and its
// GS1 Digital Link, with or without a trailing slash, are one lot.
func sameLot(captured, lot string) bool {
	return captured == lot || epcis.Canonical(captured) == lot
}

// LotKey resolves a lot named in any spelling (docs/identity.md: an LGTIN
// URN, a GS1 Digital Link) to its key, the canonical identifier the lot
// tables, invoices and declarations are stored under. An unknown lot is
// ENOTFOUND "no lot …".
func LotKey(ctx context.Context, store critmin.Store, id string) (string, error) {
	if id == "" {
		return "", fieldErrorf("lot", "name the lot")
	}
	lot, err := store.FindLot(ctx, id)
	if err != nil {
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return "", critmin.Errorf(critmin.ENOTFOUND, "no lot %q in the ledger", id)
		}
		return "", err
	}
	return lot.ID, nil
}

func lotTonnes(ev *critmin.Event, lot string) (decimal.Decimal, bool) {
	for _, q := range ev.Quantities {
		if sameLot(q.EPCClass, lot) && q.Quantity != nil && q.Role != critmin.RoleInput {
			t, err := units.ToTonnes(*q.Quantity, q.UOM)
			if err == nil {
				return decimal.NewFromFloat(t).Round(6), true
			}
		}
	}
	return zero, false
}

// names reports whether the event states facts about the lot: it names
// it other than as a transformation input.
func names(ev *critmin.Event, lot string) bool {
	for _, q := range ev.Quantities {
		if sameLot(q.EPCClass, lot) && q.Role != critmin.RoleInput {
			return true
		}
	}
	return false
}

// composite tells whether an event names more than one lot other than as
// a transformation input: its assays are of a sample drawn across those
// lots, which is no lot's own assay.
func composite(ev *critmin.Event) bool {
	first := ""
	for _, q := range ev.Quantities {
		if q.Role == critmin.RoleInput {
			continue
		}
		k := epcis.Canonical(q.EPCClass)
		if first == "" {
			first = k
		} else if k != first {
			return true
		}
	}
	return false
}

// localDate is the calendar date of an event where it happened.
func localDate(ev *critmin.Event) time.Time {
	t := ev.EventTime
	if off, err := time.Parse("-07:00", ev.EventTimeZoneOffset); err == nil {
		_, secs := off.Zone()
		t = t.In(time.FixedZone(ev.EventTimeZoneOffset, secs))
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// LotFactsFromEvents reads what a settlement needs from a lot's events:
// the bill of lading (the first shipping event with a bizTransaction of
// type bol: its date and the lot's quantity in it, the loading weight),
// the moisture and assays known at loading, the first receipt after it
// (arrival and discharge weight), later assays, and the assay-exchange
// results (sensor reports carrying cm:assayParty). Events declared in
// error are ignored. The lot may be named in any spelling of its
// identifier; the facts are keyed by its canonical identifier (LotKey) and
// read from events that name it in any spelling.
func LotFactsFromEvents(ctx context.Context, store critmin.Store, lotID string) (*LotFacts, error) {
	return lotFactsAsOf(ctx, store, lotID, time.Time{})
}

// lotFactsAsOf is LotFactsFromEvents as the ledger stood at asOf (zero:
// now), for the as-of views (Exposure).
func lotFactsAsOf(ctx context.Context, store critmin.Store, lotID string, asOf time.Time) (*LotFacts, error) {
	lot, err := store.FindLot(ctx, lotID)
	if err != nil {
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return nil, critmin.Errorf(critmin.ENOTFOUND, "no lot %q in the ledger", lotID)
		}
		return nil, err
	}
	lotID = lot.ID
	events, keys, err := lotEvents(ctx, store, lotID, asOf)
	if err != nil {
		return nil, err
	}
	lf := &LotFacts{Lot: lotID, Commodity: lot.Commodity, Assays: map[string]Grade{}, Latest: map[string]Grade{}, eventKeys: keys}
	var moisture *float64
	var moistureEvent string
	var afterBL *float64 // the latest moisture determined after the B/L
	var afterBLEvent string
	var pending *float64 // the latest moisture determined since the last weighing
	var pendingEvent string
	var parts []Weighing // the receipts after the B/L: the outturn's parts
	outturnClosed := false
	// firstPartPlace is where the first receipt after the B/L happened
	// (placeOf): the discharge place every part of the outturn shares.
	firstPartPlace := ""
	var blEvent *critmin.Event
	var all, atLoading []readAssay
	var samples []sampleRead
	sublots := map[string]decimal.Decimal{}
	weights := map[string][]SublotWeight{}
	var sublotOrder []string
	// The B/L event, found ahead: an assay of the lot's body dated at its
	// very instant but recorded before it is read only for what the B/L
	// shipped holds of it (atBLInstant).
	var bl *critmin.Event
	for _, ev := range events {
		if bl == nil && names(ev, lotID) && ev.BizStep == "shipping" && slices.ContainsFunc(ev.BizTransactions, func(bt critmin.BizTransaction) bool { return bt.Type == "bol" }) {
			if _, ok := lotTonnes(ev, lotID); ok {
				bl = ev
			}
		}
	}
	for _, ev := range events {
		if !names(ev, lotID) {
			continue // the lot is only an input here: the facts are the outputs'
		}
		// The weighing points first, then the measurements: a moisture
		// or assay carried by the B/L or the receipt event itself belongs
		// to that weighing point.
		for _, bt := range ev.BizTransactions {
			if blEvent == nil && bt.Type == "bol" && ev.BizStep == "shipping" {
				if t, ok := lotTonnes(ev, lotID); ok {
					blEvent = ev
					lf.BL, lf.BLDate, lf.BLEvent = bt.ID, localDate(ev), ev.EventID
					lf.Loading = Weighing{WMT: t, Date: lf.BLDate, EventID: ev.EventID}
				}
			}
		}
		// Moisture is the determination made with the weighing it is
		// applied to (docs/trade.md, "Moisture is determined where the
		// weight is"): up to and including the B/L event, the loading
		// moisture (the latest counts); after the B/L, a receipt's own
		// determination, else the latest one made since the previous
		// weighing (in transit, at the port before the receipt) — never a
		// later event's (an onward shipment's sample is another weighing).
		var evMoisture *float64
		if ev.Mineral != nil && ev.Mineral.Moisture != nil {
			m := *ev.Mineral.Moisture
			evMoisture = &m
		}
		if blEvent != nil && ev != blEvent && !outturnClosed && ev.BizStep == "receiving" && len(parts) > 0 && !samePlace(firstPartPlace, ev) {
			// Received again somewhere else: the lot moved on after its
			// outturn (an onward leg recorded without a departure); this
			// is another weighing of the same material, no part of it.
			outturnClosed = true
		}
		if blEvent != nil && ev != blEvent && !outturnClosed && ev.BizStep == "receiving" {
			if t, ok := lotTonnes(ev, lotID); ok {
				// A lot received in parts: each receipt is one part of
				// the outturn, with its own moisture.
				d := localDate(ev)
				if lf.Arrival == nil {
					lf.Arrival, lf.ArrivalEvent = &d, ev.EventID
				}
				if len(parts) == 0 {
					firstPartPlace = placeOf(ev)
				}
				part := Weighing{WMT: t, Date: d, EventID: ev.EventID, NoMoisture: true}
				switch {
				case evMoisture != nil:
					part.MoisturePct, part.NoMoisture = percentOf(*evMoisture), false
				case pending != nil:
					part.MoisturePct, part.MoistureEvent, part.NoMoisture = percentOf(*pending), pendingEvent, false
				}
				pending, pendingEvent = nil, ""
				parts = append(parts, part)
			}
		} else if len(parts) > 0 && ev != blEvent && (ev.BizStep == "shipping" || ev.BizStep == "departing") {
			// Shipped or departed on after its receipt (CBV 2.0 bizSteps
			// shipping, departing: a truck leg from the port to the plant):
			// the outturn is complete, and later weighings and
			// determinations are no part of it.
			outturnClosed = true
		}
		if evMoisture != nil {
			if blEvent == nil || ev == blEvent {
				moisture, moistureEvent = evMoisture, ev.EventID
			} else {
				afterBL, afterBLEvent = evMoisture, ev.EventID
				if ev.BizStep != "receiving" || len(parts) == 0 || parts[len(parts)-1].EventID != ev.EventID {
					pending, pendingEvent = evMoisture, ev.EventID
				}
			}
		}
		// Assays: ILMD at commissioning and sensor reports. An event
		// naming several lots carries a composite sample of them, not an
		// assay of this lot (docs/trade.md, "Which assays a settlement
		// reads"): it is not read.
		loading := blEvent == nil || ev == blEvent
		if ev.Mineral != nil && !composite(ev) && (loading || ofShippedPart(lot, blEvent, ev)) {
			early := blEvent == nil && bl != nil && ev != bl && ev.EventTime.Equal(bl.EventTime)
			for _, a := range ev.Mineral.Assays {
				if isExchangeReport(ev, a.Analyte) || early && !shippedPartHolds(lot, bl, a) {
					continue
				}
				if sub, dmt := sublotReport(ev, a.Analyte); sub != "" {
					// A laboratory's assay of a sublot: a part of the
					// lot, never its whole grade (fix1213c).
					lf.addSublotAssay(a, sub, dmt, ev)
					continue
				}
				a.EventID = ev.EventID
				ra := readAssay{Assay: a, day: ev.EventTime}
				all = append(all, ra)
				if loading {
					atLoading = append(atLoading, ra)
				}
				if len(samples) == 0 || samples[len(samples)-1].id != ev.EventID {
					samples = append(samples, sampleRead{id: ev.EventID, loading: loading})
				}
				samples[len(samples)-1].assays = append(samples[len(samples)-1].assays, ra)
			}
		}
		for _, s := range ev.Sensors {
			party, _ := s.Extensions[TermAssayParty].(string)
			// A raw EPCIS capture may spell the party "Seller": it is the
			// seller, so that its result meets the seller's other results
			// (and their conflict check) rather than being a fourth party.
			party = strings.ToLower(strings.TrimSpace(party))
			if party == "" || s.Value == nil {
				continue
			}
			unit, err := units.NormalizeGradeUnit(s.UOM)
			if err != nil {
				continue
			}
			r := AssayResult{Party: party, Analyte: analyteOf(s), Value: decimal.NewFromFloat(*s.Value), Unit: unit, EventID: ev.EventID, at: ev.EventTime}
			if b, _ := s.Extensions[ledger.TermBasis].(string); b == "as_received" {
				// Results are exchanged on the dry basis: one reported as
				// received is put on it with the moisture measured with
				// it (capture requires one in the same event); without
				// one it is no result of the exchange, and said so.
				if ev.Mineral == nil || ev.Mineral.Moisture == nil || *ev.Mineral.Moisture < 0 || *ev.Mineral.Moisture >= 1 {
					if lf.Unknown == nil {
						lf.Unknown = map[string]string{}
					}
					lf.noteUnknownAt(r.Analyte, ev.EventTime)
					lf.Unknown[r.Analyte] = fmt.Sprintf("lot %s: the %s's %s result (as-received basis, event %s) cannot be put on the dry basis: no moisture was measured with it; it is no result of the assay exchange", lotID, party, r.Analyte, ev.EventID)
					continue
				}
				m := fractionOf(*ev.Mineral.Moisture)
				r.Value = r.Value.Div(one.Sub(m)).Round(6)
			}
			r.Sublot, _ = s.Extensions[TermSublot].(string)
			r.Lab, _ = s.Extensions[TermLab].(string)
			if v, ok := s.Extensions[TermSublotDMT]; ok {
				if dmt, err := decimal.NewFromString(fmt.Sprint(v)); err == nil && r.Sublot != "" {
					if _, seen := sublots[r.Sublot]; !seen {
						sublotOrder = append(sublotOrder, r.Sublot)
					}
					sublots[r.Sublot] = dmt
					if ws := weights[r.Sublot]; len(ws) == 0 || ws[len(ws)-1].EventID != ev.EventID {
						weights[r.Sublot] = append(ws, SublotWeight{Party: party, DMT: dmt, EventID: ev.EventID})
					}
				}
			}
			lf.Results = append(lf.Results, r)
		}
	}
	if moisture != nil {
		lf.Loading.MoisturePct = percentOf(*moisture)
		lf.Loading.MoistureEvent = moistureEvent
	}
	// No determination: the weight is wet and its moisture unknown
	// (never 0 %, never the weighing event's).
	lf.Loading.NoMoisture = moisture == nil
	switch {
	case len(parts) == 1:
		d := parts[0]
		if d.NoMoisture && moisture != nil {
			// One receipt with no determination of its own: the loading
			// moisture, said so by the final settlement's warning.
			d.MoisturePct, d.MoistureEvent, d.NoMoisture, d.MoistureFromLoading = lf.Loading.MoisturePct, moistureEvent, false, true
		}
		lf.Discharge = &d
	case len(parts) > 1:
		lf.Discharge = outturnOfParts(parts)
	}
	for _, id := range sublotOrder {
		lf.Sublots = append(lf.Sublots, Sublot{ID: id, DMT: sublots[id], Reports: weights[id]})
	}
	// Grades on the dry basis, by the ledger's rule (ledger.LatestAssays,
	// ledger.DryValue): the newest assay of each analyte whatever its
	// basis, an as-received one converted with the moisture measured
	// with it, else the lot's — at loading the loading moisture, later
	// the latest determination. Payables are dry grade × dry tonnes.
	latest, latestEvent := moisture, moistureEvent
	if afterBL != nil {
		latest, latestEvent = afterBL, afterBLEvent
	}
	lotMoisture := func(loading bool) (*float64, string) {
		if loading {
			return moisture, moistureEvent
		}
		return latest, latestEvent
	}
	m, mev := lotMoisture(true)
	lf.Assays, lf.UnknownAtLoading = dryGrades(lotID, atLoading, m, mev)
	m, mev = lotMoisture(false)
	var unknown map[string]string
	lf.Latest, unknown = dryGrades(lotID, all, m, mev)
	for a, why := range unknown {
		if lf.Unknown == nil {
			lf.Unknown = map[string]string{}
		}
		lf.Unknown[a] = why
		for _, ra := range all {
			if ra.Analyte == a {
				lf.noteUnknownAt(a, ra.day)
			}
		}
	}
	for _, sm := range samples {
		m, mev := lotMoisture(sm.loading)
		g := map[string]Grade{}
		for _, ra := range sm.assays {
			if v, ok := dryGrade(ra, m, mev); ok {
				g[ra.Analyte] = v
			}
		}
		if len(g) > 0 {
			lf.Samples = append(lf.Samples, AssaySample{EventID: sm.id, AtLoading: sm.loading, Grades: g})
		}
	}
	return lf, nil
}

// ofShippedPart says whether the assays event ev states of lot l after
// its B/L (blEvent) are of what the B/L shipped. When the B/L shipped a
// part of the lot (ledger.ShippedPart: the rest stayed where it stood),
// an assay is of what stood where it was taken (issue 15, fix15a;
// docs/trade.md, "Which assays a settlement reads"): the part's own
// (Lot.PartAssays, by event) are read; the body's (Lot.Assays) and
// another part's are not — a re-assay of the 6 t left at the mine is no
// grade of the 4 t shipped. An assay the ledger no longer keeps (a newer
// one of its analyte and basis replaced it) is the part's when it was
// taken where the part went (its To). When the B/L shipped the whole
// lot, every assay is.
func ofShippedPart(l *critmin.Lot, blEvent, ev *critmin.Event) bool {
	if blEvent == nil {
		return true
	}
	p, ok := ledger.ShippedPart(l, blEvent.EventID)
	if !ok {
		return true
	}
	has := func(list []critmin.Assay) bool {
		return slices.ContainsFunc(list, func(a critmin.Assay) bool { return a.EventID == ev.EventID })
	}
	if has(l.PartAssays(p)) {
		return true
	}
	if has(l.Assays) {
		return false
	}
	for _, q := range l.Parts {
		if q.ShipEventID != p.ShipEventID && has(q.Assays) {
			return false
		}
	}
	return p.To != "" && placeOf(ev) == epcis.Canonical(p.To)
}

// shippedPartHolds says whether assay a, stated by an event at the very
// instant of the B/L bl but recorded before it, is of what bl shipped.
// When bl shipped a part of the lot (ledger.ShippedPart) and states its
// own assay of a's element (the loading sample), that is the part's
// grade at that instant: ev's is the body's, of what stayed where it
// stood (docs/trade.md, "Which assays a settlement reads"; issue 9,
// fix9z: both were read at loading, and the settlement was refused as
// "two dry assays at the same time disagree"). Otherwise the part left
// at the lot's grade of that instant, and a is read; when bl shipped the
// whole lot, every assay is.
func shippedPartHolds(l *critmin.Lot, bl *critmin.Event, a critmin.Assay) bool {
	if _, ok := ledger.ShippedPart(l, bl.EventID); !ok || bl.Mineral == nil {
		return true
	}
	el := units.ElementOf(a.Analyte)
	return !slices.ContainsFunc(bl.Mineral.Assays, func(b critmin.Assay) bool { return units.ElementOf(b.Analyte) == el })
}

// readAssay is an assay read from a lot's event, with the event's time
// (the date its grade's formula gives).
type readAssay struct {
	critmin.Assay
	day time.Time
}

// sampleRead is the assays one event reports of a lot, as read.
type sampleRead struct {
	id      string
	loading bool
	assays  []readAssay
}

// dryGrades are the dry grades of a lot by analyte from the assays read:
// the newest assay of each analyte whatever its basis (ledger.LatestAssays,
// the rule of custody.GradesOf, ledger.Contained and the planner),
// converted to dry (dryGrade). An analyte whose newest assay cannot be
// converted (as received, and no moisture known) has no grade: unknown
// says why (ledger.UnconvertedNote), and an older assay does not stand
// in for it.
func dryGrades(lot string, list []readAssay, lotMoisture *float64, moistureEvent string) (grades map[string]Grade, unknown map[string]string) {
	grades = map[string]Grade{}
	plain := make([]critmin.Assay, len(list))
	day := map[[2]string]time.Time{}
	for i, ra := range list {
		plain[i] = ra.Assay
		day[[2]string{ra.EventID, ra.Analyte}] = ra.day
	}
	conflicts := ledger.SameTimeConflicts(plain)
	for _, a := range ledger.LatestAssays(plain) {
		if why, bad := conflicts[a.Analyte]; bad {
			// Two statements of the newest measurement disagree: no
			// grade, and the settlement is refused naming both events.
			if unknown == nil {
				unknown = map[string]string{}
			}
			unknown[a.Analyte] = fmt.Sprintf("lot %s: %s", lot, why)
			continue
		}
		ra := readAssay{Assay: a, day: day[[2]string{a.EventID, a.Analyte}]}
		if g, ok := dryGrade(ra, lotMoisture, moistureEvent); ok {
			grades[a.Analyte] = g
			continue
		}
		if unknown == nil {
			unknown = map[string]string{}
		}
		unknown[a.Analyte] = ledger.UnconvertedNote(lot, a, true)
	}
	return grades, unknown
}

// dryGrade is an assay's grade on the dry basis (ledger.DryValue): a dry
// assay as it is; an as-received one ÷ (1 − moisture), with the moisture
// measured with it, else the lot's (moistureEvent), in decimal arithmetic
// to 6 places, its formula written out (ISO 12743: grades are reported
// and paid on the dry basis, against dry tonnes). false when it cannot be
// converted.
func dryGrade(ra readAssay, lotMoisture *float64, moistureEvent string) (Grade, bool) {
	a := ra.Assay
	date := ra.day.Format(time.DateOnly)
	if a.Basis == "dry" {
		return Grade{Value: decimal.NewFromFloat(a.Value), Unit: a.Unit, Formula: fmt.Sprintf("assay of %s (dry basis)", date), Events: []string{a.EventID}, at: ra.day}, true
	}
	if _, ok := ledger.DryValue(a, lotMoisture); !ok {
		return Grade{}, false
	}
	m, whose, events := a.Moisture, "measured with it", []string{a.EventID}
	if m == nil {
		m, whose = lotMoisture, "the lot's"
		if moistureEvent != "" && moistureEvent != a.EventID {
			whose += " (event " + moistureEvent + ")"
			events = append(events, moistureEvent)
		}
	}
	ar, mf := decimal.NewFromFloat(a.Value), fractionOf(*m)
	v := ar.Div(one.Sub(mf)).Round(6)
	return Grade{Value: v, Unit: a.Unit, Events: events, at: ra.day,
		Formula: fmt.Sprintf("assay of %s (as-received basis) on the dry basis: %s %s ÷ (1 − %s moisture, %s) = %s %s", date, ar, a.Unit, mf, whose, v, a.Unit)}, true
}

func analyteOf(s critmin.SensorReport) string {
	if a, ok := s.Extensions[ledger.TermAnalyte].(string); ok {
		return a
	}
	if len(s.ChemicalSubstance) > len(ledger.AnalyteBase) && s.ChemicalSubstance[:len(ledger.AnalyteBase)] == ledger.AnalyteBase {
		return s.ChemicalSubstance[len(ledger.AnalyteBase):]
	}
	return s.ChemicalSubstance
}

// isExchangeReport tells whether the event's report of analyte is an
// assay-exchange result, which settles through the exchange rather than
// standing as the lot's assay.
// sublotReport is the sublot (cm:sublot) and its dry weight
// (cm:sublotDMT, zero when absent) of a plain MassConcentration report of
// analyte in ev — one without cm:assayParty — or "".
func sublotReport(ev *critmin.Event, analyte string) (string, decimal.Decimal) {
	for _, s := range ev.Sensors {
		if p, _ := s.Extensions[TermAssayParty].(string); p != "" || analyteOf(s) != analyte {
			continue
		}
		if sub, _ := s.Extensions[TermSublot].(string); sub != "" {
			dmt, _ := decimal.NewFromString(fmt.Sprint(s.Extensions[TermSublotDMT]))
			return sub, dmt
		}
	}
	return "", zero
}

// addSublotAssay keeps a laboratory's assay of sublot sub (SublotAssays)
// on the dry basis: an as-received one with the moisture measured with it
// is put on it (value ÷ (1 − moisture)); one without is not read.
func (lf *LotFacts) addSublotAssay(a critmin.Assay, sub string, dmt decimal.Decimal, ev *critmin.Event) {
	unit, err := units.NormalizeGradeUnit(a.Unit)
	if err != nil {
		return
	}
	v := decimal.NewFromFloat(a.Value)
	if a.Basis == "as_received" {
		if a.Moisture == nil || *a.Moisture < 0 || *a.Moisture >= 1 {
			return
		}
		v = v.Div(one.Sub(fractionOf(*a.Moisture))).Round(6)
	}
	at := a.At
	if at.IsZero() {
		at = ev.EventTime
	}
	lf.SublotAssays = append(lf.SublotAssays, AssayResult{Party: "laboratory", Analyte: a.Analyte, Value: v, Unit: unit, EventID: ev.EventID, Sublot: sub, at: at})
	if dmt.IsPositive() {
		if lf.sublotDMT == nil {
			lf.sublotDMT = map[string]decimal.Decimal{}
		}
		lf.sublotDMT[sub] = dmt
	}
}

func isExchangeReport(ev *critmin.Event, analyte string) bool {
	for _, s := range ev.Sensors {
		if p, _ := s.Extensions[TermAssayParty].(string); p != "" && analyteOf(s) == analyte {
			return true
		}
	}
	return false
}

// ExchangeSubmission is one party's results for a lot (or sublot) from one
// laboratory, captured as one EPCIS ObjectEvent.
type ExchangeSubmission struct {
	Lot       string           `json:"lot"`
	Party     string           `json:"party"`
	Lab       string           `json:"lab"`
	Sublot    string           `json:"sublot,omitempty"`
	SublotDMT *decimal.Decimal `json:"sublot_dmt,omitempty"`
	At        time.Time        `json:"at"`
	Location  string           `json:"location,omitempty"`
	Results   []ExchangeResult `json:"results"`
}

// ExchangeResult is one analyte of a submission.
type ExchangeResult struct {
	Analyte string          `json:"analyte"`
	Value   decimal.Decimal `json:"value"`
	Unit    string          `json:"unit"`
}

var uomCode = map[string]string{"%": "P1", "g/t": "NA", "ppm": "59"}

// Validate checks a submission's fields, the one validator of the API
// (POST /api/v1/trade/assays) and the CLI (trade assay), before anything
// is read from the ledger: party, lot, lab, results, sublot weight, time.
// It writes each analyte that is an element symbol in another case as
// IUPAC spells it ("cu" → "Cu"), as ParseGrades does, and refuses an
// analyte the ledger would not take, naming results/N/analyte (not the
// EPCIS document's pointer). Errors are EINVALID naming the field.
func (s *ExchangeSubmission) Validate() error {
	if s.Party != Seller && s.Party != Buyer && s.Party != Umpire {
		return fieldErrorf("party", "%q is not seller, buyer or umpire (lower case): name whose result this is", s.Party)
	}
	if s.Lot == "" {
		return fieldErrorf("lot", "name the lot")
	}
	if s.Lab == "" {
		return fieldErrorf("lab", "name the laboratory (a URI)")
	}
	if len(s.Results) == 0 {
		return fieldErrorf("results", "no results")
	}
	if s.Sublot != "" && (s.SublotDMT == nil || !s.SublotDMT.IsPositive()) {
		return fieldErrorf("sublot_dmt", "a sublot result needs the sublot's positive dry weight")
	}
	seen := map[string]bool{}
	for i := range s.Results {
		r := &s.Results[i]
		at := fmt.Sprintf("results/%d", i)
		if r.Analyte == "" {
			return fieldErrorf(at+"/analyte", "name the analyte")
		}
		r.Analyte = elementSpelling(strings.TrimSpace(r.Analyte))
		if p := ledger.AnalyteProblem(r.Analyte); p != "" {
			return fieldErrorf(at+"/analyte", "%s", p)
		}
		if seen[r.Analyte] {
			return fieldErrorf(at+"/analyte", "%s is given twice", r.Analyte)
		}
		seen[r.Analyte] = true
		if _, ok := uomCode[r.Unit]; !ok {
			return fieldErrorf(at+"/unit", "%q is not %%, g/t or ppm", r.Unit)
		}
		if err := CheckGrade(r.Value, r.Unit, at+"/value"); err != nil {
			return err
		}
	}
	if s.At.IsZero() {
		return fieldErrorf("at", "give the time of the result")
	}
	return nil
}

// exchangeDocument builds the EPCIS document of a submission: an
// ObjectEvent OBSERVE, bizStep inspecting, naming the lot in its
// quantityList (without a quantity: the lot's weight does not change), and
// one MassConcentration sensor report per analyte with cm:assayParty,
// cm:lab and, for a sublot, cm:sublot and cm:sublotDMT. The eventID is
// exchangeEventID(s, gen): a name-based UUID of the fact stated (lot,
// sublot, party, time), not of the values, so two statements of one fact
// share it and the ledger stores one.
func exchangeDocument(s *ExchangeSubmission, gen int) ([]byte, string, error) {
	if err := s.Validate(); err != nil {
		return nil, "", err
	}
	var reports []map[string]any
	for _, r := range s.Results {
		code := uomCode[r.Unit]
		v, _ := r.Value.Float64()
		rep := map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + r.Analyte, "value": v, "uom": code,
			"cm:basis": "dry", "cm:assayParty": s.Party, "cm:lab": s.Lab}
		if s.Sublot != "" {
			rep["cm:sublot"] = s.Sublot
			rep["cm:sublotDMT"] = s.SublotDMT.String()
		}
		reports = append(reports, rep)
	}
	at := s.At
	id := exchangeEventID(s, gen)
	ev := map[string]any{
		"type": "ObjectEvent", "eventID": id, "action": "OBSERVE", "bizStep": "inspecting",
		"eventTime": at.Format("2006-01-02T15:04:05.000Z07:00"), "eventTimeZoneOffset": at.Format("-07:00"),
		"quantityList":      []any{map[string]any{"epcClass": s.Lot}},
		"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": at.Format(time.RFC3339), "deviceID": s.Lab}, "sensorReport": reports}},
	}
	if s.Location != "" {
		ev["readPoint"] = map[string]any{"id": s.Location}
	}
	return document(ev), id, nil
}

// exchangeEventID is the eventID of a party's statement of its results
// for a lot (or sublot) at a time: one fact, one id, whatever the values.
// gen counts the earlier statements of the fact declared in error (0 for
// the first). Two submissions of one fact therefore carry one eventID,
// and the ledger stores an eventID once — checked in the capture's write
// transaction (the unique index on events.event_id), so of two racing
// submissions one is stored and the other is skipped as a duplicate,
// which SubmitAssays turns into a refusal when the values differ.
func exchangeEventID(s *ExchangeSubmission, gen int) string {
	key := strings.Join([]string{s.Lot, s.Sublot, s.Party, s.At.UTC().Format("2006-01-02T15:04:05.000Z"), strconv.Itoa(gen)}, "\x00")
	return "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("critmin:assay-exchange-fact:"+key)).String()
}

// invoiceDocument records an invoice on its lot: a TransactionEvent ADD
// naming the lot, with bizTransactions of type inv (the invoice) and bol
// (the bill of lading it pays for), and cm:invoice giving its kind, total
// and currency, so that the amount is in the event hash chain.
func invoiceDocument(inv *Invoice) ([]byte, string) {
	id := "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("critmin:invoice:"+inv.ID)).String()
	bts := []any{map[string]any{"type": "inv", "bizTransaction": InvoiceURN(inv.ID)}}
	if inv.BL != "" {
		bts = append(bts, map[string]any{"type": "bol", "bizTransaction": inv.BL})
	}
	ev := map[string]any{
		"type": "TransactionEvent", "eventID": id, "action": "ADD",
		"eventTime": inv.IssuedAt.Format("2006-01-02T15:04:05.000Z07:00"), "eventTimeZoneOffset": "+00:00",
		"bizTransactionList": bts,
		"quantityList":       []any{map[string]any{"epcClass": inv.Lot}},
		"cm:invoice": map[string]any{"cm:invoiceKind": inv.Kind, "cm:total": inv.Total.String(), "cm:currency": inv.Currency,
			"cm:contract": inv.Contract, "cm:dueDate": inv.DueDate},
	}
	return document(ev), id
}

// InvoiceURN is the bizTransaction URI of an invoice.
func InvoiceURN(id string) string { return "urn:critmin:inv:" + id }

func document(ev map[string]any) []byte {
	doc := map[string]any{
		"@context":      []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"cm": ledger.Namespace}},
		"type":          "EPCISDocument",
		"schemaVersion": "2.0",
		"creationDate":  time.Now().UTC().Format(time.RFC3339),
		"epcisBody":     map[string]any{"eventList": []any{ev}},
	}
	b, _ := json.Marshal(doc)
	return b
}

// percentOf turns a mass fraction read from an event (a float64, such as
// moisture 0.07) into a per-cent decimal: the fraction as written
// (fractionOf) times 100 in decimal arithmetic, so 0.07 is 7 and not the
// 7.000000000000001 of 0.07 × 100 in binary floating point.
func percentOf(f float64) decimal.Decimal {
	return fractionOf(f).Mul(hundred)
}

// fractionDecimals is the precision a mass fraction read from an event is
// taken at: 12 decimals (10 of a per cent), far finer than any moisture
// written, far coarser than binary floating-point noise.
const fractionDecimals = 12

// fractionOf is a mass fraction read from an event as written: a sensor
// report's H2O 8.9 % is stored as 8.9 ÷ 100 = 0.08900000000000001 in
// binary floating point, which is 0.089 to fractionDecimals (fix13u), so
// settlement arithmetic on it is exact (an excess-moisture penalty of
// (8.9 − 8) × 2.5 × 72.82 = 163.845 rounds half-even to 163.84, not the
// 163.85 of 8.900000000000001).
func fractionOf(f float64) decimal.Decimal {
	return decimal.NewFromFloat(f).Round(fractionDecimals)
}

// placeOf is where an event happened: its bizLocation, else its
// readPoint, in canonical form ("" when it names neither).
func placeOf(ev *critmin.Event) string {
	if ev.BizLocation != "" {
		return epcis.Canonical(ev.BizLocation)
	}
	return epcis.Canonical(ev.ReadPoint)
}

// samePlace reports whether ev happened at place (placeOf); an event or a
// part that names no place is taken to be at the same place.
func samePlace(place string, ev *critmin.Event) bool {
	p := placeOf(ev)
	return place == "" || p == "" || p == place
}
