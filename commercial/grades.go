package commercial

import (
	"context"
	"sort"

	"github.com/critmin/critmin"
)

// BestKnownGrades are the grades a lot is valued on before (or without)
// a final settlement — by the NSR of a lot, the planner and the exposure
// alike: its loading (or commissioning) assays, overridden by any later
// assay, overridden by the assay exchange's settled grade of each analyte
// whose exchange is complete under x (a contract's exchange terms; nil:
// none). The provisional invoice reads the loading assays and the final
// one the whole exchange (Settle); this is the one rule for the rest.
func BestKnownGrades(lf *LotFacts, x *AssayExchangeTerms) map[string]Grade {
	g := make(map[string]Grade, len(lf.Assays)+len(lf.Latest))
	for k, v := range lf.Assays {
		g[k] = v
	}
	for k, v := range lf.Latest {
		g[k] = v
	}
	if x == nil {
		return g
	}
	seen := map[string]bool{}
	var analytes []string
	for _, r := range lf.Results {
		if !seen[r.Analyte] {
			seen[r.Analyte] = true
			analytes = append(analytes, r.Analyte)
		}
	}
	sort.Strings(analytes)
	for _, a := range analytes {
		// One analyte at a time: an incomplete exchange of another (a
		// missing umpire) leaves this one settled.
		if s, _, err := SettleAssays(x, lf.Results, lf.Sublots, []string{a}); err == nil {
			if v, ok := s[a]; ok {
				g[a] = v
			}
		}
	}
	return g
}

// lotExchange is the exchange terms a lot's results settle under: those
// of the contract the lot is invoiced under, else those of ts (the terms
// it is being valued under; nil for none).
func (s *Service) lotExchange(ctx context.Context, lot string, ts *TermSheet) (*AssayExchangeTerms, error) {
	invs, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: lot})
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		c, err := s.Contract(ctx, inv.Contract)
		if err != nil {
			if critmin.ErrorCode(err) == critmin.ENOTFOUND {
				continue
			}
			return nil, err
		}
		if c.Exchange != nil {
			return c.Exchange, nil
		}
	}
	if ts != nil {
		return ts.Exchange, nil
	}
	return nil, nil
}
