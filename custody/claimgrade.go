package custody

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// A claim accepted at capture is a record of the tonnes it debited (ISO
// 22095-2: a claim out is booked when it is made). Whatever a later fact
// does to the claimed lot or its run, the claim is read one way in every
// view (claim, the one place a claim's status is derived): accepted when
// the account still backs it, else not covered and booked in full — its
// debit stays on the account, so the credit it retired never backs
// another claim. Only a claim judged at capture is refused, and a claim
// leaves the account only when its own event is declared in error. The
// not-covered claims short of something other than the balance keep
// their own row (shortApart): above their origin's share of the rolling
// window (ShortOfWindowShare), their run out of their category's system
// (ShortOfCategorySystem, a later fact or a claim stored before fix9ae's
// capture rule), or their lot's grade no longer measured
// (ShortOfGrade, fix9al).

// ShortOfGrade marks a not-covered row of a claim accepted at capture
// whose lot an event declared in error since left without an assay of
// its category's elements ("grade not measured", fix9al): the claim can
// no longer be measured, so nothing backs it (Available 0, Shortfall =
// Claimed), and it stays booked in full at the figure it was accepted at
// (the credit it retired stays retired), apart from the line's deficit.
const ShortOfGrade = "grade_not_measured"

// ShortOfRemade marks a not-covered row of a claim accepted at capture
// whose lot is made now only by a run dated after the claim: the run
// that made the lot when the claim was accepted was declared in error
// and the lot captured again with a later event time (fix9ar). The claim
// is dated before its lot exists now, so nothing backs it (Available 0,
// Shortfall = Claimed); it stays booked in full at the figure it was
// accepted at (the lot as that run made it), apart from the line's
// deficit, and names the run declared in error (RetractedBy) and the
// run that makes the lot now (RunChangedBy).
const ShortOfRemade = "lot_made_later"

// ShortOfUnmade marks a not-covered row of a claim accepted at capture
// whose lot no standing event makes any more: the only event that made it
// (a run, or a commissioning run without inputs) was declared in error
// after the claim (fix9as). The claim was stated to a buyer on the lot as
// that event made it, so it stays booked in full at the figure it was
// accepted at (the credit it retired stays retired), nothing backs it
// (Available 0, Shortfall = Claimed), and RetractedBy names the declared
// event.
const ShortOfUnmade = "lot_no_longer_made"

// unmadeReason is a not-covered row's reason for a claim on a lot no
// standing event makes (ShortOfUnmade).
const unmadeReason = "its lot no longer made by any standing event"

// remadeReason is a not-covered row's reason for a claim on a lot made
// again after it (ShortOfRemade; RefusedClaim.Reasons, fix9ap).
const remadeReason = "its lot made again after the claim"

// apartKind reports whether kind is a row kind whose claim is short of
// all it claims whatever the balance holds: out of its category's
// system, its grade no longer measured, or its lot made only after it.
func apartKind(kind string) bool {
	return kind == ShortOfCategorySystem || kind == ShortOfGrade || kind == ShortOfRemade || kind == ShortOfUnmade
}

// goneAssay is what asClaimed found of the assays a stored claim's lot
// was accepted on that an event declared in error since took away: the
// facts, and the lot as it stood with them.
type goneAssay struct {
	facts []goneFact
	was   *critmin.Lot
}

// goneFact is an event that assayed a claimed lot, declared in error
// after the claim was captured (or by the document being captured).
type goneFact struct {
	ev    *critmin.Event
	words string
}

// goneEvents are the facts' events, as captured.
func goneEvents(fs []goneFact) []*critmin.Event {
	var out []*critmin.Event
	for _, f := range fs {
		out = append(out, f.ev)
	}
	return out
}

// goneAssays are the events that assayed lot — an assay of the lot, or
// a run that put it out and stated its assay in the run's ILMD (fix9ar:
// the lot's grade was that run's, and another event still makes the
// lot) — dated at or before its claim ce, that were live when the claim
// was captured and are declared in error since (stored declarations
// recorded after the claim, and the document being captured's), sorted
// by time then ID; upTo are the lot's live events up to the claim (an
// event an explaining replay put back is among them, and is not gone).
func (mc *mbCalc) goneAssays(lot string, ce critmin.ClaimEvent, upTo []*critmin.Event) ([]goneFact, error) {
	return mc.goneOf(lot, ce, upTo, func(ev *critmin.Event) bool { return assaysLot(ev, lot) || runAssaysOutput(ev, lot) },
		func(ev *critmin.Event, decl string) string {
			if ev.Type == critmin.TransformationEvent {
				// The assay the run stated in its ILMD for what it put
				// out (fix9ar): the run is named, and what it was to the
				// lot.
				return fmt.Sprintf("%s, which made lot %s and stated its assay, %s", runWords(ev.TransformationID, ev.EventID, ev.EventTime.UTC().Format(time.DateOnly)), lot, decl)
			}
			return fmt.Sprintf("event %s (assay of lot %s, %s) %s", ev.EventID, lot, ev.EventTime.UTC().Format(time.DateOnly), decl)
		})
}

// goneMakers are the run events that put lot out, dated at or before its
// claim ce, live when the claim was captured and declared in error since
// (fix9ar): the runs that made the lot the claim was accepted on, as
// goneAssays finds assays.
func (mc *mbCalc) goneMakers(lot string, ce critmin.ClaimEvent, upTo []*critmin.Event) ([]goneFact, error) {
	return mc.goneOf(lot, ce, upTo, func(ev *critmin.Event) bool { return runOutputs(ev, lot) },
		func(ev *critmin.Event, decl string) string {
			return fmt.Sprintf("%s, which made lot %s when the claim was accepted and was %s", runWords(ev.TransformationID, ev.EventID, ev.EventTime.UTC().Format(time.DateOnly)), lot, decl)
		})
}

// goneOf are the events naming lot that keep holds of (read as live),
// dated at or before claim ce, live when the claim was captured and
// declared in error since, each worded by words (given the event and
// its declaration's words), sorted by time then ID; none of upTo.
func (mc *mbCalc) goneOf(lot string, ce critmin.ClaimEvent, upTo []*critmin.Event, keep func(*critmin.Event) bool, words func(*critmin.Event, string) string) ([]goneFact, error) {
	facts, err := mc.declaredFacts(critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Patterns: []string{lot}, Exact: true}}},
		func(ev *critmin.Event) bool {
			// The declared event as it stood (its body as captured may
			// carry the declaration).
			live := *ev
			live.ErrorDeclaration = nil
			return !ev.EventTime.After(ce.At) && keep(&live)
		})
	if err != nil {
		return nil, err
	}
	var out []goneFact
	for _, rf := range facts {
		if rf.decl != nil && rf.ev.PK <= ce.Seq {
			continue // declared before the claim: judged at its capture
		}
		if slices.ContainsFunc(upTo, func(e *critmin.Event) bool { return e.EventID == rf.ev.EventID }) ||
			slices.ContainsFunc(out, func(g goneFact) bool { return g.ev.EventID == rf.ev.EventID }) {
			continue
		}
		ev := *rf.ev
		ev.ErrorDeclaration = nil
		out = append(out, goneFact{ev: &ev, words: words(&ev, declaredWords(rf.decl))})
	}
	slices.SortStableFunc(out, func(a, b goneFact) int {
		if c := a.ev.EventTime.Compare(b.ev.EventTime); c != 0 {
			return c
		}
		if a.ev.EventID < b.ev.EventID {
			return -1
		}
		return 0
	})
	return out, nil
}

// runOutputs reports whether ev, a TransformationEvent, puts lot out
// (an output line naming it, any spelling).
func runOutputs(ev *critmin.Event, lot string) bool {
	if ev.Type != critmin.TransformationEvent {
		return false
	}
	for _, q := range canonicalLots(ev).Quantities {
		if q.Role == critmin.RoleOutput && q.EPCClass == lot {
			return true
		}
	}
	return false
}

// runAssaysOutput reports whether ev, a TransformationEvent, puts lot out
// and states an assay in its ILMD (cm:assay): the assay of what it puts
// out.
func runAssaysOutput(ev *critmin.Event, lot string) bool {
	if !runOutputs(ev, lot) {
		return false
	}
	if ev.Mineral == nil {
		full, err := ledger.DecodeStored(ev.Raw, ev.Context)
		if err != nil {
			return false
		}
		ev = full
	}
	return ev.Mineral != nil && len(ev.Mineral.Assays) > 0
}

// acceptedContent is the qualifying content of the claimed lot l as its
// stored claim was accepted when the lot has no assay of one of els now
// (mc.goneAssay): dry tonnes × grade summed over els, with the facts that
// took the assay away; ok false when there is none to read.
func (mc *mbCalc) acceptedContent(l *critmin.Lot, els []string) (float64, []goneFact, bool) {
	ga, ok := mc.goneAssay[l.ID]
	if !ok {
		return 0, nil, false
	}
	g := GradesOf(ga.was)
	var q float64
	for _, el := range els {
		x, ok := g[el]
		if !ok {
			return 0, nil, false
		}
		q += ga.was.DryTonnes * x
	}
	return q, ga.facts, true
}

// gradeClause words why a claim whose lot's assay was declared in error
// since is not covered: "the lot has no assay of La+Ce now: the claim was
// accepted on event E (assay of lot L, date) declared in error on T
// (reason R), so the claim can no longer be measured and nothing backs
// it; the claim stays booked in full: the 1.5 t La+Ce it retired stays
// retired …". after are the assays of the missing elements the lot holds
// now, all dated after the claim (gradedAfter): the lot is measured, but
// only after the claim, and a claim is judged on its lot as it stood when
// made (an assay dated after a claim changes the lot from then on, never
// the claim: docs/origin.md), so the clause says "graded only after the
// claim (assay E dated D)", never "grade not measured" (fix9ap item 3).
func gradeClause(els string, facts []goneFact, missing []string, retired float64, after []critmin.Assay) string {
	var ws []string
	for _, f := range facts {
		ws = append(ws, f.words)
	}
	head := fmt.Sprintf("the lot has no assay of %s now (grade not measured): the claim was accepted on %s, so it can no longer be measured and nothing backs it",
		strings.Join(missing, "+"), strings.Join(ws, ", "))
	if len(after) > 0 {
		head = fmt.Sprintf("the lot has no assay of %s dated at or before the claim now: %s — an assay dated after a claim changes the lot from then on, never the claim, which is judged on its lot as it stood when made; the claim was accepted on %s, so nothing measured at the claim backs it",
			strings.Join(missing, "+"), gradedAfterWords(after), strings.Join(ws, ", "))
	}
	return fmt.Sprintf("%s (ISO 22095-2: a claim is on the qualifying characteristic the product contains); the claim stays booked in full: the %s t %s it retired stays retired, so no later claim takes that credit",
		head, Figure(retired), els)
}

// gradedAfterWords words the assays of a claimed lot dated after its
// claim that measure what the claim's lot lacked: "graded only after the
// claim (assay E dated D)", one "E dated D" per assay event.
func gradedAfterWords(after []critmin.Assay) string {
	var ws []string
	for _, a := range after {
		w := a.EventID + " dated " + a.At.UTC().Format(time.DateOnly)
		if !slices.Contains(ws, w) {
			ws = append(ws, w)
		}
	}
	return "graded only after the claim (assay " + strings.Join(ws, ", ") + ")"
}

// gradedAfter are the latest assays of lot (as it stands now) of each of
// the missing elements, when every one of them is assayed and each such
// assay is dated after at (the claim): the lot is measured, only after
// the claim. nil otherwise (the grade is not measured).
func (mc *mbCalc) gradedAfter(lot string, missing []string, at time.Time) []critmin.Assay {
	l := mc.oc.lots[lot]
	if l == nil || len(missing) == 0 {
		return nil
	}
	var out []critmin.Assay
	for _, el := range missing {
		var found *critmin.Assay
		for _, a := range ledger.LatestAssays(l.Assays) {
			if units.ElementOf(a.Analyte) == el {
				found = &a
				break
			}
		}
		if found == nil || !found.At.After(at) {
			return nil
		}
		out = append(out, *found)
	}
	return out
}

// remadeClause words why a stored claim on lot, dated before the run
// that makes the lot now (run xid's event ev, at), is not covered: the
// runs that made the lot when it was accepted (facts) were declared in
// error since, and the lot was captured again with a later time.
func remadeClause(lot, els string, facts []goneFact, xid, ev string, at time.Time, ce critmin.ClaimEvent, retired float64) string {
	var ws []string
	for _, f := range facts {
		ws = append(ws, f.words)
	}
	return fmt.Sprintf("the lot as claimed is no longer on record: the claim was accepted on the lot made by %s; the lot is made now by %s, captured again after the claim and dated after it, so the claim (event %s, %s) is dated before its lot exists now and nothing backs it (ISO 22095-2: a claim is booked when it is made, on material that exists then); the claim was accepted at capture and stays booked in full: the %s t %s it retired stays retired, so no later claim takes that credit",
		strings.Join(ws, ", "), runWords(xid, ev, at.UTC().Format(time.DateOnly)), ce.Event, ce.At.UTC().Format(time.DateOnly), Figure(retired), els)
}

// unmadeClause words why a stored claim on a lot that no standing event
// makes any more (ShortOfUnmade) is not covered, naming the declared
// events that made it when the claim was accepted.
func unmadeClause(facts []goneFact, ce critmin.ClaimEvent, retired float64, els string) string {
	var ws []string
	for _, f := range facts {
		ws = append(ws, f.words)
	}
	return fmt.Sprintf("its lot is no longer made by any standing event: the claim was accepted on the lot made by %s, and no live event makes the lot now, so nothing backs the claim (event %s, %s); the claim was accepted at capture and stays booked in full: the %s t %s it retired stays retired, so no later claim takes that credit",
		strings.Join(ws, ", "), ce.Event, ce.At.UTC().Format(time.DateOnly), Figure(retired), els)
}

// outsideClause words why a stored claim on a run that consumed none of
// its category's inputs, which no event declared in error explains (a
// claim stored before fix9ae's capture rule), is not covered.
func outsideClause(r ledgerRun, cat critmin.MaterialCategory, took []string, retired float64) string {
	return fmt.Sprintf("%s, which made the lot, consumed none of the category's inputs (%s) — it consumes %s — and no event declared in error explains it (a claim stored before claims outside their category were refused at capture), so the lot is not in the category's mass-balance system and the category's balance cannot back the claim (ISO 22095-2: a claim draws on the balance of its material category, whose credits in are the qualifying inputs to that system); the claim was booked when stored and stays booked in full: the %s t %s it retired stays retired, so no later claim takes that credit",
		runWords(r.xid(), r.event, r.at.UTC().Format(time.DateOnly)), strings.Join(cat.Inputs, ", "), strings.Join(took, ", "), Figure(retired), strings.Join(cat.Elements, "+"))
}

// bookApart marks claim cl on lot l, accepted at capture (stored), not
// covered for a reason other than the balance (kind, worded by clause,
// named by the events ids): booked in full, its every origin short of all
// it claims (shortApart: Available 0, Shortfall = Claimed, apart from the
// deficit), RetractedBy naming ids. A claim already short of the balance
// (cl.booked, ref its rows) keeps its over-claim clause first; one
// already apart (another kind) keeps its kind, and the clause and ids are
// added. reason is the row's reason in a few words (RefusedClaim.Reasons:
// "grade not measured", "graded only after the claim (…)", "out of its
// category's mass-balance system").
func (mc *mbCalc) bookApart(l *critmin.Lot, cl *Claim, ref []RefusedClaim, a *account, period, kind, reason, clause string, ids []string) {
	if !slices.Contains(cl.apartReasons, reason) {
		cl.apartReasons = append(cl.apartReasons, reason)
	}
	cl.basisBy = append(cl.basisBy, ids...)
	cl.RetractedBy = append(cl.RetractedBy, ids...)
	if apartKind(cl.ShortOf) {
		cl.Error += "; " + clause
		return
	}
	if cl.booked {
		cl.Error += "; " + clause
		for i := range ref {
			ref[i].Error = cl.Error
		}
	} else {
		cl.Status, cl.booked, cl.bookedLot = ClaimRefused, true, l.ID
		cl.Error = fmt.Sprintf("claim on lot %s not covered: site %s, category %s (%s), period %s: accepted at capture; %s",
			l.ID, epcis.Canonical(mc.d.Site), a.cat.ID, categoryFlow(a.cat), period, clause)
	}
	cl.ShortOf = kind
	cl.shortApart, cl.availApart = map[string]float64{}, map[string]float64{}
	for _, sh := range cl.ByCountry {
		if sh.Tonnes > claimTolerance {
			cl.shortApart[sh.Key], cl.availApart[sh.Key] = sh.Tonnes, 0
		}
	}
	a.apartClaims = append(a.apartClaims, cl)
}
