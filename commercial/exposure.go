package commercial

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/shopspring/decimal"
)

// ExposureDay is the payable metal of one element whose price is fixed on
// one day of a quotational period: Priced once the day has passed (on or
// before AsOf), Unpriced before. Quantities are kilograms of payable metal
// (or product).
type ExposureDay struct {
	Date       string          `json:"date"`
	Element    string          `json:"element"`
	PricedKg   decimal.Decimal `json:"priced_kg"`
	UnpricedKg decimal.Decimal `json:"unpriced_kg"`
}

// ExposureLot is one lot's open position: payable metal by element from the
// best-known assay, spread over its quotational period.
type ExposureLot struct {
	Contract string `json:"contract"`
	Lot      string `json:"lot"`
	// Side is the book's side of the contract: "long" when the book is
	// its buyer (a purchase), "short" when its seller (a sale). Payable
	// quantities are positive; the days and totals carry the sign.
	Side string          `json:"side"`
	DMT  decimal.Decimal `json:"dmt"`
	// Payable is kg of payable metal, product or oxide by what is priced:
	// a basket's oxides, never its basis (TREO), which is their total and
	// is given apart in BasisKg, so Payable adds up without counting
	// anything twice.
	Payable map[string]decimal.Decimal `json:"payable_kg"`
	// BasisKg is a basket lot's payable basis (TREO) kg, of which each
	// oxide's Payable is its share: listed, not a position.
	BasisKg map[string]decimal.Decimal `json:"basis_kg,omitempty"`
	QPFrom  map[string]string          `json:"qp_from"`
	QPTo    map[string]string          `json:"qp_to"`
	// Grades are the best-known grades the payable is computed from
	// (BestKnownGrades), each with its source in formula.
	Grades map[string]Grade `json:"grades,omitempty"`
	// Retracted are events the lot's provisional invoice rests on that
	// were declared in error (Invoice.Retracted).
	Retracted []RetractedEvent `json:"retracted_events,omitempty"`
	// NotInvoiced marks a lot shipped under the contract (its bill of
	// lading dated by the day) with no invoice yet: priced exposure all
	// the same, estimated from its best-known assays and its mass
	// (fix13t).
	NotInvoiced bool `json:"not_invoiced,omitempty"`
	// Unallocated marks a lot shipped by the day, invoiced under no
	// contract, that several stored contracts could invoice (fix13w):
	// whose price risk it is waits on which contract invoices it, so it
	// has no contract, side or quotational period and is in no long,
	// short, priced or unpriced total — but it is listed, with its
	// contained metal (ContainedKg) and the contracts it could be invoiced
	// under (CouldBeUnder), and counted in Exposure.UnallocatedKg.
	Unallocated  bool     `json:"unallocated,omitempty"`
	CouldBeUnder []string `json:"could_be_under,omitempty"`
	// ContainedKg is an unallocated lot's contained metal by element (kg):
	// its dmt × the best-known grade of each element the candidate
	// contracts pay for (a basket's basis, TREO, likewise) — every
	// payable at 100 %, no deduction (ContainedTerms), as no contract's
	// terms apply yet.
	ContainedKg map[string]decimal.Decimal `json:"contained_kg,omitempty"`
	// Note says in words what an unallocated lot is.
	Note string `json:"note,omitempty"`
	// Warnings name the assay-exchange results of the lot its valuation
	// does not use, and why (fix13y): never dropped silently.
	Warnings []string `json:"warnings,omitempty"`
	// NotValued says why the lot's exposure cannot be computed (an event
	// it rests on was declared in error, so its B/L date or an assay is
	// gone); the lot is listed with no quantities and the others still
	// counted.
	NotValued string `json:"not_valued,omitempty"`
}

// Exposure is the priced and unpriced payable metal of the lots invoiced
// provisionally and not yet finally, by fixing day and element, from one
// party's book: its purchases long (positive), its sales short
// (negative). Days, Priced and Unpriced are net (long − short); Long and
// Short are each side's payable kg (positive), by what is priced: a
// basket's oxides, never its basis total (TREO), so each map adds up.
type Exposure struct {
	AsOf string `json:"as_of"`
	// Book is the party whose position this is (ExposureBook).
	Book     string                     `json:"book"`
	Lots     []ExposureLot              `json:"lots"`
	Days     []ExposureDay              `json:"days"`
	Priced   map[string]decimal.Decimal `json:"priced_kg"`
	Unpriced map[string]decimal.Decimal `json:"unpriced_kg"`
	Long     map[string]decimal.Decimal `json:"long_kg"`
	Short    map[string]decimal.Decimal `json:"short_kg"`
	// LeftOut are the open contracts the book is neither buyer nor
	// seller of: no position of the book's, so their lots are not
	// counted, each said so here.
	LeftOut []LeftOutContract `json:"left_out,omitempty"`
	// Parties are the buyers and sellers of the open contracts: the
	// books an exposure may be asked for (?book=PARTY).
	Parties []string `json:"parties,omitempty"`
	// UnallocatedKg is the contained metal (kg by element) of the lots
	// shipped and not invoiced that several contracts the book is a party
	// to could invoice (ExposureLot.Unallocated), UnallocatedLots their
	// number: exposure whose side and fixing days are not known yet, said
	// so rather than left out (fix13w).
	UnallocatedKg   map[string]decimal.Decimal `json:"unallocated_kg"`
	UnallocatedLots int                        `json:"unallocated_lots"`
}

// BookNeeded is the refusal of an exposure without a book over open
// contracts that share no party: EINVALID naming book (Unwrap), with the
// parties to choose from, so that a page can offer them.
type BookNeeded struct {
	Err     error
	Parties []string
}

func (e *BookNeeded) Error() string { return e.Err.Error() }
func (e *BookNeeded) Unwrap() error { return e.Err }

// OpenParties lists the buyers and sellers of contracts, each once
// (compared as epcis.Canonical does), sorted.
func OpenParties(contracts []*TermSheet) []string {
	seen := map[string]bool{}
	var out []string
	for _, ts := range contracts {
		for _, p := range []string{ts.Seller, ts.Buyer} {
			if c := epcis.Canonical(p); p != "" && !seen[c] {
				seen[c] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// LeftOutContract is an open contract an exposure leaves out: the book
// is no party to it.
type LeftOutContract struct {
	Contract string `json:"contract"`
	Seller   string `json:"seller"`
	Buyer    string `json:"buyer"`
	Lots     int    `json:"lots"`
	Reason   string `json:"reason"`
}

// Exposure computes the open price exposure on asOf. For each lot with a
// provisional and no final invoice: the dmt (weights at the agreed point
// when known), the payable metal per element from the best-known assay
// (BestKnownGrades: the settled exchange when complete; while it is not,
// the mean of the parties' latest whole-lot results so far, one party's
// result alone; with no result, the latest assay), and the
// fixing days of each element's quotational period (declared month, else
// the contract's) — the days its price series publishes (fixingDays) —
// each fixing an equal share (the average of published days prices each
// day alike). Days on or before asOf are priced. A basket is exposed in
// its oxides: payable basis kg × each oxide's share.
//
// book is the party whose position it is; "" takes the party on every
// open contract (ExposureBook). The open contracts the book is not a
// party to are left out, each listed in LeftOut; a book that is a party
// to none of them is EINVALID naming book.
func (s *Service) Exposure(ctx context.Context, asOf time.Time, book string) (*Exposure, error) {
	if err := s.CheckAsOf(asOf); err != nil {
		return nil, err
	}
	invs, err := s.Invoices(ctx, critmin.InvoiceFilter{})
	if err != nil {
		return nil, err
	}
	today := asOf.Format(time.DateOnly)
	// As of the date: a final invoice issued after it did not exist yet,
	// so its lot was still provisional-only then.
	final := map[string]bool{}
	for _, inv := range invs {
		if inv.Kind == Final && inv.IssuedAt.Format(time.DateOnly) <= today {
			final[inv.Contract+"\x00"+inv.Lot] = true
		}
	}
	// What the ledger and the declarations knew by the end of that day.
	dayEnd := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1).Add(-time.Nanosecond)
	prices, err := s.Prices(ctx)
	if err != nil {
		return nil, err
	}
	// The prices too: a correction imported later was not known.
	prices = pricesKnownBy(prices, dayEnd)
	spot := lastPrices(prices, asOf)
	open := func(inv *Invoice) bool {
		return inv.Kind == Provisional && !final[inv.Contract+"\x00"+inv.Lot] && inv.IssuedAt.Format(time.DateOnly) <= today
	}
	sheets := map[string]*TermSheet{}
	var contracts []*TermSheet
	for _, inv := range invs {
		if !open(inv) || sheets[inv.Contract] != nil {
			continue
		}
		ts, err := s.ContractAt(ctx, inv.Contract, dayEnd) // terms as recorded by then (fix13x)
		if err != nil {
			return nil, err
		}
		sheets[inv.Contract] = ts
		contracts = append(contracts, ts)
	}
	// Lots shipped under a contract with no invoice yet (fix13t): a lot
	// with a bill of lading dated by the day, invoiced under no contract
	// by then, that exactly one stored contract can invoice, is that
	// contract's open position before its provisional invoice exists.
	invoicedBy := map[string]bool{}
	for _, inv := range invs {
		if inv.IssuedAt.Format(time.DateOnly) <= today {
			invoicedBy[inv.Lot] = true
		}
	}
	shipped, ambiguous, err := s.shippedUninvoiced(ctx, invoicedBy, dayEnd)
	if err != nil {
		return nil, err
	}
	for _, sh := range shipped {
		if sheets[sh.contract.ID] == nil {
			sheets[sh.contract.ID] = sh.contract
			contracts = append(contracts, sh.contract)
		}
	}
	// The open provisional invoices, then the shipped lots not yet
	// invoiced, as one list of lots to value.
	type openLot struct {
		contract, lot string
		retracted     []RetractedEvent
		notInvoiced   bool
	}
	var lots []openLot
	for _, inv := range invs {
		if open(inv) {
			lots = append(lots, openLot{contract: inv.Contract, lot: inv.Lot, retracted: inv.Retracted})
		}
	}
	for _, sh := range shipped {
		lots = append(lots, openLot{contract: sh.contract.ID, lot: sh.lot, notInvoiced: true})
	}
	book, err = ExposureBook(contracts, book)
	if err != nil {
		return nil, err
	}
	ex := &Exposure{AsOf: today, Book: book, Parties: OpenParties(contracts), Priced: map[string]decimal.Decimal{}, Unpriced: map[string]decimal.Decimal{}, Long: map[string]decimal.Decimal{}, Short: map[string]decimal.Decimal{}, UnallocatedKg: map[string]decimal.Decimal{}}
	left := map[string]int{}
	for _, ts := range contracts {
		if !partyTo(ts, book) {
			left[ts.ID] = len(ex.LeftOut)
			ex.LeftOut = append(ex.LeftOut, LeftOutContract{Contract: ts.ID, Seller: ts.Seller, Buyer: ts.Buyer,
				Reason: fmt.Sprintf("%s is neither the seller (%s) nor the buyer (%s) of contract %s: not its position, so the contract's open lots are not counted", book, ts.Seller, ts.Buyer, ts.ID)})
		}
	}
	days := map[[2]string]*ExposureDay{}
	for _, inv := range lots {
		ts := sheets[inv.contract]
		if i, ok := left[ts.ID]; ok {
			ex.LeftOut[i].Lots++
			continue
		}
		side, sign := "long", decimal.NewFromInt(1)
		if epcis.Canonical(ts.Seller) == epcis.Canonical(book) {
			side, sign = "short", decimal.NewFromInt(-1)
		}
		sides := ex.Long
		if side == "short" {
			sides = ex.Short
		}
		// One lot the ledger can no longer value (a retracted B/L or
		// assay) is listed with the reason; it does not hide the others.
		skip := func(err error) bool {
			if critmin.ErrorCode(err) != critmin.EINVALID {
				return false
			}
			ex.Lots = append(ex.Lots, ExposureLot{Contract: ts.ID, Lot: inv.lot, Side: side, Retracted: inv.retracted, NotInvoiced: inv.notInvoiced, NotValued: critmin.ErrorMessage(err)})
			return true
		}
		lf, err := lotFactsAsOf(ctx, s.Store, inv.lot, dayEnd)
		if skip(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		all, err := s.declarations(ctx, ts.ID, inv.lot)
		if err != nil {
			return nil, err
		}
		var decl []Declaration
		for _, d := range all {
			if !d.DeclaredAt.After(dayEnd) {
				decl = append(decl, d)
			}
		}
		best := *lf
		best.Assays = BestKnownGrades(lf, ts.Exchange)
		best.UnknownAtLoading = lf.Unknown
		// Best known: any sample, not only those known at loading, may
		// give a basket its shares (oneSample).
		best.Samples = make([]AssaySample, len(lf.Samples))
		for i, sm := range lf.Samples {
			sm.AtLoading = true
			best.Samples[i] = sm
		}
		// Valued at spot: the exposure needs quantities, not prices.
		st, err := Settle(ts, &best, SettleOptions{Kind: Provisional, Spot: spot, bestKnown: true})
		if skip(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		// The grades listed are those the valuation used: the settlement's
		// (a basket's shares from one sample) over the best-known rest.
		used := make(map[string]Grade, len(best.Assays))
		for k, g := range best.Assays {
			used[k] = g
		}
		for k, g := range st.Grades {
			used[k] = g
		}
		el := ExposureLot{Contract: ts.ID, Lot: inv.lot, Side: side, Grades: used, DMT: st.DMT, Payable: map[string]decimal.Decimal{}, QPFrom: map[string]string{}, QPTo: map[string]string{}, Retracted: inv.retracted, NotInvoiced: inv.notInvoiced}
		for _, w := range st.Warnings {
			if strings.HasPrefix(w, "assay-exchange results not used") {
				el.Warnings = append(el.Warnings, w)
			}
		}
		for _, p := range ts.Payables {
			kg := st.Payable[p.Element].Mul(st.DMT).Div(decimal.NewFromInt(1000)).Round(3)
			qp := ts.qpFor(p.Element)
			from, to := qpSpan(qp, lf, p.Element, decl)
			el.Payable[p.Element], el.QPFrom[p.Element], el.QPTo[p.Element] = kg, from.Format(time.DateOnly), to.Format(time.DateOnly)
			sides[p.Element] = sides[p.Element].Add(kg)
			placed := spreadParts(days, p.Element, kg.Mul(sign), qpParts(qp, lf, p.Element, decl), today, prices[p.Price.Series])
			if err := checkPlaced(ts.ID, inv.lot, p.Element, kg.Mul(sign), placed); err != nil {
				return nil, err
			}
		}
		if b := ts.Basket; b != nil {
			// The basket's price risk is in its oxides' series: payable
			// TREO kg × each oxide's share of TREO (value = Σ TREO kg ×
			// share × price) is that oxide's exposure, fixed on its
			// series' days. TREO itself is their total: listed apart
			// (BasisKg), neither spread nor added to the long or short
			// totals, which would count the oxides twice.
			kg := st.Payable[b.Basis].Mul(st.DMT).Div(decimal.NewFromInt(1000)).Round(3)
			from, to := qpSpan(ts.basketQP(), lf, b.Basis, decl)
			parts := qpParts(ts.basketQP(), lf, b.Basis, decl)
			el.BasisKg = map[string]decimal.Decimal{b.Basis: kg}
			for _, o := range b.Oxides {
				share, err := basketShare(o, st.Grades, b.Basis)
				if skip(err) {
					continue
				} else if err != nil {
					return nil, err
				}
				okg := kg.Mul(share).Round(3)
				el.Payable[o.Oxide], el.QPFrom[o.Oxide], el.QPTo[o.Oxide] = okg, from.Format(time.DateOnly), to.Format(time.DateOnly)
				sides[o.Oxide] = sides[o.Oxide].Add(okg)
				placed := spreadParts(days, o.Oxide, okg.Mul(sign), parts, today, prices[o.Price.Series])
				if err := checkPlaced(ts.ID, inv.lot, o.Oxide, okg.Mul(sign), placed); err != nil {
					return nil, err
				}
			}
		}
		ex.Lots = append(ex.Lots, el)
	}
	for _, a := range ambiguous {
		el, err := unallocatedLot(ctx, s.Store, a, book, dayEnd, spot)
		if err != nil {
			return nil, err
		}
		ex.Lots = append(ex.Lots, el)
		if el.NotValued == "" && (book == "" || slices.ContainsFunc(a.under, func(ts *TermSheet) bool { return partyTo(ts, book) })) {
			ex.UnallocatedLots++
			for k, kg := range el.ContainedKg {
				ex.UnallocatedKg[k] = ex.UnallocatedKg[k].Add(kg)
			}
		}
	}
	for _, d := range days {
		ex.Days = append(ex.Days, *d)
		ex.Priced[d.Element] = ex.Priced[d.Element].Add(d.PricedKg)
		ex.Unpriced[d.Element] = ex.Unpriced[d.Element].Add(d.UnpricedKg)
	}
	sort.Slice(ex.Days, func(i, j int) bool {
		if ex.Days[i].Date != ex.Days[j].Date {
			return ex.Days[i].Date < ex.Days[j].Date
		}
		return ex.Days[i].Element < ex.Days[j].Element
	})
	return ex, nil
}

// shippedLot is a lot shipped under a contract with no invoice yet.
type shippedLot struct {
	contract *TermSheet
	lot      string
}

// ambiguousLot is a lot shipped with no invoice yet that several stored
// contracts could invoice.
type ambiguousLot struct {
	lot   string
	under []*TermSheet
}

// shippedUninvoiced lists the lots of every stored contract's commodity
// with a bill of lading dated by asOf, invoiced under no contract by
// then (invoiced), that exactly one stored contract can invoice
// (Deliverable): shipped under that contract. A lot several contracts
// could invoice is under none of them until it is invoiced: it is
// returned apart (ambiguous, with those contracts), never dropped.
func (s *Service) shippedUninvoiced(ctx context.Context, invoiced map[string]bool, asOf time.Time) ([]shippedLot, []ambiguousLot, error) {
	all, err := s.ContractsAt(ctx, asOf) // terms as recorded by then (fix13x)
	if err != nil {
		return nil, nil, err
	}
	byCommodity := map[string][]*TermSheet{}
	var commodities []string
	for _, ts := range all {
		if byCommodity[ts.Commodity] == nil {
			commodities = append(commodities, ts.Commodity)
		}
		byCommodity[ts.Commodity] = append(byCommodity[ts.Commodity], ts)
	}
	var out []shippedLot
	var amb []ambiguousLot
	for _, c := range commodities {
		for off := 0; ; {
			ls, n, err := s.Store.FindLots(ctx, critmin.LotFilter{Commodity: c, Limit: 500, Offset: off})
			if err != nil {
				return nil, nil, err
			}
			for _, l := range ls {
				if invoiced[l.ID] {
					continue
				}
				lf, err := lotFactsAsOf(ctx, s.Store, l.ID, asOf)
				if err != nil || lf.BLEvent == "" || lf.BLDate.After(asOf) {
					continue
				}
				// The one allocation rule, shared with the agreement's
				// shipped lots (fix13y).
				under, err := s.CandidateContracts(ctx, l, byCommodity[c])
				if err != nil {
					return nil, nil, err
				}
				switch {
				case len(under) == 1:
					out = append(out, shippedLot{contract: under[0], lot: l.ID})
				case len(under) > 1:
					amb = append(amb, ambiguousLot{lot: l.ID, under: under})
				}
			}
			off += len(ls)
			if len(ls) == 0 || off >= n {
				break
			}
		}
	}
	return out, amb, nil
}

// unallocatedLot is the exposure's line for a lot several contracts
// could invoice (ambiguousLot): its dmt and contained metal as known at
// asOf, from its best-known grades (no exchange rule applies before a
// contract does: BestKnownGrades with none), each element any candidate
// pays for (and a basket's basis) at 100 % with no deduction
// (ContainedTerms), at the loading weight (the provisional quantity: no
// contract's final weights apply yet). A lot that cannot be valued is
// listed with the reason (NotValued).
func unallocatedLot(ctx context.Context, store critmin.Store, a ambiguousLot, book string, asOf time.Time, spot map[string]decimal.Decimal) (ExposureLot, error) {
	ids := contractIDs(a.under)
	el := ExposureLot{Lot: a.lot, Unallocated: true, CouldBeUnder: ids, ContainedKg: map[string]decimal.Decimal{}, Payable: map[string]decimal.Decimal{},
		Note: "unallocated — could be invoiced under contracts " + strings.Join(ids, ", ") + ": shipped and not invoiced; its contained metal is in no long, short, priced or unpriced total until a contract invoices it"}
	if book != "" && !slices.ContainsFunc(a.under, func(ts *TermSheet) bool { return partyTo(ts, book) }) {
		el.Note += fmt.Sprintf("; %s is a party to none of them, so it is not in this book's unallocated total either", book)
	}
	lf, err := lotFactsAsOf(ctx, store, a.lot, asOf)
	if critmin.ErrorCode(err) == critmin.EINVALID {
		el.NotValued = critmin.ErrorMessage(err)
		return el, nil
	} else if err != nil {
		return el, err
	}
	best := *lf
	best.Assays = BestKnownGrades(lf, nil)
	best.UnknownAtLoading = lf.Unknown
	best.Samples = make([]AssaySample, len(lf.Samples))
	for i, sm := range lf.Samples {
		sm.AtLoading = true
		best.Samples[i] = sm
	}
	var why []string
	for _, ts := range a.under {
		st, err := Settle(ContainedTerms(ts), &best, SettleOptions{Kind: Provisional, Spot: spot})
		if err != nil {
			if critmin.ErrorCode(err) != critmin.EINVALID {
				return el, err
			}
			why = append(why, ts.ID+": "+critmin.ErrorMessage(err))
			continue
		}
		el.DMT = st.DMT
		elements := make([]string, 0, len(ts.Payables)+1)
		for _, p := range ts.Payables {
			elements = append(elements, p.Element)
		}
		if ts.Basket != nil {
			elements = append(elements, ts.Basket.Basis)
		}
		for _, e := range elements {
			if _, done := el.ContainedKg[e]; !done {
				el.ContainedKg[e] = st.Payable[e].Mul(st.DMT).Div(decimal.NewFromInt(1000)).Round(3)
			}
		}
	}
	if len(el.ContainedKg) == 0 && len(why) > 0 {
		el.NotValued = strings.Join(why, "; ")
	}
	return el, nil
}

// checkPlaced is the exposure's invariant, per lot and element: the kg
// fixed on its days, priced + unpriced, is the lot's payable kg (long,
// or short with its sign). A difference is a defect, never a figure.
func checkPlaced(contract, lot, element string, want, placed decimal.Decimal) error {
	if !placed.Equal(want) {
		return fmt.Errorf("commercial: exposure of lot %s under %s: %s kg %s fixed on its days (priced + unpriced) ≠ %s payable", lot, contract, element, placed, want)
	}
	return nil
}

// partyTo reports whether party is the contract's buyer or seller.
func partyTo(ts *TermSheet, party string) bool {
	c := epcis.Canonical(party)
	return c == epcis.Canonical(ts.Buyer) || c == epcis.Canonical(ts.Seller)
}

// ExposureBook is the party whose position an exposure over contracts
// is: book when given — a party to at least one of them (the others are
// left out of its position, Exposure.LeftOut), else EINVALID naming book
// — or else the party on every contract; when all are between the same
// two parties, their buyer (the purchases long). Contracts sharing no
// party need a book (EINVALID naming book).
func ExposureBook(contracts []*TermSheet, book string) (string, error) {
	if book != "" {
		if len(contracts) == 0 || slices.ContainsFunc(contracts, func(ts *TermSheet) bool { return partyTo(ts, book) }) {
			return book, nil
		}
		var ids []string
		for _, ts := range contracts {
			ids = append(ids, fmt.Sprintf("%s (seller %s, buyer %s)", ts.ID, ts.Seller, ts.Buyer))
		}
		return "", fieldErrorf("book", "%q is a party to none of the open contracts: %s; a position is one party's book", book, strings.Join(ids, ", "))
	}
	if len(contracts) == 0 {
		return "", nil
	}
	common := []string{contracts[0].Buyer, contracts[0].Seller}
	for _, ts := range contracts[1:] {
		var keep []string
		for _, p := range common {
			if c := epcis.Canonical(p); c == epcis.Canonical(ts.Buyer) || c == epcis.Canonical(ts.Seller) {
				keep = append(keep, p)
			}
		}
		common = keep
	}
	if len(common) == 0 {
		parties := OpenParties(contracts)
		return "", &BookNeeded{Parties: parties, Err: fieldErrorf("book", "the open contracts share no party (%s is between %s and %s, %s between %s and %s): name the party whose position this is, one of: %s", contracts[0].ID, contracts[0].Seller, contracts[0].Buyer, contracts[len(contracts)-1].ID, contracts[len(contracts)-1].Seller, contracts[len(contracts)-1].Buyer, strings.Join(parties, ", "))}
	}
	return common[0], nil
}

func (ts *TermSheet) qpFor(element string) *QPRule {
	for _, p := range ts.Payables {
		if p.Element == element && p.QP != nil {
			return p.QP
		}
	}
	return &ts.QP
}

func (ts *TermSheet) basketQP() *QPRule {
	if ts.Basket != nil && ts.Basket.QP != nil {
		return ts.Basket.QP
	}
	return &ts.QP
}

// qpSpan is the first and last day of a lot's quotational period for
// element: explicit periods' min(from) and max(to), in whatever order
// they are listed; else the (declared) month of shipment or arrival.
func qpSpan(qp *QPRule, lf *LotFacts, element string, decl []Declaration) (time.Time, time.Time) {
	if from, to, ok := qp.span(); ok {
		f, _ := time.Parse(time.DateOnly, from)
		t, _ := time.Parse(time.DateOnly, to)
		return f, t
	}
	month := qp.Month
	for _, d := range decl {
		if d.Element == element || d.Element == "*" {
			month = d.Month
		}
	}
	ref := lf.BLDate
	if qp.Event == "arrival" && lf.Arrival != nil {
		ref = *lf.Arrival
	}
	return monthSpan(ref, month)
}

// qpPart is one part of a quotational period: the days [from, to] fixing
// share of the payable metal.
type qpPart struct {
	from, to time.Time
	share    decimal.Decimal
}

// qpParts are the parts a lot's metal is fixed over: each explicit
// period with its own share (in date order, whatever the listed order),
// else the whole (declared) month.
func qpParts(qp *QPRule, lf *LotFacts, element string, decl []Declaration) []qpPart {
	if len(qp.Periods) == 0 {
		f, t := qpSpan(qp, lf, element, decl)
		return []qpPart{{f, t, decimal.NewFromInt(1)}}
	}
	parts := make([]qpPart, 0, len(qp.Periods))
	for _, p := range qp.Periods {
		f, _ := time.Parse(time.DateOnly, p.From)
		t, _ := time.Parse(time.DateOnly, p.To)
		parts = append(parts, qpPart{f, t, p.Share})
	}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].from.Before(parts[j].from) })
	return parts
}

// spreadParts fixes kg (signed) of element over the parts of its
// quotational period: each part's share on that part's own fixing days
// (the last part takes the rounding remainder, so the parts add up to
// kg exactly). It returns the kg placed, which is kg: every kg lands on
// a day, priced or not (spread).
func spreadParts(days map[[2]string]*ExposureDay, element string, kg decimal.Decimal, parts []qpPart, today string, s *PriceSeries) decimal.Decimal {
	placed := zero
	left := kg
	for i, p := range parts {
		k := kg.Mul(p.share).Round(3)
		if i == len(parts)-1 {
			k = left
		}
		left = left.Sub(k)
		placed = placed.Add(spread(days, element, k, fixingDays(s, p.from, p.to), p.to.Format(time.DateOnly), today, s))
	}
	return placed
}

// basketShare is an oxide's share of the basket basis: its fixed share,
// else its grade ÷ the basis grade (both settled from one sample).
func basketShare(o BasketOxide, grades map[string]Grade, basis string) (decimal.Decimal, error) {
	if o.Share != nil {
		return *o.Share, nil
	}
	total, g := grades[basis], grades[o.Oxide]
	t, err1 := convertGrade(total.Value, total.Unit, "%")
	v, err2 := convertGrade(g.Value, g.Unit, "%")
	if err1 != nil || err2 != nil || !t.IsPositive() {
		return zero, fieldErrorf("lot/assays/"+o.Oxide, "no %s and %s grades to share the basket by", o.Oxide, basis)
	}
	return v.Div(t), nil
}

// fixingDays are the days of [from, to] whose prices the quotational
// period's average counts: the days series s publishes, since the
// average is over published days only (PriceSeries.Average). A daily
// series fixes on every weekday except the days stored as not published
// (holidays); an irregular series on the assessments it holds in the
// period and, past its last stored day, on projected assessments at its
// cadence (PriceSeries.cadence; else the interval between its last two;
// a weekly series: every 7 days). With no
// series (a fixed price) or no interval to project by, the weekdays.
func fixingDays(s *PriceSeries, from, to time.Time) []string {
	var weekdays []string
	for t := from; !t.After(to); t = t.AddDate(0, 0, 1) {
		if businessDay(t) {
			weekdays = append(weekdays, t.Format(time.DateOnly))
		}
	}
	if s == nil {
		return weekdays
	}
	f, t := from.Format(time.DateOnly), to.Format(time.DateOnly)
	stored := map[string]PricePoint{}
	last := ""
	var published []time.Time
	for _, p := range s.Points {
		stored[p.Date] = p
		last = max(last, p.Date)
		if d, err := time.Parse(time.DateOnly, p.Date); err == nil && p.Published {
			published = append(published, d)
		}
	}
	var days []string
	if s.Frequency == Daily {
		for _, d := range weekdays {
			if p, ok := stored[d]; ok && !p.Published {
				continue
			}
			days = append(days, d)
		}
		return days
	}
	for _, p := range s.Points {
		if p.Published && p.Date >= f && p.Date <= t {
			days = append(days, p.Date)
		}
	}
	if last >= t {
		return days
	}
	// The series is not yet published through the period's end.
	if n := len(published); n >= 2 {
		// The series' cadence (the interval settlement checks
		// assessments against, PriceSeries.cadence), else the last gap.
		gap := published[n-1].Sub(published[n-2])
		if c := s.cadence(); c > 0 {
			gap = time.Duration(c) * 24 * time.Hour
		}
		if gap > 0 {
			for d := published[n-1].Add(gap); !d.After(to); d = d.Add(gap) {
				if ds := d.Format(time.DateOnly); ds > last && ds >= f {
					days = append(days, ds)
				}
			}
			if len(days) > 0 {
				return days
			}
		}
	}
	for _, d := range weekdays {
		if d > last {
			days = append(days, d)
		}
	}
	return days
}

// spread fixes kg equally over the fixing days wd (fixingDays), to the gram:
// each day kg ÷ n rounded to 3 places, the last day the remainder, so the
// days sum to kg exactly and no figure carries division noise. A day is
// priced when it is on or before today and, for a series price (s), the
// series holds a price published that day: a day the series has not (yet)
// published is unpriced, however long ago. With no fixing day the kg is
// unpriced on end (the period's last day). It returns the kg placed.
func spread(days map[[2]string]*ExposureDay, element string, kg decimal.Decimal, wd []string, end, today string, s *PriceSeries) decimal.Decimal {
	if len(wd) == 0 {
		// A period with no day to fix on (all holidays): its metal is
		// unpriced, listed on the period's last day, never dropped.
		wd = []string{end}
		s = nil
		today = ""
	}
	placed := zero
	var published map[string]bool
	if s != nil {
		published = map[string]bool{}
		for _, p := range s.Points {
			if p.Published {
				published[p.Date] = true
			}
		}
	}
	share := kg.Div(decimal.NewFromInt(int64(len(wd)))).Round(3)
	last := kg.Sub(share.Mul(decimal.NewFromInt(int64(len(wd) - 1))))
	for i, d := range wd {
		share := share
		if i == len(wd)-1 {
			share = last
		}
		k := [2]string{d, element}
		if days[k] == nil {
			days[k] = &ExposureDay{Date: d, Element: element}
		}
		if d <= today && (published == nil || published[d]) {
			days[k].PricedKg = days[k].PricedKg.Add(share)
		} else {
			days[k].UnpricedKg = days[k].UnpricedKg.Add(share)
		}
		placed = placed.Add(share)
	}
	return placed
}
