package custody

import (
	"context"
	"fmt"
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
	seen := map[string]bool{}
	for {
		page, err := f.FindEvents(ctx, filter)
		if err != nil {
			return nil, err
		}
		for _, ev := range page.Events {
			if ev.ErrorDeclaration == nil || seen[ev.EventID] {
				continue
			}
			seen[ev.EventID] = true
			// The event as declared, with its quantity lists (a query
			// reads the record, not its lists).
			body, err := ledger.DecodeStored(ev.Raw, ev.Context)
			if err != nil {
				return nil, err
			}
			at := site
			if at == "" {
				at = body.BizLocation
			}
			out = append(out, retractedRun{run: runOfEvent(body, at), ev: body, decl: ev.ErrorDeclaration})
		}
		if page.Next == nil {
			return out, nil
		}
		filter.After = page.Next
	}
}

// retractedMeasurement is an ObjectEvent declared in error — a weighing,
// a moisture or an assay — that named lots the account read, as
// captured, with its declaration.
type retractedMeasurement struct {
	ev   *critmin.Event
	decl *critmin.ErrorDeclaration
	lots []string
}

// retractedMeasurements returns the ObjectEvents declared in error that
// name any of the lots the account read (mc.oc.lots): a weighing of a
// lot consumed by a run at the site, declared in error after the run,
// shrinks what the run's input held (overConsumption) and so the credits
// a claim rested on. None for a store that cannot query events.
func (mc *mbCalc) retractedMeasurements() ([]retractedMeasurement, error) {
	f, ok := mc.s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	filter := critmin.EventFilter{EventTypes: []string{critmin.ObjectEvent}, ErrorDeclarationExists: true, Limit: 1000}
	var out []retractedMeasurement
	err := eachDeclared(mc.ctx, f, filter, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
		var lots []string
		for _, id := range body.LotIDs() {
			if _, read := mc.oc.lots[id]; read {
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
// identifiers canonical) with its declaration.
func eachDeclared(ctx context.Context, f eventQuerier, filter critmin.EventFilter, fn func(*critmin.Event, *critmin.ErrorDeclaration)) error {
	seen := map[string]bool{}
	for {
		page, err := f.FindEvents(ctx, filter)
		if err != nil {
			return err
		}
		for _, ev := range page.Events {
			if ev.ErrorDeclaration == nil || seen[ev.EventID] {
				continue
			}
			seen[ev.EventID] = true
			body, err := ledger.DecodeStored(ev.Raw, ev.Context)
			if err != nil {
				return err
			}
			fn(canonicalLots(body), ev.ErrorDeclaration)
		}
		if page.Next == nil {
			return nil
		}
		filter.After = page.Next
	}
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
	for _, m := range ms {
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

// explainRetractions replays the account over periods[0..upto] a second
// time with the site's retracted credit runs put back. A claim the
// account refuses but that replay accepts was broken by a retraction:
// its error (and its line in st.Refused, when st is given) names the
// retracted runs dated at or before the claim, with their declaration
// time and reason. Nothing changes when the site has no retraction.
func (mc *mbCalc) explainRetractions(periods []critmin.ClaimPeriod, upto int, st *Statement) error {
	rs, err := retractedRuns(mc.ctx, mc.s, mc.d.Site)
	if err != nil {
		return err
	}
	// Runs declared in error at other sites that made lots the account
	// read (an intermediate shipped in): their retraction takes the
	// origin of what the site's runs consumed, so the credit's origin.
	all, err := retractedRuns(mc.ctx, mc.s, "")
	if err != nil {
		return err
	}
	atSite := map[string]bool{}
	for _, r := range rs {
		atSite[r.ev.EventID] = true
	}
	var ups []retractedRun
	for _, r := range all {
		if atSite[r.ev.EventID] {
			continue
		}
		for _, id := range canonicalLots(r.ev).LotIDs() {
			if _, read := mc.oc.lots[id]; read {
				ups = append(ups, r)
				break
			}
		}
	}
	ms, err := mc.retractedMeasurements()
	if err != nil || len(rs) == 0 && len(ms) == 0 && len(ups) == 0 {
		return err
	}
	relived, err := mc.asIfLive(ms)
	if err != nil {
		return err
	}
	alt, err := newMB(mc.ctx, mc.s, mc.versions, mc.conv)
	if err != nil {
		return err
	}
	alt.claimAt = mc.claimAt
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
	nSite := len(rs)
	rs = append(rs, ups...)
	var evs []*critmin.Event
	for _, r := range rs {
		evs = append(evs, r.ev)
	}
	joined, err := documentRuns(mc.ctx, mc.s, evs)
	if err != nil {
		return err
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
		return err
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
		return err
	}
	for id, l := range rebuilt {
		lots[id] = l
	}
	for id, l := range lots {
		alt.oc.lots[id] = l
	}
	// The lots a retracted weighing, moisture or assay named, as they
	// were with it.
	var mids []string
	for id := range relived {
		mids = append(mids, id)
	}
	if err := alt.oc.loadLots(mids); err != nil {
		return err
	}
	for id, l := range relived {
		alt.oc.lots[id] = l
	}
	alt.relived = relived
	for i := 0; i <= upto; i++ {
		if _, err := alt.period(periods, i); err != nil {
			return err
		}
	}
	for lot, cl := range mc.claims {
		a, ok := alt.claims[lot]
		if cl.Status != ClaimRefused || !ok || a.Status != ClaimAccepted || len(cl.RetractedBy) > 0 {
			continue
		}
		at := mc.claimTime[lot]
		var names []string
		for _, r := range rs {
			if r.run.at.After(at) {
				continue
			}
			cl.RetractedBy = append(cl.RetractedBy, r.run.event)
			d := r.decl
			when := d.DeclarationTime
			if when.IsZero() {
				when = d.RecordTime
			}
			reason := d.Reason
			if reason == "" {
				reason = "no reason given"
			}
			// A run is named by its transformationID where it has one,
			// with the event declared in error (docs/origin.md).
			xid := ""
			if r.ev != nil {
				xid = r.ev.TransformationID
			}
			run := runWords(xid, r.run.event, r.run.at.UTC().Format(time.DateOnly))
			names = append(names, fmt.Sprintf("%s declared in error on %s (reason %s)", run, when.UTC().Format(time.RFC3339), reason))
		}
		for _, m := range ms {
			if m.ev.EventTime.After(at) {
				continue
			}
			cl.RetractedBy = append(cl.RetractedBy, m.ev.EventID)
			when := m.decl.DeclarationTime
			if when.IsZero() {
				when = m.decl.RecordTime
			}
			reason := m.decl.Reason
			if reason == "" {
				reason = "no reason given"
			}
			names = append(names, fmt.Sprintf("event %s (%s of lot %s, %s) declared in error on %s (reason %s)",
				m.ev.EventID, measurementWords(m.ev), strings.Join(m.lots, ", "), m.ev.EventTime.UTC().Format(time.DateOnly), when.UTC().Format(time.RFC3339), reason))
		}
		if len(names) == 0 {
			continue
		}
		// The claim states the figure it was accepted at when made (the
		// replay with the retracted events put back), never one
		// re-figured after the retraction: a claim is a record (fix9r
		// item 5). Its shortfall grows by what the re-figuring took off.
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
			}
		}
		if len(delta) > 0 {
			cl.Tonnes = a.Tonnes
			cl.ByCountry = append([]Share(nil), a.ByCountry...)
			cl.Capped = nil // the as-made figure is not the capped one
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
