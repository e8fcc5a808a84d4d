package custody

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// WeighingGainLimit and WeighingLossLimit bound how far a new weighing of
// a lot the ledger already holds a mass for may move it, on the dry
// basis (the lot's wet mass × (1 − its moisture), so that a weighing that
// measures the lot's moisture with it — a lot dried in the yard, or wet
// from rain — is judged on the material, not on its water):
//
//   - gain: ledger.OutturnTolerance, 0.5 %, the combined error of two
//     weighbridges — the limit the Receive form and the capture check
//     already put on a receipt against its shipment (receiptAgainst).
//     Dry material does not grow: a dry gain beyond two scales' error is
//     a mistyped weight or a unit slip (10 t recorded as 1 000 t);
//   - loss: ReceiptShortfallLimit, 5 %, the loss beyond which a receipt
//     is flagged transit_loss: more than ten times the scales' error is
//     not weighing — a net of 0 or 0.5 kg for a 20 t lot, a weight in
//     kilograms read as tonnes.
//
// Beyond either the weighing is refused (nothing stored) with the
// recorded mass, the weighed mass and the difference in per cent, and a
// unit-slip hint when the two differ by a factor near 1 000. A real
// change beyond the limits is recorded in the open, as
// docs/origin.md ("A weighing beyond the tolerance") says: the record
// that was wrong is declared in error (errorDeclaration, EPCIS 2.0
// §7.4.1.2) in the same document or before, and the weighing then stands
// against what remains; or the weighing states why the lot changed, in
// the top-level extension cm:massChangeReason (free text: "screened:
// 1.2 t of fines removed"), which the event keeps and its page shows.
// Receipts under a bill of lading, or of a lot in transit, are judged
// against their shipment instead (receiptAgainst refuses a gain beyond
// 0.5 %; ledger.Outturns flags transit_gain and transit_loss), and a
// run's products against their feed (MaxRunMassGain).
const (
	WeighingGainLimit = ledger.OutturnTolerance
	WeighingLossLimit = ReceiptShortfallLimit
)

// MoistureReadingLimit bounds how far a moisture reading alone (a new
// moisture, no new weighing) may move a lot's recorded moisture: 3
// percentage points (a fraction, 0.03). It is wider than the weighing
// tolerance because moisture is measured, not weighed: duplicate
// determinations on one sample differ by a few tenths of a point
// (ISO 10251 repeatability for copper, lead, zinc and nickel
// concentrates), and a stockpile dries or takes rain between two
// samplings by a point or two; it is far narrower than the slip it is
// there to catch, a per cent written as a fraction or the reverse (8 %
// read as 0.08 %, 7.92 points). Beyond it the reading is refused with
// the recorded and read moistures, the dry masses they give and a "did
// you mean" hint, unless it states cm:massChangeReason.
const MoistureReadingLimit = 0.03

// MassChangeReasonTerm is the top-level extension a weighing states a
// change beyond the tolerance with.
const MassChangeReasonTerm = "cm:massChangeReason"

// checkMassChange refuses an event (not a run's) that sets the mass of a
// lot which had a recorded mass (was) beyond WeighingGainLimit or
// WeighingLossLimit of it, dry basis. lots holds the lots after ev. was
// must hold deep copies (cloneLot): a weighing where a part of the lot
// was received rewrites that part (ledger's reweighParts), and a copy
// sharing the Parts slice would see the weighed figure as the recorded
// one and let any part weighing through.
//
// What is compared is what stands of the lot at the weighing's site
// (StandingMass): a weighing where a part of the lot was received weighs
// that part, and one where the lot stands weighs the rest of it; the
// whole lot's total would hide a 10 % loss of a 10 t part in a 30 t lot
// (−3.3 % of the total).
//
// A moisture reading alone (the wet mass as it was, a new moisture)
// moves the lot's dry mass as a weighing does, and is held to
// MoistureReadingLimit (3 percentage points of moisture), with a hint
// when the reading looks like a per cent read as a fraction or the
// reverse (moistureSlipHint). The first moisture of a lot that had none (or
// 0 %, read as dry like none) sets its basis and is not judged.
//
// refused keeps, across the document's events, the recorded state of each
// lot a weighing of it was refused for: the document is refused, and a
// later event of it is judged against the recorded mass, not the refused
// one (a file's 1 000 t row does not make its next, right, row a loss).
func checkMassChange(ev *critmin.Event, was map[string]critmin.Lot, lots map[string]*critmin.Lot, refused map[string]critmin.Lot) []critmin.FieldError {
	if !weighingEvent(ev) {
		if massChangeReason(ev) == "" || ev.Type == critmin.TransformationEvent || ledger.Commissions(ev) {
			return nil
		}
		// A weighing or reading that states why its mass changed is
		// not judged on its mass, but it is still made where the lot
		// stands (nothingStands).
		var out []critmin.FieldError
		for _, id := range sortedKeys(was) {
			w := was[id]
			if msg := nothingStands(ev, id, &w, eventSite(ev)); msg != "" {
				out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + refusalPointer(ev, msg, false), Reason: msg})
			}
		}
		return out
	}
	receipt := stepName(ev.BizStep) == "receiving" || stepName(ev.BizStep) == "arriving"
	var out []critmin.FieldError
	for _, id := range sortedKeys(was) {
		w, l := was[id], lots[id]
		if r, ok := refused[id]; ok {
			w = r
		}
		if msg := massChangeOf(ev, id, &w, l, receipt); msg != "" {
			out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + refusalPointer(ev, msg, l != nil && ((!weighs(ev, id) && l.WetTonnes == w.WetTonnes) || moistureSlipOfWeighing(ev, id, &w, l) != "")), Reason: msg})
			refused[id] = w
		} else if l != nil && (l.WetTonnes != w.WetTonnes || l.DryTonnes != w.DryTonnes) {
			delete(refused, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Reason < out[j].Reason })
	return out
}

// refusalPointer is the part of ev the weighing refusal msg names: the
// event's site (its bizLocation, else its readPoint) for a weighing
// where nothing of the lot stands (nothingStands) — the site is what the
// operator must change, as for a lot elsewhere (checkWhereabouts), so a
// form or an import files both under its Site field (issue 15, fix15x
// D4: this one was filed under the net mass) — else massPointer's.
func refusalPointer(ev *critmin.Event, msg string, moisture bool) string {
	if strings.Contains(msg, nothingStandsWords) {
		if ev.BizLocation == "" {
			return "/readPoint"
		}
		return "/bizLocation"
	}
	return massPointer(ev, moisture)
}

// nothingStandsWords mark nothingStands's refusal (refusalPointer).
const nothingStandsWords = " refused: nothing of lot "

// massPointer is the part of ev a weighing refusal names (under "event
// {eventID}"): the sensor report of the moisture (moisture true) or of
// the mass, else the quantityList, else "" — so that a form or an import
// names the field at fault (the net mass, the result), not the event.
func massPointer(ev *critmin.Event, moisture bool) string {
	for _, r := range ev.Sensors {
		if r.Pointer == "" {
			continue
		}
		if moisture && r.Type == "MassConcentration" && strings.HasSuffix(strings.ToUpper(r.ChemicalSubstance), "H2O") {
			return r.Pointer
		}
		if !moisture && r.Type == "Mass" {
			return r.Pointer
		}
	}
	if !moisture && len(ev.Quantities) > 0 {
		return "/quantityList"
	}
	return ""
}

// weighingEvent says whether ev is judged as a weighing at all: not a
// run's (MaxRunMassGain judges those), not a receipt under a bill of
// lading (receiptAgainst), not one stating cm:massChangeReason, not a
// commissioning — commissioning a lot again is refused by the ledger's
// commissioning rule (ledger.Commissions), which names the commissioning
// it repeats.
func weighingEvent(ev *critmin.Event) bool {
	receipt := stepName(ev.BizStep) == "receiving" || stepName(ev.BizStep) == "arriving"
	return !(ev.Type == critmin.TransformationEvent || (receipt && bolOf(ev) != "") || massChangeReason(ev) != "" || ledger.Commissions(ev))
}

// massChangeOf is the refusal of ev's change of lot id from w (before)
// to l (after), or "".
func massChangeOf(ev *critmin.Event, id string, w, l *critmin.Lot, receipt bool) string {
	if l == nil || !units.IsMass(w.UOM) || !units.IsMass(l.UOM) || w.WetTonnes <= 0 || w.DryTonnes <= 0 {
		return ""
	}
	// The outturn of a voyage is judged against what was shipped
	// (ledger.Outturns: transit_gain, transit_loss), not here.
	if receipt && w.Status == critmin.LotInTransit {
		return ""
	}
	site := ev.BizLocation
	if site == "" {
		site = ev.ReadPoint
	}
	if msg := nothingStands(ev, id, w, site); msg != "" {
		return msg
	}
	if share, ok := stepShare(ev, id, w); ok {
		// A carrier's step of the lot's trip naming some of the
		// containers it travels in beside a line of its own weighs
		// what those containers carry (n8d s34, s45: [D2] departing a
		// port on the way with "L 4 t" of [D1 6 t, D2 4 t] was judged
		// against the lot's 10 t, −60 %; [D1] at the vessel with
		// "L 10 t" was taken).
		now, _ := lineTonnesOf(ev, id)
		dry := 1.0
		if w.WetTonnes > 0 && w.DryTonnes > 0 {
			dry = w.DryTonnes / w.WetTonnes
		}
		return massChangeRefusal(massNounOf(ev), id, containersShareWords(stepContainers(ev)), share, share*dry, now, now*dry)
	}
	// The moisture of what the event measures: the part received at its
	// site, else the lot's main body (MoistureAt).
	mw, ml := MoistureAt(w, site), MoistureAt(l, site)
	if l.WetTonnes == w.WetTonnes && (!weighs(ev, id) || sameMoisture(mw, ml) || mw == nil || *mw <= 0) {
		// A moisture reading alone (the event states no mass of the
		// lot: no quantity, no Mass report): the wet mass stays, the
		// dry mass moves with the moisture. A weighing whose net equals
		// the recorded wet mass and states a new moisture is a
		// weighing, judged below on the dry basis with its moisture
		// (fix15f); one that moves nothing (a part shipped: the lot's
		// total stays) is not judged, nor the first moisture of a lot
		// that had none (it sets the basis).
		// A lot with no moisture on record, or 0 %, is taken as dry
		// (ledger's derive): its first real reading sets the basis.
		if mw == nil || ml == nil || *mw <= 0 || sameMoisture(mw, ml) {
			return ""
		}
		if !moistureBeyond(*mw, *ml) {
			return ""
		}
		return moistureRefusal(id, w, l, site)
	}
	wasWet, wasDry, parts := WeighedMass(ev, w, site)
	nowWet, nowDry, _ := WeighedMass(ev, l, site)
	if NothingStands(wasWet, w.WetTonnes) || wasDry <= 0 {
		return "" // nothing of the lot stood there: a receipt, judged elsewhere (nothingStands)
	}
	if h, ok := ledger.HoldingOf(w, ev); ok && parts && !partAt(w, site) {
		// Another party's part where the body stands: its moisture.
		hl, _ := ledger.HoldingOf(l, ev)
		mw, ml = h.Moisture, hl.Moisture
	}
	if mw == nil || *mw <= 0 {
		// The lot's first moisture sets its basis: its recorded mass was
		// taken as dry for want of one, so the weighing is judged on the
		// wet masses (20.05 t at 8 % against 20 t recorded with no
		// moisture is +0.25 %, not dry 18.446 t against 20 t, −7.8 %).
		nowDry = nowWet * wasDry / wasWet
	}
	var msg string
	switch {
	case parts:
		msg = massChangeRefusal(massNounOf(ev), id, " (the part of it at "+site+")", wasWet, wasDry, nowWet, nowDry)
	case len(w.Parts) > 0 && math.Abs(wasWet-w.WetTonnes) > 1e-9 && bodyBesideParts(w, site):
		msg = massChangeRefusal(massNounOf(ev), id, " (its body at "+w.Location+", the parts of other parties there aside)", wasWet, wasDry, nowWet, nowDry)
	case len(w.Parts) > 0 && math.Abs(wasWet-w.WetTonnes) > 1e-9:
		msg = massChangeRefusal(massNounOf(ev), id, " (what stands of it at "+w.Location+", its parts elsewhere aside)", wasWet, wasDry, nowWet, nowDry)
	default:
		msg = massChangeRefusal(massNounOf(ev), id, "", wasWet, wasDry, nowWet, nowDry)
	}
	if msg != "" {
		if hint := moistureSlipOfWeighing(ev, id, w, l); hint != "" {
			msg = strings.Replace(msg, "(dry basis); ", "(dry basis); the moisture looks like the slip: "+hint+"; else ", 1)
		}
	}
	return msg
}

// WeighedMass is what a weighing ev at site weighs of lot l, wet and dry
// tonnes, and whether it is parts received there rather than the lot's
// body — the mass the capture check judges a weighing against, which the
// import's preview reads too so that preview and capture agree (issue
// 15, fix15l item 3): the holding ev concerns (ledger.HoldingOf: where the body and
// another party's part stand, the part of the party ev names as its
// source, else the body; issue 15, fix15g), as the ledger books the
// weighing; StandingMass where nothing stands (or no site is named).
// The body's 6 t and BUY's 4 t at a port: a 5.6 t weighing naming no
// party is judged against the 6 t body, −6.67 % (it was judged against
// the port's 10 t, −4 %).
func WeighedMass(ev *critmin.Event, l *critmin.Lot, site string) (wet, dry float64, parts bool) {
	if h, ok := ledger.HoldingOf(l, ev); ok && site != "" {
		return h.WetTonnes, h.DryTonnes, !h.Body
	}
	wet, dry = StandingMass(l, site)
	return wet, dry, partAt(l, site)
}

// bodyBesideParts says whether lot l's body and received parts both
// stand at site (ledger.StandingAt).
func bodyBesideParts(l *critmin.Lot, site string) bool {
	st, ok := ledger.StandingAt(l, site)
	return ok && st.Body && len(st.Parts) > 0
}

// sameMoisture says whether two moistures are the same (none on both,
// or equal).
func sameMoisture(w, l *float64) bool {
	if w == nil || l == nil {
		return w == l
	}
	// Within 1e-9 (a fraction): a mass-weighted moisture recomputed from
	// what is left (3 t × 0.05 / 3 t = 0.05000000000000001) is the same
	// moisture, not a new reading — a 2 t onward shipment of a 5 t part
	// at 5 % was judged as a weighing of 5 t to 3 t and refused.
	return math.Abs(*w-*l) <= 1e-9
}

// MoistureAt is the moisture (a fraction) of what of lot l stands at
// site: where parts of it were received (and the rest stands elsewhere),
// the mass-weighted moisture of what is left of them there
// (ledger.StandingAt: each part's LeftTonnes at its own moisture,
// Lot.PartMoisture) — Σ tᵢ·mᵢ / Σ tᵢ, the moisture of what a weighing
// there weighs (ledger's reweighParts shares it among those parts), so
// its dry tonnes are Σ tᵢ·(1 − mᵢ), as StandingMass reads them: parts of
// 10 t at 8 % and 5 t at 4 % stand as 15 t at 1.0 / 15 = 6.667 %, 14.0 t
// dry (issue 15, fix15r2 item 2: it read the first part's 8 %, and a
// reading of 10 % there, 3.33 points off, passed as 2 points off); the
// first part received there when nothing is left of them; else the
// lot's main body's (Lot.Moisture). nil when none is known, or when a
// part standing there has none of its own and the lot none. A moisture
// reading there is judged against it (checkMassChange), as the ledger
// gives the reading to those parts (ledger.Project, parts.go).
func MoistureAt(l *critmin.Lot, site string) *float64 {
	if l == nil {
		return nil
	}
	if !partAt(l, site) {
		return l.Moisture
	}
	if st, ok := ledger.StandingAt(l, site); ok && !st.Body && len(st.Parts) > 0 {
		water, wet := 0.0, 0.0
		for _, i := range st.Parts {
			p := l.Parts[i]
			m := l.PartMoisture(p)
			if m == nil {
				return nil
			}
			t := p.LeftTonnes()
			water, wet = water+t**m, wet+t
		}
		if wet > 0 {
			m := water / wet
			return &m
		}
	}
	for _, p := range l.Parts {
		if p.Status == critmin.PartReceived && siteKey(p.To) == siteKey(site) {
			return l.PartMoisture(p)
		}
	}
	return l.Moisture
}

// weighs says whether ev states a mass of lot id — a quantity of it
// (not a run's input, not a packing's child) or a Mass sensor report —
// and so weighs it; an event that states only a moisture does not, even
// when the lot's wet mass comes out as it was.
func weighs(ev *critmin.Event, id string) bool {
	for _, r := range ev.Sensors {
		if sensorType(r.Type) == "Mass" {
			return true
		}
	}
	for _, q := range ev.Quantities {
		if q.Quantity != nil && q.Role != critmin.RoleInput && q.Role != critmin.RoleChild && ev.Action != "DELETE" && epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
			return true
		}
	}
	return false
}

// moistureSlipOfWeighing is moistureSlipHint for a weighing of lot id
// that states a new moisture: "did you mean 8 %?" when the weighing is
// beyond the tolerance with the moisture read but within it with the
// moisture read 100 times larger or smaller (20 050 kg at 0.08 % on a lot
// of 20 t at 8 %: dry 20.034 t, +8.9 %; at 8 %, 18.446 t, +0.25 %); ""
// otherwise.
func moistureSlipOfWeighing(ev *critmin.Event, id string, w, l *critmin.Lot) string {
	site := ev.BizLocation
	if site == "" {
		site = ev.ReadPoint
	}
	mw, ml := MoistureAt(w, site), MoistureAt(l, site)
	if !weighs(ev, id) || mw == nil || ml == nil || *mw <= 0 || *mw == *ml {
		return ""
	}
	wasWet, wasDry := StandingMass(w, site)
	nowWet, _ := StandingMass(l, site)
	if NothingStands(wasWet, w.WetTonnes) || wasDry <= 0 {
		return ""
	}
	m := *ml
	for _, alt := range []float64{m * 100, m / 100} {
		if alt <= 0 || alt >= 1 {
			continue
		}
		rel := (nowWet*(1-alt) - wasDry) / wasDry
		if rel <= WeighingGainLimit+1e-9 && rel >= -WeighingLossLimit-1e-9 {
			return fmt.Sprintf("did you mean %s %%? (a moisture of %s %% reads as %s %% when a fraction is written as a per cent or a per cent as a fraction; at %s %% the weighing is %s %% on the dry basis)", pctText(alt), pctText(m), pctText(alt), pctText(alt), WeighingPercent(rel))
		}
	}
	return ""
}

// partAt says whether what of l stands at site — or stood there, when
// nothing is left — is parts received there, not the lot's body, read
// from the lot's one per-site standing record (ledger.StandingAt): true
// where the record lists parts and no body at site, or lists nothing
// there although a part was received there (all of it since taken by
// runs or shipped on); false where the body stands (with parts or not)
// and where no part was received. A lot with no body (every tonne left
// as parts, ledger.NoBody) has no body record anywhere, so every site
// where its parts were received is a part's (issue 15, fix15r; fix15u
// item 3: the rule no longer special-cases NoBody).
func partAt(l *critmin.Lot, site string) bool {
	if site == "" || l == nil {
		return false
	}
	if s, ok := ledger.StandingAt(l, site); ok {
		return !s.Body
	}
	for _, p := range l.Parts {
		if p.Status == critmin.PartReceived && siteKey(p.To) == siteKey(site) {
			return true
		}
	}
	return false
}

// StandingMass is what stands of lot l at site, wet and dry tonnes,
// read from the lot's one per-site standing record (ledger.StandsAt):
// where a part of it was received, what is left of the parts received
// there (received or weighed, less what runs there took and what was
// shipped on from there, LotPart.LeftTonnes) — what a weighing there
// weighs (ledger's reweighParts) — dry by each part's own moisture;
// where the lot's body stands, the lot's total less what runs took of it
// and the parts sent away (Lot.RemainingWetTonnes) — what a weighing
// there states (ledger.setQuantity) — dry by the body's moisture
// (Lot.Moisture; none: taken as dry). A lot with no body (ledger.NoBody:
// every tonne left as parts) stands only where its parts stand; 0 at a
// site where nothing stands, or where a part is bound but not yet
// received (issue 15, fix15r, fix15t: a 10 t lot a run took 4 t of
// stands at 6 t, not 10 t). Site "", or a site the lot's records never
// name, reads the body (the whereabouts check judges where the event
// is). A moisture read on one part never moves what stands elsewhere.
// A weighing is judged on it (checkMassChange), its refusals word where
// the lot stands with it (standsText), and the import's preview words
// its mass line with it.
func StandingMass(l *critmin.Lot, site string) (wet, dry float64) {
	if l == nil || l.WetTonnes <= 0 {
		return 0, 0
	}
	if s, ok := ledger.StandingAt(l, site); ok {
		return s.WetTonnes, s.DryTonnes
	}
	if ledger.NoBody(l) || partAt(l, site) {
		return 0, 0 // no body, and nothing left of a part received at site
	}
	if site != "" && l.Location != "" && siteKey(site) != siteKey(l.Location) {
		for _, p := range l.Parts {
			if siteKey(p.To) == siteKey(site) {
				return 0, 0 // a part bound there, not yet received
			}
		}
	}
	if ledger.BodyStands(l, site) {
		return 0, 0 // the body's site, nothing of it left (StandsAt lists none)
	}
	ratio := 1.0
	if l.Moisture != nil {
		ratio = 1 - *l.Moisture
	}
	wet = max(0, l.WetTonnes-l.TakenTonnes-l.PartsTonnes())
	return wet, wet * ratio
}

// moistureBeyond says whether a moisture reading of now (a fraction)
// moves a lot recorded at was beyond MoistureReadingLimit. The small
// allowance keeps a reading of exactly 3 points, which binary fractions
// put a hair above 0.03, within it.
func moistureBeyond(was, now float64) bool {
	return math.Abs(now-was) > MoistureReadingLimit+1e-12
}

// moistureRefusal words the refusal of a moisture reading alone at site
// that moves lot id's dry mass beyond the weighing tolerance: the whole
// lot's when it has no parts, else what stands of it there
// (StandingMass, MoistureAt) — a reading where a part was received is
// that part's.
func moistureRefusal(id string, w, l *critmin.Lot, site string) string {
	what, whose, wasWet, wasDry, nowDry := "the lot", "the lot's", w.WetTonnes, w.DryTonnes, l.DryTonnes
	if len(w.Parts) > 0 {
		wasWet, wasDry = StandingMass(w, site)
		_, nowDry = StandingMass(l, site)
		what = "what stands of the lot at " + w.Location
		if partAt(w, site) {
			what, whose = "the part of the lot at "+site, "the part's"
		}
	}
	if NothingStands(wasWet, w.WetTonnes) || wasDry <= 0 {
		return ""
	}
	mw, ml := *MoistureAt(w, site), *MoistureAt(l, site)
	rel := (nowDry - wasDry) / wasDry
	hint := moistureSlipHint(mw, ml)
	if hint == "" {
		hint = "check the reading"
	}
	return fmt.Sprintf("moisture reading of lot %s refused: %s is recorded at %s t at %s %% moisture (dry %s t); a moisture of %s %% with no new weighing makes it dry %s t, a difference of %s %% in dry mass: a moisture reading alone may move %s moisture by %s percentage points at most; %s If the lot really changed, weigh it with the moisture, or state why in %s on the reading (docs/origin.md)",
		id, what, Tonnes(wasWet), pctText(mw), Tonnes(wasDry), pctText(ml), Tonnes(nowDry), WeighingPercent(rel), whose, pctText(MoistureReadingLimit), critmin.Sentence(hint), MassChangeReasonTerm)
}

// moistureSlipHint is "did you mean 8 %?" when the new moisture now,
// read 100 times larger or smaller — a fraction written where a per cent
// was meant (0.08 for 8 %), or the reverse — would keep the recorded
// moisture was within MoistureReadingLimit; "" otherwise.
func moistureSlipHint(was, now float64) string {
	m := now
	for _, alt := range []float64{m * 100, m / 100} {
		if alt <= 0 || alt >= 1 {
			continue
		}
		if !moistureBeyond(was, alt) {
			return fmt.Sprintf("did you mean %s %%? (a moisture of %s %% reads as %s %% when a fraction is written as a per cent or a per cent as a fraction)", pctText(alt), pctText(m), pctText(alt))
		}
	}
	return ""
}

// pctText is a fraction as a plain per cent (0.08 → "8", 0.0008 →
// "0.08").
func pctText(f float64) string {
	return strconv.FormatFloat(math.Round(f*100*1e6)/1e6, 'f', -1, 64)
}

// MassChangeRefusal is the reason a weighing of lot from recorded
// (wet, dry tonnes) to weighed (wet, dry) is refused, or "" when it is
// within WeighingGainLimit and WeighingLossLimit (dry basis). The web
// import's preview and the capture check word it alike.
func MassChangeRefusal(lot string, wasWet, wasDry, nowWet, nowDry float64) string {
	return massChangeRefusal(weighingNoun, lot, "", wasWet, wasDry, nowWet, nowDry)
}

// massNoun words what a refused mass change is: a weighing, or a
// dispatch whose stated quantity sets the lot's mass (a lot in transit
// as a whole shipped on under a new weight, ledger.Project) — called a
// shipment, never a weighing (issue 15, fix15h: a shipment was refused
// as "weighing of lot … refused … a weighing of 0 kg weighs nothing").
type massNoun struct {
	noun, did, zero string
}

var (
	weighingNoun = massNoun{"weighing", "weighed", "a weighing of 0 kg weighs nothing: check the ticket's net (or its gross and tare)"}
	shipmentNoun = massNoun{"shipment", "shipped", "a shipment of 0 kg ships nothing: check the shipped weight (the bill of lading's)"}
)

// massNounOf is shipmentNoun for a dispatch (CBV 2.0 §7.2: loading,
// shipping, departing, transporting; dispatchSteps), else weighingNoun.
func massNounOf(ev *critmin.Event) massNoun {
	if dispatchSteps[stepName(ev.BizStep)] {
		return shipmentNoun
	}
	return weighingNoun
}

func massChangeRefusal(n massNoun, lot, what string, wasWet, wasDry, nowWet, nowDry float64) string {
	if wasWet <= 0 || wasDry <= 0 {
		return ""
	}
	rel := (nowDry - wasDry) / wasDry
	if rel <= WeighingGainLimit+1e-9 && rel >= -WeighingLossLimit-1e-9 {
		return ""
	}
	dry := ""
	if math.Abs(wasWet-wasDry) > 1e-9 || math.Abs(nowWet-nowDry) > 1e-9 {
		dry = fmt.Sprintf(" (dry %s t → %s t)", Tonnes(wasDry), Tonnes(nowDry))
	}
	hint := "check the ticket's weight and unit"
	if nowWet <= 0 {
		hint = n.zero
	} else if r := nowWet / wasWet; r > 500 && r < 2000 {
		hint = fmt.Sprintf("the weighed mass is about %s times the recorded one: a unit slip (kilograms written as tonnes, or a thousands separator read as a decimal mark)?", units.Fixed(r, 0))
	} else if r < 1/500.0 && r > 1/2000.0 {
		hint = fmt.Sprintf("the weighed mass is about 1/%s of the recorded one: a unit slip (tonnes written as kilograms, or a decimal mark read as a thousands separator)?", units.Fixed(1/r, 0))
	} else if r > 5 {
		hint = fmt.Sprintf("the weighed mass is about %s times the recorded one: a mistyped figure (an extra digit, a thousands separator read as a decimal mark) or a unit slip?", units.Fixed(r, 0))
	} else if r < 0.01 {
		hint = "a near-zero weighing of a lot on record is not a weighing of it: check the ticket's net (or its gross and tare) and unit"
	}
	return fmt.Sprintf("%s of lot %s refused: the lot%s is recorded at %s t and %s at %s t%s, a difference of %s %%, beyond the weighing tolerance of +%s %% / −%s %% (dry basis); %s If the recorded mass was wrong, declare the event that recorded it in error; if the lot really changed, state why in %s on the %s (docs/origin.md)",
		n.noun, lot, what, Tonnes(wasWet), n.did, Tonnes(nowWet), dry, WeighingPercent(rel), units.Fixed(WeighingGainLimit*100, 1), units.Fixed(WeighingLossLimit*100, 0), critmin.Sentence(hint), MassChangeReasonTerm, n.noun)
}

// massChangeReason is the event's cm:massChangeReason, or "".
func massChangeReason(ev *critmin.Event) string {
	if len(ev.Raw) == 0 {
		return ""
	}
	// Only the two members are read, not the whole event (perf11x).
	keys := []string{MassChangeReasonTerm, "https://ns.critmin.org/mineral/v1/massChangeReason"}
	top := epcis.TopLevelStrings(ev.Raw, keys...)
	for _, key := range keys {
		if v, ok := top[key]; ok && strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// nothingStands is the refusal of ev, a weighing of lot id (w before
// it) at site, when nothing of the lot stands there although the lot
// was there: parts were received at site and not the body (partAt), and
// the lot's per-site standing record (ledger.StandingAt) lists nothing
// there — every part received there was shipped on or taken by runs
// (the same whether or not the lot has a body, fix15u item 3). A weighing
// weighs what stands where it is made (CBV 2.0 §7.2: inspecting,
// sensor_reporting observe the objects where they are); a ticket where
// nothing of the lot is left is of something else, and the ledger would
// otherwise add its mass to the lot's total (issue 15, fix15r item 2:
// 29.8 t read 39.7 t). Receipts and dispatches are judged elsewhere
// (receiptAgainst, the standing check). "" when something stands there.
func nothingStands(ev *critmin.Event, id string, w *critmin.Lot, site string) string {
	step := stepName(ev.BizStep)
	if site == "" || !(weighs(ev, id) || readsLot(ev, id)) || receiptSteps[step] || sendSteps[step] || inTransitStep(ev.BizStep) || ev.Disposition == "in_transit" {
		return ""
	}
	if !partAt(w, site) {
		return "" // the body stands there, or no part was ever received there
	}
	if st, ok := ledger.StandingAt(w, site); ok && !NothingStands(st.WetTonnes, w.WetTonnes) {
		return "" // something of the parts received there is left
	}
	if !weighs(ev, id) && takenOnly(w, site) {
		// Every tonne received there was taken by runs there: a reading
		// there now (a final or umpire assay of the consumed feed) is a
		// later assay of a run's input, taken and flagged
		// assay_after_run on the products (docs/origin.md, "An input
		// assayed after the run"), as for a lot a run consumed where
		// its body stood (checkConsumedLots lets assays through).
		return ""
	}
	noun := readingNoun(ev, id)
	return fmt.Sprintf("%s of lot %s"+nothingStandsWords+"%s stands at %s — %s; the lot stands as %s. Record the %s where the lot stands, or, if the record is wrong, declare the event that recorded it in error (docs/identity.md, \"Parts moved\")",
		noun, id, id, site, goneFrom(w, site), standsText(w), noun)
}

// readsLot says whether ev observes lot id where it is without weighing
// it: an ObjectEvent (not a DELETE) naming the lot in its quantityList
// as itself — a sampling, an inspection, a moisture or assay reading.
// Such an event concerns what stands of the lot at its site, as a
// weighing does (CBV 2.0 §7.2: sampling, inspecting observe the objects
// where they are): where nothing stands, its assay would be in effect on
// nothing (issue 15, n15 finding 3: a sampling at Houston, where the
// part received was all fed to a run, was taken).
func readsLot(ev *critmin.Event, id string) bool {
	if ev.Type != critmin.ObjectEvent || ev.Action == "DELETE" {
		return false
	}
	for _, q := range ev.Quantities {
		if (q.Role == critmin.RoleEPC || q.Role == "") && epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
			return true
		}
	}
	return false
}

// readingNoun names the event nothingStands refuses: "weighing" when it
// states a mass of the lot, "sampling" for a sampling, else "reading".
func readingNoun(ev *critmin.Event, id string) string {
	switch {
	case weighs(ev, id):
		return "weighing"
	case stepName(ev.BizStep) == "sampling":
		return "sampling"
	}
	return "reading"
}

// takenOnly says whether what of l was received at site left it only
// through runs there (none shipped on from there).
func takenOnly(l *critmin.Lot, site string) bool {
	taken := false
	for _, p := range l.Parts {
		if siteKey(p.To) == siteKey(site) {
			if p.ShippedOnTonnes > 0 {
				return false
			}
			taken = taken || p.TakenTonnes > 0
		}
	}
	return taken
}

// goneFrom says what became of the parts of l received at site, all of
// which has left it: shipped on from there, taken by runs there, or both.
func goneFrom(l *critmin.Lot, site string) string {
	shipped, taken := false, false
	for _, p := range l.Parts {
		if siteKey(p.To) == siteKey(site) {
			shipped = shipped || p.ShippedOnTonnes > 0
			taken = taken || p.TakenTonnes > 0
		}
	}
	switch {
	case taken && shipped:
		return "what was received there was shipped on from there or taken by runs there"
	case taken:
		return "what was received there was taken by runs there"
	}
	return "what was received there was shipped on from there"
}

// standsText words where lot l stands, one site after another as the
// lot's per-site standing record lists them (ledger.StandsAt: its body,
// unless every tonne left as parts, then the parts left at each site
// they were received at, each what runs there and onward shipments left
// of them), each site's figure StandingMass's — the one a weighing there
// is judged on — and then what is in transit: "20 t at
// urn:t:site:mine-PAK, 10 t in transit".
func standsText(l *critmin.Lot) string {
	var out []string
	for _, s := range ledger.StandsAt(l) {
		if wet, _ := StandingMass(l, s.Site); wet > 1e-9 {
			out = append(out, Tonnes(wet)+" t at "+s.Site)
		}
	}
	if t := l.InTransitTonnes(); t > 1e-9 {
		out = append(out, Tonnes(t)+" t in transit")
	}
	if len(out) == 0 {
		return "nowhere (nothing of it is left)"
	}
	return strings.Join(out, ", ")
}

// WeighingPercent prints a weighing's difference rel (a fraction: the
// weighed dry mass less the recorded, over the recorded; or a receipt
// against its loading weight) as a signed per cent, without the "%":
// every place that quotes a weighing's percentage — the capture's
// refusal (MassChangeRefusal, the moisture refusal), the web import's
// row errors and mass line, the forms' previews and refusals — prints it
// with this one rule (issue 15, fix15s item 1: a row's error read
// "+0.6 %" where its mass line read "+0.55 %"):
//
//   - one decimal, the sign always written, a true minus (U+2212):
//     "+10.0", "−7.5";
//   - two decimals within 0.1 point of a limit (+WeighingGainLimit,
//     −WeighingLossLimit), where a tenth decides: "+0.55", "−5.04",
//     "+0.45"; more (up to six) while the figure would read as the limit
//     itself when it is not (+0.5004 → "+0.5004");
//   - a difference that rounds to zero at two decimals is "0"; one that
//     rounds to zero at one decimal only keeps two ("+0.04");
//   - an exact half rounds away from zero: −1.25 → "−1.3", +1.25 →
//     "+1.3" (never to even, whatever float division left in rel).
//
// A fraction that is not finite (a division by nothing) prints "" — the
// callers say in words that nothing stands (NothingStands).
func WeighingPercent(rel float64) string {
	if math.IsNaN(rel) || math.IsInf(rel, 0) {
		return ""
	}
	// An exact half rounds away from zero (math.Round): −1.25 → "−1.3".
	// The division that made rel leaves binary artefacts ((7.9 − 8) / 8
	// is −0.012499999999999956, not −0.0125), so p is first taken to
	// nine decimals — finer than any figure printed (six at most) — and
	// the half is rounded as written (issue 15, fix15v).
	p := math.Round(rel*100*1e9) / 1e9
	round := func(dec int) float64 { return math.Round(p*math.Pow10(dec)) / math.Pow10(dec) }
	if round(2) == 0 {
		return "0"
	}
	gain, loss := WeighingGainLimit*100, WeighingLossLimit*100
	dec := 1
	if math.Abs(p-gain) < 0.1+1e-9 || math.Abs(p+loss) < 0.1+1e-9 || round(1) == 0 {
		dec = 2
	}
	for ; dec < 6; dec++ {
		r := round(dec)
		onLimit := (r == gain && math.Abs(p-gain) > 1e-9) || (r == -loss && math.Abs(p+loss) > 1e-9)
		if !onLimit {
			break
		}
	}
	s := units.Group(strconv.FormatFloat(round(dec), 'f', dec, 64))
	if p > 0 {
		s = "+" + s
	}
	return strings.Replace(s, "-", "−", 1)
}

// NothingStandsTonnes is the mass (wet tonnes, 0.5 kg) at or below which
// what stands of a lot at a site is taken as nothing, when it is also at
// most a thousandth of the lot's mass: the remainder of a lot whose parts
// were shipped on in full is a residue of binary arithmetic (or of the
// kilogram a ticket rounds to; weighbridges read to 10 kg), not material,
// and a weighing against it would read as a difference of millions of
// per cent (issue 15, fix15s item 2). A lot that is small itself (a
// 0.5 kg sample) still stands in full.
const NothingStandsTonnes = 0.0005

// NothingStands says whether wet tonnes standing of a lot of total wet
// tonnes is nothing (NothingStandsTonnes): at most 0.5 kg and at most a
// thousandth of the lot. Every place that divides by a standing mass
// asks it first and says "nothing of the lot stands at …" instead.
func NothingStands(wet, total float64) bool {
	return wet <= 0 || (wet <= NothingStandsTonnes+1e-12 && wet <= total/1000+1e-12)
}

// stepShare is what the containers dispatch ev names carry of lot id
// (critmin.Event.CarriedNamed) when ev, a further step of the lot's trip
// (w, the lot before it, in transit with no parts), weighs that share by
// a line of its own and names fewer containers than carry the whole: the
// share its line is judged against, as ledger.Project reads it (the step
// weighs nothing of the lot). ok false otherwise.
func stepShare(ev *critmin.Event, id string, w *critmin.Lot) (float64, bool) {
	if !dispatchSteps[stepName(ev.BizStep)] || w.Status != critmin.LotInTransit || len(w.Parts) > 0 || !units.IsMass(w.UOM) {
		return 0, false
	}
	if _, own := lineTonnesOf(ev, id); !own {
		return 0, false
	}
	if site := eventSite(ev); stepName(ev.BizStep) == "shipping" && site != "" && w.Location != "" && site != epcis.Canonical(w.Location) {
		// A shipping from elsewhere is no step of the body's trip
		// (ledger's fromBodyOrigin).
		return 0, false
	}
	share, ok := carriedNamedTonnes(ev, id)
	if !ok || share <= 0 || share >= w.RemainingWetTonnes()*(1-ledger.PartTolerance) {
		return 0, false
	}
	return share, true
}

// lineTonnesOf is the wet tonnes ev's own quantityList line of lot id
// states (not one it was given for its containers, Event.Carried); ok
// false when it states none in a mass unit.
func lineTonnesOf(ev *critmin.Event, id string) (float64, bool) {
	for _, q := range ev.Quantities {
		if epcis.Canonical(q.EPCClass) != epcis.Canonical(id) || (q.Role != "" && q.Role != critmin.RoleEPC) {
			continue
		}
		carried := false
		for _, c := range ev.Carried {
			carried = carried || epcis.Canonical(c.EPCClass) == epcis.Canonical(id)
		}
		if carried {
			return 0, false
		}
		return ledger.LineTonnes(q)
	}
	return 0, false
}

// stepContainers is the containers ev names in its epcList.
func stepContainers(ev *critmin.Event) []string {
	var out []string
	for _, e := range ev.EPCs {
		if e.Role == "" || e.Role == critmin.RoleEPC {
			out = append(out, capturedSpelling(ev, e.EPC))
		}
	}
	return out
}

// containersShareWords names the share of a lot containers cs carry, as
// a weighing refusal puts it after "the lot".
func containersShareWords(cs []string) string {
	if len(cs) == 1 {
		return " (what container " + cs[0] + " carries of it)"
	}
	return " (what containers " + strings.Join(cs, ", ") + " carry of it)"
}
