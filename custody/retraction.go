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
	// kind is what the declared event was: "run", or what a
	// measurement or packing recorded (measurementWords, packingWords's
	// first word: "assay", "weighing", "commissioning", "packing").
	kind string
	// decl is its declaration and declPK the declaration's capture order
	// (the stored declaration's PK; 0 where the store gives none): a
	// declaration captured before a claim was in force when the claim
	// was judged, so it never broke it (declaredAfter).
	decl   *critmin.ErrorDeclaration
	declPK int64
}

// candidates lists every event of set, each with the set holding it
// alone and the words that name it.
func (set putBackSet) candidates() []retractedCandidate {
	var out []retractedCandidate
	for i, r := range set.site {
		out = append(out, retractedCandidate{id: r.run.event, at: r.run.at, words: r.words(), only: putBackSet{site: set.site[i : i+1]}, kind: "run", decl: r.decl, declPK: r.ev.PK})
	}
	for i, r := range set.ups {
		out = append(out, retractedCandidate{id: r.run.event, at: r.run.at, words: r.words(), only: putBackSet{ups: set.ups[i : i+1]}, kind: "run", decl: r.decl, declPK: r.ev.PK})
	}
	for i, m := range set.ms {
		kind := measurementWords(m.ev)
		out = append(out, retractedCandidate{id: m.ev.EventID, at: m.ev.EventTime, words: fmt.Sprintf("event %s (%s of lot %s, %s) declared in error on %s (reason %s)",
			m.ev.EventID, kind, strings.Join(m.lots, ", "), m.ev.EventTime.UTC().Format(time.DateOnly), declaredWhen(m.decl), declaredReason(m.decl)), only: putBackSet{ms: set.ms[i : i+1]}, kind: kind, decl: m.decl, declPK: m.ev.PK})
	}
	for i, p := range set.ps {
		pw := packingWords(p.ev)
		kind, _, _ := strings.Cut(pw, " ")
		out = append(out, retractedCandidate{id: p.ev.EventID, at: p.ev.EventTime, words: fmt.Sprintf("event %s (%s, %s) declared in error on %s (reason %s)",
			p.ev.EventID, pw, p.ev.EventTime.UTC().Format(time.DateOnly), declaredWhen(p.decl), declaredReason(p.decl)), only: putBackSet{ps: set.ps[i : i+1]}, kind: kind, decl: p.decl, declPK: p.ev.PK})
	}
	return out
}

// keep is set with only the events whose IDs ok accepts.
func (set putBackSet) keep(ok func(id string) bool) putBackSet {
	var out putBackSet
	for _, r := range set.site {
		if ok(r.run.event) {
			out.site = append(out.site, r)
		}
	}
	for _, r := range set.ups {
		if ok(r.run.event) {
			out.ups = append(out.ups, r)
		}
	}
	for _, m := range set.ms {
		if ok(m.ev.EventID) {
			out.ms = append(out.ms, m)
		}
	}
	for _, p := range set.ps {
		if ok(p.ev.EventID) {
			out.ps = append(out.ps, p)
		}
	}
	return out
}

// without is set less its event id.
func (set putBackSet) without(id string) putBackSet {
	return set.keep(func(x string) bool { return x != id })
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
//
// Only a declaration captured after the claim can have broken it
// (declaredAfter, fix9at): one captured before was in force when the
// claim was made and judged, so the replay that explains a claim puts
// back only the declarations captured after it. A claim the account
// never booked that those declarations alone do not explain, but that
// the earlier ones would have covered, was short when made: its error
// says so (shortWhenMade) and names no event as having broken it.
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
	cands := set.candidates()
	// The replays, by the events they put back, made once for every
	// claim that asks: with a claim's own set, with one event alone,
	// and with every event of a claim's set but one.
	memo := map[string]*mbCalc{}
	replay := func(s putBackSet) (*mbCalc, error) {
		key := strings.Join(s.ids(), "\x00")
		if x, ok := memo[key]; ok {
			return x, nil
		}
		x, err := mc.replayPutBack(periods, upto, s)
		if err != nil {
			return nil, err
		}
		memo[key] = x
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
	// setRows copies a claim's error and retractedBy to its statement rows.
	setRows := func(lot string, cl *Claim) {
		if st == nil {
			return
		}
		for i := range st.Refused {
			if st.Refused[i].Lot == lot {
				st.Refused[i].Error, st.Refused[i].RetractedBy = cl.Error, cl.RetractedBy
			}
		}
	}
	for _, lot := range sortedKeys(mc.claims) {
		cl := mc.claims[lot]
		// A claim out of its category's system names the events that took
		// its run out (basisBy, fix9aj); it is explained here only for
		// the credits it rested on besides, never those events again.
		// One whose share of the deficit was repaid (systemOnly, fix9am)
		// is short of its category's system alone: no credit retraction
		// is a cause of it now.
		if cl.Status != ClaimRefused || len(cl.RetractedBy) > len(cl.basisBy) || cl.systemOnly {
			continue
		}
		after := mc.declaredAfter(cl)
		var mine []retractedCandidate
		for _, c := range cands {
			if after(c) {
				mine = append(mine, c)
			}
		}
		sub := set.keep(func(id string) bool {
			return slices.ContainsFunc(mine, func(c retractedCandidate) bool { return c.id == id })
		})
		var a *Claim
		if len(mine) > 0 {
			alt, err := replay(sub)
			if err != nil {
				return err
			}
			a = alt.claims[lot]
		}
		if a == nil || a.Status != ClaimAccepted {
			if !cl.booked && len(mine) < len(cands) {
				if err := mc.shortWhenMade(lot, cl, cands, mine, set, replay, short); err != nil {
					return err
				}
				setRows(lot, cl)
			}
			continue
		}
		at := mc.claimTime[lot]
		var names, datedWords []string
		var dated []retractedCandidate
		// runsOnly: every event named is a run, whose credits went with
		// it; a measurement or packing declared in error lowered them.
		runsOnly := true
		// again are the retracted credits dated after the claim that had
		// covered a booked claim again (fix9n): a claim accepted at
		// capture and left short by a later fact is booked in full, so a
		// later credit repays its deficit and covers it again until that
		// credit is declared in error.
		var again []string
		for _, c := range mine {
			later := c.at.After(at)
			if later && !cl.booked || slices.Contains(cl.basisBy, c.id) {
				continue
			}
			if !later {
				dated, datedWords = append(dated, c), append(datedWords, c.words)
			}
			one, err := replay(c.only)
			if err != nil {
				return err
			}
			changed := short(one, lot) < cl.Shortfall-claimTolerance
			if !changed {
				rest, err := replay(sub.without(c.id))
				if err != nil {
					return err
				}
				changed = short(rest, lot) > claimTolerance
			}
			if changed && later {
				cl.RetractedBy = append(cl.RetractedBy, c.id)
				again = append(again, mc.coveredAgainUntil(one, cl, c))
			} else if changed {
				cl.RetractedBy = append(cl.RetractedBy, c.id)
				names = append(names, c.words)
				runsOnly = runsOnly && c.kind == "run"
			}
		}
		if len(again) > 0 {
			cl.Error += "; " + strings.Join(again, "; ")
			if len(names) == 0 {
				cl.againRetracted = true
				setRows(lot, cl)
				continue
			}
		}
		if len(names) == 0 && len(again) == 0 {
			if len(cl.basisBy) > 0 {
				continue // its basisBy explain it
			}
			// No one of them alone: together they did — those captured
			// after the claim (the replay with them alone covers it) that
			// change a credit of the claim's category and origins or the
			// claimed lot; all of them where none does.
			var ids, ws []string
			for i, c := range dated {
				one, err := replay(c.only)
				if err != nil {
					return err
				}
				if mc.affects(one, lot, cl) {
					ids, ws = append(ids, c.id), append(ws, datedWords[i])
				}
			}
			if len(ids) == 0 {
				for i, c := range dated {
					ids, ws = append(ids, c.id), append(ws, datedWords[i])
				}
			}
			for _, c := range dated {
				if slices.Contains(ids, c.id) {
					runsOnly = runsOnly && c.kind == "run"
				}
			}
			cl.RetractedBy, names = ids, ws
		}
		removed := "removed"
		if !runsOnly {
			removed = "removed or lowered"
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
			cl.Error += fmt.Sprintf("; the claim was covered until the retraction of %s: the credits it rested on were %s, so it no longer stands", strings.Join(names, ", "), removed)
			setRows(lot, cl)
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
		cl.Error += fmt.Sprintf("; the claim was covered until the retraction of %s: the credits it rested on were %s, so it no longer stands", strings.Join(names, ", "), removed)
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

// ids are the events of set, as candidates lists them.
func (set putBackSet) ids() []string {
	var out []string
	for _, r := range set.site {
		out = append(out, r.run.event)
	}
	for _, r := range set.ups {
		out = append(out, r.run.event)
	}
	for _, m := range set.ms {
		out = append(out, m.ev.EventID)
	}
	for _, p := range set.ps {
		out = append(out, p.ev.EventID)
	}
	return out
}

// declaredAfter returns whether a retracted event's declaration was
// captured after cl's claim (fix9at): by capture order (the stored rows'
// PKs, as basisBy reads it) where the store gives both, else by record
// time. A declaration captured before the claim was in force when the
// claim was made and judged at capture: it cannot have left the claim
// short, and at most the claim was short when made. Where the store
// cannot say when the claim was recorded, every declaration counts as
// later, as before.
func (mc *mbCalc) declaredAfter(cl *Claim) func(retractedCandidate) bool {
	rec, pk := mc.recordOf(cl.Event)
	return func(c retractedCandidate) bool {
		switch {
		case pk != 0 && c.declPK != 0:
			return c.declPK > pk
		case !rec.IsZero():
			return declRecorded(c.decl).After(rec)
		}
		return true
	}
}

// shortWhenMade words a claim the account never booked that the
// declarations captured after it do not explain but that putting back
// every retracted event would cover (fix9at): the credits it would rest
// on had been declared in error before the claim was captured, so it was
// short when made — never covered, never broken. Its error says so,
// naming the earlier declarations each of which alone would have lowered
// its shortfall; RetractedBy stays empty, as no declaration left it
// short after it was made.
func (mc *mbCalc) shortWhenMade(lot string, cl *Claim, cands, mine []retractedCandidate, set putBackSet,
	replay func(putBackSet) (*mbCalc, error), short func(*mbCalc, string) float64) error {
	full, err := replay(set)
	if err != nil {
		return err
	}
	if a, ok := full.claims[lot]; !ok || a.Status != ClaimAccepted {
		return nil
	}
	var words []string
	for _, c := range cands {
		if c.at.After(mc.claimTime[lot]) || slices.ContainsFunc(mine, func(m retractedCandidate) bool { return m.id == c.id }) {
			continue
		}
		one, err := replay(c.only)
		if err != nil {
			return err
		}
		if short(one, lot) < cl.Shortfall-claimTolerance {
			words = append(words, c.words)
		}
	}
	when := ""
	if rec := mc.recordedAt(cl.Event); !rec.IsZero() {
		when = " (recorded " + rec.UTC().Format(time.RFC3339) + ")"
	}
	if len(words) == 0 {
		cl.Error += fmt.Sprintf("; the claim was short when made%s: the events declared in error before it had already removed the credits it would rest on, so no declaration broke it", when)
		return nil
	}
	cl.Error += fmt.Sprintf("; the claim was short when made%s: the retraction of %s, recorded before it, had already removed the credits it would rest on, so it was never covered", when, strings.Join(words, ", "))
	return nil
}

// coveredAgainUntil words how the declared event c, dated after booked
// claim cl, had covered it again until its declaration (fix9n, fix9at):
// the credits it brought back (creditsRaised, the replay one with c put
// back alone) repaid the claim's share of the deficit. The credits are
// named by their own events — a run's, or for an assay, weighing,
// commissioning or packing declared in error, the runs whose credits it
// figured, with the event named by its kind: "the claim was covered
// again by credit(s) urn:…:R1, figured with the assay urn:…:AS2, until
// the retraction of event urn:…:AS2 (assay of lot …)".
func (mc *mbCalc) coveredAgainUntil(one *mbCalc, cl *Claim, c retractedCandidate) string {
	credits := mc.creditsRaised(one, cl)
	if len(credits) == 0 && c.kind == "run" {
		credits = []string{c.id}
	}
	if c.kind == "run" {
		return fmt.Sprintf("the claim was covered again by credit(s) %s until the retraction of %s: the credits that had repaid its share of the deficit were removed, so it is short again",
			strings.Join(credits, ", "), c.words)
	}
	by := ""
	if len(credits) > 0 {
		by = fmt.Sprintf(" by credit(s) %s, figured with the %s %s,", strings.Join(credits, ", "), c.kind, c.id)
	}
	return fmt.Sprintf("the claim was covered again%s until the retraction of %s: without the %s the credits that had repaid its share of the deficit are lower, so it is short again",
		by, c.words, c.kind)
}

// creditsRaised are the events of the credits of cl's category and
// origins that replay x holds more of than the account (mc) — what
// putting a declared event back brings back or raises — in x's order.
func (mc *mbCalc) creditsRaised(x *mbCalc, cl *Claim) []string {
	return mc.creditsMoved(x, cl, false)
}

// creditsMoved are the events of the credits of cl's category and
// origins whose tonnes differ between replay x and the account (mc):
// those x holds more of, or with either, less of too; in x's order, then
// the account's.
func (mc *mbCalc) creditsMoved(x *mbCalc, cl *Claim, either bool) []string {
	origins := map[string]bool{}
	for _, sh := range cl.ByCountry {
		origins[sh.Key] = true
	}
	type key struct{ event, country string }
	sum := func(stmts []*Statement) (map[key]float64, []key) {
		out := map[key]float64{}
		var order []key
		for _, st := range stmts {
			for _, c := range st.Categories {
				if c.Category.ID != cl.Category {
					continue
				}
				for _, e := range c.Entries {
					if e.Kind != "credit" || len(origins) > 0 && !origins[e.Country] {
						continue
					}
					k := key{e.Event, e.Country}
					if _, ok := out[k]; !ok {
						order = append(order, k)
					}
					out[k] += e.Tonnes
				}
			}
		}
		return out, order
	}
	now, was := sum(mc.stmts)
	then, order := sum(x.stmts)
	if either {
		order = append(order, was...)
	}
	var out []string
	for _, k := range order {
		d := then[k] - now[k]
		if (d > claimTolerance || either && d < -claimTolerance) && !slices.Contains(out, k.event) {
			out = append(out, k.event)
		}
	}
	return out
}

// affects reports whether replay x changes a credit of cl's category and
// origins, or what the claimed lot's claim holds: a declared event that
// changes neither had no part in the claim's coverage.
func (mc *mbCalc) affects(x *mbCalc, lot string, cl *Claim) bool {
	if len(mc.creditsMoved(x, cl, true)) > 0 {
		return true
	}
	a, ok := x.claims[lot]
	return ok && Figure(a.Tonnes) != Figure(cl.Tonnes)
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

// noteWithdrawnUnpackings adds the anomaly unpacking_withdrawn for each
// unpacking of container dated at or before at that was declared in
// error: what it took out counts as still packed when read at at
// (fix9y).
func (oc *originCalc) noteWithdrawnUnpackings(container string, at time.Time) {
	fs, err := oc.retractedUnpackingsOf(container, at)
	if err != nil {
		return
	}
	id := epcis.Canonical(container)
	for _, f := range fs {
		a := Anomaly{Kind: "unpacking_withdrawn", Events: []string{f.ev.EventID},
			Detail: fmt.Sprintf("container %s holds what event %s (%s, %s) took out: that unpacking was declared in error on %s (reason %s), so its contents count as still packed when read on %s",
				id, f.ev.EventID, packingWords(f.ev), f.ev.EventTime.UTC().Format(time.DateOnly), declaredWhen(f.decl), declaredReason(f.decl), at.UTC().Format(time.DateOnly))}
		if !slices.ContainsFunc(oc.anomalies, func(b Anomaly) bool { return b.Kind == a.Kind && b.Detail == a.Detail }) {
			oc.anomalies = append(oc.anomalies, a)
		}
	}
}

// fedWithdrawn notes (noteWithdrawnUnpackings) the unpackings declared
// in error of a container that the run of edge e was fed whole, dated
// at or before it: once the declaration puts the lot back in the
// container, the store computes the run again from what the container
// held then (sqldb recontain; new-user check fixQn leftover, builder
// fixQs), and the run's lots are read by their own links rather than
// through the container (contents), which names them. The containers an
// unpacking declared in error names are read once a calculation; a run
// is looked at once, and only when there are some.
func (oc *originCalc) fedWithdrawn(e critmin.LotEdge) {
	if e.Kind != ledger.LinkTransformation || oc.s == nil || e.EventID == "" {
		return
	}
	if oc.withdrawnBoxes == nil {
		oc.withdrawnBoxes = map[string]bool{}
		oc.fedChecked = map[string]bool{}
		if q, ok := oc.s.(eventQuerier); ok {
			filter := critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent}, ErrorDeclarationExists: true, Limit: 1000}
			_ = eachDeclared(oc.ctx, q, filter, func(body *critmin.Event, _ *critmin.ErrorDeclaration) {
				if body.Action == "DELETE" && body.ParentID != "" {
					oc.withdrawnBoxes[epcis.Canonical(body.ParentID)] = true
				}
			})
		}
	}
	if len(oc.withdrawnBoxes) == 0 || oc.fedChecked[e.EventID] {
		return
	}
	oc.fedChecked[e.EventID] = true
	q, ok := oc.s.(eventQuerier)
	if !ok {
		return
	}
	page, err := q.FindEvents(oc.ctx, critmin.EventFilter{EventIDs: []string{e.EventID}, EventTypes: []string{critmin.TransformationEvent}, Limit: 100})
	if err != nil {
		return
	}
	for _, st := range page.Events {
		if !ledger.Live(st) || st.Type != critmin.TransformationEvent {
			continue
		}
		r := decodeStored(st)
		for _, in := range r.EPCs {
			if in.Role == critmin.RoleInput && oc.withdrawnBoxes[epcis.Canonical(in.EPC)] {
				oc.noteWithdrawnUnpackings(in.EPC, r.EventTime)
			}
		}
		return
	}
}
