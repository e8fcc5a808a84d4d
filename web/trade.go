package web

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/plan"
	"github.com/shopspring/decimal"
)

// The Trade job's pages: contracts, a lot's settlement, invoices (a
// printable page and its XLSX), the framework agreement and exposure.
func init() {
	pages = append(pages, "trade", "tradecontract", "tradesettle", "tradeinvoice", "tradeagreement", "tradeexposure", "tradensr", "tradenote")
	funcs["money"] = money
	funcs["amount"] = commercial.FormatAmount
	// amountText is amount for a stored decimal text (a payment's amount,
	// refunds negative), so a refund reads −100.00 as the totals do.
	funcs["amountText"] = amountText
	// Signed figures (per-dmt columns, dmt, NSR) with the true minus sign
	// (commercial.Money), as the amounts beside them.
	funcs["dec"] = func(d decimal.Decimal) string { return commercial.Money(d, -1) }
	funcs["dec4"] = func(d decimal.Decimal) string { return commercial.Money(d.Round(4), -1) }
	// Shadow prices (money per tonne) with the true minus sign, as the
	// signed amounts beside them.
	funcs["shadow1"] = func(v float64) string { return trueMinusFigure(figure(v, 1)) }
	funcs["shadow0"] = func(v float64) string { return trueMinusFigure(formatNum(v, 0)) }
	funcs["deref_dec"] = func(d *decimal.Decimal) decimal.Decimal { return *d }
	funcs["list"] = func(v ...*commercial.Settlement) []*commercial.Settlement { return v }
	funcs["pctOf"] = pctOf
	funcs["lotCount"] = commercial.LotCount
	// count is "1 invoice", "2 invoices" (commercial.Count); isAre the
	// verb that agrees with a count.
	funcs["count"] = commercial.Count
	funcs["isAre"] = func(n int) string {
		if n == 1 {
			return "is"
		}
		return "are"
	}
}

// amountText writes a decimal text as amount (commercial.FormatAmount)
// writes an amount of currency; text that is no decimal, as it is.
func amountText(txt, currency string) string {
	d, err := decimal.NewFromString(txt)
	if err != nil {
		return txt
	}
	return commercial.FormatAmount(d, currency)
}

// pctOf is a ÷ b as a per cent with one decimal always shown (7.0 %, 2.2 %),
// "—" when b is not positive.
func pctOf(a, b decimal.Decimal) string {
	if !b.IsPositive() {
		return "—"
	}
	return a.Div(b).Mul(decimal.NewFromInt(100)).StringFixed(1) + " %"
}

// money writes an amount with two decimals and thousands separators,
// from its exact decimal text (amount, with the currency, writes its
// minor units instead).
func money(d decimal.Decimal) string {
	return commercial.GroupThousands(commercial.Money(d, 2))
}

func jsonIndent(v any) (string, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return string(b), err
}

func (s *site) tradeRoutes() {
	s.route("GET /trade", accessRead, s.handleTradePage, "limit", "offset")
	s.route("GET /trade/contracts", accessRead, s.handleTradeContractsPage)
	s.route("GET /trade/contracts/{id}", accessRead, s.handleTradeContractPage)
	s.route("GET /trade/settlement", accessRead, s.handleTradeSettlementPage, "contract", "lot", "as_of")
	s.route("GET /trade/invoices", accessRead, s.handleTradeInvoicesPage)
	s.route("POST /trade/invoices", accessWrite, s.handleTradeInvoiceForm)
	s.route("POST /trade/notes", accessWrite, s.handleTradeNoteForm)
	s.route("GET /trade/invoices/{id}", accessRead, s.handleTradeInvoicePage)
	s.route("GET /trade/notes/{id}", accessRead, s.handleTradeNotePage)
	s.route("POST /trade/payments", accessWrite, s.handleTradePaymentForm)
	s.route("GET /trade/agreement", accessRead, s.handleTradeAgreementPage, "id", "as_of")
	s.route("GET /trade/exposure", accessRead, s.handleTradeExposurePage, "as_of", "book")
	s.route("GET /trade/nsr", accessRead, s.handleTradeNSRPage, "lot", "grades", "supply", "terms", "as_of", "step", "format:html|csv")
}

// handleTradeContractsPage sends the contract list's address to the
// trade page, which lists the contracts (a 404 there read as "no page of
// contracts" beside /trade/contracts/{id}).
// GET /trade/contracts
func (s *site) handleTradeContractsPage(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/trade#contracts", http.StatusSeeOther)
}

// handleTradeInvoicesPage sends the invoice list's address to the trade
// page, which lists the invoices: the form posts to /trade/invoices, and a
// user typing that address (or reloading after a post) got 405.
// GET /trade/invoices
func (s *site) handleTradeInvoicesPage(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/trade#invoices", http.StatusSeeOther)
}

// handleTradePage lists contracts, the lots they settle (paged: limit,
// 100 by default, and offset over every contract's lots, with their
// count) and invoices.
// GET /trade?limit=&offset=
func (s *site) handleTradePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t := s.Trade()
	limit, offset, err := listWindow(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	contracts, err := t.Contracts(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	invs, refused, err := t.InvoiceList(ctx, critmin.InvoiceFilter{})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	agreements, err := t.Agreements(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// Real pairings only (commercial.Service.LotPairings): a lot
	// invoiced under a contract under it alone, a lot not yet invoiced
	// under each contract it could be delivered under; rows [offset,
	// offset+limit) of them all, seen counting every row.
	lots, seen, err := t.LotPairings(ctx, contracts, limit, offset)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names, err := s.refNames(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "trade", "Trade", "trade", map[string]any{"Names": names, "Contracts": contracts, "Invoices": invs, "Refused": refused, "Lots": lots,
		"LotsTotal": seen, "LotsPager": pageOf(r, offset, limit, len(lots), seen), "Agreements": agreements})
}

// listWindow reads a paged page's limit (1–1000, default 100) and offset
// (0 or more), naming the parameter at fault.
func listWindow(r *http.Request) (limit, offset int, err error) {
	limit = critminhttp.DefaultListLimit
	for _, k := range []string{"limit", "offset"} {
		v := r.URL.Query().Get(k)
		if v == "" {
			continue
		}
		lo, hi := 0, math.MaxInt
		if k == "limit" {
			lo, hi = 1, critminhttp.MaxListLimit
		}
		n, reason := critmin.IntInRange(v, lo, hi)
		if reason != "" {
			return 0, 0, critmin.FieldErrorf(k, "%s", reason)
		}
		if k == "limit" {
			limit = n
		} else {
			offset = n
		}
	}
	return limit, offset, nil
}

// handleTradeContractPage shows a contract's terms as data and the NSR per
// dmt of its lots' best-known grades. GET /trade/contracts/{id}
func (s *site) handleTradeContractPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t := s.Trade()
	ts, err := t.Contract(ctx, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	body, _ := jsonIndent(ts)
	invs, err := t.Invoices(ctx, critmin.InvoiceFilter{Contract: ts.ID})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pos, err := t.Position(ctx, ts.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	shadows, refs, err := s.contractShadows(ctx, ts.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names, err := s.refNames(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tradecontract", "Contract "+ts.ID, "trade", map[string]any{"Names": names, "T": ts, "JSON": body, "Invoices": invs, "Shadows": shadows, "PlanRefs": refs, "Pos": pos})
}

// handleTradeSettlementPage shows a lot's settlement under a contract:
// facts, prices, assay exchange, lines with formulas and their events,
// invoices, and forms to issue the next invoice. Given as_of (the page's
// date field), the settlement as the records stood at the end of that
// day (commercial.Service.ValueAsOf), without the forms that act on
// current data.
// GET /trade/settlement?contract=ID&lot=LOT&as_of=DATE
func (s *site) handleTradeSettlementPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// Both are required, as by GET /api/v1/trade/settlement: a missing
	// one is a bad request naming it, not a lot or contract not found.
	for _, name := range []string{"contract", "lot"} {
		if q.Get(name) == "" {
			s.renderError(w, r, critmin.FieldErrorf(name, "required: the settlement is of one lot under one contract (give contract=ID&lot=LOT)"))
			return
		}
	}
	var v *commercial.Valuation
	var ts *commercial.TermSheet
	var err error
	if day := q.Get("as_of"); day != "" {
		t, perr := time.Parse(time.DateOnly, day)
		if perr != nil {
			s.renderError(w, r, critmin.FieldErrorf("as_of", "%q is not a date (YYYY-MM-DD)", day))
			return
		}
		v, ts, err = s.Trade().ValueAsOf(r.Context(), q.Get("contract"), q.Get("lot"), t)
	} else {
		v, ts, err = s.Trade().Value(r.Context(), q.Get("contract"), q.Get("lot"))
	}
	// A refused settlement is 409 on the page as in the API, also when
	// the page offers to accept the refusal (RFC 9110 §15.5.10).
	status := http.StatusOK
	if a := commercial.Acceptable(commercial.Provisional, err); a != nil {
		status = critminhttp.StatusOf(err)
		// A lot never invoiced whose settlement a plausibility check
		// refuses: the page says why and offers to accept it.
		if ts, err = s.Trade().Contract(r.Context(), q.Get("contract")); err == nil {
			v = &commercial.Valuation{Contract: ts.ID, Lot: q.Get("lot"), Currency: ts.Currency, Facts: &commercial.LotFacts{Lot: q.Get("lot")},
				NotComputable: a.Refusal, Acceptable: a, Figures: "none: not computable", Warnings: []string{}}
		}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	have := map[string]bool{}
	for _, inv := range v.Invoices {
		have[inv.Kind] = true
	}
	// Names label the lot, bill of lading and events the formulas and
	// warnings name (readable.go).
	names, err := s.refNames(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, status, "tradesettle", "Settlement of "+names.refLabel(v.Lot), "trade", map[string]any{"V": v, "T": ts, "HasProv": have[commercial.Provisional], "HasFinal": have[commercial.Final], "Names": names})
}

// handleTradeInvoiceForm issues an invoice from the settlement page.
// POST /trade/invoices (contract, lot, kind; accept and accept_reason
// when the page's checkbox accepts a refused figure)
func (s *site) handleTradeInvoiceForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	if err := unknownFormFields(r, "contract", "lot", "kind", "accept", "accept_reason"); err != nil {
		s.renderError(w, r, err)
		return
	}
	// The settlement page's checkbox accepts a refused figure: who is
	// the signed-in token, why the reason typed beside it.
	var accept []commercial.Acceptance
	for _, c := range r.PostForm["accept"] {
		accept = append(accept, commercial.Acceptance{Check: c, By: s.tokenNameOf(r), Reason: r.PostForm.Get("accept_reason")})
	}
	if len(accept) == 0 && r.PostForm.Get("accept_reason") != "" {
		s.renderError(w, r, critmin.FieldErrorf("accept", "tick the box to accept the refused figures (the reason alone accepts nothing)"))
		return
	}
	inv, err := s.Trade().IssueAccepting(r.Context(), r.PostForm.Get("contract"), r.PostForm.Get("lot"), r.PostForm.Get("kind"), s.Trade().Now(), accept)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/trade/invoices/"+url.PathEscape(inv.ID), http.StatusSeeOther)
}

// handleTradeNoteForm issues a credit or debit note from the settlement
// page and returns to it. POST /trade/notes (contract, lot, reason)
func (s *site) handleTradeNoteForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	if err := unknownFormFields(r, "contract", "lot", "reason"); err != nil {
		s.renderError(w, r, err)
		return
	}
	n, err := s.Trade().IssueNote(r.Context(), r.PostForm.Get("contract"), r.PostForm.Get("lot"), r.PostForm.Get("reason"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/trade/settlement?contract="+url.QueryEscape(n.Contract)+"&lot="+url.QueryEscape(n.Lot)+"#note-"+url.PathEscape(n.ID), http.StatusSeeOther)
}

// handleTradeNotePage shows a credit or debit note: its lines with their
// formulas, what caused it, and the account of the final invoice it
// corrects (invoice + notes − payments: status and balance), with the
// form to record a payment or refund against it. GET /trade/notes/{id}
func (s *site) handleTradeNotePage(w http.ResponseWriter, r *http.Request) {
	n, inv, err := s.Trade().Note(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pays, err := s.Store.ListPayments(r.Context(), inv.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tradenote", n.Title()+" "+n.ID, "trade", map[string]any{"N": n, "I": inv, "Payments": pays, "Today": s.Trade().Now().UTC().Format(time.DateOnly)})
}

// handleTradePaymentForm records a payment or refund from an invoice's or
// a note's page (the same validation as POST /api/v1/trade/payments,
// commercial.Service.RecordPayment; a note is paid on its final
// invoice's account) and returns to that page.
// POST /trade/payments (invoice, amount, paid_on; direction optional)
func (s *site) handleTradePaymentForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	if err := unknownFormFields(r, "invoice", "amount", "paid_on", "direction"); err != nil {
		s.renderError(w, r, err)
		return
	}
	id := r.PostForm.Get("invoice")
	p := &critmin.TradePayment{Invoice: id, Amount: strings.TrimSpace(r.PostForm.Get("amount")), PaidOn: r.PostForm.Get("paid_on"), Direction: r.PostForm.Get("direction")}
	if err := s.Trade().RecordPayment(r.Context(), p); err != nil {
		s.renderError(w, r, err)
		return
	}
	back := "/trade/invoices/" + url.PathEscape(p.Invoice)
	if id != p.Invoice {
		back = "/trade/notes/" + url.PathEscape(id) // paid on the final invoice's account
	}
	http.Redirect(w, r, back+"#payments", http.StatusSeeOther)
}

// handleTradeInvoicePage shows an invoice as a printable page, every line
// with its formula and links to the lot's events. GET /trade/invoices/{id}
func (s *site) handleTradeInvoicePage(w http.ResponseWriter, r *http.Request) {
	inv, err := s.Trade().Invoice(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	pays, err := s.Store.ListPayments(r.Context(), inv.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names, err := s.refNames(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tradeinvoice", "Invoice "+inv.ID, "trade", map[string]any{"I": inv, "Payments": pays, "Names": names, "Today": s.Trade().Now().UTC().Format(time.DateOnly)})
}

// handleTradeAgreementPage shows the framework agreement's progress per
// commodity and its milestones on time or late.
// GET /trade/agreement?id=ID&as_of=DATE
func (s *site) handleTradeAgreementPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("id")
	if id == "" {
		id = commercial.DemoAgreement
	}
	asOf := time.Now().UTC()
	if v := q.Get("as_of"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			s.renderError(w, r, critmin.FieldErrorf("as_of", "%q is not a date (YYYY-MM-DD)", v))
			return
		}
		asOf = t
	}
	p, err := s.Trade().Progress(r.Context(), id, asOf)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tradeagreement", p.Agreement.Name, "trade", map[string]any{"P": p, "Bars": progressBars(p)})
}

// progressBars draws committed, shipped, invoiced and paid per commodity
// as horizontal bars (SVG), scaled to the largest figure.
func progressBars(p *commercial.Progress) template.HTML {
	max := decimal.Zero
	for _, c := range p.Commodities {
		for _, v := range []decimal.Decimal{c.Committed, c.Shipped, c.Invoiced, c.Paid} {
			if v.GreaterThan(max) {
				max = v
			}
		}
	}
	if !max.IsPositive() {
		return ""
	}
	const width, bar = 520.0, 12.0
	h := float64(len(p.Commodities))*(4*bar+22) + 10
	out := `<svg id="agreement-bars" viewBox="0 0 760 ` + ftoa(h) + `" width="100%" role="img" aria-label="committed, shipped, invoiced and paid by commodity">`
	y := 10.0
	colors := []string{"#c9d3dd", "#4e79a7", "#f28e2b", "#59a14f"}
	names := []string{"committed", "shipped", "invoiced", "paid"}
	for _, c := range p.Commodities {
		out += `<text x="0" y="` + ftoa(y+bar) + `" font-size="12">` + template.HTMLEscapeString(c.Commodity) + `</text>`
		for i, v := range []decimal.Decimal{c.Committed, c.Shipped, c.Invoiced, c.Paid} {
			f, _ := v.Div(max).Float64()
			out += `<rect x="110" y="` + ftoa(y) + `" width="` + ftoa(f*width) + `" height="` + ftoa(bar-2) + `" fill="` + colors[i] + `"><title>` + names[i] + ` ` + v.StringFixed(2) + `</title></rect>`
			out += `<text x="` + ftoa(115+f*width) + `" y="` + ftoa(y+bar-3) + `" font-size="10">` + names[i] + ` ` + money(v) + `</text>`
			y += bar
		}
		y += 22
	}
	return template.HTML(out + `</svg>`)
}

func ftoa(f float64) string { return decimal.NewFromFloat(f).Round(1).String() }

// handleTradeExposurePage shows priced and unpriced payable metal by
// element and fixing day. GET /trade/exposure?as_of=DATE&book=PARTY
func (s *site) handleTradeExposurePage(w http.ResponseWriter, r *http.Request) {
	asOf := time.Now().UTC()
	if v := r.URL.Query().Get("as_of"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			s.renderError(w, r, critmin.FieldErrorf("as_of", "%q is not a date (YYYY-MM-DD)", v))
			return
		}
		asOf = t
	}
	ex, err := s.Trade().Exposure(r.Context(), asOf, r.URL.Query().Get("book"))
	var choose *commercial.BookNeeded
	if errors.As(err, &choose) {
		// Open contracts of parties sharing none: the page offers their
		// books instead of refusing (the API answers 400 listing them).
		s.render(w, r, http.StatusOK, "tradeexposure", "Exposure", "trade", map[string]any{"Choose": choose.Parties,
			"Why": critmin.ErrorMessage(err), "AsOf": r.URL.Query().Get("as_of")})
		return
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var els []string
	for e := range ex.Priced {
		els = append(els, e)
	}
	sort.Strings(els)
	names, err := s.refNames(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "tradeexposure", "Exposure", "trade", map[string]any{"E": ex, "Elements": els, "AsOf": r.URL.Query().Get("as_of"), "Names": names})
}

// contractShadow is a plan's shadow price of a sale (a planning contract)
// or a purchase (a supply priced at the terms) under a term sheet.
type contractShadow = commercial.ContractShadow

// contractShadows returns the nonzero shadow prices, in the latest
// finished plan, of what the term sheet prices — planning contracts that
// name it and supplies the plan priced at it (commercial.ContractShadows)
// — and their planning references (none when no plan has finished).
func (s *site) contractShadows(ctx context.Context, id string) ([]contractShadow, []string, error) {
	j, err := s.LatestPlan(ctx)
	if err != nil || j == nil {
		return nil, nil, err
	}
	sh, refs := commercial.ContractShadows(j.Plans, s.PlanNetwork(), id)
	return sh, refs, nil
}

// handleTradeNSRPage compares the net smelter return of a lot (its
// best-known assays), of a planning supply (its grades), or of typed
// grades under every term sheet of the commodity (or those named), at the
// spot prices of as_of: the line items per dmt side by side, the NSR and
// the lot's value, the contained value at spot and the share each
// contract pays, the sensitivity to price and grade, and each planning
// contract's shadow price next to its terms. format=csv downloads the
// comparison (commercial.NSRComparison.WriteCSV).
// GET /trade/nsr?lot=ID|supply=ID|grades=Cu:24%,…&terms=ID,ID&as_of=DATE&step=PCT&format=csv
func (s *site) handleTradeNSRPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lot, grades, supply, terms := q.Get("lot"), q.Get("grades"), q.Get("supply"), q.Get("terms")
	title := ""
	if supply != "" {
		// A planning supply: a ledger lot by its assays, any other by
		// the grades the planning file gives it.
		var found *plan.Supply
		if n := s.PlanNetwork(); n != nil {
			for i := range n.Supplies {
				if n.Supplies[i].ID == supply {
					found = &n.Supplies[i]
				}
			}
		}
		if found == nil {
			s.renderError(w, r, critmin.Errorf(critmin.ENOTFOUND, "the planning file has no supply %q", supply))
			return
		}
		title = "supply " + found.ID + " (" + found.Commodity + ")"
		if found.Lot != "" {
			lot = found.Lot
		} else {
			els := make([]string, 0, len(found.Grade))
			for el := range found.Grade {
				els = append(els, el)
			}
			sort.Strings(els)
			parts := make([]string, 0, len(els))
			for _, el := range els {
				parts = append(parts, el+":"+decimal.NewFromFloat(found.Grade[el]*100).Round(6).String()+"%")
			}
			grades = strings.Join(parts, ",")
			if terms == "" {
				all, err := s.Trade().Contracts(r.Context())
				if err != nil {
					s.renderError(w, r, err)
					return
				}
				var ids []string
				for _, ts := range all {
					if ts.Commodity == found.Commodity {
						ids = append(ids, ts.ID)
					}
				}
				terms = strings.Join(ids, ",")
				if terms == "" {
					// No term sheet of the commodity: nothing to compare
					// (an empty terms list would mean every contract).
					lots, err := s.tradeLots(r)
					if err != nil {
						s.renderError(w, r, err)
						return
					}
					data := map[string]any{"Grades": grades, "AsOf": time.Now().UTC().Format(time.DateOnly), "Step": 10.0, "Supply": supply, "Title": title,
						"Lots": lots, "None": "no stored term sheet is for " + found.Commodity}
					s.render(w, r, http.StatusOK, "tradensr", "NSR comparison", "trade", data)
					return
				}
			}
		}
	}
	asOf, asOfNote := time.Now().UTC(), ""
	if v := q.Get("as_of"); v != "" {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			s.renderError(w, r, critmin.FieldErrorf("as_of", "%q is not a date (YYYY-MM-DD)", v))
			return
		}
		asOf = t
	} else {
		// No date given and today's prices stale: the latest day with
		// prices, said so on the page (commercial.Service.PricesDay).
		var err error
		if asOf, asOfNote, err = s.Trade().PricesDay(r.Context(), asOf); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	step := 10.0
	if v := q.Get("step"); v != "" {
		f, err := critmin.ParseDecimal(v)
		if err != nil {
			s.renderError(w, r, critmin.FieldErrorf("step", "%v: give a per-cent step in (0, 100)", err))
			return
		} else if f <= 0 || f >= 100 {
			s.renderError(w, r, critmin.FieldErrorf("step", "%q is not a per-cent step in (0, 100)", v))
			return
		}
		step = f
	}
	data := map[string]any{"Lot": lot, "Grades": grades, "Terms": terms, "AsOf": asOf.Format(time.DateOnly), "AsOfNote": asOfNote, "Step": step, "Supply": supply, "Title": title}
	if lot == "" && grades == "" {
		// The form alone, with the lots of the stored contracts' commodities.
		lots, err := s.tradeLots(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		data["Lots"] = lots
		s.render(w, r, http.StatusOK, "tradensr", "NSR comparison", "trade", data)
		return
	}
	if lot != "" && grades != "" && supply == "" {
		s.renderError(w, r, critmin.FieldErrorf("lot", "give lot or grades, not both"))
		return
	}
	if supply != "" && lot != "" {
		grades = ""
	}
	cmp, err := s.Trade().NSRFor(r.Context(), terms, lot, grades, asOf, step)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if q.Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="nsr-comparison.csv"`)
		_ = cmp.WriteCSV(w)
		return
	}
	shadows := map[string][]contractShadow{}
	for _, c := range cmp.Cases {
		sh, _, err := s.contractShadows(r.Context(), c.Contract)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		shadows[c.Contract] = sh
	}
	lots, err := s.tradeLots(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	data["C"], data["Codes"], data["Shadows"], data["Lots"] = cmp, cmp.Codes(), shadows, lots
	csvQ := r.URL.Query()
	csvQ.Set("format", "csv")
	data["CSV"] = "/trade/nsr?" + csvQ.Encode()
	s.render(w, r, http.StatusOK, "tradensr", "NSR comparison", "trade", data)
}

// tradeLotChoices is how many lots the NSR form offers by name; past it
// the form takes any lot's id, suggesting these (a variable so a test can
// lower it).
var tradeLotChoices = 500

// lotChoice is the NSR form's choice of lot: the lots of the stored
// contracts' commodities, most recent first, up to tradeLotChoices of
// Total; Cut when some are not listed (the form then takes a typed id and
// says how many there are).
type lotChoice struct {
	Lots  []*critmin.Lot
	Total int
	Cut   bool
	// Commodities are the commodities listed, for a link to the lots page.
	Commodities []string
}

// tradeLots lists the lots of the stored contracts' commodities, for the
// NSR form's choice (lotChoice).
func (s *site) tradeLots(r *http.Request) (lotChoice, error) {
	var c lotChoice
	contracts, err := s.Trade().Contracts(r.Context())
	if err != nil {
		return c, err
	}
	seen := map[string]bool{}
	for _, ts := range contracts {
		if seen[ts.Commodity] {
			continue
		}
		seen[ts.Commodity] = true
		c.Commodities = append(c.Commodities, ts.Commodity)
		want := tradeLotChoices - len(c.Lots)
		ls, n, err := s.Store.FindLots(r.Context(), critmin.LotFilter{Commodity: ts.Commodity, Limit: max(want, 1)})
		if err != nil {
			return c, err
		}
		c.Lots = append(c.Lots, ls[:min(len(ls), max(want, 0))]...)
		c.Total += n
	}
	c.Cut = len(c.Lots) < c.Total
	return c, nil
}
