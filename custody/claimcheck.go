package custody

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// CaptureClaimCheck returns the check ledger.Service runs on a document's
// valid events before storing them: each TransformationEvent whose ILMD
// claims an origin (cm:originClaim) is checked against its site's
// mass-balance account — as stored, plus the document's own runs at that
// site in event order. A claim at a site without a declaration (no
// material category), outside every claim period, on a product no
// category declares, or above the balance refuses the document with an
// EINVALID error naming the field, site, category, period and shortfall;
// nothing is stored. Claims made later, in other events, are checked when
// the lot is read (Origin).
func CaptureClaimCheck(s Store) func(ctx context.Context, events []*critmin.Event) error {
	return func(ctx context.Context, events []*critmin.Event) error {
		bySite := map[string][]*critmin.Event{}
		var sites []string
		for _, ev := range events {
			if ev.Type != critmin.TransformationEvent || ev.ErrorDeclaration != nil {
				continue
			}
			if len(bySite[ev.BizLocation]) == 0 {
				sites = append(sites, ev.BizLocation)
			}
			bySite[ev.BizLocation] = append(bySite[ev.BizLocation], ev)
		}
		// The lots as the document leaves them: stored lots with the
		// document's events projected on them, in order, and new ones.
		var ids []string
		for _, ev := range events {
			ids = append(ids, ev.LotIDs()...)
		}
		stored, err := s.FindLotsByID(ctx, ids)
		if err != nil {
			return err
		}
		lots := map[string]*critmin.Lot{}
		for _, l := range stored {
			lots[l.ID] = l
		}
		for _, ev := range events {
			for _, id := range ev.LotIDs() {
				if lots[id] == nil {
					lots[id] = &critmin.Lot{ID: id}
				}
			}
			ledger.Project(lots, ev)
		}
		var errs []critmin.FieldError
		for _, site := range sites {
			evs := bySite[site]
			claims := false
			for _, ev := range evs {
				claims = claims || (ev.Mineral != nil && ev.Mineral.OriginClaim != nil)
			}
			if !claims {
				continue
			}
			fe, err := checkPending(ctx, s, site, evs, lots)
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

// checkPending replays a site's account with the document's runs there.
func checkPending(ctx context.Context, s Store, site string, evs []*critmin.Event, lots map[string]*critmin.Lot) ([]critmin.FieldError, error) {
	ptr := func(ev *critmin.Event) string { return "event " + ev.EventID + "/ilmd/cm:originClaim" }
	d, err := s.FindMassBalance(ctx, site)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		var out []critmin.FieldError
		for _, ev := range evs {
			if ev.Mineral != nil && ev.Mineral.OriginClaim != nil {
				out = append(out, critmin.FieldError{Pointer: ptr(ev), Reason: fmt.Sprintf("site %s declares no material category (no mass-balance declaration): a claim needs one", site)})
			}
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	mc, err := newMB(ctx, s, d, nil)
	if err != nil {
		return nil, err
	}
	for id, l := range lots {
		mc.oc.lots[id] = l
	}
	periods := sortedPeriods(d)
	last := -1
	var out []critmin.FieldError
	for _, ev := range evs {
		idx := -1
		for i, p := range periods {
			f, t := periodSpan(p)
			if !ev.EventTime.Before(f) && ev.EventTime.Before(t) {
				idx = i
			}
		}
		if ev.Mineral != nil && ev.Mineral.OriginClaim != nil && idx < 0 {
			out = append(out, critmin.FieldError{Pointer: ptr(ev), Reason: fmt.Sprintf("site %s declares no claim period holding %s", site, ev.EventTime.UTC().Format("2006-01-02T15:04:05Z"))})
		}
		if idx > last {
			last = idx
		}
		r := ledgerRun{event: ev.EventID, at: ev.EventTime}
		var ins, outs []critmin.QuantityElement
		for _, q := range ev.Quantities {
			switch q.Role {
			case critmin.RoleInput:
				ins = append(ins, q)
			case critmin.RoleOutput:
				outs = append(outs, q)
			}
		}
		for _, in := range ins {
			for _, o := range outs {
				l := ledger.TransformationLink(in, o, ev.EventID)
				r.edges = append(r.edges, critmin.LotEdge{Parent: l.Parent, Child: l.Child, EventID: ev.EventID, Kind: l.Kind, ParentQty: l.ParentQty, ParentUOM: l.ParentUOM,
					ChildQty: l.ChildQty, ChildUOM: l.ChildUOM, EventTime: ev.EventTime, BizLocation: site})
			}
		}
		mc.pending = append(mc.pending, r)
	}
	for i := 0; i <= last; i++ {
		if _, err := mc.period(periods, i); err != nil {
			return nil, err
		}
	}
	for _, ev := range evs {
		if ev.Mineral == nil || ev.Mineral.OriginClaim == nil {
			continue
		}
		var ids []string
		for _, q := range ev.Quantities {
			if q.Role == critmin.RoleOutput {
				ids = append(ids, q.EPCClass)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			if cl, ok := mc.claims[id]; ok && cl.Status == ClaimRefused && !strings.Contains(cl.Error, "declares no claim period") {
				out = append(out, critmin.FieldError{Pointer: ptr(ev), Reason: cl.Error})
			}
		}
	}
	return out, nil
}
