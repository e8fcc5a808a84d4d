package custody

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// A claim draws on the balance of its material category, whose credits
// in are the qualifying inputs to that system (ISO 22095-2): the claim's
// basis is that the run which made the claimed lot consumed one of the
// category's inputs. A later fact can break that basis — an input event
// of the run, the commissioning of an input lot or the packing of a
// container the run was fed declared in error (EPCIS 2.0 §7.4.1.2). A
// claim accepted at capture whose basis a later fact broke is not
// covered, naming the facts, and stays booked in full: the credit it
// retired stays retired, so no later claim takes it (docs/origin.md "Not
// covered is not refused", fix9aj). A claim judged at capture on a
// broken basis is refused.

// runBasis is what run r consumed, read for its claims' category basis
// (categoryBasis).
type runBasis struct {
	// fed: the run consumed an input of the category, or material of the
	// category already in the site's account (recirculated).
	fed bool
	// took are the commodities of the known inputs the run consumed,
	// sorted, when it is not fed.
	took []string
	// unknown are the inputs that hold nothing known, sorted: a lot no
	// longer (or never) on record, a container holding nothing known when
	// the run read it.
	unknown []string
	// noInput: the run has no live input at all (its input events
	// declared in error, or none stated).
	noInput bool
}

// outside reports whether the basis finds the run outside the category
// whatever is unknown: every input known, none of the category's.
func (b runBasis) outside() bool {
	return !b.fed && !b.noInput && len(b.unknown) == 0
}

// categoryBasis reads what run r consumed, over every live event of the
// run (its transformationID, EPCIS 2.0 §7.4.6), stored and, at capture,
// the document's; events declared in error, stored or by the document
// being captured, do not count. A container is read as the lots it held
// when the run read it, as credits read it.
func (mc *mbCalc) categoryBasis(r ledgerRun, cat critmin.MaterialCategory) (runBasis, error) {
	if err := mc.loadRunMade(); err != nil {
		return runBasis{}, err
	}
	edges := mc.runEdges[r.key]
	var ids []string
	for _, e := range edges {
		ids = append(ids, e.Parent)
	}
	if err := mc.oc.loadLots(ids); err != nil {
		return runBasis{}, err
	}
	var b runBasis
	took := map[string]bool{}
	unknown := map[string]bool{}
	for _, e := range edges {
		feeds, err := mc.feedsOf(e)
		if err != nil {
			return runBasis{}, err
		}
		if len(feeds) == 0 {
			unknown[e.Parent] = true
			continue
		}
		for _, f := range feeds {
			in, err := mc.inCategory(f, cat, r.at)
			if err != nil {
				return runBasis{}, err
			}
			if in {
				return runBasis{fed: true}, nil
			}
			took[ledger.CanonicalCommodity(f.Commodity)] = true
		}
	}
	b.took, b.unknown = sortedKeys(took), sortedKeys(unknown)
	b.noInput = len(edges) == 0
	return b, nil
}

// feedsOf are the known lots edge e fed its run: its parent, or, for a
// container (no commodity, no origin), the lots it held when the run read
// it; none when the parent holds nothing known.
func (mc *mbCalc) feedsOf(e critmin.LotEdge) ([]*critmin.Lot, error) {
	in := mc.oc.lots[e.Parent]
	if in == nil {
		return nil, nil
	}
	if in.Commodity != "" {
		return []*critmin.Lot{in}, nil
	}
	if in.OriginCountry != "" {
		return nil, nil
	}
	c, err := mc.oc.upstreamAt(e.Parent, e.EventTime)
	if err != nil {
		return nil, err
	}
	if ec := mc.oc.edgeComp(e); ec != nil {
		c = ec
	}
	var out []*critmin.Lot
	for _, pt := range c.parts {
		if l := mc.oc.lots[pt.id]; l != nil && l.Commodity != "" {
			out = append(out, l)
		}
	}
	return out, nil
}

// inCategory reports whether lot f is an input of category cat: of one
// of its input commodities, or material of the category made at the site
// and fed again at (recirculated).
func (mc *mbCalc) inCategory(f *critmin.Lot, cat critmin.MaterialCategory, at time.Time) (bool, error) {
	if f.Commodity == "" {
		return false, nil
	}
	if inputOfCategory(cat, f.Commodity) {
		return true, nil
	}
	return mc.recirculated(f.ID, cat, at)
}

// basisFact is an event declared in error (EPCIS 2.0 §7.4.1.2) that took
// an input out of a claim's run: an input event of the run, the
// commissioning or the run that made an input lot, a packing into a
// container the run was fed.
type basisFact struct {
	id string
	// pk is the declaration's record (its capture order); 0 for an event
	// the document being captured declares in error.
	pk int64
	at time.Time // the declared event's time
	// words name it: "run X (event E, date) declared in error on T
	// (reason R)".
	words string
	// brought: it brought an input of the claim's category to the run.
	brought bool
	// input: an event of the claim's run itself that stated an input.
	input bool
}

// declaredFacts returns the events declared in error that filter finds,
// stored, and those of the document being captured (mc.drop) that keep
// reports true for, each with its declaration (nil for the document's).
func (mc *mbCalc) declaredFacts(filter critmin.EventFilter, keep func(*critmin.Event) bool) ([]retractedFact, error) {
	var out []retractedFact
	if f, ok := mc.s.(eventQuerier); ok {
		filter.ErrorDeclarationExists, filter.Limit = true, 1000
		if err := eachDeclared(mc.ctx, f, filter, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
			if keep(body) {
				out = append(out, retractedFact{ev: body, decl: decl})
			}
		}); err != nil {
			return nil, err
		}
	}
	docs, err := mc.droppedEvents()
	if err != nil {
		return nil, err
	}
	for _, ev := range docs {
		if keep(ev) {
			out = append(out, retractedFact{ev: ev})
		}
	}
	return out, nil
}

// droppedEvents are the stored events the document being captured
// declares in error (mc.drop), as captured, memoised; none outside a
// capture or for a store that cannot find events by ID.
func (mc *mbCalc) droppedEvents() ([]*critmin.Event, error) {
	if mc.dropped != nil || len(mc.drop) == 0 {
		return mc.dropped, nil
	}
	f, ok := mc.s.(EventFinder)
	if !ok {
		return nil, nil
	}
	mc.dropped = []*critmin.Event{}
	for _, id := range sortedKeys(mc.drop) {
		evs, err := f.FindEventsByID(mc.ctx, id)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			if ev.ErrorDeclaration != nil {
				continue
			}
			body, err := ledger.DecodeStored(ev.Raw, ev.Context)
			if err != nil {
				return nil, err
			}
			body.PK, body.RecordTime = ev.PK, ev.RecordTime
			mc.dropped = append(mc.dropped, canonicalLots(body))
			break
		}
	}
	return mc.dropped, nil
}

// declaredWords is how a fact's declaration is named: "declared in error
// on T (reason R)", or, for the document being captured, "declared in
// error by this document".
func declaredWords(d *critmin.ErrorDeclaration) string {
	if d == nil {
		return "declared in error by this document"
	}
	return fmt.Sprintf("declared in error on %s (reason %s)", declaredWhen(d), declaredReason(d))
}

// basisFacts are the events declared in error that broke run r's basis
// for a claim of category cat made by ce (b: what the run consumes now):
// the run's own events that stated inputs, the commissionings and runs
// that made the inputs now holding nothing known, the packings into the
// containers among them. For a claim already recorded, only declarations
// recorded after it count (the claim was judged at capture on the facts
// before them), and the document's. A fact is named when it brought an
// input of the category; when the run has no live input at all, every
// input event of the run declared in error is named too. Sorted by the
// declared events' time, then ID.
func (mc *mbCalc) basisFacts(r ledgerRun, cat critmin.MaterialCategory, b runBasis, ce critmin.ClaimEvent) ([]basisFact, error) {
	var all []basisFact
	add := func(rf retractedFact, words string, brought, input bool) {
		var pk int64
		if rf.decl != nil {
			pk = rf.ev.PK
		}
		all = append(all, basisFact{id: rf.ev.EventID, pk: pk, at: rf.ev.EventTime, words: words + " " + declaredWords(rf.decl), brought: brought, input: input})
	}
	date := func(ev *critmin.Event) string { return ev.EventTime.UTC().Format(time.DateOnly) }
	if xid := r.xid(); xid != "" {
		facts, err := mc.declaredFacts(critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, TransformationIDs: []string{xid}},
			func(ev *critmin.Event) bool {
				return ev.Type == critmin.TransformationEvent && ev.TransformationID == xid
			})
		if err != nil {
			return nil, err
		}
		for _, rf := range facts {
			var lots []string
			for _, q := range rf.ev.LotLines() {
				if q.Role == critmin.RoleInput {
					lots = append(lots, epcis.Canonical(q.EPCClass))
				}
			}
			if len(lots) == 0 {
				continue
			}
			brought, err := mc.brings(lots, cat, rf.ev)
			if err != nil {
				return nil, err
			}
			add(rf, runWords(xid, rf.ev.EventID, date(rf.ev)), brought, true)
		}
	}
	for _, lot := range b.unknown {
		facts, err := mc.declaredFacts(critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Patterns: []string{lot}, Exact: true}}},
			func(ev *critmin.Event) bool { return makes(ev, lot) })
		if err != nil {
			return nil, err
		}
		for _, rf := range facts {
			brought := rf.ev.Mineral != nil && inputOfCategory(cat, rf.ev.Mineral.Commodity)
			if rf.ev.Type == critmin.TransformationEvent {
				add(rf, fmt.Sprintf("%s, which made input lot %s,", runWords(rf.ev.TransformationID, rf.ev.EventID, date(rf.ev)), lot), brought, false)
				continue
			}
			add(rf, fmt.Sprintf("event %s (commissioning of input lot %s, %s)", rf.ev.EventID, lot, date(rf.ev)), brought, false)
		}
		packs, err := mc.declaredFacts(critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent},
			EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleParent}, Patterns: []string{lot}, Exact: true}}},
			func(ev *critmin.Event) bool {
				return ev.Type == critmin.AggregationEvent && ev.Action != "DELETE" && epcis.Canonical(ev.ParentID) == lot
			})
		if err != nil {
			return nil, err
		}
		for _, rf := range packs {
			var kids []string
			for _, k := range ledger.Children(rf.ev) {
				kids = append(kids, k.Child)
			}
			brought, err := mc.brings(kids, cat, rf.ev)
			if err != nil {
				return nil, err
			}
			add(rf, fmt.Sprintf("event %s (%s, %s)", rf.ev.EventID, packingWords(rf.ev), date(rf.ev)), brought, false)
		}
	}
	recorded := mc.recordedClaim(ce)
	var out []basisFact
	for _, f := range all {
		if recorded && f.pk != 0 && f.pk <= ce.Seq {
			continue // declared before the claim: judged at its capture
		}
		if !f.brought && !(b.noInput && f.input) {
			continue
		}
		if slices.ContainsFunc(out, func(o basisFact) bool { return o.id == f.id }) {
			continue
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].at.Equal(out[j].at) {
			return out[i].at.Before(out[j].at)
		}
		return out[i].id < out[j].id
	})
	return out, nil
}

// makes reports whether ev made lot: an ObjectEvent ADD naming it (not
// as an input), or a TransformationEvent with it among its outputs.
func makes(ev *critmin.Event, lot string) bool {
	for _, q := range ev.LotLines() {
		if epcis.Canonical(q.EPCClass) != lot {
			continue
		}
		switch {
		case ev.Type == critmin.TransformationEvent && q.Role == critmin.RoleOutput:
			return true
		case ev.Type == critmin.ObjectEvent && ev.Action == "ADD" && q.Role != critmin.RoleInput:
			return true
		}
	}
	return false
}

// brings reports whether any of lots, named by the declared event ev, is
// an input of category cat: by its commodity on record, else the
// commodity ev itself states for it (a commissioning's ILMD).
func (mc *mbCalc) brings(lots []string, cat critmin.MaterialCategory, ev *critmin.Event) (bool, error) {
	if err := mc.oc.loadLots(lots); err != nil {
		return false, err
	}
	for _, id := range lots {
		l := mc.oc.lots[id]
		if l == nil || l.Commodity == "" {
			continue
		}
		if in, err := mc.inCategory(l, cat, ev.EventTime); err != nil || in {
			return in, err
		}
	}
	return false, nil
}

// basisCondition words what run r consumes now that breaks the basis:
// "has no live input left", "consumes none of the category's inputs
// (ree_concentrate) now — its input L is no longer on record; it
// consumes antimony_ore".
func basisCondition(cat critmin.MaterialCategory, b runBasis) string {
	if b.noInput {
		return "has no live input left"
	}
	s := fmt.Sprintf("consumes none of the category's inputs (%s) now", strings.Join(cat.Inputs, ", "))
	var parts []string
	if len(b.unknown) > 0 {
		parts = append(parts, fmt.Sprintf("its %s %s %s no longer on record", plural(len(b.unknown), "input", "inputs"), strings.Join(b.unknown, ", "), plural(len(b.unknown), "is", "are")))
	}
	if len(b.took) > 0 {
		parts = append(parts, "it consumes "+strings.Join(b.took, ", "))
	}
	if len(parts) > 0 {
		s += " — " + strings.Join(parts, "; ")
	}
	return s
}

// plural is one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// basisWords joins facts' words: "A, B".
func basisWords(fs []basisFact) string {
	var ws []string
	for _, f := range fs {
		ws = append(ws, f.words)
	}
	return strings.Join(ws, ", ")
}

// factIDs are facts' event IDs.
func factIDs(fs []basisFact) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.id)
	}
	return ids
}

// basisClause is the part of a not-covered claim's error that names the
// facts that broke its basis: "the claim was covered until the
// retraction of run X (event E, date) declared in error on T (reason R):
// run X (event F, date), which made the lot, has no live input left, so
// the lot is no longer in the category's mass-balance system …; the
// claim stays booked in full: the 1.5 t La+Ce it retired stays retired
// …". retired is the claim's debit, tonnes of els.
func basisClause(r ledgerRun, cat critmin.MaterialCategory, b runBasis, facts []basisFact, retired float64) string {
	els := strings.Join(cat.Elements, "+")
	return fmt.Sprintf("the claim was covered until the retraction of %s: %s, which made the lot, %s, so the lot is no longer in the category's mass-balance system and the category's balance cannot back the claim (ISO 22095-2: a claim draws on the balance of its material category, whose credits in are the qualifying inputs to that system); the claim stays booked in full: the %s t %s it retired stays retired, so no later claim takes that credit",
		basisWords(facts), runWords(r.xid(), r.event, r.at.UTC().Format(time.DateOnly)), basisCondition(cat, b), Figure(retired), els)
}

// basisRefusal is the refusal at capture of a claim on lot whose run r's
// basis facts broke: "claim on lot L refused: site S, category C (…),
// period P: run X (…), which made it, has no live input left (since the
// retraction of …), so …". A claim judged at capture on a broken basis is
// refused, as one on a run outside the category is (notInCategory).
func basisRefusal(lot, site, catID string, cat critmin.MaterialCategory, period string, r ledgerRun, b runBasis, facts []basisFact) string {
	return fmt.Sprintf("claim on lot %s refused: site %s, category %s (%s), period %s: %s, which made it, %s (since the retraction of %s), so the lot is not in the category's mass-balance system and the category's balance cannot back a claim on it (ISO 22095-2: a claim draws on the balance of its material category, whose credits in are the qualifying inputs to that system)",
		lot, epcis.Canonical(site), catID, categoryFlow(cat), period, runWords(r.xid(), r.event, r.at.UTC().Format(time.DateOnly)), basisCondition(cat, b), basisWords(facts))
}

// outOfSystem marks claim cl on lot l, accepted at capture, not covered
// because the facts broken took its run r out of category a's system
// (basis: what the run consumes now): booked in full, its every origin
// short of all it claims (shortApart, ShortOfCategorySystem: Available 0,
// Shortfall = Claimed, apart from the deficit), its error naming the
// facts (basisClause) and RetractedBy listing them. A claim also short of
// the balance (cl.booked already, ref its rows) keeps its over-claim
// clause first, the basis clause after.
func (mc *mbCalc) outOfSystem(l *critmin.Lot, cl *Claim, ref []RefusedClaim, r ledgerRun, a *account, period string, basis runBasis, broken []basisFact) {
	var debit float64
	for _, sh := range cl.ByCountry {
		debit += sh.Tonnes
	}
	mc.bookApart(l, cl, ref, a, period, ShortOfCategorySystem, systemReason, basisClause(r, a.cat, basis, broken, debit), factIDs(broken))
}
