package custody

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// A later fact changes an earlier claim's coverage (issue 9, fix9d): an
// assay or a weighing recorded after a claim was accepted — of the
// claimed lot or of a lot a credit run consumed — may leave the claim
// above the balance, and a declaration in error (EPCIS 2.0 §7.4.1.2) may
// take such a fact away again. Capture never refuses the fact
// (CaptureClaimCheck): the account replayed from the events decides the
// claim, and the claim names the events that changed its coverage —
// AssayedBy and WeighedBy on a claim no longer covered (explainLateFacts),
// RetractedBy on one a declaration left short (explainRetractions),
// CoveredAgainBy and CoverageNote on one a declaration covered again
// (explainCoveredAgain). ISO 22095-2 keeps claims out ≤ credits in; the
// claim is a record of what was stated, its coverage what the facts now
// give.

// lateFact is a live measurement recorded after a claim: its event (as
// captured), what it recorded (lateFactKind) and the lots the account
// read that it names.
type lateFact struct {
	ev   *critmin.Event
	kind string
	lots []string
}

// lateFactKind is what a measurement event records: "weighing" (a Mass
// sensor report), a quantity of a lot named by its business step
// (quantityFactKind: "shipping", "receiving", or "weighing" without one),
// "assay" (cm:assay or a MassConcentration report), "moisture", else ""
// (not a measurement: a run, a packing, a commissioning, a movement
// stating no quantity).
func lateFactKind(ev *critmin.Event) string {
	if ev.Type != critmin.ObjectEvent || ledger.Commissions(ev) {
		return "" // a lot's commissioning makes it; it measures nothing later
	}
	for _, r := range ev.Sensors {
		if strings.EqualFold(r.Type, "Mass") || strings.HasSuffix(r.Type, "-Mass") || strings.HasSuffix(r.Type, ":Mass") {
			return "weighing"
		}
	}
	for _, q := range ev.Quantities {
		if q.Quantity != nil && q.Role != critmin.RoleInput {
			return quantityFactKind(ev)
		}
	}
	if ev.Mineral != nil && len(ev.Mineral.Assays) > 0 {
		return "assay"
	}
	for _, r := range ev.Sensors {
		if r.Type == "MassConcentration" || strings.HasSuffix(r.Type, ":MassConcentration") {
			return "assay"
		}
	}
	if ev.Mineral != nil && ev.Mineral.Moisture != nil {
		return "moisture"
	}
	return ""
}

// quantityFactKind names an event that states a lot's quantity: a
// movement by its CBV business step, bare ("shipping", "receiving": issue
// 9, fix9ab — a shipment and its receipt read "weighing <event>" in a
// claim's not-covered reason, CBV 2.0 §7.1), else "weighing" (an
// inspection, a sampling or no step: the quantity is what the lot was
// found to weigh).
func quantityFactKind(ev *critmin.Event) string {
	switch b := epcis.NormalizeBizStep(ev.BizStep); b {
	case "shipping", "receiving", "departing", "arriving", "loading", "unloading", "transporting", "accepting":
		return b
	}
	return "weighing"
}

// runFactKind is what a TransformationEvent at the site records when it
// is captured after a claim (fix9p): "run input" (inputs only, as a later
// event of a run's transformationID adds), "run output" (outputs only),
// else "run".
func runFactKind(ev *critmin.Event) string {
	var in, out bool
	for _, q := range ev.Quantities {
		if q.Role == critmin.RoleInput {
			in = true
		} else {
			out = true
		}
	}
	switch {
	case in && !out:
		return "run input"
	case out && !in:
		return "run output"
	}
	return "run"
}

// runsCapturedAfter is facts without the run events the store holds from
// before the claim event (a lower sequence number, critmin.Event.PK): a
// record time can lag behind a clock set back, the capture order cannot.
// Measurements are kept as they are (fix9d).
func (mc *mbCalc) runsCapturedAfter(facts []lateFact, claim string) []lateFact {
	var pk int64
	if f, ok := mc.s.(EventFinder); ok {
		if evs, err := f.FindEventsByID(mc.ctx, claim); err == nil {
			for _, ev := range evs {
				if ev.ErrorDeclaration == nil && ev.PK > pk {
					pk = ev.PK
				}
			}
		}
	}
	var out []lateFact
	for _, f := range facts {
		if f.ev.Type == critmin.TransformationEvent && (pk == 0 || f.ev.PK <= pk) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// recordedAt is when event id was captured (its record time); zero when
// the store cannot say.
func (mc *mbCalc) recordedAt(id string) time.Time {
	rec, _ := mc.recordOf(id)
	return rec
}

// recordOf is when event id was captured (its record time) and its
// capture order (the stored row's PK); zeros when the store cannot say.
func (mc *mbCalc) recordOf(id string) (time.Time, int64) {
	f, ok := mc.s.(EventFinder)
	if !ok || id == "" {
		return time.Time{}, 0
	}
	evs, err := f.FindEventsByID(mc.ctx, id)
	if err != nil {
		return time.Time{}, 0
	}
	for _, ev := range evs {
		if ev.ErrorDeclaration == nil && !ev.RecordTime.IsZero() {
			return ev.RecordTime, ev.PK
		}
	}
	return time.Time{}, 0
}

// factsAfter returns the live measurements recorded after rec that name
// a lot the account read (mc.oc.lots), memoised by rec.
func (mc *mbCalc) factsAfter(rec time.Time, memo map[time.Time][]lateFact) ([]lateFact, error) {
	if fs, ok := memo[rec]; ok {
		return fs, nil
	}
	f, ok := mc.s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	after := rec.Add(time.Nanosecond)
	filter := critmin.EventFilter{EventTypes: []string{critmin.ObjectEvent, critmin.TransformationEvent}, GERecordTime: &after, Limit: 1000}
	var out []lateFact
	seen := map[string]bool{}
	for {
		page, err := f.FindEvents(mc.ctx, filter)
		if err != nil {
			return nil, err
		}
		for _, ev := range page.Events {
			if !ledger.Live(ev) || seen[ev.EventID] || !ev.RecordTime.After(rec) {
				continue
			}
			seen[ev.EventID] = true
			body, err := ledger.DecodeStored(ev.Raw, ev.Context)
			if err != nil {
				return nil, err
			}
			body.PK, body.RecordTime = ev.PK, ev.RecordTime
			body = canonicalLots(body)
			kind := lateFactKind(body)
			if body.Type == critmin.TransformationEvent && siteKey(body.BizLocation) == siteKey(mc.d.Site) {
				kind = runFactKind(body)
			}
			if kind == "" {
				continue
			}
			var lots []string
			for _, id := range body.LotIDs() {
				if _, read := mc.oc.lots[id]; read {
					lots = append(lots, id)
				}
			}
			if len(lots) > 0 {
				out = append(out, lateFact{ev: body, kind: kind, lots: lots})
			}
		}
		if page.Next == nil {
			break
		}
		filter.After = page.Next
	}
	if memo != nil {
		memo[rec] = out
	}
	return out, nil
}

// replayWithout replays the account over periods[0..upto] as it would be
// without the facts: the lots they named rebuilt from their other live
// events (ledger.Replay), the claimed lot read without them (asClaimed).
func (mc *mbCalc) replayWithout(periods []critmin.ClaimPeriod, upto int, facts []lateFact) (*mbCalc, error) {
	alt, err := newMB(mc.ctx, mc.s, mc.versions, mc.conv)
	if err != nil {
		return nil, err
	}
	alt.claimAt, alt.book, alt.doc, alt.drop = mc.claimAt, mc.book, mc.doc, mc.drop
	alt.skip = map[string]bool{}
	var ids []string
	for _, f := range facts {
		alt.skip[f.ev.EventID] = true
		ids = append(ids, f.lots...)
	}
	lf, ok := mc.s.(liveEventsFinder)
	if !ok {
		return nil, nil
	}
	evs, err := lf.LiveEventsOfLots(mc.ctx, ids)
	if err != nil {
		return nil, err
	}
	var kept []*critmin.Event
	for _, ev := range evs {
		if !alt.skip[ev.EventID] {
			kept = append(kept, canonicalLots(ev))
		}
	}
	lots, _ := ledger.Replay(ids, kept)
	if err := alt.oc.loadLots(ids); err != nil {
		return nil, err
	}
	for id, l := range lots {
		old := alt.oc.lots[id]
		if l.EventCount == 0 || old == nil {
			continue
		}
		cp := *old
		cp.Quantity, cp.UOM, cp.WetTonnes, cp.DryTonnes, cp.Moisture, cp.Assays, cp.TakenTonnes, cp.Status = l.Quantity, l.UOM, l.WetTonnes, l.DryTonnes, l.Moisture, l.Assays, l.TakenTonnes, l.Status
		alt.oc.lots[id] = &cp
	}
	for i := 0; i <= upto; i++ {
		if _, err := alt.period(periods, i); err != nil {
			return nil, err
		}
	}
	return alt, nil
}

// factWords names a later fact: "assay urn:…:AS2 of lot urn:…:A2 (dated
// 2025-11-09, recorded 2025-11-26T00:00:00Z)".
func factWords(f lateFact) string {
	return fmt.Sprintf("%s %s of lot %s (dated %s, recorded %s)", f.kind, f.ev.EventID, strings.Join(f.lots, ", "),
		f.ev.EventTime.UTC().Format(time.DateOnly), f.ev.RecordTime.UTC().Format(time.RFC3339))
}

// explainLateFacts names, on each claim the account refuses with a
// shortfall and no other cause named (RetractedBy, AssayedBy), the live
// assays and weighings recorded after the claim that left it short: the
// account replayed without all of them covers the claim. Each is named
// when leaving it out alone lowers the shortfall; when none does alone,
// all are. The claim reads "not covered" (Claim.AssayedBy, WeighedBy and
// its error; st.Refused's line likewise when st is given). The facts
// stand; the claim states what it claimed (fix9d).
func (mc *mbCalc) explainLateFacts(periods []critmin.ClaimPeriod, upto int, st *Statement) error {
	memo := map[time.Time][]lateFact{}
	for _, lot := range sortedKeys(mc.claims) {
		cl := mc.claims[lot]
		if cl.Status != ClaimRefused || cl.Shortfall <= 0 || len(cl.RetractedBy) > 0 && !cl.againRetracted || len(cl.AssayedBy) > 0 || len(cl.WeighedBy) > 0 || len(cl.RunChangedBy) > 0 || cl.Event == "" {
			continue
		}
		rec := mc.recordedAt(cl.Event)
		if rec.IsZero() {
			continue
		}
		facts, err := mc.factsAfter(rec, memo)
		if err != nil {
			return err
		}
		facts = mc.runsCapturedAfter(facts, cl.Event)
		if len(facts) == 0 {
			continue
		}
		alt, err := mc.replayWithout(periods, upto, facts)
		if err != nil || alt == nil {
			return err
		}
		if a, ok := alt.claims[lot]; !ok || a.Status != ClaimAccepted {
			continue // short without them too: not theirs
		}
		named := facts
		if len(facts) > 1 {
			named = nil
			for _, f := range facts {
				one, err := mc.replayWithout(periods, upto, []lateFact{f})
				if err != nil {
					return err
				}
				if a, ok := one.claims[lot]; ok && (a.Status == ClaimAccepted || a.Shortfall < cl.Shortfall-claimTolerance) {
					named = append(named, f)
				}
			}
			if len(named) == 0 {
				named = facts
			}
		}
		var words []string
		for _, f := range named {
			words = append(words, factWords(f))
			switch f.kind {
			case "assay":
				cl.AssayedBy = append(cl.AssayedBy, f.ev.EventID)
			case "run input", "run output", "run":
				cl.RunChangedBy = append(cl.RunChangedBy, f.ev.EventID)
			default:
				cl.WeighedBy = append(cl.WeighedBy, f.ev.EventID)
			}
		}
		why := fmt.Sprintf("claim on lot %s not covered: it was covered when accepted (recorded %s) and is no longer covered since %s, recorded after the claim; ",
			lot, rec.UTC().Format(time.RFC3339), strings.Join(words, ", "))
		cl.Error = why + cl.Error
		if st == nil {
			continue
		}
		for i := range st.Refused {
			if st.Refused[i].Lot == lot {
				// Each row keeps its own words after why: a claim short
				// of its window share and of the balance has a row for
				// each, worded apart (fix9u).
				st.Refused[i].Error, st.Refused[i].AssayedBy, st.Refused[i].WeighedBy, st.Refused[i].RunChangedBy = why+st.Refused[i].Error, cl.AssayedBy, cl.WeighedBy, cl.RunChangedBy
			}
		}
	}
	return nil
}

// shortWhileStood is the shortfall claim cl met while the events declared
// in error stood, read from alt, the account replayed with them put back
// (fix9am; nu9h 2). A claim keeps what it took at capture (ISO 22095-2:
// a claim is a record): where a put-back assay or weighing of the claimed
// lot itself re-figures the claim on that content (alt.Tonnes ≠
// cl.Tonnes), the difference in what it claims goes to its shortfall —
// P3 claimed at 75 % of 0.4 t = 0.3 t, an assay putting P3 at 0.3 t and
// PAK's credit at 0.2 t: alt reads 0.75 × 0.3 − 0.2 = 0.025 t short, the
// claim as taken 0.025 + 0.75 × (0.4 − 0.3) = 0.1 t = 0.3 − 0.2. Never
// below 0 nor above what the claim takes (no claim is short more than it
// claimed).
func shortWhileStood(cl, alt *Claim) float64 {
	var share float64
	for _, sh := range cl.ByCountry {
		share += sh.Share
	}
	short := alt.Shortfall
	if alt.Tonnes > 0 && cl.Tonnes > 0 {
		short += (cl.Tonnes - alt.Tonnes) * share
	}
	return math.Max(0, math.Min(short, cl.Tonnes*share))
}

// explainCoveredAgain names, on each claim the account accepts, the
// events declared in error after the claim was recorded without which it
// would not be covered: the account replayed with them put back
// (replayPutBack) refuses it. Such a claim was not covered while they
// stood (a late assay or weighing, explainLateFacts) and is covered again
// since their declaration: Claim.CoveredAgainBy and CoverageNote name the
// declared event, what it recorded, and the declaration's time and
// reason; the statement's claim entries carry the note (st, when given).
func (mc *mbCalc) explainCoveredAgain(periods []critmin.ClaimPeriod, upto int, st *Statement) error {
	var accepted []string
	for _, lot := range sortedKeys(mc.claims) {
		if cl := mc.claims[lot]; cl.Status == ClaimAccepted && cl.Event != "" {
			accepted = append(accepted, lot)
		}
	}
	if len(accepted) == 0 {
		return nil
	}
	rs, err := retractedRuns(mc.ctx, mc.s, mc.d.Site)
	if err != nil {
		return err
	}
	ms, err := mc.retractedMeasurements(mc.readLots(rs))
	if err != nil || len(ms) == 0 && len(rs) == 0 {
		return err
	}
	declRec := func(d *critmin.ErrorDeclaration) time.Time {
		if !d.RecordTime.IsZero() {
			return d.RecordTime
		}
		return d.DeclarationTime
	}
	for _, lot := range accepted {
		cl := mc.claims[lot]
		rec := mc.recordedAt(cl.Event)
		if rec.IsZero() {
			continue
		}
		var set putBackSet
		for _, m := range ms {
			if declRec(m.decl).After(rec) {
				set.ms = append(set.ms, m)
			}
		}
		for _, r := range rs {
			if declRec(r.decl).After(rec) {
				set.site = append(set.site, r)
			}
		}
		cands := set.candidates()
		if len(cands) == 0 {
			continue
		}
		alt, err := mc.replayPutBack(periods, upto, set)
		if err != nil {
			return err
		}
		a, ok := alt.claims[lot]
		if !ok || a.Status != ClaimRefused {
			continue
		}
		var ids, words []string
		if len(cands) == 1 {
			ids, words = []string{cands[0].id}, []string{cands[0].words}
		} else {
			var moved []retractedCandidate
			for _, c := range cands {
				one, err := mc.replayPutBack(periods, upto, c.only)
				if err != nil {
					return err
				}
				if x, ok := one.claims[lot]; ok && x.Status == ClaimRefused {
					ids, words = append(ids, c.id), append(words, c.words)
				}
				if mc.affects(one, lot, cl) {
					moved = append(moved, c)
				}
			}
			if len(ids) == 0 {
				// None alone: together they did — those that change a
				// credit of the claim's category and origins or the
				// claimed lot (fix9at); all where none does.
				if len(moved) == 0 {
					moved = cands
				}
				for _, c := range moved {
					ids, words = append(ids, c.id), append(words, c.words)
				}
			}
		}
		cl.CoveredAgainBy = ids
		cl.CoverageNote = fmt.Sprintf("claim on lot %s covered again: it was not covered while %s stood (shortfall %s t), and is covered since %s",
			lot, strings.Join(ids, ", "), Figure(shortWhileStood(cl, a)), strings.Join(words, ", "))
		if st == nil {
			continue
		}
		for i := range st.Categories {
			for j := range st.Categories[i].Entries {
				if e := &st.Categories[i].Entries[j]; e.Kind == "claim" && e.Lot == lot {
					e.Note = joinNotes(e.Note, cl.CoverageNote)
				}
			}
		}
	}
	return nil
}
