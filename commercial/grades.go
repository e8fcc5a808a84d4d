package commercial

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

// BestKnownGrades are the grades a lot is valued on before (or without)
// a final settlement — by the NSR of a lot, the planner and the exposure
// alike: its loading (or commissioning) assays, overridden by any later
// assay (all on the dry basis by the ledger's newest-assay rule,
// LotFacts.Latest; an analyte in LotFacts.Unknown has none, and
// unknownNeeded refuses a valuation that needs it), overridden by the assay exchange's settled grade of each analyte
// whose exchange is complete under x (a contract's exchange terms), else
// by the parties' results reported so far (partialExchange). With no
// exchange terms (x nil) the parties' results are assays like any other
// and the newest of each analyte stands (newestGrades). The provisional invoice reads the loading assays and the final
// one the whole exchange (Settle); this is the one rule for the rest.
func BestKnownGrades(lf *LotFacts, x *AssayExchangeTerms) map[string]Grade {
	if x == nil {
		// No exchange to settle the parties' results under: each is an
		// assay like any other, and the newest stands.
		g, _ := newestGrades(lf)
		return g
	}
	g := make(map[string]Grade, len(lf.Assays)+len(lf.Latest))
	for k, v := range lf.Assays {
		g[k] = v
	}
	for k, v := range lf.Latest {
		g[k] = v
	}
	// An analyte whose newest assay has no dry grade (LotFacts.Unknown)
	// is unknown: its loading assay, which it superseded, does not stand
	// in.
	for k := range lf.Unknown {
		delete(g, k)
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
	var newest map[string]Grade
	for _, a := range analytes {
		// One analyte at a time: an incomplete exchange of another (a
		// missing umpire) leaves this one settled.
		if s, _, err := SettleAssays(x, lf.Results, lf.Sublots, []string{a}); err == nil {
			if v, ok := s[a]; ok {
				v.Exchanged, v.exchange = true, true
				g[a] = v
			}
		} else if v, ok := partialExchange(lf.Results, a); ok {
			v.exchange = true
			g[a] = v
		} else if sublotResults(lf.Results, a) {
			// A sublot exchange not settled (an umpire awaited, the
			// parties' weights disagreeing) gives no partial grade; the
			// newest-assay rule reads its sublots (newestSublotGrades),
			// as a column without exchange terms does, rather than the
			// loading assay the results superseded (fix13z; before, one
			// contract's NSR column valued Ag and As at loading while
			// the others read the newer sublot results).
			if newest == nil {
				newest, _ = newestGrades(lf)
			}
			if v, ok := newest[a]; ok {
				g[a] = v
			}
		}
	}
	return g
}

// sublotResults reports whether results hold a sublot result of a.
func sublotResults(results []AssayResult, a string) bool {
	for _, r := range results {
		if r.Analyte == a && r.Sublot != "" {
			return true
		}
	}
	return false
}

// newestGrades are a lot's grades when no exchange terms settle its
// assay-exchange results (docs/trade.md, "Best-known grades"): by
// analyte, the newest of its ledger assays (LotFacts.Latest, else the
// loading ones) and the parties' whole-lot results, of any party — a
// result stands over an assay (or an assay of unknown basis) made before
// it, and an assay over a result made before it. Results of the same
// newest instant from several parties stand at their mean. Sublot
// results value the lot through newestSublotGrades: each sublot on its own
// newest result, else on the lot's grade, weighted by dry weight. unknown
// is LotFacts.Unknown less the analytes a newer result gave a grade.
func newestGrades(lf *LotFacts) (grades map[string]Grade, unknown map[string]string) {
	grades = make(map[string]Grade, len(lf.Assays)+len(lf.Latest))
	for k, v := range lf.Assays {
		grades[k] = v
	}
	for k, v := range lf.Latest {
		grades[k] = v
	}
	unknown = make(map[string]string, len(lf.Unknown))
	for k, v := range lf.Unknown {
		unknown[k] = v
		delete(grades, k)
	}
	newest := map[string][]AssayResult{}
	var analytes []string
	for _, r := range lf.Results {
		if r.Sublot != "" {
			continue
		}
		cur, ok := newest[r.Analyte]
		switch {
		case !ok:
			analytes = append(analytes, r.Analyte)
			newest[r.Analyte] = []AssayResult{r}
		case r.at.After(cur[0].at):
			newest[r.Analyte] = []AssayResult{r}
		case r.at.Equal(cur[0].at):
			newest[r.Analyte] = append(cur, r)
		}
	}
	for _, a := range analytes {
		rs := newest[a]
		at := rs[0].at
		if g, ok := grades[a]; ok && !at.After(g.at) {
			continue
		}
		if t, ok := lf.unknownAt[a]; ok && !at.After(t) {
			continue
		}
		sum, unit := zero, rs[0].Unit
		var parts, events []string
		mixed := false
		for _, r := range rs {
			if r.Unit != unit {
				mixed = true
			}
			sum = sum.Add(r.Value)
			parts = append(parts, fmt.Sprintf("the %s's %s %s", r.Party, r.Value, r.Unit))
			events = append(events, r.EventID)
		}
		if mixed {
			continue // one instant, two scales: no one grade; the assays stand
		}
		date := at.UTC().Format(time.DateOnly)
		v := rs[0].Value
		formula := fmt.Sprintf("%s result of %s, the newest assay (no assay-exchange terms)", strings.TrimPrefix(parts[0], "the "), date)
		if len(rs) > 1 {
			v = sum.Div(decimal.NewFromInt(int64(len(rs)))).Round(4)
			formula = fmt.Sprintf("results of %s, the newest assays (no assay-exchange terms): mean of %s = %s %s", date, strings.Join(parts, " and "), v, unit)
		}
		grades[a] = Grade{Value: v, Unit: unit, Formula: formula, Events: nonEmpty(events...), at: at}
		delete(unknown, a)
	}
	newestSublotGrades(lf, grades, unknown)
	return grades, unknown
}

// newestSublotGrades applies the newest-assay rule to the results of a
// lot's sublots (fix1213c): each sublot's grade of an analyte is its own
// newest result (several parties at that instant: their mean) when that
// is newer than the lot's grade, else its parent lot's grade; the lot's
// grade is then the mean of its sublots' grades weighted by their dry
// weights (Sublot.DMT), Σ(dmtᵢ × gradeᵢ) ÷ Σ dmtᵢ, rounded to 4 places.
// It replaces the lot's grade only when at least one sublot's own result
// stands; a sublot with no result and no parent grade, a sublot of
// unknown dry weight, sublots whose dry weights do not make up the lot's
// (within SublotTolerancePct of its outturn's or loading dmt, when known)
// or grades on different scales leave the lot's grade as it was. A sublot's results are the exchange parties' (LotFacts.
// Results) and a laboratory's sublot assays (LotFacts.SublotAssays),
// which are never read as the whole lot's grade.
func newestSublotGrades(lf *LotFacts, grades map[string]Grade, unknown map[string]string) {
	// The sublots: the exchange's, then those only a laboratory's sublot
	// assay names, with the dry weight it states.
	sublots := append([]Sublot(nil), lf.Sublots...)
	known := map[string]bool{}
	for _, sl := range sublots {
		known[sl.ID] = true
	}
	for _, r := range lf.SublotAssays {
		if !known[r.Sublot] {
			known[r.Sublot] = true
			sublots = append(sublots, Sublot{ID: r.Sublot, DMT: lf.sublotDMT[r.Sublot]})
		}
	}
	if len(sublots) == 0 {
		return
	}
	// The sublots must make up the lot: their dry weights within
	// SublotTolerancePct of the lot's (its outturn's, else its loading
	// weight's), or one sublot's assay would stand for the whole lot.
	total := zero
	for _, sl := range sublots {
		total = total.Add(sl.DMT)
	}
	var lotDMT decimal.Decimal
	switch {
	case lf.Discharge != nil && !lf.Discharge.NoMoisture:
		lotDMT = lf.Discharge.DMT()
	case lf.Loading.WMT.IsPositive() && !lf.Loading.NoMoisture:
		lotDMT = lf.Loading.DMT()
	}
	if lotDMT.IsPositive() && total.Sub(lotDMT).Abs().GreaterThan(lotDMT.Mul(pct(SublotTolerancePct))) {
		return
	}
	type key struct{ sub, a string }
	newest := map[key][]AssayResult{}
	var analytes []string
	seen := map[string]bool{}
	for _, r := range append(append([]AssayResult(nil), lf.Results...), lf.SublotAssays...) {
		if r.Sublot == "" {
			continue
		}
		if !seen[r.Analyte] {
			seen[r.Analyte] = true
			analytes = append(analytes, r.Analyte)
		}
		k := key{r.Sublot, r.Analyte}
		cur, ok := newest[k]
		switch {
		case !ok || r.at.After(cur[0].at):
			newest[k] = []AssayResult{r}
		case r.at.Equal(cur[0].at):
			newest[k] = append(cur, r)
		}
	}
	sort.Strings(analytes)
	for _, a := range analytes {
		parent, hasParent := grades[a]
		unknownAt, isUnknown := lf.unknownAt[a]
		sum, total := zero, zero // total: Σ dmt of the sublots, as above
		unit := ""
		var parts, events []string
		var latest time.Time
		own, ok := false, true
		for _, sl := range sublots {
			if !sl.DMT.IsPositive() {
				ok = false // a sublot of unknown weight: no weighted mean
				break
			}
			rs := newest[key{sl.ID, a}]
			var v decimal.Decimal
			var u, what string
			if len(rs) > 0 && (!hasParent || rs[0].at.After(parent.at)) && (!isUnknown || rs[0].at.After(unknownAt)) {
				u = rs[0].Unit
				rsum := zero
				var who []string
				for _, r := range rs {
					if r.Unit != u {
						ok = false
					}
					rsum = rsum.Add(r.Value)
					who = append(who, r.Party)
					events = append(events, r.EventID)
				}
				v = rsum.Div(decimal.NewFromInt(int64(len(rs)))).Round(4)
				what = fmt.Sprintf("the %s's %s %s of %s", strings.Join(who, " and "), v, u, rs[0].at.UTC().Format(time.DateOnly))
				if len(rs) > 1 {
					what = fmt.Sprintf("the mean of the %s's results %s %s of %s", strings.Join(who, " and "), v, u, rs[0].at.UTC().Format(time.DateOnly))
				}
				own = true
				if rs[0].at.After(latest) {
					latest = rs[0].at
				}
			} else if hasParent {
				v, u = parent.Value, parent.Unit
				what = fmt.Sprintf("the lot's %s %s (no newer result of the sublot)", v, u)
				events = append(events, parent.Events...)
			} else {
				ok = false
				break
			}
			if unit == "" {
				unit = u
			} else if u != unit {
				ok = false
			}
			sum = sum.Add(sl.DMT.Mul(v))
			total = total.Add(sl.DMT)
			parts = append(parts, fmt.Sprintf("sublot %s %s dmt × %s", sl.ID, sl.DMT, what))
		}
		if !ok || !own || !total.IsPositive() {
			continue
		}
		v := sum.Div(total).Round(4)
		if hasParent && parent.at.After(latest) {
			latest = parent.at
		}
		grades[a] = Grade{Value: v, Unit: unit, Formula: fmt.Sprintf("sublots' newest assays (no assay-exchange terms), weighted by dry weight: (%s) ÷ %s dmt = %s %s", strings.Join(parts, " + "), total, v, unit), Events: nonEmpty(events...), at: latest}
		delete(unknown, a)
	}
}

// noteUnknownAt keeps, for analyte a of LotFacts.Unknown, the newest time
// of a measurement that left it unknown (newestGrades).
func (lf *LotFacts) noteUnknownAt(a string, t time.Time) {
	if lf.unknownAt == nil {
		lf.unknownAt = map[string]time.Time{}
	}
	if cur, ok := lf.unknownAt[a]; !ok || t.After(cur) {
		lf.unknownAt[a] = t
	}
}

// partialExchange is the best-known grade of analyte a from an exchange
// not yet settled (a party's result missing, or the umpire's awaited):
// the mean of each party's latest whole-lot result reported so far (one
// party: its result) — later than any loading or commissioning assay, and
// what the settlement will be near. Sublot results (weighted by sublot
// weights only once all are in) and results in differing units give no
// grade (false): the earlier assays stand.
func partialExchange(results []AssayResult, a string) (Grade, bool) {
	latest := map[string]AssayResult{}
	var parties []string
	for _, r := range results {
		if r.Analyte != a {
			continue
		}
		if r.Sublot != "" {
			return Grade{}, false
		}
		if _, ok := latest[r.Party]; !ok {
			parties = append(parties, r.Party)
		}
		latest[r.Party] = r
	}
	if len(parties) == 0 {
		return Grade{}, false
	}
	// Two results a unit slip apart (slipRatio: Cu 0.246 % against 24.3
	// %) have no meaningful mean: the earlier assays stand until the
	// wrong one is corrected, as SettleAssays refuses to settle them.
	for i, p := range parties {
		for _, q := range parties[i+1:] {
			if _, slip := slipRatio(latest[p], latest[q]); slip {
				return Grade{}, false
			}
		}
	}
	sum, unit := zero, latest[parties[0]].Unit
	var parts, events []string
	for _, p := range parties {
		r := latest[p]
		if r.Unit != unit {
			return Grade{}, false
		}
		sum = sum.Add(r.Value)
		parts = append(parts, fmt.Sprintf("the %s's %s %s", p, r.Value, r.Unit))
		events = append(events, r.EventID)
	}
	v := sum.Div(decimal.NewFromInt(int64(len(parties)))).Round(4)
	formula := fmt.Sprintf("assay exchange not settled: %s, the only result reported so far", parts[0])
	if len(parts) > 1 {
		formula = fmt.Sprintf("assay exchange not settled: mean of %s = %s %s", strings.Join(parts, " and "), v, unit)
	}
	return Grade{Value: v, Unit: unit, Formula: formula, Events: nonEmpty(events...)}, true
}

// lotExchange is the exchange terms a lot's results settle under: those
// of the contract the lot is invoiced under, else those of ts (the terms
// it is being valued under; nil for none).
//
// At a past instant at (zero: now) it reads only what was recorded by
// then (fix13x): an invoice issued after at did not yet tie the lot to
// its contract, and the contract's terms are those recorded by at.
func (s *Service) lotExchange(ctx context.Context, lot string, ts *TermSheet, at time.Time) (*AssayExchangeTerms, error) {
	invs, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: lot})
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		if !at.IsZero() && inv.IssuedAt.After(at) {
			continue // not issued by then
		}
		c, err := s.ContractAt(ctx, inv.Contract, at)
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

// umpireNeeded refuses (ECONFLICT, 409) an umpire's results before the
// exchange needs an umpire (fix13t): at least one analyte the umpire
// reports must have the seller's and the buyer's results for the same
// lot or sublot captured and differing by more than the splitting limit
// of the lot's governing contract (governing: the contract it is invoiced
// or allocated under; exchangeAllowed refuses an umpire no rule calls). An umpire
// assays the sample only when the parties' results are too far apart
// (its report may carry other analytes too; they are not used).
func (s *Service) umpireNeeded(ctx context.Context, lf *LotFacts, sub *ExchangeSubmission) error {
	// The governing contract's rule (fix13y: the contract the lot is
	// invoiced or allocated under; exchangeAllowed has refused an umpire
	// no rule calls).
	var x *AssayExchangeTerms
	if ts, _, err := s.governing(ctx, lf.Lot); err != nil {
		return err
	} else if ts != nil {
		x = ts.Exchange
	}
	var reasons []string
	for _, r := range sub.Results {
		var seller, buyer *AssayResult
		for i := range lf.Results {
			p := &lf.Results[i]
			if p.Sublot != sub.Sublot || p.Analyte != r.Analyte {
				continue
			}
			switch p.Party {
			case Seller:
				seller = p
			case Buyer:
				buyer = p
			}
		}
		if seller == nil || buyer == nil {
			switch {
			case seller == nil && buyer == nil:
				reasons = append(reasons, fmt.Sprintf("neither the seller's nor the buyer's %s result is captured yet", r.Analyte))
			case seller == nil:
				reasons = append(reasons, fmt.Sprintf("the seller's %s result is not captured yet", r.Analyte))
			default:
				reasons = append(reasons, fmt.Sprintf("the buyer's %s result is not captured yet", r.Analyte))
			}
			continue
		}
		if x == nil {
			return nil
		}
		if x.Rule == "split" {
			return conflictAt("party", "lot %s: the contract's assay exchange rule is split (always the mean of the parties' results): it has no umpire, so the umpire's results are not needed", lf.Lot)
		}
		within := false
		for _, l := range x.Limits {
			if l.Analyte != r.Analyte {
				continue
			}
			sv, err1 := convertGrade(seller.Value, seller.Unit, l.Unit)
			bv, err2 := convertGrade(buyer.Value, buyer.Unit, l.Unit)
			if err1 != nil || err2 != nil {
				continue
			}
			if diff := sv.Sub(bv).Abs(); diff.LessThanOrEqual(l.Limit) {
				within = true
				reasons = append(reasons, fmt.Sprintf("the parties' %s results agree within the splitting limit (seller %s %s, event %s; buyer %s %s, event %s; |difference| %s ≤ limit %s %s), so %s settles at their mean", r.Analyte, seller.Value, seller.Unit, seller.EventID, buyer.Value, buyer.Unit, buyer.EventID, diff, l.Limit, l.Unit, r.Analyte))
			}
		}
		if !within {
			return nil
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return conflictAt("party", "lot %s: the umpire's results for %s come before the exchange needs an umpire: %s. An umpire assays the sample only once both parties' results are exchanged and differ by more than the splitting limit; submit the parties' results first", lf.Lot, sublotLabel(sub.Sublot), strings.Join(reasons, "; "))
}

// checkSubmission refuses an assay-exchange submission (sub.Lot is the
// lot's key) dated before the lot's first event (a result of a sample
// of a lot that did not exist), or with a result whose unit is of another
// scale (% against g/t or ppm) than an earlier result of the same analyte
// and sublot, or than the splitting limit of the contract the lot is
// invoiced under: the exchange compares results in one unit, and a result
// in another would only be refused at the final settlement.
func (s *Service) checkSubmission(ctx context.Context, sub *ExchangeSubmission) error {
	lot, err := s.Store.FindLot(ctx, sub.Lot)
	if err != nil {
		return err
	}
	if !lot.FirstEventAt.IsZero() && sub.At.Before(lot.FirstEventAt) {
		return fieldErrorf("at", "%s is before lot %s existed (its first event is of %s): a result is of a sample of the lot", sub.At.UTC().Format(time.RFC3339), sub.Lot, lot.FirstEventAt.UTC().Format(time.RFC3339))
	}
	lf, err := LotFactsFromEvents(ctx, s.Store, sub.Lot)
	if err != nil {
		return err
	}
	x, err := s.lotExchange(ctx, sub.Lot, nil, time.Time{})
	if err != nil {
		return err
	}
	// Every faulty result at once (an EINVALID listing each field): a
	// submission with several unit slips names them all, not the first.
	var bad []critmin.FieldError
	fail := func(ptr, format string, args ...any) {
		bad = append(bad, critmin.FieldError{Pointer: pointer(ptr), Reason: fmt.Sprintf(format, args...)})
	}
	for i, r := range sub.Results {
		at := fmt.Sprintf("results/%d/unit", i)
		// A result beyond the plausible grade of its element, once
		// converted (Au 4 % is 40 000 g/t), is a unit slip: refused
		// before it is stored, so that it never fixes the exchange's
		// unit against the other party's correct result.
		if b, ok := gradeBound(lot.Commodity, r.Analyte); ok && validGradeUnit(r.Unit) {
			if gpt := gramsPerDMT(r.Value, r.Unit); gpt.GreaterThan(b.MaxGPerT) {
				fail(fmt.Sprintf("results/%d/value", i), "%s", implausibleGradeText(r.Analyte, r.Value, r.Unit, b))
				continue
			}
		}
		// Judged against the other parties' results of the same
		// analyte and lot or sublot (fix13v): a factor of about 100
		// between them is a unit slip (a percentage written as a
		// fraction), refused before it is stored — 409, a conflict
		// with the result on record, naming both.
		if slip := s.slipAgainst(lot.Commodity, lf, sub, r); slip != "" {
			bad = append(bad, critmin.FieldError{Pointer: fmt.Sprintf("/results/%d/value", i), Reason: slip, Conflict: true})
			continue
		}
		// The first party's result has no other to be judged against: it
		// is judged against the lot's own recorded assays of the analyte
		// (fix13x), by the same factor. A genuine low grade the lot's
		// assays agree with, or one of a lot with no assay of it, stands.
		if slip := slipAgainstLot(lf, sub, r); slip != "" {
			bad = append(bad, critmin.FieldError{Pointer: fmt.Sprintf("/results/%d/value", i), Reason: slip, Conflict: true})
			continue
		}
		// The contract's scale (its splitting limit) wins over an
		// earlier result's: a first party's result in the wrong unit
		// does not block the other party's in the contract's.
		contractScale := false
		if x != nil {
			for _, l := range x.Limits {
				contractScale = contractScale || (l.Analyte == r.Analyte && gradeScale(l.Unit) == gradeScale(r.Unit))
			}
		}
		scaleFault := false
		for _, e := range lf.Results {
			if !contractScale && e.Analyte == r.Analyte && e.Sublot == sub.Sublot && gradeScale(e.Unit) != gradeScale(r.Unit) {
				fail(at, "%s in %s, but the %s reported %s %s for %s (event %s): the exchange compares results in one unit; report %s in %s%s", r.Analyte, r.Unit, e.Party, e.Value, e.Unit, sublotLabel(e.Sublot), e.EventID, r.Analyte, e.Unit, convertedText(r.Value, r.Unit, e.Unit))
				scaleFault = true
				break
			}
		}
		if x == nil || scaleFault {
			continue
		}
		for _, l := range x.Limits {
			if l.Analyte == r.Analyte && gradeScale(l.Unit) != gradeScale(r.Unit) {
				fail(at, "%s in %s, but the contract's splitting limit for %s is in %s: report %s in %s%s", r.Analyte, r.Unit, r.Analyte, l.Unit, r.Analyte, l.Unit, convertedText(r.Value, r.Unit, l.Unit))
				break
			}
		}
	}
	if len(bad) > 0 {
		err := fieldErrors(bad)
		if e, ok := err.(*critmin.Error); ok {
			e.Code = critmin.RefusalCode(bad)
		}
		return err
	}
	return nil
}

// slipAgainst judges the result r a party submits (sub) against the
// other parties' results of its analyte for the same lot or sublot
// already on record (lf.Results): a unit slip (slipRatio) is refused
// naming both, and — when the commodity has a grade floor for the
// analyte (GradeFloors) — saying which of the two lies below it, the
// likely slip. "" when there is none.
func (s *Service) slipAgainst(commodity string, lf *LotFacts, sub *ExchangeSubmission, r ExchangeResult) string {
	mine := AssayResult{Sublot: sub.Sublot, Party: sub.Party, Analyte: r.Analyte, Value: r.Value, Unit: r.Unit}
	for _, e := range lf.Results {
		if e.Party == sub.Party || e.Analyte != r.Analyte || e.Sublot != sub.Sublot {
			continue
		}
		ratio, slip := slipRatio(mine, e)
		if !slip {
			continue
		}
		text := slipText(mine, e, ratio)
		if f, ok := GradeFloors[commodity]; ok && f.Analyte == r.Analyte {
			for _, x := range []AssayResult{mine, e} {
				if v, err := convertGrade(x.Value, x.Unit, "%"); err == nil && v.LessThan(f.MinPct) {
					text += fmt.Sprintf(". The %s's %s %s is below the plausible %s %% for %s (%s): that one is most likely the slip — %s", x.Party, x.Value, x.Unit, f.MinPct, strings.ReplaceAll(commodity, "_", " "), f.Basis, fractionHint(r.Analyte, v))
					break
				}
			}
		}
		return text
	}
	return ""
}

// slipAgainstLot judges the result r of the first party to report its
// analyte for the lot or sublot (no other party's result on record,
// lf.Results) against the lot's own recorded assays of the analyte — at
// loading (LotFacts.Assays) and the newest since (LotFacts.Latest): a
// factor of ResultSlipFactor or more (slipRatio) is a unit slip, refused
// naming the assay it was compared with. "" when another party has
// reported (slipAgainst judges), when the lot has no assay of the
// analyte, or when the result is within the factor — a genuinely low
// grade is no slip.
func slipAgainstLot(lf *LotFacts, sub *ExchangeSubmission, r ExchangeResult) string {
	for _, e := range lf.Results {
		if e.Party != sub.Party && e.Analyte == r.Analyte && e.Sublot == sub.Sublot {
			return ""
		}
	}
	mine := AssayResult{Sublot: sub.Sublot, Party: sub.Party, Analyte: r.Analyte, Value: r.Value, Unit: r.Unit}
	for _, src := range []struct {
		what   string
		grades map[string]Grade
	}{{"newest recorded assay", lf.Latest}, {"assay at loading", lf.Assays}} {
		g, ok := src.grades[r.Analyte]
		if !ok {
			continue
		}
		ratio, slip := slipRatio(mine, AssayResult{Analyte: r.Analyte, Value: g.Value, Unit: g.Unit})
		if !slip {
			continue
		}
		ev, conv := "", ""
		if len(g.Events) > 0 {
			ev = " (event " + strings.Join(g.Events, ", ") + ")"
		}
		if g.Unit != r.Unit {
			conv = convertedText(r.Value, r.Unit, g.Unit)
		}
		return fmt.Sprintf("the %s's %s result %s %s and the lot's %s %s %s %s%s differ by a factor of %s (%s or more is a unit slip, not an assay difference: a percentage written as a fraction is 100 times off, a per cent read as g/t or ppm 10 000 times): no other party has reported %s for %s yet, so the result is judged against the lot's own assay — submit it in its unit%s, or, if the lot's assay is the wrong one, declare its event in error (errorDeclaration, EPCIS 2.0 §7.4.1.2) first",
			sub.Party, r.Analyte, r.Value, r.Unit, src.what, r.Analyte, g.Value, g.Unit, ev, ratio.Round(1), ResultSlipFactor, r.Analyte, sublotLabel(sub.Sublot), conv)
	}
	return ""
}

// implausibleGradeText says why a grade of analyte a, v in unit, is a
// unit slip: its converted figure against the bound, and what it would be
// read in the other scale ("Au 4.1 % = 41,000 g/t … did you mean 4.1
// g/t?").
func implausibleGradeText(a string, v decimal.Decimal, unit string, b GradeBound) string {
	gpt := gramsPerDMT(v, unit)
	if unit != "%" {
		// A grade in g/t or ppm above the bound is no % slip: the same
		// figure in % is 10 000 times more (fix13t: Au 5000 g/t was
		// asked "did you mean Au 5000 %?").
		return fmt.Sprintf("%s %s %s is above the plausible %s g/t for a %s (%s): the figure is most likely wrong (a misplaced decimal point or an extra digit), or the material is not a %s. Report the right figure",
			a, GroupThousands(v.String()), unit, GroupThousands(b.MaxGPerT.String()), b.product(), b.Basis, b.product())
	}
	return fmt.Sprintf("%s %s %s = %s g/t (1 %% = 10 000 g/t), above the plausible %s g/t for a %s (%s): the unit is most likely wrong — did you mean %s %s g/t? Report the result in its unit",
		a, v, unit, GroupThousands(gpt.String()), GroupThousands(b.MaxGPerT.String()), b.product(), b.Basis, a, v)
}

// convertedText is the figure v in unit from written in unit to, for a
// message asking for a result in to: " (4.1 % is 41,000 g/t)"; "" when
// either unit is not a grade unit.
func convertedText(v decimal.Decimal, from, to string) string {
	c, err := convertGrade(v, from, to)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" (%s %s is %s %s)", v, from, GroupThousands(c.String()), to)
}

// unknownNeeded refuses to value a lot under ts when ts reads an analyte
// the lot has no grade of because its newest assay cannot be put on the
// dry basis (unknown: LotFacts.Unknown): EINVALID naming lot/assays/X with
// the reason, never a valuation on an older or as-received grade.
func unknownNeeded(ts *TermSheet, grades map[string]Grade, unknown map[string]string) error {
	for _, a := range (&calc{ts: ts}).analytes() {
		if _, ok := grades[a]; ok {
			continue
		}
		if why, ok := unknown[a]; ok {
			return fieldErrorf("lot/assays/"+a, "%s, which the contract needs: the lot is not valued on a grade of unknown basis", why)
		}
	}
	return nil
}

// conflictAt is an ECONFLICT (409) refusal of a request that conflicts
// with what the record holds, naming the request's field at fault
// (pointer) — every refusal names its field (fix13v: the assay API's 409s
// named none). The message is the reason, a sentence.
func conflictAt(pointer, format string, args ...any) *critmin.Error {
	reason := fmt.Sprintf(format, args...)
	return &critmin.Error{Code: critmin.ECONFLICT, Message: reason, Fields: []critmin.FieldError{{Pointer: toPointer(pointer), Reason: reason, Conflict: true}}}
}
