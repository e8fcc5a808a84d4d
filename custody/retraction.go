package custody

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// A retraction (an error declaration, EPCIS 2.0 §7.4.1.2) of a credit run
// is always accepted: a true retraction cannot be refused. Its run leaves
// the genealogy, so the account replayed from the events no longer
// credits it, and a claim that rested on its credits turns refused
// (ISO 22095:2020 §11: claims out ≤ credits in). explainRetractions makes
// the refusal say why: it names the retraction.

// eventQuerier is the part of a store that queries events (sqldb.DB).
type eventQuerier interface {
	FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error)
}

// retractedRun is a TransformationEvent at a site declared in error, as
// the run it was, with its declaration.
type retractedRun struct {
	run  ledgerRun
	ev   *critmin.Event // the event as captured
	decl *critmin.ErrorDeclaration
}

// retractedRuns returns the site's TransformationEvents declared in error
// (their declaration records carry the event as captured), every site's
// when site is ""; none for a store that cannot query events.
func retractedRuns(ctx context.Context, s Store, site string) ([]retractedRun, error) {
	f, ok := s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	filter := critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, ErrorDeclarationExists: true, Limit: 1000}
	if site != "" {
		filter.BizLocations = []string{site}
	}
	var out []retractedRun
	err := eachDeclared(ctx, f, filter, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
		at := site
		if at == "" {
			at = body.BizLocation
		}
		out = append(out, retractedRun{run: runOfEvent(body, at), ev: body, decl: decl})
	})
	return out, err
}

// retractedMeasurement is an ObjectEvent declared in error — a weighing,
// a moisture or an assay — that named lots the account read, as
// captured, with its declaration.
type retractedMeasurement struct {
	ev   *critmin.Event
	decl *critmin.ErrorDeclaration
	lots []string
}

// readLots are the lots an explaining replay reads (explainRetractions,
// explainCoveredAgain): those the account read (mc.oc.lots) and those the
// retracted runs rs name, inputs and outputs. Put back, a run reads its
// lots again, so a retracted fact of one of them — its feed's
// commissioning, an assay, a weighing, a packing — is put back with it:
// with both a credit run and its feed's commissioning declared in error,
// the account no longer reads the feed, yet the claims that rested on the
// run were accepted with both standing (fix9ai; before, neither was found
// to explain the claims, and they left the account as refused).
func (mc *mbCalc) readLots(rs []retractedRun) map[string]bool {
	read := map[string]bool{}
	for id := range mc.oc.lots {
		read[id] = true
	}
	for _, r := range rs {
		for _, id := range canonicalLots(r.ev).LotIDs() {
			read[id] = true
		}
	}
	return read
}

// upstreamRuns are the runs of all declared in error at other sites than
// the site's own (atSite) that named a lot of read — an intermediate
// shipped in: their retraction takes the origin of what the site's runs
// consumed, so the credit's origin. A run put back names its own lots, so
// they join read and the search goes on until no run is added.
func upstreamRuns(all []retractedRun, atSite, read map[string]bool) []retractedRun {
	var ups []retractedRun
	taken := map[int]bool{}
	for more := true; more; {
		more = false
		for i, r := range all {
			if atSite[r.ev.EventID] || taken[i] {
				continue
			}
			ids := canonicalLots(r.ev).LotIDs()
			if !slices.ContainsFunc(ids, func(id string) bool { return read[id] }) {
				continue
			}
			taken[i], more = true, true
			ups = append(ups, r)
			for _, id := range ids {
				read[id] = true
			}
		}
	}
	return ups
}

// retractedMeasurements returns the ObjectEvents declared in error that
// name any of the lots read (readLots): a weighing of a lot consumed by a
// run at the site, declared in error after the run, shrinks what the
// run's input held (overConsumption) and so the credits a claim rested
// on. None for a store that cannot query events.
func (mc *mbCalc) retractedMeasurements(read map[string]bool) ([]retractedMeasurement, error) {
	f, ok := mc.s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	filter := critmin.EventFilter{EventTypes: []string{critmin.ObjectEvent}, ErrorDeclarationExists: true, Limit: 1000}
	var out []retractedMeasurement
	err := eachDeclared(mc.ctx, f, filter, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
		var lots []string
		for _, id := range body.LotIDs() {
			if read[id] {
				lots = append(lots, id)
			}
		}
		if len(lots) > 0 {
			out = append(out, retractedMeasurement{ev: body, decl: decl, lots: lots})
		}
	})
	return out, err
}

// eachDeclared calls fn with every event declared in error that filter
// finds (all its pages), each once, as captured (ledger.DecodeStored, lot
// identifiers canonical) with its effective declaration: the first one
// stored (least PK), as the store reads whether an event is declared
// (sqldb declaredColumn). Capture refuses a second declaration of an
// event (EPCIS 2.0 §7.4.1.2: a declaration cannot itself be withdrawn,
// critmin.NewDeclarationConflict); a ledger that took one before that
// rule still names only the first, so a claim's coverage note never names
// a declaration of an event already withdrawn (fix9h defect 5).
func eachDeclared(ctx context.Context, f eventQuerier, filter critmin.EventFilter, fn func(*critmin.Event, *critmin.ErrorDeclaration)) error {
	first := map[string]*critmin.Event{}
	var order []string
	for {
		page, err := f.FindEvents(ctx, filter)
		if err != nil {
			return err
		}
		for _, ev := range page.Events {
			if ev.ErrorDeclaration == nil {
				continue
			}
			if prev, ok := first[ev.EventID]; !ok {
				order = append(order, ev.EventID)
				first[ev.EventID] = ev
			} else if ev.PK != 0 && ev.PK < prev.PK {
				first[ev.EventID] = ev
			}
		}
		if page.Next == nil {
			break
		}
		filter.After = page.Next
	}
	for _, id := range order {
		ev := first[id]
		body, err := ledger.DecodeStored(ev.Raw, ev.Context)
		if err != nil {
			return err
		}
		// The body as captured keeps the stored event's capture
		// order and record time: put back (asIfLive), an event
		// dated at the same time as another — a re-assay dated at the
		// run that made the lot — is replayed after it, as it was
		// when it stood (ledger.EventTimeOrder: equal times by PK).
		body.PK, body.RecordTime = ev.PK, ev.RecordTime
		fn(canonicalLots(body), ev.ErrorDeclaration)
	}
	return nil
}

// asIfLive rebuilds the lots a retracted measurement named from their
// live events and the measurement, in event-time order (ledger.Replay),
// as they would be had it not been declared in error.
func (mc *mbCalc) asIfLive(ms []retractedMeasurement) (map[string]*critmin.Lot, error) {
	f, ok := mc.s.(liveEventsFinder)
	if !ok || len(ms) == 0 {
		return nil, nil
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.lots...)
	}
	evs, err := f.LiveEventsOfLots(mc.ctx, ids)
	if err != nil {
		return nil, err
	}
	// The live events an explaining replay leaves out (mc.skip:
	// coveredAtCapture's facts recorded after a claim) are not read; a
	// measurement without an event names lots to rebuild without them.
	evs = slices.DeleteFunc(evs, func(ev *critmin.Event) bool { return mc.skip[ev.EventID] })
	for _, m := range ms {
		if m.ev == nil {
			continue
		}
		cp := *m.ev
		cp.ErrorDeclaration, cp.DeclaredInError = nil, nil
		evs = append(evs, &cp)
	}
	for i, ev := range evs {
		evs[i] = canonicalLots(ev)
	}
	lots, _ := ledger.Replay(ids, evs)
	out := map[string]*critmin.Lot{}
	for id, l := range lots {
		if l.EventCount == 0 {
			continue
		}
		old := mc.oc.lots[id]
		if old == nil || old.EventCount == 0 {
			// No live event left of it (its commissioning retracted):
			// the lot as the retracted event made it.
			out[id] = l
			continue
		}
		cp := *old
		cp.Quantity, cp.UOM, cp.WetTonnes, cp.DryTonnes, cp.Moisture, cp.Assays, cp.TakenTonnes, cp.Status = l.Quantity, l.UOM, l.WetTonnes, l.DryTonnes, l.Moisture, l.Assays, l.TakenTonnes, l.Status
		// A retracted commissioning took the lot's identity with it (its
		// commodity and origin): put back, its origin is known again
		// upstream of a credit lot (fix9r item 4).
		cp.Commodity, cp.OriginCountry, cp.OriginMine, cp.Supplier = l.Commodity, l.OriginCountry, l.OriginMine, l.Supplier
		out[id] = &cp
	}
	return out, nil
}

// putBackSet is the retracted events an explaining replay puts back:
// the site's own runs (they earn their credits again), runs upstream of
// lots the account read, ObjectEvents (weighings, moistures, assays,
// commissionings) and AggregationEvents (packings, unpackings) naming
// them.
type putBackSet struct {
	site, ups []retractedRun
	ms        []retractedMeasurement
	ps        []retractedFact
}

// retractedCandidate is one retracted event of a putBackSet, as a
// refusal names it.
type retractedCandidate struct {
	id    string    // its eventID (retractedBy)
	at    time.Time // its event time: named only on claims made after
	words string
	only  putBackSet // the set holding it alone
}

// candidates lists every event of set, each with the set holding it
// alone and the words that name it.
func (set putBackSet) candidates() []retractedCandidate {
	var out []retractedCandidate
	for i, r := range set.site {
		out = append(out, retractedCandidate{r.run.event, r.run.at, r.words(), putBackSet{site: set.site[i : i+1]}})
	}
	for i, r := range set.ups {
		out = append(out, retractedCandidate{r.run.event, r.run.at, r.words(), putBackSet{ups: set.ups[i : i+1]}})
	}
	for i, m := range set.ms {
		out = append(out, retractedCandidate{m.ev.EventID, m.ev.EventTime, fmt.Sprintf("event %s (%s of lot %s, %s) declared in error on %s (reason %s)",
			m.ev.EventID, measurementWords(m.ev), strings.Join(m.lots, ", "), m.ev.EventTime.UTC().Format(time.DateOnly), declaredWhen(m.decl), declaredReason(m.decl)), putBackSet{ms: set.ms[i : i+1]}})
	}
	for i, p := range set.ps {
		out = append(out, retractedCandidate{p.ev.EventID, p.ev.EventTime, fmt.Sprintf("event %s (%s, %s) declared in error on %s (reason %s)",
			p.ev.EventID, packingWords(p.ev), p.ev.EventTime.UTC().Format(time.DateOnly), declaredWhen(p.decl), declaredReason(p.decl)), putBackSet{ps: set.ps[i : i+1]}})
	}
	return out
}

// without is set less its event id.
func (set putBackSet) without(id string) putBackSet {
	var out putBackSet
	for _, r := range set.site {
		if r.run.event != id {
			out.site = append(out.site, r)
		}
	}
	for _, r := range set.ups {
		if r.run.event != id {
			out.ups = append(out.ups, r)
		}
	}
	for _, m := range set.ms {
		if m.ev.EventID != id {
			out.ms = append(out.ms, m)
		}
	}
	for _, p := range set.ps {
		if p.ev.EventID != id {
			out.ps = append(out.ps, p)
		}
	}
	return out
}

// words names a retracted run for a refusal: by its transformationID
// where it has one, with the event declared in error (docs/origin.md),
// its declaration's time and reason.
func (r retractedRun) words() string {
	xid := ""
	if r.ev != nil {
		xid = r.ev.TransformationID
	}
	return fmt.Sprintf("%s declared in error on %s (reason %s)", runWords(xid, r.run.event, r.run.at.UTC().Format(time.DateOnly)), declaredWhen(r.decl), declaredReason(r.decl))
}

// declaredWhen is a declaration's time (its record time where it states
// none), RFC 3339 in UTC.
func declaredWhen(d *critmin.ErrorDeclaration) string {
	when := d.DeclarationTime
	if when.IsZero() {
		when = d.RecordTime
	}
	return when.UTC().Format(time.RFC3339)
}

// declaredReason is a declaration's reason, or "no reason given".
func declaredReason(d *critmin.ErrorDeclaration) string {
	if d.Reason == "" {
		return "no reason given"
	}
	return d.Reason
}

// packingWords names what a retracted AggregationEvent did: "packing of
// lot L into C" or "unpacking of lot L from C" (every child when it
// names none).
func packingWords(ev *critmin.Event) string {
	var kids []string
	for _, k := range ledger.Children(ev) {
		kids = append(kids, k.Child)
	}
	what := "lot " + strings.Join(kids, ", ")
	if len(kids) == 0 {
		what = "everything"
	}
	if ev.Action == "DELETE" {
		return fmt.Sprintf("unpacking of %s from %s", what, epcis.Canonical(ev.ParentID))
	}
	return fmt.Sprintf("packing of %s into %s", what, epcis.Canonical(ev.ParentID))
}

// retractedPackings returns the AggregationEvents declared in error whose
// container or a child of which is a lot read (readLots):
// a packing declared in error empties the container a run at the site
// consumed (its contents are what it held, originCalc.contents), an
// unpacking declared in error puts back what it took out. None for a
// store that cannot query events.
func (mc *mbCalc) retractedPackings(read map[string]bool) ([]retractedFact, error) {
	f, ok := mc.s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	var out []retractedFact
	err := eachDeclared(mc.ctx, f, critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent}, ErrorDeclarationExists: true, Limit: 1000}, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
		if body.ParentID == "" {
			return
		}
		ids := []string{epcis.Canonical(body.ParentID)}
		for _, k := range ledger.Children(body) {
			ids = append(ids, k.Child)
		}
		for _, id := range ids {
			if read[id] {
				out = append(out, retractedFact{ev: body, decl: decl})
				return
			}
		}
	})
	return out, err
}

// explainRetractions replays the account over periods[0..upto] a second
// time with the retracted events put back — the site's credit runs, runs
// upstream of the lots it read, weighings, moistures, assays and
// commissionings of those lots, packings into and unpackings from the
// containers it read. A claim the account refuses but that replay
// accepts was broken by a retraction: its error (and its line in
// st.Refused, when st is given) names the retracted events dated at or
// before the claim that changed its credit, with their declaration time
// and reason — an event changed it when putting it back alone lowers the
// claim's shortfall, or leaving it out of the replay with all put back
// raises it (two retractions each needed). A retracted run at the site
// that credited another element, another origin, or lots the claim never
// drew on is not named (fix9x). Nothing changes when the site has no
// retraction.
func (mc *mbCalc) explainRetractions(periods []critmin.ClaimPeriod, upto int, st *Statement) error {
	rs, err := retractedRuns(mc.ctx, mc.s, mc.d.Site)
	if err != nil {
		return err
	}
	all, err := retractedRuns(mc.ctx, mc.s, "")
	if err != nil {
		return err
	}
	atSite := map[string]bool{}
	for _, r := range rs {
		atSite[r.ev.EventID] = true
	}
	read := mc.readLots(rs)
	ups := upstreamRuns(all, atSite, read)
	ms, err := mc.retractedMeasurements(read)
	if err != nil {
		return err
	}
	ps, err := mc.retractedPackings(read)
	if err != nil || len(rs) == 0 && len(ms) == 0 && len(ups) == 0 && len(ps) == 0 {
		return err
	}
	set := putBackSet{site: rs, ups: ups, ms: ms, ps: ps}
	alt, err := mc.replayPutBack(periods, upto, set)
	if err != nil {
		return err
	}
	cands := set.candidates()
	// The replays with one event put back alone, and with every event
	// but one, made once for every claim that asks.
	oneIn := map[string]*mbCalc{}
	allBut := map[string]*mbCalc{}
	replay := func(memo map[string]*mbCalc, id string, s putBackSet) (*mbCalc, error) {
		if x, ok := memo[id]; ok {
			return x, nil
		}
		x, err := mc.replayPutBack(periods, upto, s)
		if err != nil {
			return nil, err
		}
		memo[id] = x
		return x, nil
	}
	// short is a claim's shortfall in a replay: 0 accepted, +Inf absent.
	short := func(x *mbCalc, lot string) float64 {
		c, ok := x.claims[lot]
		switch {
		case !ok:
			return math.Inf(1)
		case c.Status == ClaimAccepted:
			return 0
		}
		return c.Shortfall
	}
	for _, lot := range sortedKeys(mc.claims) {
		cl := mc.claims[lot]
		a, ok := alt.claims[lot]
		// A claim out of its category's system names the events that took
		// its run out (basisBy, fix9aj); it is explained here only for
		// the credits it rested on besides, never those events again.
		// One whose share of the deficit was repaid (systemOnly, fix9am)
		// is short of its category's system alone: no credit retraction
		// is a cause of it now.
		if cl.Status != ClaimRefused || !ok || a.Status != ClaimAccepted || len(cl.RetractedBy) > len(cl.basisBy) || cl.systemOnly {
			continue
		}
		at := mc.claimTime[lot]
		var names, dated []string
		var datedWords []string
		// again are the retracted credits dated after the claim that had
		// covered a booked claim again (fix9n): a claim accepted at
		// capture and left short by a later fact is booked in full, so a
		// later credit repays its deficit and covers it again until that
		// credit is declared in error.
		var again, againWords []string
		for _, c := range cands {
			later := c.at.After(at)
			if later && !cl.booked || slices.Contains(cl.basisBy, c.id) {
				continue
			}
			if !later {
				dated, datedWords = append(dated, c.id), append(datedWords, c.words)
			}
			one, err := replay(oneIn, c.id, c.only)
			if err != nil {
				return err
			}
			changed := short(one, lot) < cl.Shortfall-claimTolerance
			if !changed {
				rest, err := replay(allBut, c.id, set.without(c.id))
				if err != nil {
					return err
				}
				changed = short(rest, lot) > claimTolerance
			}
			if changed && later {
				cl.RetractedBy = append(cl.RetractedBy, c.id)
				again, againWords = append(again, c.id), append(againWords, c.words)
			} else if changed {
				cl.RetractedBy = append(cl.RetractedBy, c.id)
				names = append(names, c.words)
			}
		}
		if len(again) > 0 {
			cl.Error += fmt.Sprintf("; the claim was covered again by credit(s) %s until the retraction of %s: the credits that had repaid its share of the deficit were removed, so it is short again",
				strings.Join(again, ", "), strings.Join(againWords, ", "))
			if len(names) == 0 {
				cl.againRetracted = true
				if st != nil {
					for i := range st.Refused {
						if st.Refused[i].Lot == lot {
							st.Refused[i].Error, st.Refused[i].RetractedBy = cl.Error, cl.RetractedBy
						}
					}
				}
				continue
			}
		}
		if len(names) == 0 && len(again) == 0 {
			if len(cl.basisBy) > 0 {
				continue // its basisBy explain it
			}
			// No one of them alone: together they did.
			cl.RetractedBy, names = dated, datedWords
		}
		if len(names) == 0 {
			continue
		}
		// The claim states the figure it was accepted at when made (the
		// replay with the retracted events put back), never one
		// re-figured after the retraction: a claim is a record (fix9r
		// item 5). Its shortfall grows by what the re-figuring took off.
		// A claim booked in full (accepted at capture) is the account's:
		// its figures, shortfall and shortfall by origin are those the
		// account books and shares out at the period's end
		// (settleShares), the statement's entries, lines and refused
		// rows alike; restating its tonnes here alone would leave its
		// shortfall apart from its origins' and the statement's (fix9k).
		// A retraction of a measurement of the claimed lot dated at or
		// before the claim changes what the lot was when claimed, as
		// any event so dated does (docs/origin.md "A claim is a record").
		if cl.booked {
			cl.Error += fmt.Sprintf("; the claim was covered until the retraction of %s: the credits it rested on were removed, so it no longer stands", strings.Join(names, ", "))
			if st != nil {
				for i := range st.Refused {
					if st.Refused[i].Lot == lot {
						st.Refused[i].Error, st.Refused[i].RetractedBy = cl.Error, cl.RetractedBy
					}
				}
			}
			continue
		}
		madeT := map[string]float64{}
		for _, sh := range a.ByCountry {
			madeT[sh.Key] = sh.Tonnes
		}
		delta := map[string]float64{}
		els := strings.Join(cl.Elements, "+")
		for _, sh := range cl.ByCountry {
			m, ok := madeT[sh.Key]
			if !ok || Figure(m) == Figure(sh.Tonnes) {
				continue
			}
			delta[sh.Key] = m - sh.Tonnes
			was := fmt.Sprintf("claims %s t %s of %s origin", Figure(sh.Tonnes), els, sh.Name)
			if strings.Contains(cl.Error, was) {
				cl.Error = strings.Replace(cl.Error, was, fmt.Sprintf("claims %s t %s of %s origin", Figure(m), els, sh.Name), 1)
				short := cl.Shortfall + delta[sh.Key]
				cl.Error = strings.Replace(cl.Error, fmt.Sprintf("(shortfall %s t)", Figure(cl.Shortfall)), fmt.Sprintf("(shortfall %s t)", Figure(short)), 1)
				cl.Shortfall = short
				if v, ok := cl.ShortfallByCountry[sh.Key]; ok {
					// Its origin's share grows with it (fix9k).
					cl.ShortfallByCountry[sh.Key] = v + delta[sh.Key]
				}
			}
		}
		if len(delta) > 0 {
			cl.Tonnes = a.Tonnes
			cl.ByCountry = append([]Share(nil), a.ByCountry...)
		}
		cl.Error += fmt.Sprintf("; the claim was covered until the retraction of %s: the credits it rested on were removed, so it no longer stands", strings.Join(names, ", "))
		if st == nil {
			continue
		}
		for i := range st.Refused {
			if st.Refused[i].Lot == lot {
				st.Refused[i].Error = cl.Error
				st.Refused[i].RetractedBy = cl.RetractedBy
				if d, ok := delta[st.Refused[i].Country]; ok {
					st.Refused[i].Claimed += d
					st.Refused[i].Shortfall += d
				}
			}
		}
	}
	return nil
}

// replayPutBack replays the account over periods[0..upto] with the
// events of set put back: the retracted runs in the genealogy (the
// site's own earning their credits again), the lots they named as they
// would be with them, the lots a retracted measurement named as they
// were with it, and the containers a retracted packing or unpacking
// named holding what they held with it.
func (mc *mbCalc) replayPutBack(periods []critmin.ClaimPeriod, upto int, set putBackSet) (*mbCalc, error) {
	ms := set.ms
	alt, err := newMB(mc.ctx, mc.s, mc.versions, mc.conv)
	if err != nil {
		return nil, err
	}
	alt.claimAt, alt.book, alt.doc, alt.drop, alt.skip = mc.claimAt, mc.book, mc.doc, mc.drop, mc.skip
	for _, p := range set.ps {
		cp := *p.ev
		cp.ErrorDeclaration, cp.DeclaredInError = nil, nil
		alt.oc.packBack = append(alt.oc.packBack, &cp)
	}
	// The retracted runs put back, and the lots they named as they would
	// be with them (an output's quantity came from its run), so that
	// their own outputs' claims take their share of the credits too.
	// A retracted event of a split run is put back with the links
	// ledger.RunLinks gives it among the run's live events (an input-only
	// event links its inputs to the run's outputs), as capture would make
	// them (documentRuns).
	// Every retracted run, at the site or upstream of it, is put back in
	// the genealogy its origin is read from (originCalc.putBack); the
	// site's own also earn their credits again (pending).
	nSite := len(set.site)
	rs := append(append([]retractedRun(nil), set.site...), set.ups...)
	var evs []*critmin.Event
	for _, r := range rs {
		evs = append(evs, r.ev)
	}
	joined, err := documentRuns(mc.ctx, mc.s, evs)
	if err != nil {
		return nil, err
	}
	var ids []string
	alt.oc.putBack = map[string][]critmin.LotEdge{}
	for i, r := range rs {
		if j, ok := joined[r.ev]; ok && r.ev.TransformationID != "" {
			j.at, j.event = r.run.at, r.run.event
			rs[i].run = j
			for _, e := range j.edges {
				ids = append(ids, e.Parent, e.Child)
			}
		}
		for _, e := range canonicalEdges(rs[i].run.edges) {
			alt.oc.putBack[e.Child] = append(alt.oc.putBack[e.Child], e)
		}
		if i < nSite {
			alt.pending = append(alt.pending, rs[i].run)
		}
		ids = append(ids, r.ev.LotIDs()...)
	}
	if err := alt.oc.loadLots(ids); err != nil {
		return nil, err
	}
	lots := map[string]*critmin.Lot{}
	for _, id := range ids {
		if l := alt.oc.lots[id]; l != nil {
			cp := *l
			lots[id] = &cp
		} else {
			lots[id] = &critmin.Lot{ID: id}
		}
	}
	for _, r := range rs {
		ledger.Project(lots, r.ev)
	}
	// A lot a retracted run made that live events still name (its facts
	// recorded apart, a run that consumed it) is rebuilt from those
	// events and the run's, in event-time order (asIfLive): projecting
	// the run over what is left of it would find it consumed already.
	var again []retractedMeasurement
	for _, r := range rs {
		var kept []string
		for _, id := range canonicalLots(r.ev).LotIDs() {
			if l := alt.oc.lots[id]; l != nil && l.EventCount > 0 {
				kept = append(kept, id)
			}
		}
		if len(kept) > 0 {
			again = append(again, retractedMeasurement{ev: r.ev, decl: r.decl, lots: kept})
		}
	}
	rebuilt, err := mc.asIfLive(again)
	if err != nil {
		return nil, err
	}
	for id, l := range rebuilt {
		lots[id] = l
	}
	for id, l := range lots {
		alt.oc.lots[id] = l
	}
	// The lots a retracted weighing, moisture or assay named, as they
	// were with it — and with every retracted run of the set that names
	// them put back too (fix9aw): a lot whose making run is retracted
	// beside an OBSERVE of it is rebuilt from the run and the OBSERVE,
	// never from the OBSERVE alone (a lot of no mass, whose run would
	// earn nothing in the replay, so that a claim accepted at capture
	// on its credit read refused, unbooked).
	relived, err := mc.asIfLive(withRunsNaming(ms, rs))
	if err != nil {
		return nil, err
	}
	var mids []string
	for id := range relived {
		mids = append(mids, id)
	}
	if err := alt.oc.loadLots(mids); err != nil {
		return nil, err
	}
	for id, l := range relived {
		alt.oc.lots[id] = l
	}
	for i := 0; i <= upto; i++ {
		st, err := alt.period(periods, i)
		if err != nil {
			return nil, err
		}
		alt.stmts = append(alt.stmts, st)
	}
	return alt, nil
}

// measurementWords names what a retracted ObjectEvent recorded: a
// weighing (a Mass sensor report), a commissioning (an ADD), an assay, a
// moisture, else a measurement.
func measurementWords(ev *critmin.Event) string {
	for _, r := range ev.Sensors {
		if strings.EqualFold(r.Type, "Mass") || strings.HasSuffix(r.Type, "-Mass") || strings.HasSuffix(r.Type, ":Mass") {
			return "weighing"
		}
	}
	switch {
	case ev.Action == "ADD":
		return "commissioning"
	case ev.Mineral != nil && len(ev.Mineral.Assays) > 0:
		return "assay"
	case ev.Mineral != nil && ev.Mineral.Moisture != nil:
		return "moisture"
	}
	return "measurement"
}

// canonicalEdges are edges with their lots named canonically
// (epcis.Canonical), as the store keys the genealogy.
func canonicalEdges(edges []critmin.LotEdge) []critmin.LotEdge {
	out := make([]critmin.LotEdge, len(edges))
	for i, e := range edges {
		e.Parent, e.Child = epcis.Canonical(e.Parent), epcis.Canonical(e.Child)
		out[i] = e
	}
	return out
}

// retractedNaming returns the events declared in error (EPCIS 2.0
// §7.4.1.2) that named lot, decoded with their mineral facts, memoised;
// none for a store that cannot query events.
func (oc *originCalc) retractedNaming(lot string) ([]retractedFact, error) {
	if fs, ok := oc.retractedOf[lot]; ok {
		return fs, nil
	}
	if oc.retractedOf == nil {
		oc.retractedOf = map[string][]retractedFact{}
	}
	f, ok := oc.s.(eventQuerier)
	if !ok || oc.s == nil {
		return nil, nil
	}
	filter := critmin.EventFilter{ErrorDeclarationExists: true, ClassMatches: []critmin.EPCMatch{{Patterns: []string{lot}, Exact: true}}, Limit: 1000}
	var out []retractedFact
	if err := eachDeclared(oc.ctx, f, filter, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
		out = append(out, retractedFact{ev: body, decl: decl})
	}); err != nil {
		return nil, err
	}
	oc.retractedOf[lot] = out
	return out, nil
}

// retractedFact is an event declared in error, as captured, with its
// declaration.
type retractedFact struct {
	ev   *critmin.Event
	decl *critmin.ErrorDeclaration
}

// words names the retracted event for a message: "event E (what of lot
// L, date) declared in error on D (reason R)".
func (r retractedFact) words(what, lot string) string {
	when := r.decl.DeclarationTime
	if when.IsZero() {
		when = r.decl.RecordTime
	}
	reason := r.decl.Reason
	if reason == "" {
		reason = "no reason given"
	}
	return fmt.Sprintf("event %s (%s of lot %s, %s) was declared in error on %s (reason %s)",
		r.ev.EventID, what, lot, r.ev.EventTime.UTC().Format(time.DateOnly), when.UTC().Format(time.RFC3339), reason)
}

// retractedOrigin is the retracted events that recorded lot's origin —
// a commissioning stating cm:originCountry or cm:originMine, or a run
// that put the lot out — so that a lot without origin after them says
// why (no_origin).
func (oc *originCalc) retractedOrigin(lot string) ([]retractedFact, error) {
	fs, err := oc.retractedNaming(lot)
	if err != nil {
		return nil, err
	}
	var out []retractedFact
	for _, f := range fs {
		if f.ev.Mineral != nil && (f.ev.Mineral.OriginCountry != "" || f.ev.Mineral.OriginMine != "") && slices.Contains(f.ev.LotIDs(), lot) {
			out = append(out, f)
			continue
		}
		if f.ev.Type == critmin.TransformationEvent {
			for _, q := range f.ev.LotLines() {
				if q.Role == critmin.RoleOutput && q.EPCClass == lot {
					out = append(out, f)
					break
				}
			}
		}
	}
	return out, nil
}

// retractedAssay is the retracted events that recorded an assay of
// element el in lot (element_not_assayed, grade_not_measured).
func (oc *originCalc) retractedAssay(lot, el string) ([]retractedFact, error) {
	fs, err := oc.retractedNaming(lot)
	if err != nil {
		return nil, err
	}
	var out []retractedFact
	for _, f := range fs {
		if f.ev.Mineral == nil {
			continue
		}
		for _, a := range f.ev.Mineral.Assays {
			if units.ElementOf(a.Analyte) == el || strings.EqualFold(a.Analyte, el) {
				out = append(out, f)
				break
			}
		}
	}
	return out, nil
}

// retractionNote is "; " + each retracted event's words, or "".
func retractionNote(fs []retractedFact, what, lot string) (string, []string) {
	var parts, ids []string
	for _, f := range fs {
		parts = append(parts, f.words(what, lot))
		ids = append(ids, f.ev.EventID)
	}
	if len(parts) == 0 {
		return "", nil
	}
	return strings.Join(parts, "; "), ids
}

// retractedPackingsInto is the packings (AggregationEvents ADD or
// OBSERVE) into container declared in error (EPCIS 2.0 §7.4.1.2), as
// captured, with their declarations; none for a store that cannot query
// events.
func (oc *originCalc) retractedPackingsInto(container string) ([]retractedFact, error) {
	f, ok := oc.s.(eventQuerier)
	if !ok || oc.s == nil {
		return nil, nil
	}
	filter := critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent}, ErrorDeclarationExists: true,
		EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleParent}, Patterns: []string{container}, Exact: true}}, Limit: 1000}
	var out []retractedFact
	err := eachDeclared(oc.ctx, f, filter, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
		if body.Action != "DELETE" {
			out = append(out, retractedFact{ev: body, decl: decl})
		}
	})
	return out, err
}

// retractedUnpackingsOf returns the unpackings (AggregationEvent DELETE)
// of container dated at or before at that were declared in error: what
// they took out is still inside (fix9y). None for a store that cannot
// query events.
func (oc *originCalc) retractedUnpackingsOf(container string, at time.Time) ([]retractedFact, error) {
	f, ok := oc.s.(eventQuerier)
	if !ok || oc.s == nil {
		return nil, nil
	}
	filter := critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent}, ErrorDeclarationExists: true,
		EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleParent}, Patterns: []string{container}, Exact: true}}, Limit: 1000}
	var out []retractedFact
	err := eachDeclared(oc.ctx, f, filter, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
		if body.Action == "DELETE" && !body.EventTime.After(at) {
			out = append(out, retractedFact{ev: body, decl: decl})
		}
	})
	return out, err
}

// withRunsNaming is ms with each run of rs that names a lot of ms added
// as a measurement of those lots (fix9aw), so that asIfLive rebuilds the
// lots a retracted measurement named from their live events, the
// measurement and the retracted runs put back beside it.
func withRunsNaming(ms []retractedMeasurement, rs []retractedRun) []retractedMeasurement {
	if len(ms) == 0 {
		return nil
	}
	named := map[string]bool{}
	for _, m := range ms {
		for _, id := range m.lots {
			named[id] = true
		}
	}
	out := slices.Clone(ms)
	for _, r := range rs {
		var lots []string
		for _, id := range canonicalLots(r.ev).LotIDs() {
			if named[id] && !slices.Contains(lots, id) {
				lots = append(lots, id)
			}
		}
		if len(lots) > 0 {
			out = append(out, retractedMeasurement{ev: r.ev, decl: r.decl, lots: lots})
		}
	}
	return out
}
