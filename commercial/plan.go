package commercial

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/scenario"
	"github.com/shopspring/decimal"
)

// ApplyTerms values the network's contracts that name a term sheet
// (plan.Contract.Terms) at contract terms: PricePerT becomes the net value
// of one dry tonne of the contract's TermsGrade (element → mass fraction)
// under the term sheet at spot prices — payables less TC, RC and
// penalties (NetValuePerTonne) — on a product basis. The planner then
// weighs sales net of charges instead of at a flat price. It returns the
// contracts it priced. A term sheet that is not in sheets (not stored)
// leaves the contract at the planning file's price and adds a warning
// naming both to n.Warnings, which every plan carries; so does a
// scenario whose price_shock targets a contract priced at terms by a
// price_factor (its factor then scales the terms' price, not the file's;
// an absolute price_per_t means the same either way and is not warned). A currency other than the
// network's, a grade the terms need but the contract lacks, or a negative
// net value is an EINVALID error naming the contract.
func ApplyTerms(n *plan.Network, sheets map[string]*TermSheet, spot map[string]decimal.Decimal) ([]string, error) {
	var priced []string
	n.Warnings = nil // this run's, not a stored file's
	for i := range n.Contracts {
		c := &n.Contracts[i]
		if c.Terms == "" {
			continue
		}
		at := fmt.Sprintf("contracts[%d]", i)
		ts := sheets[c.Terms]
		if ts == nil {
			// Not stored (a database without the trade demo, say):
			// the contract keeps the planning file's price, and the
			// plan says so rather than failing or passing it over.
			basis := "per t"
			if c.PriceBasis == "contained" {
				basis = "per t " + c.Element + " contained"
			}
			n.Warnings = append(n.Warnings, fmt.Sprintf("contract %s: term sheet %s not stored; priced at the planning file's price %s %s %s", c.ID, c.Terms, strconv.FormatFloat(c.PricePerT, 'f', -1, 64), planCurrency(n), basis))
			continue
		}
		grades := map[string]Grade{}
		for el, f := range c.TermsGrade {
			grades[el] = Grade{Value: decimal.NewFromFloat(f).Mul(hundred), Unit: "%", Formula: "contract reference grade"}
		}
		v, _, err := NetValuePerTonne(ts, grades, spot)
		if noSpot(err) {
			// No current price (none published, or stale: SpotPrices):
			// the contract keeps the planning file's price, and the plan
			// says so, as for a term sheet not stored.
			n.Warnings = append(n.Warnings, fmt.Sprintf("contract %s: not at %s terms (%s); priced at the planning file's price %s %s", c.ID, c.Terms, critmin.ErrorMessage(err), strconv.FormatFloat(c.PricePerT, 'f', -1, 64), planCurrency(n)))
			continue
		}
		if err != nil {
			return nil, fieldErrorf(at+".terms", "%s: %s", c.Terms, critmin.ErrorMessage(err))
		}
		if v.IsNegative() {
			return nil, fieldErrorf(at+".terms", "%s values the reference grade at %s %s per dmt, below zero", c.Terms, v.Round(2), ts.Currency)
		}
		was := c.PricePerT
		c.PricePerT, _ = v.Round(4).Float64()
		c.PriceBasis = "product"
		priced = append(priced, c.ID)
		// A scenario that shocks this contract's price by a factor was
		// written against the file's price; it now scales the terms'.
		for _, sc := range n.Scenarios {
			for _, m := range sc.Measures {
				if m.Kind == scenario.PriceShock && m.Target == c.ID && m.PricePerT == 0 {
					n.Warnings = append(n.Warnings, fmt.Sprintf("scenario %s: its price_shock ×%s on contract %s scales the price at %s terms (%s %s per t), not the planning file's %s", sc.ID, strconv.FormatFloat(m.Factor, 'f', -1, 64), c.ID, c.Terms, strconv.FormatFloat(c.PricePerT, 'f', -1, 64), planCurrency(n), strconv.FormatFloat(was, 'f', -1, 64)))
				}
			}
		}
	}
	return priced, nil
}

// GradeSource returns the grades a ledger lot is valued on (its
// best-known assays, BestKnownGrades, with its exchange settled under ts
// unless it is invoiced under another contract), or an error when the
// lot cannot be read.
type GradeSource func(lot string, ts *TermSheet) (map[string]Grade, error)

// LotContracts returns the contracts a ledger lot is invoiced under.
type LotContracts func(lot string) ([]string, error)

// Invoiceable returns why a purchase contract cannot invoice a ledger lot
// (Service.InvoiceRefusal, the check Issue makes), nil when it can. A
// contract that cannot invoice the lot is no candidate to buy it.
type Invoiceable func(lot string, ts *TermSheet) error

// FinalValue returns a lot's value settled by a final invoice under a
// contract: the invoiced lot value per dry tonne, the dry tonnes the
// invoice settles and the invoice id; ok false when the lot has no final
// invoice under it.
type FinalValue func(lot, contract string) (perDMT, dmt decimal.Decimal, invoice string, ok bool, err error)

// PurchaseTerms returns the term sheets that could buy a commodity for the
// network's party: sheets whose buyer is n.Party, for that commodity, in
// the network's currency, by id. None when the network names no party.
func PurchaseTerms(n *plan.Network, sheets []*TermSheet, commodity string) []*TermSheet {
	if n.Party == "" {
		return nil
	}
	cur := planCurrency(n)
	var out []*TermSheet
	for _, ts := range sheets {
		if ts.Buyer == n.Party && ts.Commodity == commodity && ts.Currency == cur {
			out = append(out, ts)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// supplyTerms picks the purchase contract of one supply among the
// candidates (PurchaseTerms): the only candidate; else, for a ledger lot,
// the candidate the lot is invoiced under. Several candidates and no
// invoice to decide between them is no choice: the reason names them, and
// the supply is left to the price table (never the first by id).
func supplyTerms(s *plan.Supply, cands []*TermSheet, invoiced LotContracts) (*TermSheet, string) {
	if len(cands) == 1 {
		return cands[0], ""
	}
	ids := make([]string, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	if s.Lot != "" && invoiced != nil {
		under, err := invoiced(s.Lot)
		if err != nil {
			return nil, fmt.Sprintf("not at contract terms: the invoices of lot %s cannot be read: %s", s.Lot, critmin.ErrorMessage(err))
		}
		var hit []*TermSheet
		for _, c := range cands {
			if slices.Contains(under, c.ID) {
				hit = append(hit, c)
			}
		}
		if len(hit) == 1 {
			return hit[0], ""
		}
	}
	return nil, fmt.Sprintf("not at contract terms: %d purchase contracts could buy it (%s) and it is invoiced under none of them (ambiguous: invoice the lot under one, or state a price)", len(cands), strings.Join(ids, ", "))
}

// PriceSupplies values every supply that states no price of its own and
// is not owned at the terms of the purchase contract that covers its
// commodity (PurchaseTerms; of several, the one a ledger lot is
// invoiced under, else none: supplyTerms): the net smelter return of one dry tonne of
// its grades at the spot prices of asOf — NetValuePerTonne, the
// settlement the trade job invoices with (payables with their minimum
// deductions, less TC, RC and penalties). A ledger lot is valued on its
// own best-known assays (grades), any other supply on its grade (mass
// fractions, as %). The price is per tonne of supply (the planner takes a
// lot's dry tonnes where they are known); Source writes out the NSR and
// where it comes from. A supply its contract cannot value (an assay or a
// spot price it lacks, a negative NSR) is left to the network's price
// table with the reason in its PriceSource. It returns the ids of the
// supplies it priced.
//
// A ledger lot whose value is settled by a final invoice under its
// contract (final, when given) is valued at the invoiced figure — the
// final settlement's lot value ÷ its dmt — not at spot: its price is
// PriceFromInvoice, and its source names the invoice.
//
// A ledger lot's candidates are the purchase contracts that could invoice
// it (invoiceable, when given): a contract whose seller did not own the
// lot at delivery, say, can never buy it, so it neither makes the choice
// ambiguous nor prices the lot.
func PriceSupplies(n *plan.Network, sheets []*TermSheet, spot map[string]decimal.Decimal, asOf string, grades GradeSource, invoiced LotContracts, invoiceable Invoiceable, final ...FinalValue) []string {
	var priced []string
	for i := range n.Supplies {
		s := &n.Supplies[i]
		if s.Owned || s.PricePerT > 0 || s.PriceFrom != "" {
			continue
		}
		cands := PurchaseTerms(n, sheets, s.Commodity)
		if s.Lot != "" && invoiceable != nil && len(cands) > 0 {
			var ok []*TermSheet
			var why []string
			for _, c := range cands {
				if err := invoiceable(s.Lot, c); err != nil {
					why = append(why, c.ID+": "+critmin.ErrorMessage(err))
					continue
				}
				ok = append(ok, c)
			}
			if len(ok) == 0 {
				s.PriceSource = fmt.Sprintf("not at contract terms: no purchase contract can invoice lot %s (%s)", s.Lot, strings.Join(why, "; "))
				continue
			}
			cands = ok
		}
		if len(cands) > 1 {
			ts, why := supplyTerms(s, cands, invoiced)
			if ts == nil {
				s.PriceSource = why
				continue
			}
			cands = []*TermSheet{ts}
		}
		if len(cands) == 0 {
			// A purchase contract in another currency cannot price a
			// plan's feed: say so rather than pass it over silently.
			for _, o := range sheets {
				if n.Party != "" && o.Buyer == n.Party && o.Commodity == s.Commodity {
					s.PriceSource = fmt.Sprintf("not at %s terms: the contract is in %s, the plan in %s", o.ID, o.Currency, planCurrency(n))
					break
				}
			}
			continue
		}
		ts := cands[0]
		if s.Lot != "" && len(final) > 0 && final[0] != nil {
			v, dmt, inv, ok, err := final[0](s.Lot, ts.ID)
			if err != nil {
				s.PriceSource = fmt.Sprintf("not at %s terms: the final invoice of lot %s cannot be read: %s", ts.ID, s.Lot, critmin.ErrorMessage(err))
				continue
			}
			if ok && v.IsPositive() {
				s.PricePerT, _ = v.Round(4).Float64()
				s.PriceBasis, s.Element = "tonne", ""
				s.PriceFrom, s.Terms = plan.PriceFromInvoice, ts.ID
				s.PriceSource = fmt.Sprintf("final invoice %s under %s: %s %s/dmt (the lot's settled value)", inv, ts.ID, v.StringFixed(2), ts.Currency)
				// The planner buys what the lot holds (its available dry
				// mass, Supply.Tonnes), not the dry tonnes the invoice
				// pays for: those rest on the contract's weighing point
				// (the loading weight when the outturn is within the
				// weight franchise), so the two can differ; say so.
				if held := decimal.NewFromFloat(s.Tonnes); s.Tonnes > 0 && !held.Equal(dmt) {
					s.PriceSource += fmt.Sprintf("; the invoice settles %s dmt at the contract's weighing point, the lot holds %s dmt available (the planner buys at most that)", dmt, held)
				}
				priced = append(priced, s.ID)
				continue
			}
		}
		var g map[string]Grade
		var err error
		if s.Lot != "" && grades != nil {
			g, err = grades(s.Lot, ts)
		} else {
			g = map[string]Grade{}
			for el, f := range s.Grade {
				g[el] = Grade{Value: decimal.NewFromFloat(f).Mul(hundred), Unit: "%", Formula: "supply grade"}
			}
		}
		var v decimal.Decimal
		var st *Settlement
		if err == nil {
			v, st, err = NetValuePerTonne(ts, g, spot)
		}
		if err == nil && !v.IsPositive() {
			err = fmt.Errorf("NSR %s %s/dmt is not positive", v.Round(2), ts.Currency)
		}
		if err != nil {
			s.PriceSource = fmt.Sprintf("not at %s terms: %s", ts.ID, critmin.ErrorMessage(err))
			continue
		}
		parts := make([]string, 0, len(st.Lines))
		for _, l := range st.Lines {
			parts = append(parts, fmt.Sprintf("%s %s", l.Code, l.PerDMT.StringFixed(2)))
		}
		s.PricePerT, _ = v.Round(4).Float64()
		s.PriceBasis, s.Element = "tonne", ""
		s.PriceFrom, s.Terms = plan.PriceFromContract, ts.ID
		s.PriceSource = fmt.Sprintf("%s terms at spot prices of %s: NSR %s %s/dmt = %s", ts.ID, asOf, v.StringFixed(2), ts.Currency, strings.Join(parts, ", "))
		priced = append(priced, s.ID)
	}
	return priced
}

// PlanTerms puts the stored term sheets into a network, at the stored
// prices of asOf as spot: the sales contracts that name a term sheet are
// valued at its net value per dmt (ApplyTerms), the supplies a purchase
// contract covers at its terms on their assays (PriceSupplies), and every
// other supply at its price-table price (plan.Network.PriceFeeds); an
// unpriced supply left over is an error. It returns the contracts and
// the supplies priced at term sheets.
func (s *Service) PlanTerms(ctx context.Context, n *plan.Network, asOf time.Time) (contracts, supplies []string, err error) {
	list, err := s.ContractsAt(ctx, endOfDay(asOf)) // terms as recorded by then (fix13x)
	if err != nil {
		return nil, nil, err
	}
	prices, err := s.Prices(ctx)
	if err != nil {
		return nil, nil, err
	}
	spot := SpotPrices(prices, asOf)
	byID := map[string]*TermSheet{}
	for _, ts := range list {
		byID[ts.ID] = ts
	}
	if contracts, err = ApplyTerms(n, byID, spot); err != nil {
		return nil, nil, err
	}
	// Each lot's events and owners are read once for all its candidate
	// contracts (refusalCache), the answers InvoiceRefusal's.
	cache, now := newRefusalCache(), s.Now()
	supplies = PriceSupplies(n, list, spot, asOf.Format(time.DateOnly), func(lot string, ts *TermSheet) (map[string]Grade, error) {
		lf, g, err := s.LotGrades(ctx, lot, ts)
		if err != nil {
			return nil, err
		}
		if err := unknownNeeded(ts, g, lf.Unknown); err != nil {
			return nil, err
		}
		// Its moisture too: the excess-moisture deduction of its
		// settlement, on the quantity it settles on under ts
		// (SettlementQuantity: the outturn's moisture where the final
		// rests on the outturn; fix13w), else its loading moisture.
		var q *Quantity
		if ts != nil {
			if q, err = s.lotQuantity(ctx, ts, lf); err != nil {
				return nil, err
			}
		}
		if q != nil {
			g = withMoisture(g, q)
		} else {
			g = withLotMoisture(g, lf)
		}
		// A basket of the lot's commodity reads its shares from one
		// sample, as its settlement does (oneSample).
		for _, ts := range list {
			if ts.Basket != nil && ts.Commodity == lf.Commodity {
				if err := oneSample(ts.Basket, g, lf.Samples, false, lf.Lot); err != nil {
					return nil, err
				}
			}
		}
		return g, nil
	}, func(lot string) ([]string, error) {
		invs, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: lot})
		var ids []string
		for _, inv := range invs {
			ids = append(ids, inv.Contract)
		}
		return ids, err
	}, func(lot string, ts *TermSheet) error {
		key, err := LotKey(ctx, s.Store, lot)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return nil // not a ledger lot: nothing to check
		} else if err != nil {
			return err
		}
		l, err := s.Store.FindLot(ctx, key)
		if err != nil {
			return err
		}
		return s.invoiceRefusal(ctx, ts, l, now, cache)
	}, func(lot, contract string) (decimal.Decimal, decimal.Decimal, string, bool, error) {
		return s.finalValue(ctx, lot, contract)
	})
	if err := s.regradeSupplies(ctx, n, byID); err != nil {
		return nil, nil, err
	}
	return contracts, supplies, n.PriceFeeds()
}

// regradeSupplies sets each ledger lot's supply grade to the grades its
// assay exchange settles it on (fix13v): BestKnownGrades under the
// exchange terms of the contract the lot is invoiced under, else of the
// contract that priced the supply (Supply.Terms) — the one rule of the
// supply's price, the NSR, the exposure and the invoices — in place of
// the ledger's newest assay, which reads the umpire's result alone (Cu
// 21.9 %) where the contract settles at the mean of the umpire and the
// closer party (21.85 %). Only analytes the exchange gives a grade are
// replaced (plan.LedgerPull.Regrade); a lot no longer in the ledger is
// left as pulled.
func (s *Service) regradeSupplies(ctx context.Context, n *plan.Network, byID map[string]*TermSheet) error {
	if n.Ledger == nil {
		return nil
	}
	for i := range n.Supplies {
		sup := &n.Supplies[i]
		if sup.Lot == "" {
			continue
		}
		key, err := LotKey(ctx, s.Store, sup.Lot)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		l, err := s.Store.FindLot(ctx, key)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		_, g, err := s.LotGrades(ctx, key, byID[sup.Terms])
		if err != nil {
			return err
		}
		settled := map[string]critmin.Assay{}
		for a, v := range g {
			if !v.exchange || !validGradeUnit(v.Unit) {
				continue
			}
			f, _ := v.Value.Float64()
			settled[a] = critmin.Assay{Value: f, Unit: v.Unit, EventID: strings.Join(v.Events, " ")}
		}
		n.Ledger.Regrade(sup, l, settled)
	}
	return nil
}

// finalValue is a lot's value per dmt settled by its final invoice under
// contract, as corrected by the credit and debit notes issued against it:
// (the invoice's settlement value + Σ notes) ÷ the dmt of the last
// correction (the invoice's own dmt without a note), exact decimals, and
// that dmt; ok false when the lot has no final invoice under the
// contract. The invoice string names the notes too.
func (s *Service) finalValue(ctx context.Context, lot, contract string) (decimal.Decimal, decimal.Decimal, string, bool, error) {
	key, err := LotKey(ctx, s.Store, lot)
	if err != nil {
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return zero, zero, "", false, nil
		}
		return zero, zero, "", false, err
	}
	si, err := s.invoiceOf(ctx, contract, key, Final)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return zero, zero, "", false, nil
	} else if err != nil {
		return zero, zero, "", false, err
	}
	inv, err := decodeInvoice(si)
	if err != nil {
		return zero, zero, "", false, err
	}
	if inv.Settlement == nil || !inv.Settlement.DMT.IsPositive() {
		return zero, zero, "", false, nil
	}
	notes, err := s.Notes(ctx, inv.ID)
	if err != nil {
		return zero, zero, "", false, err
	}
	if err := checkNotes(inv, notes); err != nil {
		return zero, zero, "", false, err
	}
	value, dmt, name := inv.Settlement.Value, inv.Settlement.DMT, inv.ID
	if len(notes) > 0 {
		last := notes[len(notes)-1]
		value = value.Add(NoteTotals(notes))
		if last.DMT.IsPositive() {
			dmt = last.DMT
		}
		name = fmt.Sprintf("%s with %s (last %s)", inv.ID, Count(len(notes), "note"), last.ID)
	}
	return value.Div(dmt), dmt, name, true, nil
}

// planCurrency is a network's currency (USD when it names none).
func planCurrency(n *plan.Network) string {
	if n.Currency == "" {
		return "USD"
	}
	return n.Currency
}
