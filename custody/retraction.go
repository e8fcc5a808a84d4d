package custody

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
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
// (their declaration records carry the event as captured); none for a
// store that cannot query events.
func retractedRuns(ctx context.Context, s Store, site string) ([]retractedRun, error) {
	f, ok := s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	filter := critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent}, BizLocations: []string{site}, ErrorDeclarationExists: true, Limit: 1000}
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
			out = append(out, retractedRun{run: runOfEvent(body, site), ev: body, decl: ev.ErrorDeclaration})
		}
		if page.Next == nil {
			return out, nil
		}
		filter.After = page.Next
	}
}

// explainRetractions replays the account over periods[0..upto] a second
// time with the site's retracted credit runs put back. A claim the
// account refuses but that replay accepts was broken by a retraction:
// its error (and its line in st.Refused, when st is given) names the
// retracted runs dated at or before the claim, with their declaration
// time and reason. Nothing changes when the site has no retraction.
func (mc *mbCalc) explainRetractions(periods []critmin.ClaimPeriod, upto int, st *Statement) error {
	rs, err := retractedRuns(mc.ctx, mc.s, mc.d.Site)
	if err != nil || len(rs) == 0 {
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
	var evs []*critmin.Event
	for _, r := range rs {
		evs = append(evs, r.ev)
	}
	joined, err := documentRuns(mc.ctx, mc.s, evs)
	if err != nil {
		return err
	}
	var ids []string
	for i, r := range rs {
		if j, ok := joined[r.ev]; ok && r.ev.TransformationID != "" {
			j.at, j.event = r.run.at, r.run.event
			rs[i].run = j
			for _, e := range j.edges {
				ids = append(ids, e.Parent, e.Child)
			}
		}
		alt.pending = append(alt.pending, rs[i].run)
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
	for id, l := range lots {
		alt.oc.lots[id] = l
	}
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
		if len(names) == 0 {
			continue
		}
		cl.Error += fmt.Sprintf("; the claim was covered until the retraction of %s: the credits it rested on were removed, so it no longer stands", strings.Join(names, ", "))
		if st == nil {
			continue
		}
		for i := range st.Refused {
			if st.Refused[i].Lot == lot {
				st.Refused[i].Error = cl.Error
				st.Refused[i].RetractedBy = cl.RetractedBy
			}
		}
	}
	return nil
}
