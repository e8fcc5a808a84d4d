package custody

import (
	"context"
	"fmt"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// CaptureClaimCheck returns the check ledger.Service runs on a document's
// valid events before storing them. First, no input may take more of a
// lot than remains of it (checkConsumption). Then: a capture may change a mass-balance
// account in three ways, and each is checked over every claim period of
// the site, not only the period of the document's own events:
//
//   - a claim the document makes (cm:originClaim in any event's ILMD — the
//     TransformationEvent that makes the lot or any later event on it) must
//     be covered by its producing site's account, as stored plus the
//     document, in event order;
//   - a run the document adds, back-dated or not, takes credits that
//     later claims may already rest on: every claim that the stored
//     account accepts must still be accepted with the document;
//   - a change the document makes to a lot the account reads (its assay,
//     mass or moisture, as input or claimed output) is checked the same way.
//   - a claim booked in a claim period that ended before the document's
//     record time (the capture's clock, ledger.Service.Now) is refused
//     (endedPeriod): an ended period's statement is final.
//
// A claim refused, or an accepted claim the document would break, refuses
// the whole document with an EINVALID error naming the event, site,
// category, period, shortfall and the claim it would break; nothing is
// stored. ISO 22095:2020 §11 requires claims out ≤ credits in over each
// claim period; an accepted claim is a statement already made to a buyer,
// so the account behind it may not be made short afterwards.
func CaptureClaimCheck(s Store) func(ctx context.Context, events []*critmin.Event) error {
	s = consistent(s)
	return func(ctx context.Context, events []*critmin.Event) error {
		var live []*critmin.Event
		for _, ev := range events {
			if ev.ErrorDeclaration == nil {
				live = append(live, ev)
			}
		}
		// The claims the document makes: lot → the event that makes it.
		claimBy := map[string]*critmin.Event{}
		for _, ev := range live {
			if ev.Mineral == nil || ev.Mineral.OriginClaim == nil {
				continue
			}
			for _, q := range ev.Quantities {
				if q.Role != critmin.RoleInput {
					claimBy[q.EPCClass] = ev
				}
			}
		}
		details, err := s.SiteDetails(ctx)
		if err != nil {
			return err
		}
		mbSites := map[string]bool{}
		for _, st := range details {
			if st.CustodyModel == MassBalance {
				mbSites[siteKey(st.ID)] = true
			}
		}
		// The lots as the document leaves them: stored lots with the
		// document's events projected on them, in order, and new ones.
		var ids []string
		for _, ev := range live {
			ids = append(ids, ev.LotIDs()...)
		}
		stored, err := s.FindLotsByID(ctx, ids)
		if err != nil {
			return err
		}
		lots := map[string]*critmin.Lot{}
		var claimed []string // stored lots that carry a claim already
		for _, l := range stored {
			lots[l.ID] = l
			if l.OriginClaim != nil && claimBy[l.ID] != nil {
				claimed = append(claimed, l.ID)
			}
		}
		// A claim once accepted is issued to a buyer: a later claim on the
		// same lot may not silently replace it and free its credits. The
		// earlier claim event must be declared in error first (in this
		// document or before), which also marks certificates resting on it
		// superseded.
		if fe, err := reclaims(ctx, s, claimed, claimBy, events); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("claim refused; nothing was stored: %s", fe[0].Reason), Fields: fe}
		}
		for _, ev := range live {
			for _, id := range ev.LotIDs() {
				if lots[id] == nil {
					lots[id] = &critmin.Lot{ID: id}
				}
			}
			ledger.Project(lots, ev)
		}
		// No lot is consumed beyond what remains of it (checkConsumption).
		if fe, err := checkConsumption(ctx, s, live, lots); err != nil {
			return err
		} else if len(fe) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("input refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
		}
		if len(claimBy) == 0 && len(mbSites) == 0 {
			return nil // no claim made and no account kept: nothing to check
		}
		// The sites whose accounts the document may change: where its runs
		// are, and where the lots it touches were made or consumed.
		var sites []string
		seen := map[string]bool{}
		addSite := func(site string) {
			if site != "" && !seen[site] {
				seen[site] = true
				sites = append(sites, site)
			}
		}
		producer := map[string]string{}
		producedAt := map[string]time.Time{}
		for _, dir := range []bool{true, false} {
			edges, err := s.LotEdges(ctx, ids, dir)
			if err != nil {
				return err
			}
			for _, e := range edges {
				if e.Kind != ledger.LinkTransformation {
					continue
				}
				if mbSites[siteKey(e.BizLocation)] || claimBy[e.Child] != nil {
					addSite(e.BizLocation)
				}
				if dir && (producer[e.Child] == "" || e.EventTime.After(producedAt[e.Child])) {
					producer[e.Child], producedAt[e.Child] = e.BizLocation, e.EventTime
				}
			}
		}
		fed, err := runsFed(ctx, s, live)
		if err != nil {
			return err
		}
		runs := map[string][]*critmin.Event{}
		for _, ev := range live {
			if ev.Type != critmin.TransformationEvent {
				continue
			}
			runs[ev.BizLocation] = append(runs[ev.BizLocation], ev)
			hasClaim := false
			for _, q := range ev.Quantities {
				if q.Role == critmin.RoleOutput && fed(ev) {
					producer[q.EPCClass] = ev.BizLocation
					hasClaim = hasClaim || claimBy[q.EPCClass] != nil
				}
			}
			if mbSites[siteKey(ev.BizLocation)] || hasClaim {
				addSite(ev.BizLocation)
			}
		}
		var errs []critmin.FieldError
		for _, lot := range sortedKeys(claimBy) {
			if producer[lot] == "" {
				errs = append(errs, critmin.FieldError{Pointer: claimPtr(claimBy[lot]), Reason: fmt.Sprintf("claim on lot %s refused: a claim is made by the mass-balance site that produced the lot, and no transformation produced it", lot)})
			}
		}
		for _, site := range sites {
			fe, err := checkSite(ctx, s, site, runs[site], lots, claimBy, producer, live)
			if err != nil {
				return err
			}
			errs = append(errs, fe...)
		}
		if len(errs) > 0 {
			return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("claim refused; nothing was stored: %s", errs[0].Reason), Fields: errs}
		}
		return nil
	}
}

// consistentReader is a store whose read pool may lag its writes (a
// PostgreSQL replica): ConsistentReads reads the primary.
type consistentReader interface {
	ConsistentReads() critmin.Store
}

// consistent is the view of s that checks deciding a write read through:
// one that sees every committed capture (sqldb.DB.ConsistentReads), or s.
func consistent(s Store) Store {
	if c, ok := s.(consistentReader); ok {
		if cs, ok := c.ConsistentReads().(Store); ok {
			return cs
		}
	}
	return s
}

// runInputsFinder is the part of a store that says which runs
// (transformationIDs) have an input stored (sqldb.DB.RunsWithInputs).
type runInputsFinder interface {
	RunsWithInputs(ctx context.Context, xids []string) (map[string]bool, error)
}

// runsFed returns whether a document's TransformationEvent belongs to a
// run with inputs — its own, another event of the document or a stored
// event sharing its transformationID (EPCIS 2.0 §7.4.6). Only such a run's
// outputs get genealogy edges, so only it produces a lot that can carry a
// claim (claimOf reads the producing run from those edges): an
// output-only event with its own transformationID produces nothing a
// claim can rest on, and is refused at capture as it is when read.
func runsFed(ctx context.Context, s Store, live []*critmin.Event) (func(*critmin.Event) bool, error) {
	fedX := map[string]bool{}
	var ask []string
	for _, ev := range live {
		if ev.Type != critmin.TransformationEvent || ev.TransformationID == "" {
			continue
		}
		if len(inputsOf(ev)) > 0 {
			fedX[ev.TransformationID] = true
		} else {
			ask = append(ask, ev.TransformationID)
		}
	}
	if f, ok := s.(runInputsFinder); ok && len(ask) > 0 {
		stored, err := f.RunsWithInputs(ctx, ask)
		if err != nil {
			return nil, err
		}
		for x := range stored {
			fedX[x] = true
		}
	}
	return func(ev *critmin.Event) bool {
		return len(inputsOf(ev)) > 0 || ev.TransformationID != "" && fedX[ev.TransformationID]
	}, nil
}

func claimPtr(ev *critmin.Event) string { return "event " + ev.EventID + "/ilmd/cm:originClaim" }

// checkSite replays a site's account over every claim period twice — as
// stored, and with the document — and reports the document's claims that
// are refused and the stored claims it would turn from accepted to
// refused.
func checkSite(ctx context.Context, s Store, site string, evs []*critmin.Event, lots map[string]*critmin.Lot, claimBy map[string]*critmin.Event, producer map[string]string, live []*critmin.Event) ([]critmin.FieldError, error) {
	var mine []string // lots the document claims whose producing run is here
	for _, lot := range sortedKeys(claimBy) {
		if producer[lot] == site {
			mine = append(mine, lot)
		}
	}
	vs, err := s.MassBalanceVersions(ctx, site)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		var out []critmin.FieldError
		for _, lot := range mine {
			out = append(out, critmin.FieldError{Pointer: claimPtr(claimBy[lot]), Reason: fmt.Sprintf("claim on lot %s refused: site %s declares no material category (no mass-balance declaration): a claim needs one", lot, site)})
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	base, err := replayAll(ctx, s, vs, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	var pending []ledgerRun
	for _, ev := range evs {
		pending = append(pending, runOfEvent(ev, site))
	}
	claimAt := map[string]critmin.ClaimEvent{}
	for lot, ev := range claimBy {
		claimAt[lot] = critmin.ClaimEvent{Event: ev.EventID, At: ev.EventTime}
	}
	next, err := replayAll(ctx, s, vs, lots, pending, claimAt)
	if err != nil {
		return nil, err
	}
	ends := map[string]critmin.ClaimPeriod{}
	for _, p := range vs[len(vs)-1].Periods {
		ends[p.ID] = p
	}
	var out []critmin.FieldError
	for _, lot := range mine {
		ev := claimBy[lot]
		cl, ok := next.claims[lot]
		if ok {
			if msg := endedPeriod(lot, cl, ends[cl.Period], ev); msg != "" {
				out = append(out, critmin.FieldError{Pointer: claimPtr(ev), Reason: msg})
				continue
			}
		}
		switch {
		case !ok:
			out = append(out, critmin.FieldError{Pointer: claimPtr(ev), Reason: fmt.Sprintf("claim on lot %s refused: site %s declares no claim period holding the claim event %s (%s): a claim is booked in the period it is made", lot, site, ev.EventID, ev.EventTime.UTC().Format(time.RFC3339))})
		case cl.Status == ClaimRefused:
			out = append(out, critmin.FieldError{Pointer: claimPtr(ev), Reason: cl.Error})
		}
	}
	// The claims already accepted that the document would break.
	ptr := ""
	for _, ev := range live {
		if ptr == "" && (len(evs) > 0 && ev == evs[0] || claimBy[firstOutput(ev)] != nil && producer[firstOutput(ev)] == site) {
			ptr = "event " + ev.EventID
		}
	}
	if ptr == "" && len(live) > 0 {
		ptr = "event " + live[0].EventID
	}
	for _, lot := range sortedKeys(base.claims) {
		b := base.claims[lot]
		if b.Status != ClaimAccepted || claimBy[lot] != nil {
			continue
		}
		n, ok := next.claims[lot]
		if ok && n.Status == ClaimAccepted {
			continue
		}
		why := "its run would fall outside the account"
		if ok {
			why = n.Error
		}
		out = append(out, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf("refused: the document would break the accepted claim on lot %s (event %s, site %s, category %s, period %s), which rests on credits it would take or change: %s",
			lot, b.Event, site, b.Category, b.Period, why)})
	}
	return out, nil
}

// endedPeriod refuses a claim booked in a claim period that ended before
// the capture records it (the event's recordTime, set by the capture's
// own clock, ledger.Service.Now). ISO 22095-2 books a claim in the period
// it is made, and a period's statement is final once it has ended (its
// period is locked, DeclareMassBalance): a claim back-dated into it would
// rewrite a statement already final. "" if the period is still open.
func endedPeriod(lot string, cl *Claim, p critmin.ClaimPeriod, ev *critmin.Event) string {
	if p.To == "" {
		return ""
	}
	rt := ev.RecordTime
	if rt.IsZero() {
		rt = time.Now() // not decoded by a capture: the wall clock
	}
	_, to := periodSpan(p)
	if to.After(rt) {
		return ""
	}
	cat := cl.Category
	if cat == "" {
		cat = "(none for the lot's product)"
	}
	return fmt.Sprintf("claim on lot %s refused: site %s, category %s, period %s (%s to %s) ended on %s, before this capture (recorded %s); the claim event %s is dated %s. ISO 22095-2 books a claim in the period it is made and an ended period's statement is final: make the claim with an event dated in an open period",
		lot, cl.Site, cat, p.ID, p.From, p.To, p.To, rt.UTC().Format(time.RFC3339), ev.EventID, ev.EventTime.UTC().Format(time.RFC3339))
}

func firstOutput(ev *critmin.Event) string {
	for _, q := range ev.Quantities {
		if q.Role != critmin.RoleInput {
			return q.EPCClass
		}
	}
	return ""
}

// replayAll replays a site's account over every declared claim period,
// with lots overridden by those given (the document's projection) and the
// document's runs added.
func replayAll(ctx context.Context, s Store, vs []*critmin.MassBalanceDeclaration, lots map[string]*critmin.Lot, pending []ledgerRun, claimAt map[string]critmin.ClaimEvent) (*mbCalc, error) {
	mc, err := newMB(ctx, s, vs, nil)
	if err != nil {
		return nil, err
	}
	mc.claimAt = claimAt
	for id, l := range lots {
		mc.oc.lots[id] = l
	}
	mc.pending = pending
	periods := sortedPeriods(mc.d)
	for i := range periods {
		if _, err := mc.period(periods, i); err != nil {
			return nil, err
		}
	}
	return mc, nil
}

// runOfEvent is a TransformationEvent of a document as the edges the store
// will keep of it.
func runOfEvent(ev *critmin.Event, site string) ledgerRun {
	r := ledgerRun{key: ev.EventID, event: ev.EventID, at: ev.EventTime}
	if ev.TransformationID != "" {
		r.key = "xid:" + ev.TransformationID
	}
	var ins, outs []critmin.QuantityElement
	for _, q := range ev.Quantities {
		switch q.Role {
		case critmin.RoleInput:
			ins = append(ins, q)
		case critmin.RoleOutput:
			outs = append(outs, q)
			r.outputs = append(r.outputs, q.EPCClass)
		}
	}
	for _, in := range ins {
		for _, o := range outs {
			if in.EPCClass == o.EPCClass {
				continue
			}
			l := ledger.TransformationLink(in, o, ev.EventID)
			r.edges = append(r.edges, critmin.LotEdge{Parent: l.Parent, Child: l.Child, EventID: ev.EventID, Kind: l.Kind, ParentQty: l.ParentQty, ParentUOM: l.ParentUOM,
				ChildQty: l.ChildQty, ChildUOM: l.ChildUOM, EventTime: ev.EventTime, BizLocation: site, Run: ev.TransformationID})
		}
	}
	return r
}

// reclaims refuses a document's claims on lots that carry a claim made by
// another live event, unless the document declares that event in error.
func reclaims(ctx context.Context, s Store, claimed []string, claimBy map[string]*critmin.Event, events []*critmin.Event) ([]critmin.FieldError, error) {
	f, ok := s.(claimEventFinder)
	if !ok || len(claimed) == 0 {
		return nil, nil
	}
	ces, err := f.ClaimEvents(ctx, claimed)
	if err != nil {
		return nil, err
	}
	retracted := map[string]bool{}
	for _, ev := range events {
		if ev.ErrorDeclaration != nil {
			retracted[ev.EventID] = true
		}
	}
	var out []critmin.FieldError
	for _, lot := range claimed {
		ev := claimBy[lot]
		ce, ok := ces[lot]
		if !ok || ce.Event == ev.EventID || retracted[ce.Event] {
			continue
		}
		out = append(out, critmin.FieldError{Pointer: claimPtr(ev), Reason: fmt.Sprintf("claim on lot %s refused: the lot already carries the claim made by event %s (%s); a claim once made is issued and is not replaced by a later one. To change it, declare event %s in error (errorDeclaration) and make the new claim with or after the declaration",
			lot, ce.Event, ce.At.UTC().Format(time.RFC3339), ce.Event)})
	}
	return out, nil
}
