package commercial

import (
	"context"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
)

// CandidateContracts are the stored contracts of the given set that can
// invoice lot l (Deliverable) — the one allocation rule of the exposure
// and the agreement (fix13y): a lot invoiced under no contract is under a
// contract only when exactly one can invoice it; with several it is
// unallocated, under none of them, until one invoices it.
func (s *Service) CandidateContracts(ctx context.Context, l *critmin.Lot, contracts []*TermSheet) ([]*TermSheet, error) {
	var under []*TermSheet
	for _, ts := range contracts {
		if l.Commodity != "" && ts.Commodity != l.Commodity {
			continue
		}
		ok, err := s.Deliverable(ctx, ts, l)
		if err != nil {
			return nil, err
		}
		if ok {
			under = append(under, ts)
		}
	}
	return under, nil
}

// governing is the contract a lot's assay-exchange results settle under
// (fix13y): the contract it is invoiced under, else the one contract it
// is allocated to (CandidateContracts: exactly one stored contract can
// invoice it). nil, with the candidate contracts' ids, when none governs
// it yet.
func (s *Service) governing(ctx context.Context, lot string) (*TermSheet, []string, error) {
	invs, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: lot})
	if err != nil {
		return nil, nil, err
	}
	for _, inv := range invs {
		c, err := s.Contract(ctx, inv.Contract)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, nil, err
		}
		return c, nil, nil
	}
	l, err := s.Store.FindLot(ctx, lot)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.Contracts(ctx)
	if err != nil {
		return nil, nil, err
	}
	under, err := s.CandidateContracts(ctx, l, all)
	if err != nil {
		return nil, nil, err
	}
	if len(under) == 1 {
		return under[0], nil, nil
	}
	return nil, contractIDs(under), nil
}

// contractIDs are the ids of contracts, in their order.
func contractIDs(contracts []*TermSheet) []string {
	var ids []string
	for _, ts := range contracts {
		ids = append(ids, ts.ID)
	}
	return ids
}

// exchangeAllowed refuses (ECONFLICT, 409, naming party) an
// assay-exchange submission the lot's governing contract has no rule
// for (fix13y; before, the results were stored and then silently left
// out of every valuation): any party's results when the contract has no
// assay_exchange clause, and the umpire's unless the governing rule uses
// an umpire (umpire_final, umpire_closer_mean) — so also when no
// contract governs the lot yet.
func (s *Service) exchangeAllowed(ctx context.Context, sub *ExchangeSubmission) error {
	ts, candidates, err := s.governing(ctx, sub.Lot)
	if err != nil {
		return err
	}
	if ts != nil && ts.Exchange == nil {
		return conflictAt("party", "lot %s is under contract %s, which has no assay_exchange clause: no rule settles the parties' results, so the %s's results are refused. Capture the laboratory's assay as an ordinary assay event, or add an assay_exchange clause (rule and splitting limits) to the contract first", sub.Lot, ts.ID, sub.Party)
	}
	if sub.Party != Umpire {
		return nil
	}
	switch {
	case ts == nil && len(candidates) > 1:
		return conflictAt("party", "lot %s is under no contract yet (it could be invoiced under %s): no exchange rule is known to call an umpire, so the umpire's results are refused until a contract invoices the lot", sub.Lot, strings.Join(candidates, ", "))
	case ts == nil:
		return conflictAt("party", "lot %s is under no contract (none can invoice it): no exchange rule calls an umpire, so the umpire's results are refused", sub.Lot)
	case ts.Exchange.Rule != "umpire_final" && ts.Exchange.Rule != "umpire_closer_mean":
		return conflictAt("party", "lot %s is under contract %s, whose assay exchange rule is %s (always the mean of the parties' results): it has no umpire, so the umpire's results are refused", sub.Lot, ts.ID, ts.Exchange.Rule)
	}
	return nil
}

// unusedResults names the assay-exchange results of the analytes a
// valuation reads (need) that its grades do not rest on (fix13y): a
// settlement, an invoice or an exposure never drops a recorded result
// without saying so. why says on what the valuation rests instead. ""
// when every such result is used.
func unusedResults(lf *LotFacts, need []string, grades map[string]Grade, why string) string {
	used := map[string]bool{}
	for _, g := range grades {
		for _, e := range g.Events {
			used[e] = true
		}
	}
	reads := map[string]bool{}
	for _, a := range need {
		reads[a] = true
	}
	var names []string
	for _, r := range lf.Results {
		if !reads[r.Analyte] || used[r.EventID] {
			continue
		}
		where := ""
		if r.Sublot != "" {
			where = " (sublot " + r.Sublot + ")"
		}
		names = append(names, fmt.Sprintf("the %s's %s %s %s%s (event %s)", r.Party, r.Analyte, r.Value, r.Unit, where, r.EventID))
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("assay-exchange results not used: %s — %s", strings.Join(names, "; "), why)
}
