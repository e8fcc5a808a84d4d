package commercial

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/shopspring/decimal"
)

// Service is the Trade job over a store and the ledger: it keeps term
// sheets and price series, captures assay-exchange results and invoices as
// events of the lot, and settles lots from what the ledger knows.
type Service struct {
	Store  critmin.Store
	Ledger *ledger.Service
	// Now is the clock; tests inject a fixed one.
	Now func() time.Time
	// asOf, when set, is the end of the day (UTC) a valuation is taken
	// as of (ValueAsOf); zero is now.
	asOf time.Time
}

// NewService returns a Trade service over a ledger service's store.
func NewService(l *ledger.Service) *Service {
	return &Service{Store: l.Store, Ledger: l, Now: time.Now}
}

// consistentReader is a store whose read pool may lag its writes (a
// PostgreSQL replica, --db-read): ConsistentReads reads the primary.
type consistentReader interface {
	ConsistentReads() critmin.Store
}

// writer is the service whose reads decide a write: over the store's
// view that reads the primary (sqldb.DB.ConsistentReads) when its reads
// go to a replica. A replica shows the primary's commits only after its
// replay lag, so an invoice settled from it rested on a contract, price
// series or declaration older than the one the store's basis check reads
// in the write transaction (a spurious ECONFLICT), a final invoice found
// no provisional one, and a payment took an id already taken. What is
// read here is checked again in the write transaction where it can
// change (critmin.StoredInvoice.Basis, UpdateTradeDocs, SavePayment,
// SaveDeclaration).
func (s *Service) writer() *Service {
	c, ok := s.Store.(consistentReader)
	if !ok {
		return s
	}
	w := *s
	w.Store = c.ConsistentReads()
	return &w
}

// caseTwin rewords the store's refusal of an id that differs only in
// case from a stored one of its kind (critmin.TradeIDCaseTwin, checked in
// the write transaction so that racing writers cannot both pass) as an
// EINVALID naming field, the input the id came from, and what the
// document is; any other error is returned as is.
func caseTwin(err error, field, what string) error {
	var twin *critmin.TradeIDCaseTwin
	if !errors.As(err, &twin) {
		return err
	}
	return fieldErrorf(field, "%s %q differs only in case from the stored %s %q: ids are compared exactly, so this would be a second %s; use %q to change it or another id", what, twin.ID, what, twin.Stored, what, twin.Stored)
}

// SaveContract validates and stores a term sheet. A contract that already
// has invoices cannot be changed (ECONFLICT): its invoices rest on it. The
// store checks and writes in one transaction, serialised with invoices
// (critmin.TradeStore.SaveTradeDoc), so an edit racing an invoice cannot
// leave the invoice on replaced terms.
func (s *Service) SaveContract(ctx context.Context, body []byte) (*TermSheet, error) {
	s = s.writer()
	ts, err := parseTermSheet(body)
	if ts == nil {
		return nil, err
	}
	// Every fault at once: the sheet's own and its price series' (a
	// payable priced in another unit than its series is reported with a
	// TC basis unit fault, not only once that is fixed).
	serr := s.checkSeries(ctx, ts)
	if serr != nil && critmin.ErrorCode(serr) != critmin.EINVALID {
		return nil, serr
	}
	// Per-cent fields holding a fraction (0.1 meant 10 %), unless the
	// sheet confirms them (plausiblePerCents).
	if fe := plausiblePerCents(ts); len(fe) > 0 {
		fe = append(critmin.ErrorFields(serr), fe...)
		serr = &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("term sheet %q: %s: %s", ts.ID, fe[0].Pointer, fe[0].Reason), Fields: fe}
	}
	if err != nil || serr != nil {
		fe := critmin.ErrorFields(err)
		for _, f := range critmin.ErrorFields(serr) {
			if !slices.ContainsFunc(fe, func(g critmin.FieldError) bool { return g.Pointer == f.Pointer }) {
				fe = append(fe, f)
			}
		}
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("term sheet %q: %s: %s", ts.ID, fe[0].Pointer, fe[0].Reason), Fields: fe}
	}
	canon, _ := json.Marshal(ts)
	if err := s.Store.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradeContract, ID: ts.ID, Body: canon, SavedAt: s.Now().UTC()}); err != nil {
		return nil, caseTwin(err, "/id", "contract")
	}
	return ts, nil
}

// seriesOutOfRange judges every published row of series ps, which
// contract ts prices element from (at: the contract's field), against
// the element's plausible range (PriceBounds, PriceSeries.marketFaults,
// with the unit that would put a row in range): docs ask for prices to
// be imported before contracts, so the import could not judge a new
// series against a contract that did not exist yet (fix13q). A series
// out of range is refused at the contract's field, naming the series,
// how many rows, the first and the likely unit, unless ts.Confirm lists
// the field.
func seriesOutOfRange(ts *TermSheet, ps *PriceSeries, element, at string) (critmin.FieldError, bool) {
	lines := map[string]int{}
	published := 0
	for i, p := range ps.Points {
		lines[p.Date] = i + 1
		if p.Published {
			published++
		}
	}
	faults := ps.marketFaults(lines, [][2]string{{element, ts.ID}})
	if len(faults) == 0 {
		// Inside the range, a slip of a small factor (per-lb values in a
		// per-kg series, 2.2046) is judged against the rows' year.
		mass, votes, of, first := ps.referenceSlip(element)
		if mass == "" {
			return critmin.FieldError{}, false
		}
		su, _ := ParsePriceUnit(ps.Unit, "")
		likely := su.Currency + "/" + mass
		if su.Factor.LessThan(one) {
			likely = ps.Unit[:strings.Index(ps.Unit, "/")+1] + mass
		}
		return critmin.FieldError{Pointer: at, Reason: fmt.Sprintf("price series %s: %d of %d rows dated in a year with a reference price of %s are off it by about a unit factor and in line with it per %s, so the series is most likely in %s, not %s; the first: %s. Re-import the series in its true unit, or, if its prices are right, list %q in the term sheet's \"confirm\" (docs/trade.md, \"Plausible contract figures\")",
			ps.ID, votes, of, element, mass, likely, ps.Unit, first, at)}, true
	}
	first := faults[0].Reason
	if i := strings.Index(first, ". Import it in its unit"); i >= 0 {
		first = first[:i] // the import's advice; the contract's follows
	}
	return critmin.FieldError{Pointer: at, Reason: fmt.Sprintf("price series %s: %d of %d rows are outside the plausible range of %s, so the series is most likely in another unit than its label; the first: %s. Re-import the series in its true unit, or, if its prices are right, list %q in the term sheet's \"confirm\" (docs/trade.md, \"Plausible contract figures\")",
		ps.ID, len(faults), published, element, first, at)}, true
}

// seriesDocs returns the stored documents of the price series a term
// sheet names (payables and basket oxides), by id.
func seriesDocs(ts *TermSheet, docs map[string]*critmin.TradeDoc) []*critmin.TradeDoc {
	ids := map[string]bool{}
	for _, p := range ts.Payables {
		ids[p.Price.Series] = true
	}
	if b := ts.Basket; b != nil {
		for _, o := range b.Oxides {
			ids[o.Price.Series] = true
		}
	}
	var out []*critmin.TradeDoc
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		if d := docs[id]; d != nil {
			out = append(out, d)
		}
	}
	return out
}

// checkSeries checks that every price series a term sheet names is stored
// and quoted in the unit the contract prices it in (currency included),
// so that a contract is not frozen by its provisional invoice before a
// final settlement finds its price missing. Errors name each field.
func (s *Service) checkSeries(ctx context.Context, ts *TermSheet) error {
	type ref struct {
		at      string
		ref     PriceRef
		element string
	}
	var refs []ref
	for i, p := range ts.Payables {
		refs = append(refs, ref{fmt.Sprintf("/payables/%d/price", i), p.Price, p.Element})
	}
	if b := ts.Basket; b != nil {
		for i, o := range b.Oxides {
			refs = append(refs, ref{fmt.Sprintf("/basket/oxides/%d/price", i), o.Price, o.Oxide})
		}
	}
	var fe []critmin.FieldError
	for _, r := range refs {
		if r.ref.Series == "" {
			continue
		}
		ps, err := s.PriceSeries(ctx, r.ref.Series)
		switch {
		case critmin.ErrorCode(err) == critmin.ENOTFOUND:
			fe = append(fe, critmin.FieldError{Pointer: r.at + "/series", Reason: fmt.Sprintf("no price series %q is stored: import it first (critmin trade prices import)", r.ref.Series)})
		case err != nil:
			return err
		case ps.Unit != r.ref.Unit:
			fe = append(fe, critmin.FieldError{Pointer: r.at + "/unit", Reason: fmt.Sprintf("price series %s is quoted in %s, the contract prices in %s", ps.ID, ps.Unit, r.ref.Unit)})
		case !slices.Contains(ts.Confirm, r.at+"/series"):
			if f, ok := seriesOutOfRange(ts, ps, r.element, r.at+"/series"); ok {
				fe = append(fe, f)
			}
		}
	}
	// A TC or RC basis price is compared with its element's series
	// price: its stated unit must be the series' unit.
	basis := func(a Adjustment, element, at string) error {
		if a.BasisUnit == "" {
			return nil
		}
		for _, p := range ts.Payables {
			if p.Element != element || p.Price.Series == "" {
				continue
			}
			ps, err := s.PriceSeries(ctx, p.Price.Series)
			if critmin.ErrorCode(err) == critmin.ENOTFOUND {
				return nil // refused above, at the payable's series
			} else if err != nil {
				return err
			}
			if ps.Unit != a.BasisUnit {
				fe = append(fe, critmin.FieldError{Pointer: at + "/basis_unit", Reason: fmt.Sprintf("basis_price %s %s is compared with price series %s, quoted in %s: state the basis in %s", a.BasisPrice, a.BasisUnit, ps.ID, ps.Unit, ps.Unit)})
			}
		}
		return nil
	}
	if c := ts.TC; c != nil {
		if err := basis(c.Adjustment, c.Element, "/tc"); err != nil {
			return err
		}
	}
	for i, r := range ts.RC {
		if err := basis(r.Adjustment, r.Element, fmt.Sprintf("/rc/%d", i)); err != nil {
			return err
		}
	}
	if len(fe) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("term sheet %q: %s: %s", ts.ID, fe[0].Pointer, fe[0].Reason), Fields: fe}
	}
	return nil
}

// ClockSkew is how far ahead of the server's clock a date the caller
// gives (a payment date, an assay time) may be: time zones ahead of UTC
// and clocks a little fast. Later ones are refused as in the future.
const ClockSkew = 14 * time.Hour

// plainDecimal is an amount as people write it: digits, an optional point
// and fraction; no exponent (1e3), sign or thousands separator.
var plainDecimal = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// Contract returns a stored term sheet; ENOTFOUND if there is none.
func (s *Service) Contract(ctx context.Context, id string) (*TermSheet, error) {
	ts, _, err := s.contractDoc(ctx, id)
	return ts, err
}

// contractDoc returns a stored term sheet and its stored body (an
// invoice's basis, critmin.InvoiceBasis).
//
// On a service taking a view as of a past instant (s.asOf, ValueAsOf) it
// is the terms recorded by then (contractDocAt).
func (s *Service) contractDoc(ctx context.Context, id string) (*TermSheet, []byte, error) {
	return s.contractDocAt(ctx, id, s.asOf)
}

// ContractAt is Contract as recorded at instant at (zero: now): the
// version of its terms saved last by then (critmin.TradeContractVersions,
// transaction time), so that a valuation, exposure or progress as of a
// past day is not taken on terms edited since (issue 13, fix13x). A
// contract first saved after at is read in its first recorded terms (the
// earliest there are); one stored before versions were kept, in the
// terms it has.
func (s *Service) ContractAt(ctx context.Context, id string, at time.Time) (*TermSheet, error) {
	ts, _, err := s.contractDocAt(ctx, id, at)
	return ts, err
}

// contractDocAt is contractDoc as recorded at instant at (zero: now).
func (s *Service) contractDocAt(ctx context.Context, id string, at time.Time) (*TermSheet, []byte, error) {
	d, err := s.Store.FindTradeDoc(ctx, critmin.TradeContract, id)
	if err != nil {
		return nil, nil, err
	}
	if !at.IsZero() {
		if body, err := s.contractBodyAt(ctx, id, at); err != nil {
			return nil, nil, err
		} else if body != nil {
			d = &critmin.TradeDoc{Kind: d.Kind, ID: d.ID, Body: body, SavedAt: d.SavedAt}
		}
	}
	var ts TermSheet
	if err := json.Unmarshal(d.Body, &ts); err != nil {
		return nil, nil, fmt.Errorf("commercial: stored contract %s: %w", id, err)
	}
	// A sheet stored before symbols were canonicalised at input reads
	// as one stored since.
	ts.canonicalise()
	return &ts, d.Body, nil
}

// contractBodyAt is the body of contract id's version recorded last by
// instant at, the first version when none was recorded by then; nil when
// no versions are kept for it (a contract stored before they were: its
// stored body stands).
func (s *Service) contractBodyAt(ctx context.Context, id string, at time.Time) ([]byte, error) {
	vd, err := s.Store.FindTradeDoc(ctx, critmin.TradeContractVersions, id)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var versions []critmin.TradeDocVersion
	if err := json.Unmarshal(vd.Body, &versions); err != nil {
		return nil, fmt.Errorf("commercial: stored versions of contract %s: %w", id, err)
	}
	if len(versions) == 0 {
		return nil, nil
	}
	body := versions[0].Body
	for _, v := range versions {
		if !v.SavedAt.After(at) {
			body = v.Body
		}
	}
	return body, nil
}

// Contracts returns every stored term sheet by id.
func (s *Service) Contracts(ctx context.Context) ([]*TermSheet, error) {
	return s.ContractsAt(ctx, s.asOf)
}

// ContractsAt is Contracts with each term sheet as recorded at instant at
// (zero: now; ContractAt).
func (s *Service) ContractsAt(ctx context.Context, at time.Time) ([]*TermSheet, error) {
	docs, err := s.Store.ListTradeDocs(ctx, critmin.TradeContract)
	if err != nil {
		return nil, err
	}
	out := make([]*TermSheet, 0, len(docs))
	for _, d := range docs {
		if !at.IsZero() {
			body, err := s.contractBodyAt(ctx, d.ID, at)
			if err != nil {
				return nil, err
			}
			if body != nil {
				d = &critmin.TradeDoc{Kind: d.Kind, ID: d.ID, Body: body, SavedAt: d.SavedAt}
			}
		}
		var ts TermSheet
		if err := json.Unmarshal(d.Body, &ts); err != nil {
			return nil, fmt.Errorf("commercial: stored contract %s: %w", d.ID, err)
		}
		ts.canonicalise()
		out = append(out, &ts)
	}
	return out, nil
}

// ImportPrices imports price series from CSV (ImportPriceCSV) and merges
// them into the stored series: new days are added; a day stored with a
// different price, or a series whose unit, currency or frequency changes,
// is refused (ECONFLICT) before anything is written. The whole import is
// one store transaction (critmin.TradeStore.UpdateTradeDocs) that reads
// the stored series under the trade lock, so two imports into one series
// at once are merged one after the other: neither loses the other's days,
// and a day they quote differently is ECONFLICT for the second.
//
// A day inside the quotational period of an issued final invoice (its
// price facts' series and From…To) is refused (ECONFLICT naming the
// invoice): the period is closed. ImportPriceCorrections accepts it and
// records it in the series' Corrections, so that the lot's views flag the
// difference from the issued figures naming the day. (An invoice issued
// while the import runs is refused by its own basis check: the series'
// stored body changed.)
//
// A day after the import day (s.Now in UTC) is refused, naming its line
// and the date column, corrections included: no price is published ahead.
func (s *Service) ImportPrices(ctx context.Context, r io.Reader, defaults PriceSeries) ([]*PriceSeries, error) {
	return s.ImportPricesWith(ctx, r, defaults, PriceImportOptions{})
}

// ImportPricesWith is ImportPrices (or, with opt.Correction,
// ImportPriceCorrections) with the import's options. A row whose price
// jumps from its series' neighbours by about the ratio of two price
// units (PriceSeries.UnitSlips: a per-lb price in a per-kg series) is
// refused naming its line, the value column and the likely unit, unless
// opt.ConfirmUnitJumps.
func (s *Service) ImportPricesWith(ctx context.Context, r io.Reader, defaults PriceSeries, opt PriceImportOptions) ([]*PriceSeries, error) {
	return s.importPrices(ctx, r, defaults, opt)
}

// ImportPriceCorrections is ImportPrices for corrections: days inside a
// quotational period closed by an issued final invoice are accepted and
// recorded as corrections (PriceSeries.Corrections).
func (s *Service) ImportPriceCorrections(ctx context.Context, r io.Reader, defaults PriceSeries) ([]*PriceSeries, error) {
	return s.ImportPricesWith(ctx, r, defaults, PriceImportOptions{Correction: true})
}

// closedQPs maps a series id to the quotational periods of issued final
// invoices that price from it.
func (s *Service) closedQPs(ctx context.Context) (map[string][]closedQP, error) {
	return s.invoiceSpans(ctx, true)
}

// invoiceSpans maps a series id to the price spans [from, to] of the
// issued invoices that price from it: finals only, or every kind.
func (s *Service) invoiceSpans(ctx context.Context, finalOnly bool) (map[string][]closedQP, error) {
	sis, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{})
	if err != nil {
		return nil, err
	}
	out := map[string][]closedQP{}
	for _, si := range sis {
		if finalOnly && si.Kind != Final {
			continue
		}
		inv, err := decodeInvoice(si)
		if err != nil || inv.Settlement == nil {
			continue
		}
		for _, pf := range inv.Settlement.Prices {
			if pf.Series != "" && pf.From != "" && pf.To != "" {
				out[pf.Series] = append(out[pf.Series], closedQP{pf.From, pf.To, inv.ID})
			}
		}
	}
	return out, nil
}

type closedQP struct{ from, to, invoice string }

func (s *Service) importPrices(ctx context.Context, r io.Reader, defaults PriceSeries, opt PriceImportOptions) ([]*PriceSeries, error) {
	correction := opt.Correction
	now := s.Now().UTC()
	in, rowFaults, err := parsePriceCSV(r, defaults, now.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		// No row named a series: nothing to merge, the faults are all.
		return nil, fieldErrors(rowFaults)
	}
	s = s.writer()
	ids := make([]string, 0, len(in))
	for _, ns := range in {
		ids = append(ids, ns.ID)
	}
	var merged []*PriceSeries
	err = s.Store.UpdateTradeDocs(ctx, critmin.TradePrices, ids, func(ctx context.Context, stored map[string]*critmin.TradeDoc) ([]*critmin.TradeDoc, error) {
		// The closed quotational periods are read in the transaction
		// that writes: a final invoice committed before it is seen.
		closed, err := s.closedQPs(ctx)
		if err != nil {
			return nil, err
		}
		var issued map[string][]closedQP
		if correction {
			if issued, err = s.issuedSpans(ctx); err != nil {
				return nil, err
			}
		}
		merged = make([]*PriceSeries, 0, len(in))
		docs := make([]*critmin.TradeDoc, 0, len(in))
		// Metadata: a new series states all of it; a stored one inherits
		// what the file omits and refuses a change (mergeSeries).
		// Every fault of the file at once: its rows' and the new
		// series' metadata (unit, currency, source, frequency), by line.
		faults := append([]critmin.FieldError(nil), rowFaults...)
		for _, ns := range in {
			if stored[ns.ID] == nil {
				faults = append(faults, ns.metaFaults()...)
			}
		}
		if len(faults) > 0 {
			return nil, fieldErrors(byLine(faults))
		}
		var slips []critmin.FieldError // every unit slip of the file at once
		var priced map[string][][2]string
		if !opt.ConfirmUnitJumps {
			contracts, err := s.Contracts(ctx)
			if err != nil {
				return nil, err
			}
			priced = pricedFrom(contracts)
		}
		for _, ns := range in {
			ps, err := mergeSeries(stored[ns.ID], ns, closed[ns.ID], issued[ns.ID], correction, now)
			if err != nil {
				return nil, err
			}
			if err := ps.Validate(); err != nil {
				return nil, err
			}
			if !opt.ConfirmUnitJumps {
				slips = append(slips, ps.unitSlipFaults(ns.lines)...)
				slips = append(slips, ps.marketFaults(ns.lines, priced[ps.ID])...)
			}
			b, _ := json.Marshal(ps)
			merged = append(merged, ps)
			docs = append(docs, &critmin.TradeDoc{Kind: critmin.TradePrices, ID: ps.ID, Body: b, SavedAt: now})
		}
		if len(slips) > 0 {
			return nil, fieldErrors(byLine(slips))
		}
		return docs, nil
	})
	if err != nil {
		return nil, caseTwin(err, "series", "price series")
	}
	return merged, nil
}

// mergeSeries merges an imported series into the stored one (nil: none).
// A new day inside one of closed (quotational periods of issued final
// invoices) is ECONFLICT unless correction, when it is recorded in the
// series' Corrections at now. A stored day given another value is
// ECONFLICT unless correction, when it is revised (PriceSeries.revise) and
// the issued invoices resting on it (issued: every invoice's price spans)
// recorded.
func mergeSeries(d *critmin.TradeDoc, ns *PriceSeries, closed, issued []closedQP, correction bool, now time.Time) (*PriceSeries, error) {
	if d == nil {
		return ns, nil
	}
	var old PriceSeries
	if err := json.Unmarshal(d.Body, &old); err != nil {
		return nil, fmt.Errorf("commercial: stored series %s: %w", d.ID, err)
	}
	// Metadata the file omits is the stored series'; metadata it states
	// must be the stored one: the stored days, and the invoices issued on
	// them, rest on it, so an import never changes it (ECONFLICT naming
	// each difference).
	var diffs []string
	for _, m := range []struct {
		name     string
		old, new *string
	}{{"source", &old.Source, &ns.Source}, {"unit", &old.Unit, &ns.Unit}, {"currency", &old.Currency, &ns.Currency}, {"frequency", &old.Frequency, &ns.Frequency}, {"name", &old.Name, &ns.Name}} {
		if !ns.given[m.name] {
			*m.new = *m.old
		} else if *m.new != *m.old {
			diffs = append(diffs, fmt.Sprintf("%s %q (the file says %q)", m.name, *m.old, *m.new))
		}
	}
	if ns.given["illustrative"] && ns.Illustrative != old.Illustrative {
		diffs = append(diffs, fmt.Sprintf("illustrative %t (the file says %t)", old.Illustrative, ns.Illustrative))
	}
	if len(diffs) > 0 {
		return nil, critmin.Errorf(critmin.ECONFLICT, "series %s is stored with %s: an import adds days to a series and never changes its metadata, on which its stored days and the invoices issued on them rest; omit the column to keep the stored value, or import under a new series id", ns.ID, strings.Join(diffs, ", "))
	}
	have := map[string]PricePoint{}
	for _, p := range old.Points {
		have[p.Date] = p
	}
	for _, p := range ns.Points {
		if h, ok := have[p.Date]; ok {
			switch {
			case samePoint(h, p):
			case !correction:
				return nil, conflictingDay(ns.ID, h, p)
			default:
				old.revise(h, p, restingOn(issued, p.Date), now)
			}
			continue
		}
		var by []string
		for _, c := range closed {
			if p.Date >= c.from && p.Date <= c.to {
				by = append(by, c.invoice)
			}
		}
		if len(by) > 0 {
			if !correction {
				return nil, critmin.Errorf(critmin.ECONFLICT, "series %s: %s lies in the quotational period closed by final invoice %s (issued): import it as a correction (CLI --correction, API ?correction=true) to record it; the lot's views will then flag the difference from the issued figures", ns.ID, p.Date, strings.Join(by, ", "))
			}
			old.Corrections = append(old.Corrections, PriceCorrection{Date: p.Date, ImportedAt: now, Invoices: by})
		}
		old.Points = append(old.Points, p)
	}
	return &old, nil
}

// PriceSeries returns a stored series; ENOTFOUND if there is none.
func (s *Service) PriceSeries(ctx context.Context, id string) (*PriceSeries, error) {
	d, err := s.Store.FindTradeDoc(ctx, critmin.TradePrices, id)
	if err != nil {
		return nil, err
	}
	var ps PriceSeries
	if err := json.Unmarshal(d.Body, &ps); err != nil {
		return nil, fmt.Errorf("commercial: stored series %s: %w", id, err)
	}
	return &ps, nil
}

// Prices returns every stored series by id.
func (s *Service) Prices(ctx context.Context) (map[string]*PriceSeries, error) {
	out, _, err := s.pricesAndDocs(ctx)
	return out, err
}

// pricesAndDocs returns every stored series by id and their documents as
// stored (an invoice's basis, critmin.InvoiceBasis).
func (s *Service) pricesAndDocs(ctx context.Context) (map[string]*PriceSeries, map[string]*critmin.TradeDoc, error) {
	docs, err := s.Store.ListTradeDocs(ctx, critmin.TradePrices)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]*PriceSeries{}
	byID := map[string]*critmin.TradeDoc{}
	for _, d := range docs {
		var ps PriceSeries
		if err := json.Unmarshal(d.Body, &ps); err != nil {
			return nil, nil, fmt.Errorf("commercial: stored series %s: %w", d.ID, err)
		}
		out[ps.ID], byID[d.ID] = &ps, d
	}
	return out, byID, nil
}

// SubmitAssays captures one party's assay-exchange results as an event of
// the lot (so they are in the ledger and its hash chain) and returns the
// event id. The lot must exist.
func (s *Service) SubmitAssays(ctx context.Context, sub *ExchangeSubmission) (string, error) {
	s = s.writer()
	// The fields first (ExchangeSubmission.Validate, shared with the
	// CLI): a request missing its party is a 400 naming party, whatever
	// the lot already holds.
	if err := sub.Validate(); err != nil {
		return "", err
	}
	key, err := LotKey(ctx, s.Store, sub.Lot)
	if err != nil {
		return "", err
	}
	sub.Lot = key
	// A lot is exchanged as a whole or by sublots, not both (SettleAssays
	// refuses the mix too, for results captured directly as events).
	lf, err := LotFactsFromEvents(ctx, s.Store, key)
	if err != nil {
		return "", err
	}
	// A sublot id differing only in case from one already reported
	// is a typing slip, not another sublot: refused, naming it.
	for _, r := range lf.Results {
		if sub.Sublot != "" && r.Sublot != sub.Sublot && strings.EqualFold(r.Sublot, sub.Sublot) {
			return "", fieldErrorf("sublot", "%q differs only in case from sublot %q of lot %s (the %s's result, event %s): sublot ids are compared exactly, so write %q for that sublot", sub.Sublot, r.Sublot, key, r.Party, r.EventID, r.Sublot)
		}
	}
	for _, r := range lf.Results {
		if (r.Sublot == "") != (sub.Sublot == "") {
			this := "a whole-lot result"
			if sub.Sublot != "" {
				this = fmt.Sprintf("a result for sublot %q", sub.Sublot)
			}
			return "", conflictAt("sublot", "lot %s already has the %s's %s result for %s (event %s); this submission is %s: a lot is exchanged as a whole or by sublots, not both — declare the earlier events in error (errorDeclaration) first to change how the lot is exchanged", key, r.Party, r.Analyte, sublotLabel(r.Sublot), r.EventID, this)
		}
	}
	if err := s.exchangeAllowed(ctx, sub); err != nil {
		return "", err
	}
	if err := s.checkSubmission(ctx, sub); err != nil {
		return "", err
	}
	if sub.Party == Umpire {
		if err := s.umpireNeeded(ctx, lf, sub); err != nil {
			return "", err
		}
	}
	// The set after each result's unit (checkSubmission names a unit
	// slip first: Au 2 % on a copper concentrate is "did you mean Au 2
	// g/t?", not only a sum over 100 %).
	set := map[string]Grade{}
	for _, r := range sub.Results {
		set[r.Analyte] = Grade{Value: r.Value, Unit: r.Unit}
	}
	if err := checkGradeSet(set, "results"); err != nil {
		return "", err
	}
	if now := s.Now(); sub.At.After(now.Add(ClockSkew)) {
		return "", fieldErrorf("at", "%s is in the future (now is %s): a result is captured once the laboratory has reported it", sub.At.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	// One party states one fact (its results for the lot or sublot at
	// a time) once. A statement captured before fact ids (or directly as
	// an event) is found among the lot's live results; one with a fact id
	// by that id, skipping generations declared in error.
	sub.At = sub.At.Truncate(time.Millisecond) // eventTime's precision
	for _, r := range lf.Results {
		if r.Party == sub.Party && r.Sublot == sub.Sublot && r.at.Equal(sub.At) {
			if same, err := s.sameStatement(ctx, r.EventID, sub); err != nil {
				return "", err
			} else if same {
				return r.EventID, nil
			}
			return "", s.restated(ctx, r.EventID, sub)
		}
	}
	gen := 0
	for ; ; gen++ {
		evs, err := s.Store.FindEventsByID(ctx, exchangeEventID(sub, gen))
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			break
		} else if err != nil {
			return "", err
		}
		if len(evs) > 1 || evs[0].DeclaredInError != nil {
			continue // declared in error: the next statement is the next generation
		}
		id := evs[0].EventID
		if same, err := s.sameStatement(ctx, id, sub); err != nil {
			return "", err
		} else if same {
			return id, nil
		}
		return "", s.restated(ctx, id, sub)
	}
	doc, id, err := exchangeDocument(sub, gen)
	if err != nil {
		return "", err
	}
	job, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: doc, Token: "trade"})
	var conflict *critmin.EventContentConflict
	if errors.As(err, &conflict) && conflict.EventID == id {
		// Another submission of the fact with other values committed
		// first (the unique eventID, in the capture's transaction): the
		// capture refused this one, as a second statement of the fact.
		return "", s.restated(ctx, id, sub)
	}
	if err != nil {
		return "", err
	}
	if slices.Contains(job.Duplicates, id) {
		// Another submission of the fact committed first (the unique
		// eventID, in the capture's transaction): this one was not
		// stored. The same values are the same statement; others are
		// refused.
		if same, err := s.sameStatement(ctx, id, sub); err != nil {
			return "", err
		} else if !same {
			return "", s.restated(ctx, id, sub)
		}
	}
	return id, nil
}

// sameStatement reports whether the stored event id states sub's
// results: the same analytes with the same values, units and lab (and
// sublot weight).
func (s *Service) sameStatement(ctx context.Context, id string, sub *ExchangeSubmission) (bool, error) {
	stored, err := s.statementOf(ctx, id, sub)
	if err != nil {
		return false, err
	}
	return stored == statementOfSubmission(sub), nil
}

// restated is the refusal of a second statement of one fact by one party:
// ECONFLICT (409) naming the lot, party, time and the stored event with
// its values, and how to change it.
func (s *Service) restated(ctx context.Context, id string, sub *ExchangeSubmission) error {
	stored, err := s.statementOf(ctx, id, sub)
	if err != nil {
		return err
	}
	return conflictAt("results", "lot %s: the %s already stated its results for %s at %s (event %s: %s); this submission states %s: one party states one fact once — to change it, declare event %s in error (errorDeclaration, EPCIS 2.0 §7.4.1.2) and submit again; report every analyte of one report in one submission",
		sub.Lot, sub.Party, sublotLabel(sub.Sublot), sub.At.UTC().Format(time.RFC3339Nano), id, stored, statementOfSubmission(sub), id)
}

// statementOf writes the exchange results the lot's live event id states
// for sub's party in a canonical form ("Cu 24.1 % (lab L)", sorted) for
// comparison and messages.
func (s *Service) statementOf(ctx context.Context, id string, sub *ExchangeSubmission) (string, error) {
	lf, err := LotFactsFromEvents(ctx, s.Store, sub.Lot)
	if err != nil {
		return "", err
	}
	w := ""
	for _, sl := range lf.Sublots {
		for _, r := range sl.Reports {
			if r.EventID == id {
				w = ", sublot " + r.DMT.String() + " dmt"
			}
		}
	}
	var parts []string
	for _, r := range lf.Results {
		if r.EventID == id && r.Party == sub.Party {
			parts = append(parts, fmt.Sprintf("%s %s %s (lab %s%s)", r.Analyte, r.Value, r.Unit, r.Lab, w))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", "), nil
}

// statementOfSubmission is statementOf for a submission not yet stored.
func statementOfSubmission(sub *ExchangeSubmission) string {
	var parts []string
	for _, r := range sub.Results {
		w := ""
		if sub.Sublot != "" && sub.SublotDMT != nil {
			w = ", sublot " + sub.SublotDMT.String() + " dmt"
		}
		v, _ := r.Value.Float64()
		parts = append(parts, fmt.Sprintf("%s %s %s (lab %s%s)", r.Analyte, decimal.NewFromFloat(v), r.Unit, sub.Lab, w))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// Declare records a QP declaration for an element of a lot, after checking
// it against the contract and the lot. The declaration is dated when it is
// recorded (s.Now, the server's clock: DeclaredAt given by the caller is
// overwritten), so it cannot be backdated. It is refused (EINVALID, naming
// the field) when:
//
//   - the element is neither "*" nor an element the contract pays for;
//   - the month is not the contract's month or one of its options, or the
//     party is not the one the contract lets declare;
//   - the lot has a bill of lading and today (UTC) is after its date: a
//     declaration is made no later than the B/L date (the contract's
//     declaration rule, checked here and again at settlement);
//   - the lot already has a final invoice under the contract: the final
//     settlement is fixed, and a declaration would change it (checked by
//     the store atomically with the write: critmin.TradeStore).
func (s *Service) Declare(ctx context.Context, d *critmin.QPDeclaration) error {
	s = s.writer()
	ts, err := s.Contract(ctx, d.Contract)
	if err != nil {
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return fieldErrorf("contract", "no contract %q", d.Contract)
		}
		return err
	}
	d.DeclaredAt = s.Now().UTC().Truncate(time.Millisecond)
	key, err := LotKey(ctx, s.Store, d.Lot)
	if err != nil {
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return fieldErrorf("lot", "no lot %q", d.Lot)
		}
		return err
	}
	d.Lot = key
	qp := &ts.QP
	d.Element = elementSpelling(d.Element)
	paid := d.Element == "*"
	var fixed []string
	for _, p := range ts.Payables {
		if p.Price.Fixed != nil && (d.Element == "*" || p.Element == d.Element) {
			fixed = append(fixed, fmt.Sprintf("%s at a fixed price of %s %s", p.Element, p.Price.Fixed, p.Price.Unit))
		}
		if p.Element == d.Element {
			paid = true
			if p.QP != nil {
				qp = p.QP
			}
		}
	}
	if !paid {
		els := make([]string, 0, len(ts.Payables))
		for _, p := range ts.Payables {
			els = append(els, p.Element)
		}
		return fieldErrorf("element", "contract %s pays for %s, not %q: there is no quotational period to declare", ts.ID, wordList(els, "and"), d.Element)
	}
	// A fixed price is agreed, not averaged over a quotational period:
	// declaring a month for it would change nothing (every element, "*",
	// only when all are fixed).
	if len(fixed) > 0 && (d.Element != "*" || len(fixed) == len(ts.Payables)) {
		return fieldErrorf("element", "contract %s pays %s: a fixed-price contract's price is agreed, not averaged over a quotational period, so there is no quotational period to declare", ts.ID, wordList(fixed, "and"))
	}
	if from, to, ok := qp.span(); ok {
		return fieldErrorf("element", "contract %s prices %s over explicit quotational periods (%s…%s), not a month: there is no quotational period to declare", ts.ID, d.Element, from, to)
	}
	ok := d.Month == qp.Month
	for _, o := range qp.Options {
		ok = ok || o == d.Month
	}
	if !ok {
		return fieldErrorf("month", "month %+d is not among the declaration options %s of contract %s", d.Month, monthOptions(qp.Options), ts.ID)
	}
	if d.Party != qp.DeclaredBy {
		return fieldErrorf("party", "contract %s lets the %q declare, not the %q", ts.ID, qp.DeclaredBy, d.Party)
	}
	lf, err := LotFactsFromEvents(ctx, s.Store, d.Lot)
	if err != nil {
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return fieldErrorf("lot", "no lot %q", d.Lot)
		}
		return err
	}
	if !lf.BLDate.IsZero() {
		if today, bl := d.DeclaredAt.Format(time.DateOnly), lf.BLDate.UTC().Format(time.DateOnly); today > bl {
			return fieldErrorf("lot", "lot %s was shipped on %s (B/L date); a declaration is made no later than the B/L date, and today is %s", d.Lot, bl, today)
		}
	}
	// The store refuses a declaration once the lot has its final invoice,
	// and a second one unless the contract allows it, checked in the
	// transaction that writes (a final invoice or a declaration racing).
	d.Redeclare = qp.Redeclare
	return rooted(s.Store.SaveDeclaration(ctx, d))
}

// wordList writes items for a sentence: "Cu", "Cu and Au", "Cu, Au and
// Ag" (conj "and" or "or"), never a Go slice's "[Cu Au]".
func wordList(items []string, conj string) string {
	switch len(items) {
	case 0:
		return "none"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}

// monthOptions writes a QP's declaration options as signed months for a
// sentence: "+0, +1 or +2" (months after the shipment or arrival month).
func monthOptions(opts []int) string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = fmt.Sprintf("%+d", o)
	}
	return wordList(out, "or")
}

// Valuation is a lot under a contract: the provisional settlement, the
// final one when its data are complete (else Missing says why), the
// invoices issued so far, and the headline figures.
type Valuation struct {
	Contract    string      `json:"contract"`
	Lot         string      `json:"lot"`
	Currency    string      `json:"currency"`
	Facts       *LotFacts   `json:"lot_facts"`
	Provisional *Settlement `json:"provisional"`
	Final       *Settlement `json:"final,omitempty"`
	Missing     string      `json:"final_missing,omitempty"`
	Invoices    []*Invoice  `json:"invoices"`
	// Notes are the credit and debit notes issued against the final
	// invoice (IssueNote), in order; never null.
	Notes []*Note `json:"notes"`
	// AsOf is the day the valuation is taken as of (ValueAsOf); absent
	// for the valuation on current data.
	AsOf         string           `json:"as_of,omitempty"`
	DMT          decimal.Decimal  `json:"dmt"`
	NSRPerDMT    decimal.Decimal  `json:"nsr_per_dmt"`
	LotValue     decimal.Decimal  `json:"lot_value"`
	ProvAmount   decimal.Decimal  `json:"provisional_amount"`
	FinalBalance *decimal.Decimal `json:"final_balance"`
	Lines        []Line           `json:"lines"`
	// Figures says where the headline figures come from: "issued final
	// invoice ID" once a final invoice is issued (an issued invoice is a
	// document: its figures stand), else "current data".
	Figures string `json:"figures"`
	// CurrentDiffers is set when a final invoice is issued and the current
	// data (a price imported into its closed quotational period as a
	// correction, a changed event) give a different final value.
	CurrentDiffers *Difference `json:"current_differs,omitempty"`
	// NotComputable says why the lot cannot be settled on current data
	// (an event its invoices rest on was declared in error, so the B/L
	// date or an assay is gone); the invoices are still listed.
	NotComputable string `json:"not_computable,omitempty"`
	// Retracted are the retracted events the lot's invoices rest on.
	Retracted []RetractedEvent `json:"retracted_events,omitempty"`
	// Basis is the settlement the headline figures (dmt, nsr_per_dmt,
	// lot_value, lines) come from: "final" (the final settlement on
	// current data, or the issued final invoice) or "provisional" (the
	// final one cannot be computed yet: final_missing says why). Empty
	// when the lot is not computable.
	Basis string `json:"basis,omitempty"`
	// InvoicedUnder names the other contract the lot is invoiced under
	// (a lot is invoiced under one contract): this contract can never
	// invoice it, so WhatIf is set and every figure is hypothetical.
	InvoicedUnder string `json:"invoiced_under,omitempty"`
	// WhatIf is set when the contract cannot invoice the lot (Issue would
	// refuse: Service.InvoiceRefusal); WhyNot is the refusal, also the
	// first of the warnings.
	WhatIf bool   `json:"what_if"`
	WhyNot string `json:"why_not_invoiceable,omitempty"`
	// Warnings are what a reader must know of the valuation as a whole
	// (a what-if valuation) followed by the headline settlement's own;
	// never null.
	Warnings []string `json:"warnings"`
	// Acceptable is set when the settlement missing (the provisional not
	// computable, or the final missing) is refused by a plausibility
	// check a person may accept (Acceptance): which invoice, which check
	// and the refusal, so that the settlement page offers to accept it.
	Acceptable *AcceptableRefusal `json:"acceptable,omitempty"`
}

// AcceptableRefusal is a refusal of a settlement that a person may accept
// (Service.IssueAccepting).
type AcceptableRefusal struct {
	Kind    string `json:"kind"`
	Check   string `json:"check"`
	Refusal string `json:"refusal"`
}

// Acceptable is the refusal err of a kind settlement when a person may
// accept it (Service.IssueAccepting), else nil.
func Acceptable(kind string, err error) *AcceptableRefusal {
	var de *DryGainError
	if !errors.As(err, &de) || de.Check == "" {
		return nil
	}
	return &AcceptableRefusal{Kind: kind, Check: de.Check, Refusal: critmin.ErrorMessage(de.Err)}
}

// Difference is what current data give against an issued final invoice:
// the current lot value and final balance, both null when current data no
// longer settle the lot (Reason says why; the issued figures are the
// valuation's headline, never repeated here as if current).
type Difference struct {
	LotValue     *decimal.Decimal `json:"lot_value"`
	FinalBalance *decimal.Decimal `json:"final_balance"`
	Reason       string           `json:"reason"`
}

// Value settles a lot under a stored contract from the ledger and the
// stored prices. The provisional settlement must succeed; the final one is
// reported as missing (with the reason) while its data are incomplete.
// Headline figures are the final ones when available.
func (s *Service) Value(ctx context.Context, contract, lot string) (*Valuation, *TermSheet, error) {
	ts, err := s.Contract(ctx, contract)
	if err != nil {
		return nil, nil, err
	}
	return s.ValueUnder(ctx, ts, lot)
}

// ValueUnder is Value under a term sheet that need not be stored. A term
// sheet with the id of a stored contract must be that contract's terms:
// the lot's invoices under the id were issued on the stored terms, and a
// valuation mixing them with other terms (a provisional amount at the
// stored 85 %, a lot value at the file's 50 %) would be neither (EINVALID
// on terms; a what-if term sheet takes its own id).
func (s *Service) ValueUnder(ctx context.Context, ts *TermSheet, lot string) (*Valuation, *TermSheet, error) {
	same, _, err := s.contractDoc(ctx, ts.ID)
	switch {
	case critmin.ErrorCode(err) == critmin.ENOTFOUND:
	case err != nil:
		return nil, nil, err
	default:
		a, _ := json.Marshal(same)
		b, _ := json.Marshal(ts)
		if !bytes.Equal(a, b) {
			if !s.asOf.IsZero() {
				// As of a day: the terms recorded by then (ContractAt).
				return nil, nil, fieldErrorf("terms", "term sheet %q differs from the stored contract %s as recorded by %s, whose terms its valuation then rests on: give a what-if term sheet its own id", ts.ID, ts.ID, s.asOf.UTC().Format(time.DateOnly))
			}
			return nil, nil, fieldErrorf("terms", "term sheet %q differs from the stored contract %s, whose terms its invoices rest on: give a what-if term sheet its own id", ts.ID, ts.ID)
		}
	}
	lf, err := lotFactsAsOf(ctx, s.Store, lot, s.asOf)
	if err != nil {
		if critmin.ErrorCode(err) == critmin.EINVALID {
			return s.notComputable(ctx, ts, lot, err)
		}
		return nil, nil, err
	}
	lot = lf.Lot
	prices, err := s.Prices(ctx)
	if err != nil {
		return nil, nil, err
	}
	decl, err := s.declarations(ctx, ts.ID, lot)
	if err != nil {
		return nil, nil, err
	}
	if !s.asOf.IsZero() {
		prices, decl = pricesUpTo(prices, s.asOf), declaredBy(decl, s.asOf)
	}
	v := &Valuation{Contract: ts.ID, Lot: lot, Currency: ts.Currency, Facts: lf}
	if !s.asOf.IsZero() {
		v.AsOf = s.asOf.Format(time.DateOnly)
	}
	if lf.Commodity != "" && ts.Commodity != "" && lf.Commodity != ts.Commodity {
		return nil, nil, fieldErrorf("lot", "lot %s is %s; contract %s is for %s", lot, lf.Commodity, ts.ID, ts.Commodity)
	}
	// The acceptances kept with the lot's invoices under the contract
	// stand for its valuation too: a lot whose provisional was issued on
	// an accepted moisture is valued on it, not refused.
	accepted, err := s.acceptedOn(ctx, ts.ID, lot)
	if err != nil {
		return nil, nil, err
	}
	v.Provisional, err = Settle(ts, lf, SettleOptions{Kind: Provisional, Prices: prices, Declarations: decl, inherited: accepted})
	if c := dataConflict("lot "+lot+" not settled", err); c != nil {
		err = c
	}
	if err != nil {
		if code := critmin.ErrorCode(err); code == critmin.EINVALID || code == critmin.ECONFLICT {
			nv, nts, nerr := s.notComputable(ctx, ts, lot, err)
			if nv != nil {
				nv.Acceptable = Acceptable(Provisional, err)
			}
			return nv, nts, nerr
		}
		return nil, nil, err
	}
	v.Final, err = Settle(ts, lf, SettleOptions{Kind: Final, Prices: prices, Declarations: decl, inherited: accepted})
	if err != nil {
		if critmin.ErrorCode(err) != critmin.EINVALID {
			return nil, nil, err
		}
		v.Final, v.Missing = nil, critmin.ErrorMessage(err)
		v.Acceptable = Acceptable(Final, err)
	}
	stored, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Contract: ts.ID, Lot: lot})
	if err != nil {
		return nil, nil, err
	}
	var prov, fin *Invoice
	for _, si := range stored {
		if !s.asOf.IsZero() && si.IssuedAt.After(s.asOf) {
			continue // not issued as of the day: it did not exist then
		}
		inv, err := s.verified(ctx, si)
		if err != nil {
			return nil, nil, err
		}
		v.Invoices = append(v.Invoices, inv)
		v.Retracted = mergeRetracted(v.Retracted, inv)
		switch inv.Kind {
		case Provisional:
			prov = inv
		case Final:
			fin = inv
		}
	}
	if !s.asOf.IsZero() && len(v.Invoices) == 0 {
		stored = nil // none issued by the day: what-if as then
	}
	head := v.Provisional
	v.Basis = Provisional
	if v.Final != nil {
		head, v.Basis = v.Final, Final
	}
	v.DMT, v.NSRPerDMT, v.LotValue, v.Lines = head.DMT, head.NSRPerDMT, head.Value, head.Lines
	v.Figures = "current data"
	v.Warnings = []string{}
	if len(stored) == 0 {
		// A pairing Issue refuses (InvoiceRefusal: a lot invoiced under
		// another contract, one the seller did not own at delivery, one
		// of another commodity) is never invoiced under this contract:
		// the figures are what the lot would be worth here, a what-if.
		l, err := s.Store.FindLot(ctx, lot)
		if err != nil {
			return nil, nil, err
		}
		if why := s.InvoiceRefusal(ctx, ts, l, s.Now()); why != nil {
			if !refusal(why) {
				return nil, nil, why
			}
			if other, err := s.invoicedElsewhere(ctx, ts.ID, lot); err != nil {
				return nil, nil, err
			} else if other != nil {
				v.InvoicedUnder = other.Contract
			}
			v.WhatIf = true
			v.WhyNot = critmin.ErrorMessage(why)
			v.Figures = "what-if under " + ts.ID + " (contract " + ts.ID + " cannot invoice the lot)"
			if v.InvoicedUnder != "" {
				v.Figures = "what-if under " + ts.ID + " (the lot is invoiced under " + v.InvoicedUnder + ")"
			}
			v.Warnings = append(v.Warnings, fmt.Sprintf("contract %s cannot invoice lot %s: %s; every figure here is hypothetical (what-if under %s)", ts.ID, lot, v.WhyNot, ts.ID))
		}
	}
	v.Warnings = append(v.Warnings, head.Warnings...)
	if prov != nil {
		v.ProvAmount = prov.Total
	} else {
		v.ProvAmount = ts.round(v.Provisional.Value.Mul(pct(ts.Payment.ProvisionalPct)))
	}
	if v.Final != nil {
		b := v.Final.Value.Sub(v.ProvAmount)
		v.FinalBalance = &b
	}
	v.Notes = []*Note{}
	if fin != nil && fin.Settlement != nil {
		// An issued final invoice is a document: the headline shows its
		// figures, corrected by the credit and debit notes issued against
		// it (each a document too); current data that differ from them
		// are flagged, not substituted, until a note invoices the change.
		if v.Notes, err = s.Notes(ctx, fin.ID); err != nil {
			return nil, nil, err
		}
		if !s.asOf.IsZero() {
			v.Notes = slices.DeleteFunc(v.Notes, func(n *Note) bool { return n.IssuedAt.After(s.asOf) })
		}
		if err := checkNotes(fin, v.Notes); err != nil {
			return nil, nil, err
		}
		st := fin.Settlement
		corr := NoteTotals(v.Notes)
		v.DMT, v.NSRPerDMT, v.LotValue, v.Lines = st.DMT, st.NSRPerDMT, st.Value.Add(corr), st.Lines
		if len(v.Notes) > 0 {
			// The headline is the corrected settlement's: the last
			// note's dmt and its value per dmt (lot value ÷ dmt, to 4
			// places), so that lot_value = dmt × nsr_per_dmt holds
			// (checkHeadline) after a note that changed the weight.
			if last := v.Notes[len(v.Notes)-1]; last.DMT.IsPositive() {
				v.DMT = last.DMT
			}
			if v.DMT.IsPositive() {
				v.NSRPerDMT = v.LotValue.Div(v.DMT).Round(4)
			}
		}
		b := fin.Total.Add(corr)
		v.FinalBalance = &b
		v.Figures = "issued final invoice " + fin.ID
		if len(v.Notes) > 0 {
			v.Lines = slices.Clone(st.Lines)
			for _, n := range v.Notes {
				for _, l := range n.Lines {
					l.Code, l.Label = "note_"+l.Code, fmt.Sprintf("%s %s: %s", n.Title(), n.ID, l.Label)
					v.Lines = append(v.Lines, l)
				}
			}
			v.Figures += fmt.Sprintf(" with %s (%s %s)", Count(len(v.Notes), "note"), signed(corr), ts.Currency)
		}
		v.Basis = Final
		v.Warnings = resolvedWarnings(st.Warnings, v.Notes, v.Final, v.LotValue)
		switch {
		case v.Final == nil:
			v.CurrentDiffers = &Difference{Reason: "current data no longer settle the lot: " + v.Missing}
		case !v.Final.Value.Equal(v.LotValue):
			lv, bal := v.Final.Value, v.Final.Value.Sub(v.ProvAmount)
			v.CurrentDiffers = &Difference{LotValue: &lv, FinalBalance: &bal,
				Reason: fmt.Sprintf("current data give a final value of %s %s (balance %s) against the invoiced %s (balance %s): %s; issue a credit or debit note for the difference (%s %s)", v.Final.Value, ts.Currency, v.Final.Value.Sub(v.ProvAmount), v.LotValue, b, lateChanges(fin, v.Final, prices), signed(v.Final.Value.Sub(v.LotValue)), ts.Currency)}
		}
	}
	if err := v.CheckHeadline(minorPlaces(ts)); err != nil {
		return nil, nil, err
	}
	return v, ts, nil
}

// resolvedWarnings are the warnings of an issued final invoice's
// settlement (warnings) as the lot's view shows them once notes were
// issued against it (fix13v): when the notes have brought the invoiced
// value to what current data settle (current, its value equal to the
// corrected lotValue), a warning the current settlement no longer raises
// — a discharge settlement on the loading moisture whose receipt was
// corrected with its own, say — is shown resolved by the last note;
// one it still raises stays as it was. Without notes, or while current
// data differ from the corrected value, the warnings stand.
func resolvedWarnings(warnings []string, notes []*Note, current *Settlement, lotValue decimal.Decimal) []string {
	out := append([]string{}, warnings...)
	if len(notes) == 0 || current == nil || !current.Value.Equal(lotValue) {
		return out
	}
	last := notes[len(notes)-1]
	for i, w := range out {
		if !slices.Contains(current.Warnings, w) {
			out[i] = fmt.Sprintf("resolved by %s %s: %s", strings.ToLower(last.Title()), last.ID, w)
		}
	}
	return out
}

// ValueAsOf is Value as the records stood at the end of day asOf (UTC):
// the lot's events dated and recorded by then (lotFactsAsOf, the as-of rule of every
// trade view), the price days up to it, the QP declarations made and the
// invoices and notes issued by then, payment statuses on that day. A day
// after today is refused naming as_of (CheckAsOf), as is a day before
// the lot's first weighing: there was nothing to settle ("no settlement
// as of …").
func (s *Service) ValueAsOf(ctx context.Context, contract, lot string, asOf time.Time) (*Valuation, *TermSheet, error) {
	if err := s.CheckAsOf(asOf); err != nil {
		return nil, nil, err
	}
	ts, err := s.ContractAt(ctx, contract, endOfDay(asOf))
	if err != nil {
		return nil, nil, err
	}
	return s.ValueUnderAsOf(ctx, ts, lot, asOf)
}

// ValueUnderAsOf is ValueAsOf under a term sheet that need not be stored
// (ValueUnder).
func (s *Service) ValueUnderAsOf(ctx context.Context, ts *TermSheet, lot string, asOf time.Time) (*Valuation, *TermSheet, error) {
	if err := s.CheckAsOf(asOf); err != nil {
		return nil, nil, err
	}
	day := asOf.UTC().Format(time.DateOnly)
	end := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1).Add(-time.Nanosecond)
	key, err := LotKey(ctx, s.Store, lot)
	if err != nil {
		return nil, nil, err
	}
	then, err := lotFactsAsOf(ctx, s.Store, key, end)
	if err != nil && critmin.ErrorCode(err) != critmin.EINVALID {
		return nil, nil, err
	}
	if err == nil && then.Loading.EventID == "" && then.Discharge == nil {
		first := ""
		if now, err := LotFactsFromEvents(ctx, s.Store, key); err == nil && now.Loading.EventID != "" {
			first = fmt.Sprintf("; its loading weighing is dated %s", now.Loading.Date.UTC().Format(time.DateOnly))
		}
		return nil, nil, fieldErrorf("as_of", "no settlement as of %s: lot %s had no weighing by then%s — give a later day", day, key, first)
	}
	at := *s
	at.asOf = end
	at.Now = func() time.Time { return end }
	return at.ValueUnder(ctx, ts, key)
}

// pricesUpTo is prices with only the days on or before asOf's day: the
// series as they could be known then.
//
// The days are as known by asOf, too (fix13t): a correction imported
// after it (PriceCorrection.ImportedAt) is undone — a revised day back to
// its old value (or to no publication), a day a correction added dropped
// — so that a view as of a past day never applies a correction made
// later.
func pricesUpTo(prices map[string]*PriceSeries, asOf time.Time) map[string]*PriceSeries {
	day := asOf.UTC().Format(time.DateOnly)
	out := pricesKnownBy(prices, asOf)
	for id, ps := range out {
		ps.Points = slices.DeleteFunc(ps.Points, func(p PricePoint) bool { return p.Date > day })
		out[id] = ps
	}
	return out
}

// pricesKnownBy is prices as they stood at asOf: every correction
// imported after it undone, newest first (a revised day back to its old
// value or to no publication, a day the correction added dropped), and
// left out of Corrections.
func pricesKnownBy(prices map[string]*PriceSeries, asOf time.Time) map[string]*PriceSeries {
	out := make(map[string]*PriceSeries, len(prices))
	for id, ps := range prices {
		c := *ps
		pts := slices.Clone(ps.Points)
		for i := len(ps.Corrections) - 1; i >= 0; i-- {
			k := ps.Corrections[i]
			if !k.ImportedAt.After(asOf) {
				continue
			}
			if !k.Revised {
				pts = slices.DeleteFunc(pts, func(p PricePoint) bool { return p.Date == k.Date })
				continue
			}
			for j := range pts {
				if pts[j].Date == k.Date {
					pts[j] = PricePoint{Date: k.Date}
					if k.Old != nil {
						pts[j].Value, pts[j].Published = *k.Old, true
					}
				}
			}
		}
		c.Points = pts
		c.Corrections = slices.DeleteFunc(slices.Clone(ps.Corrections), func(k PriceCorrection) bool { return k.ImportedAt.After(asOf) })
		out[id] = &c
	}
	return out
}

// declaredBy is decl with only the declarations made by asOf.
func declaredBy(decl []Declaration, asOf time.Time) []Declaration {
	return slices.DeleteFunc(slices.Clone(decl), func(d Declaration) bool { return d.DeclaredAt.After(asOf) })
}

// minorPlaces is the number of decimal places ts rounds amounts to.
func minorPlaces(ts *TermSheet) int32 {
	if ts.Rounding.Decimals != nil {
		return *ts.Rounding.Decimals
	}
	return minorUnits[ts.Currency]
}

// CheckHeadline is the invariant of a valuation's headline figures, like
// plan.Check for a plan: lot_value = dmt × nsr_per_dmt, within the
// rounding the figures carry — the NSR to 4 places (half of 0.0001 per
// dmt), each line's per-dmt figure to 6 (half of 0.000001 per dmt) and
// its amount to places (half a minor unit). A headline outside it (a
// stale dmt after a note changed the weight: 92 × 2 385.8659 = 219 499.66
// against 212 481.39) is refused EINTERNAL rather than served. A
// valuation without a known dmt or without lines is not judged.
func (v *Valuation) CheckHeadline(places int32) error {
	if !v.DMT.IsPositive() || len(v.Lines) == 0 {
		return nil
	}
	n := decimal.NewFromInt(int64(len(v.Lines)))
	half := decimal.New(5, -places-1)
	tol := v.DMT.Mul(decimal.RequireFromString("0.00005")).
		Add(n.Mul(half.Add(v.DMT.Mul(decimal.RequireFromString("0.0000005")))))
	product := v.DMT.Mul(v.NSRPerDMT)
	if product.Sub(v.LotValue).Abs().GreaterThan(tol) {
		return critmin.Errorf(critmin.EINTERNAL, "lot %s under %s: the headline is inconsistent: %s dmt × %s %s/dmt = %s, the lot value says %s (%s apart, beyond the rounding of %s); not served",
			v.Lot, v.Contract, v.DMT, v.NSRPerDMT, v.Currency, product.Round(2), v.LotValue, product.Sub(v.LotValue).Abs().Round(2), tol.Round(4))
	}
	return nil
}

// invoicedElsewhere returns an invoice of the lot under a contract other
// than contract (the first stored), or nil when there is none.
func (s *Service) invoicedElsewhere(ctx context.Context, contract, lot string) (*critmin.StoredInvoice, error) {
	all, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: lot})
	if err != nil {
		return nil, err
	}
	for _, si := range all {
		if !s.asOf.IsZero() && si.IssuedAt.After(s.asOf) {
			continue // as of a past day (ValueAsOf): not issued by then (fix13x)
		}
		if si.Contract != contract {
			return si, nil
		}
	}
	return nil, nil
}

// invoicedElsewhere is Service.invoicedElsewhere from the invoices read
// once (ListInvoices orders them by issue time and id, so the first of a
// lot is the one a filtered read would give first).
func (c *refusalCache) invoicedElsewhere(ctx context.Context, store critmin.Store, contract, lot string) (*critmin.StoredInvoice, error) {
	if c.invoices == nil {
		all, err := store.ListInvoices(ctx, critmin.InvoiceFilter{})
		if err != nil {
			return nil, err
		}
		c.invoices = map[string][]*critmin.StoredInvoice{}
		for _, si := range all {
			c.invoices[si.Lot] = append(c.invoices[si.Lot], si)
		}
	}
	for _, si := range c.invoices[lot] {
		if si.Contract != contract {
			return si, nil
		}
	}
	return nil, nil
}

// InvoicedUnder maps every invoiced lot to the contract it is invoiced
// under (a lot is invoiced under one contract; should the store hold
// invoices of a lot under two, the first listed is named).
func (s *Service) InvoicedUnder(ctx context.Context) (map[string]string, error) {
	all, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, si := range all {
		if _, ok := out[si.Lot]; !ok {
			out[si.Lot] = si.Contract
		}
	}
	return out, nil
}

// LotPairing is a row of the trade page's lots under contract: a lot and
// the contract it is (or could be) invoiced under.
type LotPairing struct {
	Contract, Lot, Commodity string
	Invoiced                 bool
}

// lotPage is how many lots LotPairings reads at a time.
const lotPage = 1000

// LotPairings lists the real pairings of lots and contracts, each
// contract's in turn (contracts in the order given, lots in the store's
// order): a lot invoiced under a contract is listed under it alone (a lot
// is invoiced under one contract); a lot not yet invoiced under any,
// under each contract it could be delivered under (Deliverable). Any
// other pairing is a what-if. It returns rows [offset, offset+limit) and
// the number of rows in all.
func (s *Service) LotPairings(ctx context.Context, contracts []*TermSheet, limit, offset int) ([]LotPairing, int, error) {
	under, err := s.InvoicedUnder(ctx)
	if err != nil {
		return nil, 0, err
	}
	// What the check of a pairing reads of a lot (its events, its owners
	// at an instant, its invoices) is read once per lot, not once per
	// lot × contract: the answers are InvoiceRefusal's.
	cache := newRefusalCache()
	now := s.Now()
	var out []LotPairing
	seen := 0
	for _, ts := range contracts {
		for from := 0; ; {
			ls, n, err := s.Store.FindLots(ctx, critmin.LotFilter{Commodity: ts.Commodity, Limit: lotPage, Offset: from})
			if err != nil {
				return nil, 0, err
			}
			for _, l := range ls {
				row := LotPairing{ts.ID, l.ID, l.Commodity, false}
				if c, ok := under[l.ID]; ok {
					if c != ts.ID {
						continue
					}
					row.Invoiced = true
				} else {
					why := s.invoiceRefusal(ctx, ts, l, now, cache)
					if why != nil && !refusal(why) {
						return nil, 0, why
					}
					if why != nil {
						continue
					}
				}
				if seen >= offset && len(out) < limit {
					out = append(out, row)
				}
				seen++
			}
			from += len(ls)
			if len(ls) == 0 || from >= n {
				break
			}
		}
	}
	return out, seen, nil
}

// Deliverable reports whether a lot not yet invoiced could be invoiced
// under a contract today: InvoiceRefusal finds no reason to refuse it. A
// refusal is false with no error; only a store failure is an error.
func (s *Service) Deliverable(ctx context.Context, ts *TermSheet, l *critmin.Lot) (bool, error) {
	err := s.InvoiceRefusal(ctx, ts, l, s.Now())
	if err == nil {
		return true, nil
	}
	if refusal(err) {
		return false, nil
	}
	return false, err
}

// refusal reports whether an InvoiceRefusal error is a refusal (the
// contract cannot invoice the lot) rather than a failure to find out.
func refusal(err error) bool {
	switch critmin.ErrorCode(err) {
	case critmin.ECONFLICT, critmin.EINVALID, critmin.ENOTFOUND:
		return true
	}
	return false
}

// InvoiceRefusal is why contract ts cannot invoice lot l (an invoice
// issued at at), nil when nothing about the pairing refuses it. It is the
// one check of the pairing: Issue refuses with it before it reads the
// lot's settlement data; the settlement labels a valuation what-if with
// it; the trade page lists and the planner picks purchase contracts with
// it — so none of them can disagree with Issue. The reasons, first found
// first: the lot is of another commodity (EINVALID on lot); the
// contract's seller did not own it at delivery (ECONFLICT,
// checkSellerOwns); it is invoiced under another contract (ECONFLICT: a
// lot is invoiced under one contract, of whichever kind).
func (s *Service) InvoiceRefusal(ctx context.Context, ts *TermSheet, l *critmin.Lot, at time.Time) error {
	return s.invoiceRefusal(ctx, ts, l, at, nil)
}

// refusalCache holds, for many InvoiceRefusal checks made at one instant
// (a listing of every lot × contract pair), what they read of each lot:
// its events, its owners at an instant (ownersAt) and the stored
// invoices by lot. A nil cache reads each time.
type refusalCache struct {
	events   map[string][]*critmin.Event
	owners   map[ownersKey]ownersAnswer
	invoices map[string][]*critmin.StoredInvoice // by lot; nil until read
}

type ownersKey struct {
	lot string
	at  time.Time
}

type ownersAnswer struct {
	owners parties
	basis  string
}

func newRefusalCache() *refusalCache {
	return &refusalCache{events: map[string][]*critmin.Event{}, owners: map[ownersKey]ownersAnswer{}}
}

func (s *Service) invoiceRefusal(ctx context.Context, ts *TermSheet, l *critmin.Lot, at time.Time, cache *refusalCache) error {
	if l.Commodity != "" && l.Commodity != ts.Commodity {
		return fieldErrorf("lot", "lot %s is %s; contract %s is for %s", l.ID, l.Commodity, ts.ID, ts.Commodity)
	}
	// The seller invoices what it owned at delivery (the contract's
	// Incoterms point): a lot someone else owned then, or whose chain of
	// custody names no owner, is not the seller's to sell.
	if err := checkSellerOwns(ctx, s.Store, ts, l, at, cache); err != nil {
		return err
	}
	// One lot is sold once: a lot invoiced under another contract is not
	// invoiced again (double billing). critmin has no split or
	// replacement of a lot between contracts; split the lot in the ledger
	// instead.
	var other *critmin.StoredInvoice
	var err error
	if cache == nil {
		other, err = s.invoicedElsewhere(ctx, ts.ID, l.ID)
	} else {
		other, err = cache.invoicedElsewhere(ctx, s.Store, ts.ID, l.ID)
	}
	if err != nil {
		return err
	}
	if other != nil {
		return critmin.Errorf(critmin.ECONFLICT, "lot %s is invoiced under contract %s (%s invoice %s); a lot is invoiced under one contract, so contract %s cannot invoice it (split the lot in the ledger to sell parts under different contracts)", l.ID, other.Contract, other.Kind, other.ID, ts.ID)
	}
	return nil
}

// dataConflict is the refusal of a settlement resting on recorded data
// that contradict each other (DryGainError): ECONFLICT (409), what
// prefix says was refused, followed by the reason and naming its fields.
// The settlement (page and API) and the invoice refuse such a lot with
// one status: the request is well formed, the ledger's state is at
// fault (RFC 9110 §15.5.10: a conflict with the current state of the
// target resource). Nil when err is not a DryGainError.
func dataConflict(prefix string, err error) error {
	var gain *DryGainError
	if !errors.As(err, &gain) {
		return nil
	}
	return &dataConflictError{conflict: &critmin.Error{Code: critmin.ECONFLICT, Message: prefix + ": " + critmin.ErrorMessage(gain.Err), Fields: critmin.ErrorFields(gain.Err)}, gain: gain}
}

// dataConflictError is dataConflict's refusal: ECONFLICT to every reader
// of its code and message (critmin.ErrorCode finds conflict first), the
// DryGainError still reachable with errors.As so that a refusal a person
// may accept (Acceptable) still offers its acceptance.
type dataConflictError struct {
	conflict *critmin.Error
	gain     *DryGainError
}

func (e *dataConflictError) Error() string   { return e.conflict.Error() }
func (e *dataConflictError) Unwrap() []error { return []error{e.conflict, e.gain} }

// notComputable is the valuation of a lot that cannot be settled on
// current data (cause: EINVALID, or ECONFLICT for contradicting data, from the lot's facts or its provisional
// settlement): with no invoice the cause is the error; with invoices they
// are listed, with their retracted events, and the settlement is marked
// not computable with the reason.
func (s *Service) notComputable(ctx context.Context, ts *TermSheet, lot string, cause error) (*Valuation, *TermSheet, error) {
	key, err := LotKey(ctx, s.Store, lot)
	if err != nil {
		return nil, nil, err
	}
	stored, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Contract: ts.ID, Lot: key})
	if err != nil {
		return nil, nil, err
	}
	if len(stored) == 0 {
		return nil, nil, cause
	}
	v := &Valuation{Contract: ts.ID, Lot: key, Currency: ts.Currency, Facts: &LotFacts{Lot: key}, Figures: "none: not computable", Warnings: []string{}}
	for _, si := range stored {
		inv, err := s.verified(ctx, si)
		if err != nil {
			return nil, nil, err
		}
		v.Invoices = append(v.Invoices, inv)
		v.Retracted = mergeRetracted(v.Retracted, inv)
	}
	v.Notes = []*Note{}
	for _, inv := range v.Invoices {
		if inv.Kind != Final {
			continue
		}
		if v.Notes, err = s.Notes(ctx, inv.ID); err != nil {
			return nil, nil, err
		}
		if err := checkNotes(inv, v.Notes); err != nil {
			return nil, nil, err
		}
	}
	v.NotComputable = "the lot cannot be settled on current data: " + critmin.ErrorMessage(cause)
	if len(v.Retracted) > 0 {
		v.NotComputable += fmt.Sprintf(" (event %s, which its invoices rest on, was declared in error", v.Retracted[0].EventID)
		if v.Retracted[0].Reason != "" {
			v.NotComputable += ": " + v.Retracted[0].Reason
		}
		v.NotComputable += ")"
	}
	return v, ts, nil
}

// lateChanges says why a current final settlement differs from an issued
// final invoice: the prices whose quotational-period average changed, each
// with the days imported as corrections after issue (PriceSeries
// Corrections) or the change in the number of published days.
func lateChanges(fin *Invoice, cur *Settlement, prices map[string]*PriceSeries) string {
	var out []string
	for _, old := range fin.Settlement.Prices {
		for _, now := range cur.Prices {
			if now.Element != old.Element || now.Series != old.Series || now.Exact.Equal(old.Exact) {
				continue
			}
			why := fmt.Sprintf("%s price %s → %s %s", old.Element, old.Price, now.Price, now.Unit)
			var late, revised []string
			if ps := prices[old.Series]; ps != nil {
				for _, c := range ps.Corrections {
					if c.Date >= old.From && c.Date <= old.To && c.ImportedAt.After(fin.IssuedAt) {
						if c.Revised {
							revised = append(revised, c.Date)
						} else {
							late = append(late, c.Date)
						}
					}
				}
			}
			switch {
			case len(late) > 0 || len(revised) > 0:
				var parts []string
				if len(late) > 0 {
					parts = append(parts, fmt.Sprintf("late price day %s", strings.Join(late, ", ")))
				}
				if len(revised) > 0 {
					parts = append(parts, fmt.Sprintf("price day %s revised", strings.Join(revised, ", ")))
				}
				why += fmt.Sprintf(" (%s of series %s imported as a correction after the invoice)", strings.Join(parts, "; "), old.Series)
			case now.Days != old.Days:
				why += fmt.Sprintf(" (series %s now has %d published days in %s…%s, the invoice used %d)", old.Series, now.Days, old.From, old.To, old.Days)
			}
			out = append(out, why)
		}
	}
	if len(out) == 0 {
		return "the lot's facts changed since the invoice was issued"
	}
	return strings.Join(out, "; ")
}

func (s *Service) declarations(ctx context.Context, contract, lot string) ([]Declaration, error) {
	ds, err := s.Store.ListDeclarations(ctx, contract, lot)
	if err != nil {
		return nil, err
	}
	return toDeclarations(ds), nil
}

func toDeclarations(ds []*critmin.QPDeclaration) []Declaration {
	out := make([]Declaration, 0, len(ds))
	for _, d := range ds {
		out = append(out, Declaration{Element: d.Element, Month: d.Month, Party: d.Party, DeclaredAt: d.DeclaredAt})
	}
	return out
}

// Issue issues the lot's provisional or final invoice under a contract:
// settles it (refusing incomplete data), checks the invoice's arithmetic,
// records it on the lot as a TransactionEvent (bizTransaction type inv)
// and stores it. A lot has one invoice of each kind per contract
// (ECONFLICT otherwise); a final invoice needs the provisional one. The
// event id is derived from the invoice number, so a retry after a failure
// between the two writes converges on one event and one invoice.
func (s *Service) Issue(ctx context.Context, contract, lot, kind string) (*Invoice, error) {
	return s.IssueAt(ctx, contract, lot, kind, s.Now())
}

// IssueAt is Issue with the issue time given (the demo dates its invoices).
func (s *Service) IssueAt(ctx context.Context, contract, lot, kind string, at time.Time) (*Invoice, error) {
	return s.IssueAccepting(ctx, contract, lot, kind, at, nil)
}

// IssueAccepting is IssueAt with plausibility refusals a person accepts
// (Acceptance: who and why; docs/trade.md, "Accepting a refused
// figure"): each must name a refusal the settlement makes, and each is
// kept with the invoice (Settlement.Accepted) with the refusal it
// overrode.
func (s *Service) IssueAccepting(ctx context.Context, contract, lot, kind string, at time.Time, accept []Acceptance) (*Invoice, error) {
	if kind != Provisional && kind != Final {
		return nil, fieldErrorf("kind", "%q is not provisional or final", kind)
	}
	if err := CheckAcceptances(accept); err != nil {
		return nil, err
	}
	s = s.writer()
	ts, terms, err := s.contractDoc(ctx, contract)
	if err != nil {
		return nil, err
	}
	if lot, err = LotKey(ctx, s.Store, lot); err != nil {
		return nil, err
	}
	// A lot of another commodity is the first fault to name: it could
	// never be invoiced under this contract, whatever else it carries.
	// InvoiceRefusal is the check the settlement's what-if makes too.
	l, err := s.Store.FindLot(ctx, lot)
	if err != nil {
		return nil, err
	}
	if l.Commodity != "" && l.Commodity != ts.Commodity {
		return nil, fieldErrorf("lot", "lot %s is %s; contract %s is for %s", lot, l.Commodity, ts.ID, ts.Commodity)
	}
	if si, err := s.invoiceOf(ctx, contract, lot, kind); err == nil {
		// A retry after the invoice was stored but its event not captured
		// records the event (its id is derived from the invoice number, so
		// racing with the issuer stores one event); either way this is a
		// second invoice, refused.
		note := ""
		if done, err := s.recordMissingEvent(ctx, si); err != nil {
			return nil, err
		} else if done {
			note = "; its event, missing from the ledger, is recorded now"
		}
		return nil, critmin.Errorf(critmin.ECONFLICT, "lot %s already has a %s invoice under contract %s (%s)%s", lot, kind, contract, si.ID, note)
	}
	if err := s.InvoiceRefusal(ctx, ts, l, at); err != nil {
		return nil, err
	}
	lf, err := LotFactsFromEvents(ctx, s.Store, lot)
	if err != nil {
		return nil, err
	}
	if lf.Commodity != "" && lf.Commodity != ts.Commodity {
		return nil, fieldErrorf("lot", "lot %s is %s; contract %s is for %s", lot, lf.Commodity, ts.ID, ts.Commodity)
	}
	prices, priceDocs, err := s.pricesAndDocs(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := s.Store.ListDeclarations(ctx, contract, lot)
	if err != nil {
		return nil, err
	}
	decl := toDeclarations(stored)
	inherited, err := s.acceptedOn(ctx, contract, lot)
	if err != nil {
		return nil, err
	}
	st, err := Settle(ts, lf, SettleOptions{Kind: kind, Prices: prices, Declarations: decl, Accept: accept, inherited: inherited})
	if c := dataConflict(string(kind)+" invoice not issued", err); c != nil {
		return nil, c
	}
	if err != nil {
		return nil, err
	}
	counted, err := s.overDelivery(ctx, ts, lot, lf.BLDate, st)
	if err != nil {
		return nil, err
	}
	now := at.UTC().Truncate(time.Millisecond)
	var inv *Invoice
	if kind == Provisional {
		inv, err = NewProvisionalInvoice(ts, lf, st, now)
	} else {
		var prov *Invoice
		si, err2 := s.invoiceOf(ctx, contract, lot, Provisional)
		if err2 == nil {
			prov, err2 = decodeInvoice(si)
		}
		if err2 != nil && critmin.ErrorCode(err2) != critmin.ENOTFOUND {
			return nil, err2
		}
		inv, err = NewFinalInvoice(ts, lf, st, prov, now)
	}
	if err != nil {
		return nil, err
	}
	var prov *Invoice
	if kind == Final {
		if si, err := s.invoiceOf(ctx, contract, lot, Provisional); err == nil {
			prov, _ = decodeInvoice(si)
		}
	}
	if err := VerifyInvoice(ts, inv, prov); err != nil {
		return nil, err
	}
	doc, eventID := invoiceDocument(inv)
	inv.EventID = eventID
	body, _ := json.Marshal(inv)
	si := &critmin.StoredInvoice{ID: inv.ID, Contract: inv.Contract, Lot: inv.Lot, Kind: inv.Kind, Currency: inv.Currency, Total: inv.Total.String(),
		IssuedAt: inv.IssuedAt, DueDate: inv.DueDate, EventID: inv.EventID, Body: body,
		Basis: &critmin.InvoiceBasis{Terms: terms, Declarations: stored, Prices: seriesDocs(ts, priceDocs),
			LotEvents: &critmin.LotEventSet{Lot: lf.Lot, Keys: lf.eventKeys}}}
	// The store first: its unique index (one invoice per lot and kind)
	// decides between requests racing on one lot, from one server or
	// several, and the loser has written nothing, not even an event. The
	// basis makes it refuse an invoice whose contract, declarations,
	// price series or lot events changed since they were read above.
	// The quantity was checked against the invoices under the contract
	// read above (counted); the store refuses the invoice if another was
	// stored under the contract since — a concurrent issuer's — and the
	// quantity is checked again with it counted, a few times before
	// giving up (each retry follows another issuer's success).
	for attempt := 1; ; attempt++ {
		si.Basis.ContractInvoices = counted
		err := s.Store.SaveInvoice(ctx, si)
		var changed *critmin.ContractInvoicesChanged
		if !errors.As(err, &changed) || attempt == 8 {
			if err != nil {
				return nil, err
			}
			break
		}
		if counted, err = s.overDelivery(ctx, ts, lot, lf.BLDate, st); err != nil {
			return nil, err
		}
	}
	if _, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: doc, Token: "trade"}); err != nil {
		return nil, fmt.Errorf("commercial: invoice %s is stored but recording it on the lot failed (issue it again to record it): %w", inv.ID, err)
	}
	if err := s.flagStatus(ctx, inv, ts); err != nil {
		return nil, err
	}
	return inv, nil
}

// recordMissingEvent captures the TransactionEvent of a stored invoice
// whose event is not in the ledger (a failure between the two writes of
// Issue) and reports whether it did; nothing when the event is there.
func (s *Service) recordMissingEvent(ctx context.Context, si *critmin.StoredInvoice) (bool, error) {
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{si.EventID}, Limit: 1})
	if err != nil {
		return false, err
	}
	if len(page.Events) > 0 {
		return false, nil
	}
	inv, err := s.verified(ctx, si)
	if err != nil {
		return false, err
	}
	doc, _ := invoiceDocument(inv)
	job, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: doc, Token: "trade"})
	if err != nil {
		return false, fmt.Errorf("commercial: record invoice %s on the lot: %w", inv.ID, err)
	}
	// Racing with the issuer (or another retry), the event may have been
	// captured between the look-up and this capture: stored as a
	// duplicate, it was not recorded by this request.
	return job != nil && job.Stored > 0, nil
}

// invoiceOf returns the stored invoice of a kind of a lot (its key, LotKey)
// under a contract; ENOTFOUND if there is none. It reads by the lot
// column, not by InvoiceID, because invoices issued before lots were
// canonicalised have ids derived from the spelling then given.
func (s *Service) invoiceOf(ctx context.Context, contract, lot, kind string) (*critmin.StoredInvoice, error) {
	sis, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Contract: contract, Lot: lot})
	if err != nil {
		return nil, err
	}
	for _, si := range sis {
		if si.Kind == kind && si.DuplicateOf == "" {
			return si, nil
		}
	}
	return nil, critmin.Errorf(critmin.ENOTFOUND, "lot %s has no %s invoice under contract %s", lot, kind, contract)
}

// decodeInvoice reads a stored invoice's document, its due date the
// effective one (Invoice.effectiveDue).
func decodeInvoice(si *critmin.StoredInvoice) (*Invoice, error) {
	var inv Invoice
	if err := json.Unmarshal(si.Body, &inv); err != nil {
		return nil, fmt.Errorf("commercial: stored invoice %s: %w", si.ID, err)
	}
	inv.effectiveDue()
	inv.perDMT()
	return &inv, nil
}

// storedInvoice decodes a stored invoice without checking it.
func (s *Service) storedInvoice(ctx context.Context, id string) (*Invoice, error) {
	si, err := s.Store.FindInvoice(ctx, id)
	if err != nil {
		return nil, err
	}
	return decodeInvoice(si)
}

// verified decodes a stored invoice and checks it against its contract
// (and a final one against its provisional invoice) with VerifyInvoice;
// the indexed columns must agree with the document too. An invoice that
// fails is ECONFLICT: it is not served.
func (s *Service) verified(ctx context.Context, si *critmin.StoredInvoice) (*Invoice, error) {
	inv, err := decodeInvoice(si)
	if err != nil {
		return nil, err
	}
	if si.DuplicateOf != "" {
		return nil, critmin.Errorf(critmin.ECONFLICT, "invoice %s is a second %s invoice of lot %s (the first is %s), issued before critmin enforced one invoice per lot and kind: a double billing, not published", si.ID, si.Kind, si.Lot, si.DuplicateOf)
	}
	if si.ID != inv.ID || si.Contract != inv.Contract || !sameLot(inv.Lot, si.Lot) || si.Kind != inv.Kind || si.Currency != inv.Currency || si.Total != inv.Total.String() {
		return nil, critmin.Errorf(critmin.ECONFLICT, "invoice %s: its stored columns (total %s %s) disagree with its document (total %s %s), so it is not published", si.ID, si.Total, si.Currency, inv.Total, inv.Currency)
	}
	ts, err := s.Contract(ctx, inv.Contract)
	if err != nil {
		return nil, err
	}
	var prov *Invoice
	if inv.Kind == Final {
		if prov, err = s.storedInvoice(ctx, inv.Provisional); err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return nil, err
		}
	}
	if err := VerifyInvoice(ts, inv, prov); err != nil {
		return nil, err
	}
	if err := s.flagRetracted(ctx, inv); err != nil {
		return nil, err
	}
	if err := s.flagCorrections(ctx, inv); err != nil {
		return nil, err
	}
	inv.Notes = nil
	if inv.Kind == Final {
		notes, err := s.Notes(ctx, inv.ID)
		if err != nil {
			return nil, err
		}
		if err := checkNotes(inv, notes); err != nil {
			return nil, err
		}
		// A note exists from its issue day (UTC): as of an earlier day
		// (s.Now, the as-of clock of InvoiceAsOf) it is not served.
		today := s.Now().UTC().Format(time.DateOnly)
		for _, n := range notes {
			if n.IssuedAt.UTC().Format(time.DateOnly) <= today {
				inv.Notes = append(inv.Notes, n)
			}
		}
	}
	if err := s.flagResolved(ctx, inv); err != nil {
		return nil, err
	}
	inv.flagValue()
	if err := s.flagStatus(ctx, inv, ts); err != nil {
		return nil, err
	}
	return inv, nil
}

// flagResolved marks the retracted events of inv that a credit or debit
// note has corrected (Invoice.resolveRetracted): a final invoice's own
// notes served with it; a provisional invoice's, those of its lot's final
// invoice under the same contract — the note invoices the correction of
// the lot's settlement that both rest on.
func (s *Service) flagResolved(ctx context.Context, inv *Invoice) error {
	if len(inv.Retracted) == 0 {
		return nil
	}
	if inv.Kind == Final {
		inv.resolveRetracted(inv.Notes)
		return nil
	}
	stored, err := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Contract: inv.Contract, Lot: inv.Lot})
	if err != nil {
		return err
	}
	today := s.Now().UTC().Format(time.DateOnly)
	for _, si := range stored {
		if si.Kind != Final {
			continue
		}
		notes, err := s.Notes(ctx, si.ID)
		if err != nil {
			return err
		}
		notes = slices.DeleteFunc(notes, func(n *Note) bool { return n.IssuedAt.UTC().Format(time.DateOnly) > today })
		inv.resolveRetracted(notes)
	}
	return nil
}

// flagStatus sets inv's payment status as of today (s.Now, UTC) from its
// recorded payments (InvoiceStatusAt): served, never stored.
func (s *Service) flagStatus(ctx context.Context, inv *Invoice, ts *TermSheet) error {
	ps, err := s.Store.ListPayments(ctx, inv.ID)
	if err != nil {
		return err
	}
	now := s.Now()
	st, err := InvoiceStatusAt(inv, ps, ts, now)
	if err != nil {
		return err
	}
	// A payment dated after today, accepted within the clock allowance,
	// counts from its own day: said so with the balance from that day
	// (fix13z), rather than recorded and shown nowhere.
	latest := now.UTC().Add(ClockSkew).Format(time.DateOnly)
	for _, p := range ps {
		if p.PaidOn <= st.AsOf || p.PaidOn > latest || st.Status == StatusNotIssued {
			continue
		}
		day, err := time.Parse(time.DateOnly, p.PaidOn)
		if err != nil {
			continue
		}
		then, err := InvoiceStatusAt(inv, ps, ts, day)
		if err != nil || then.Balance == nil {
			continue
		}
		a, _ := decimal.NewFromString(p.Amount)
		st.Dated = append(st.Dated, DatedPayment{ID: p.ID, PaidOn: p.PaidOn, Amount: a, Balance: *then.Balance, Status: then.Status})
	}
	inv.PaymentStatus = st
	return nil
}

// flagRetracted sets inv.Retracted to the events it rests on (Events)
// that the ledger holds as declared in error.
func (s *Service) flagRetracted(ctx context.Context, inv *Invoice) error {
	inv.Retracted = nil
	if len(inv.Events) == 0 {
		return nil
	}
	f := critmin.EventFilter{EventIDs: inv.Events, Limit: 1000}
	seen := map[string]bool{}
	for {
		page, err := s.Store.FindEvents(ctx, f)
		if err != nil {
			return err
		}
		for _, ev := range page.Events {
			// The event itself carries DeclaredInError once a declaration
			// is stored; the declaration (same eventID) ErrorDeclaration.
			d := ev.DeclaredInError
			if d == nil {
				d = ev.ErrorDeclaration
			}
			if d != nil && !seen[ev.EventID] {
				seen[ev.EventID] = true
				inv.Retracted = append(inv.Retracted, RetractedEvent{EventID: ev.EventID, DeclaredAt: d.DeclarationTime, Reason: d.Reason, Corrective: d.CorrectiveEventIDs})
			}
		}
		if page.Next == nil {
			return nil
		}
		f.After = page.Next
	}
}

// Invoice returns a stored invoice, re-verified (VerifyInvoice).
func (s *Service) Invoice(ctx context.Context, id string) (*Invoice, error) {
	si, err := s.Store.FindInvoice(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.verified(ctx, si)
}

// Invoices lists stored invoices, each re-verified: one whose figures
// disagree is an ECONFLICT error naming it, not a row in the list.
func (s *Service) Invoices(ctx context.Context, f critmin.InvoiceFilter) ([]*Invoice, error) {
	f.Lot = epcis.Canonical(f.Lot)
	sis, err := s.Store.ListInvoices(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]*Invoice, 0, len(sis))
	for _, si := range sis {
		inv, err := s.verified(ctx, si)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
}

// RefusedInvoice is a stored invoice that fails VerifyInvoice (or whose
// stored columns disagree with its document): listed by id with the
// reason, its figures not served.
type RefusedInvoice struct {
	ID       string `json:"id"`
	Contract string `json:"contract"`
	Lot      string `json:"lot"`
	Kind     string `json:"kind"`
	Reason   string `json:"reason"`
	// IssuedAt is the stored issue time (as_of drops one issued later).
	IssuedAt time.Time `json:"-"`
}

// InvoiceList is Invoices for listings: every invoice that verifies, and
// the ones that do not (tampered or inconsistent) named with the reason,
// so that one bad invoice does not hide the others. Money totals
// (agreement progress, exposure) use Invoices, which refuses instead.
func (s *Service) InvoiceList(ctx context.Context, f critmin.InvoiceFilter) ([]*Invoice, []RefusedInvoice, error) {
	f.Lot = epcis.Canonical(f.Lot)
	sis, err := s.Store.ListInvoices(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*Invoice, 0, len(sis))
	var refused []RefusedInvoice
	for _, si := range sis {
		inv, err := s.verified(ctx, si)
		if err != nil {
			if c := critmin.ErrorCode(err); c != critmin.ECONFLICT && c != critmin.EINVALID {
				return nil, nil, err
			}
			refused = append(refused, RefusedInvoice{ID: si.ID, Contract: si.Contract, Lot: si.Lot, Kind: si.Kind, Reason: critmin.ErrorMessage(err), IssuedAt: si.IssuedAt})
			continue
		}
		out = append(out, inv)
	}
	return out, refused, nil
}

// InvoiceListAsOf is InvoiceList as of day asOf (UTC): only the invoices
// issued on or before it (IssuedBy; an invoice issued later did not exist
// then, so it is not listed, refused or not), each with its payment
// status on that day (payments dated after it not counted). The CLI's
// --as-of and the API's as_of read it.
func (s *Service) InvoiceListAsOf(ctx context.Context, f critmin.InvoiceFilter, asOf time.Time) ([]*Invoice, []RefusedInvoice, error) {
	at := *s
	at.Now = func() time.Time { return asOf }
	invs, refused, err := at.InvoiceList(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	kept := invs[:0]
	for _, inv := range invs {
		if IssuedBy(inv, asOf) {
			kept = append(kept, inv)
		}
	}
	day := asOf.UTC().Format(time.DateOnly)
	keptRefused := refused[:0]
	for _, r := range refused {
		if r.IssuedAt.IsZero() || r.IssuedAt.UTC().Format(time.DateOnly) <= day {
			keptRefused = append(keptRefused, r)
		}
	}
	return kept, keptRefused, nil
}

// InvoiceAsOf is Invoice as of day asOf (UTC): its payment status on that
// day, StatusNotIssued when it was issued after it.
func (s *Service) InvoiceAsOf(ctx context.Context, id string, asOf time.Time) (*Invoice, error) {
	at := *s
	at.Now = func() time.Time { return asOf }
	return at.Invoice(ctx, id)
}

// Payment directions. A payment is money the buyer pays the seller
// against an invoice with a positive total; a refund is money the seller
// pays back to the buyer against a credit (an invoice with a negative
// total, such as a final invoice below the provisional one).
const (
	DirectionPayment = "payment"
	DirectionRefund  = "refund"
)

// noteInvoice returns the final invoice whose note is id (INVOICE-CNn or
// INVOICE-DNn, issued by now), or nil when id names no note.
func (s *Service) noteInvoice(ctx context.Context, id string) (*Invoice, error) {
	m := noteIDPattern.FindStringSubmatch(id)
	if m == nil {
		return nil, nil
	}
	inv, err := s.Invoice(ctx, m[1])
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	for _, n := range inv.Notes {
		if n.ID == id {
			return inv, nil
		}
	}
	return nil, nil
}

// noteIDPattern reads a note's id: its final invoice's id, then -CN or
// -DN and its number.
var noteIDPattern = regexp.MustCompile(`^(.+)-(?:CN|DN)[0-9]+$`)

// RecordPayment validates and records money received against an invoice,
// in its currency. The rules (docs/trade.md, "Payments"):
//
//   - amount is a positive decimal in the currency's minor unit (ISO 4217:
//     cents for USD, so 10.001 is refused; whole yen for JPY); against a
//     credit a negative amount (the sign refunds are stored and listed
//     with) is a refund of its size, against a debit it is refused;
//   - direction is payment for an invoice with a positive total and refund
//     for a credit (negative total); empty takes the one the invoice needs,
//     the other is refused;
//   - amount is at most the outstanding balance, |total| − Σ|recorded|:
//     critmin records no overpayment (a surplus is a separate credit the
//     parties agree outside the invoice);
//   - paid_on is a date, not before the invoice's issue date;
//   - an empty id is generated, unique per invoice: PAY-INVOICE-DATE-N,
//     N = 1 + the invoice's payment count (the store refuses a taken id).
//
// A refund is stored with a negative amount, so that the sum of an
// invoice's payments is the net money that moved towards the seller and
// sums with invoice totals (Progress). Arithmetic is decimal throughout.
func (s *Service) RecordPayment(ctx context.Context, p *critmin.TradePayment) error {
	if p.Invoice == "" {
		return fieldErrorf("invoice", "a payment names the invoice it pays")
	}
	s = s.writer()
	inv, err := s.Invoice(ctx, p.Invoice)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		// A credit or debit note is paid (or refunded) on the account of
		// the final invoice it corrects: invoice + notes − payments.
		if inv, err = s.noteInvoice(ctx, p.Invoice); err == nil && inv == nil {
			return fieldErrorf("invoice", "no invoice or note %q", p.Invoice)
		}
		if inv != nil {
			p.Invoice = inv.ID
		}
	}
	if err != nil {
		return err
	}
	prior, err := s.Store.ListPayments(ctx, inv.ID)
	if err != nil {
		return err
	}
	settled, net := decimal.Zero, decimal.Zero
	for _, q := range prior {
		a, err := decimal.NewFromString(q.Amount)
		if err != nil {
			return fmt.Errorf("commercial: stored payment %s: %w", q.ID, err)
		}
		settled, net = settled.Add(a.Abs()), net.Add(a)
	}
	// What the account owes (invoice + notes) less the net paid: its
	// sign says who pays whom next — the buyer (a payment) or the seller
	// (a refund, against a credit invoice or an account a credit note
	// lowered below what was paid).
	owed := AccountOwed(inv, s.Now())
	outstanding := owed.Sub(net)
	credit := outstanding.IsNegative() || (outstanding.IsZero() && owed.IsNegative())
	if len(inv.Notes) > 0 {
		p.Owed = owed.String()
		settled = net.Abs()
	}
	txt, neg := strings.CutPrefix(p.Amount, "-")
	amt, err := parsePlainDecimal(txt)
	if err != nil {
		return fieldErrorf("amount", "%s", err)
	}
	if neg {
		amt = amt.Neg()
	}
	switch {
	case amt.IsNegative() && credit && p.Direction != DirectionPayment:
		// A refund written with its sign, as it is stored and listed
		// (money towards the buyer): the seller paid |amount| back.
		amt = amt.Neg()
		p.Direction = DirectionRefund
	case amt.IsNegative() && credit:
		return fieldErrorf("amount", "%s is negative and direction is payment: invoice %s is a credit of %s %s to the buyer, settled by a refund from the seller (direction refund, or a negative amount without a direction)", p.Amount, inv.ID, inv.Total.Abs().StringFixed(minorUnits[inv.Currency]), inv.Currency)
	case amt.IsNegative():
		return fieldErrorf("amount", "%s is negative: invoice %s is %s %s owed by the buyer, settled by a payment of a positive amount; only a credit invoice is refunded", p.Amount, inv.ID, inv.Total.StringFixed(minorUnits[inv.Currency]), inv.Currency)
	case !amt.IsPositive():
		return fieldErrorf("amount", "%s is not a positive amount; a refund against a credit invoice is a positive amount with direction refund", p.Amount)
	}
	minor := minorUnits[inv.Currency]
	if !amt.Equal(amt.Truncate(minor)) {
		return fieldErrorf("amount", "%s has more decimals than %s's minor unit (%d places)", p.Amount, inv.Currency, minor)
	}
	paid, err := time.Parse(time.DateOnly, p.PaidOn)
	if err != nil {
		return fieldErrorf("paid_on", "%q is not a date (YYYY-MM-DD)", p.PaidOn)
	}
	if latest := s.Now().UTC().Add(ClockSkew).Format(time.DateOnly); p.PaidOn > latest {
		return fieldErrorf("paid_on", "%s is in the future (today is %s UTC): record a payment once it is made", p.PaidOn, s.Now().UTC().Format(time.DateOnly))
	}
	if issued := inv.IssuedAt.UTC().Format(time.DateOnly); p.PaidOn < issued {
		return fieldErrorf("paid_on", "%s is before invoice %s was issued (%s)", paid.Format(time.DateOnly), inv.ID, issued)
	}
	want := DirectionPayment
	if credit {
		want = DirectionRefund
	}
	switch {
	case inv.Total.IsZero() && owed.IsZero():
		return fieldErrorf("invoice", "invoice %s totals zero: there is nothing to pay", inv.ID)
	case p.Direction == "":
		p.Direction = want
	case p.Direction != DirectionPayment && p.Direction != DirectionRefund:
		return fieldErrorf("direction", "%q is not payment or refund", p.Direction)
	case p.Direction != want && want == DirectionRefund:
		return fieldErrorf("direction", "invoice %s is a credit of %s %s to the buyer: it is settled by a refund from the seller, not a payment", inv.ID, inv.Total.StringFixed(minor), inv.Currency)
	case p.Direction != want:
		return fieldErrorf("direction", "invoice %s is %s %s owed by the buyer: it is settled by a payment, not a refund", inv.ID, inv.Total.StringFixed(minor), inv.Currency)
	}
	if amt.GreaterThan(outstanding.Abs()) {
		notes := ""
		if len(inv.Notes) > 0 {
			notes = fmt.Sprintf(" and its %s (owed %s %s)", Count(len(inv.Notes), "note"), owed.StringFixed(minor), inv.Currency)
		}
		return fieldErrorf("amount", "%s %s is more than the %s %s outstanding on invoice %s%s (%s %s less %s %s settled); critmin records no overpayment", amt.StringFixed(minor), inv.Currency, outstanding.Abs().StringFixed(minor), inv.Currency, inv.ID, notes, owed.Abs().StringFixed(minor), inv.Currency, settled.StringFixed(minor), inv.Currency)
	}
	if p.ID == "" {
		// Numbered by the store in its write transaction: N read here
		// would give two payments recorded at once the same id (409).
		p.IDPrefix = fmt.Sprintf("PAY-%s-%s-", inv.ID, p.PaidOn)
	}
	if p.Direction == DirectionRefund {
		amt = amt.Neg()
	}
	p.Amount = amt.StringFixed(minor)
	return s.Store.SavePayment(ctx, p)
}
