package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/units"
)

// tradeBodyLimit bounds a trade request body (a term sheet, a price CSV).
const tradeBodyLimit = 8 << 20

// Trade returns the Trade job's service over the server's ledger.
func (s *Server) Trade() *commercial.Service {
	svc := commercial.NewService(s.Ledger)
	if now := s.tradeNow.Load(); now != nil {
		svc.Now = *now
	}
	return svc
}

// SetTradeClock sets the Trade job's clock (tests fix the day whose
// prices are spot); safe while the server runs.
func (s *Server) SetTradeClock(now func() time.Time) {
	s.tradeNow.Store(&now)
}

func (s *Server) tradeRoutes() {
	s.route("GET /api/v1/trade/schema", accessPublic, s.handleTradeSchema)
	s.route("GET /api/v1/trade/contracts", accessRead, s.handleContractList, "limit", "offset")
	s.route("POST /api/v1/trade/contracts", accessWrite, s.handleContractSave)
	s.route("GET /api/v1/trade/contracts/{id}", accessRead, s.handleContractGet)
	s.route("GET /api/v1/trade/prices", accessRead, s.handlePriceList, "limit", "offset")
	s.route("POST /api/v1/trade/prices", accessWrite, s.handlePriceImport, "series", "source", "unit", "frequency", "correction", "confirm_unit_jumps")
	s.route("GET /api/v1/trade/prices/{id}", accessRead, s.handlePriceGet)
	s.route("POST /api/v1/trade/assays", accessWrite, s.handleAssaySubmit)
	s.route("POST /api/v1/trade/declarations", accessWrite, s.handleDeclare)
	s.route("GET /api/v1/trade/settlement", accessRead, s.handleSettlement, "contract", "lot", "as_of")
	s.route("GET /api/v1/trade/invoices", accessRead, s.handleInvoiceList, "contract", "lot", "as_of", "limit", "offset")
	s.route("POST /api/v1/trade/invoices", accessWrite, s.handleInvoiceIssue)
	s.route("GET /api/v1/trade/invoices/{id}", accessRead, s.handleInvoiceGet, "as_of", "format:json|xlsx")
	s.route("POST /api/v1/trade/payments", accessWrite, s.handlePayment)
	s.route("GET /api/v1/trade/notes", accessRead, s.handleNoteList, "invoice")
	s.route("POST /api/v1/trade/notes", accessWrite, s.handleNoteIssue)
	s.route("GET /api/v1/trade/agreements", accessRead, s.handleAgreementList, "limit", "offset")
	s.route("GET /api/v1/trade/agreements/{id}", accessRead, s.handleAgreementProgress, "as_of")
	s.route("GET /api/v1/trade/nsr", accessRead, s.handleNSR, "lot", "grades", "terms", "as_of", "step", "format:json|csv")
	s.route("GET /api/v1/trade/exposure", accessRead, s.handleTradeExposure, "as_of", "book")
}

func readTradeBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, tradeBodyLimit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, critmin.Errorf(critmin.ETOOLARGE, "body over %s bytes", units.Int(tradeBodyLimit))
		}
		return nil, critmin.FieldErrorf("/", "cannot read the body: %v", err)
	}
	return b, nil
}

// decodeTrade decodes a trade request's JSON body strictly
// (decodeJSONLimit) within tradeBodyLimit.
func decodeTrade(_ http.ResponseWriter, r *http.Request, v any) error {
	err := decodeJSONLimit(r, v, tradeBodyLimit)
	if _, ok := v.(*commercial.ExchangeSubmission); ok && err != nil && badTime(err) {
		// encoding/json's time error names no field; at is the only
		// time of an assay submission.
		return critmin.FieldErrorf("at", "not a time (RFC 3339, such as 2025-10-01T12:00:00Z): %s", critmin.ErrorMessage(err))
	}
	return err
}

// badTime tells whether a decoding error is time.Time's (a string that is
// not RFC 3339), as decodeError reports it.
func badTime(err error) bool {
	msg := critmin.ErrorMessage(err)
	return strings.Contains(msg, "parsing time") || strings.Contains(msg, "Time.UnmarshalJSON")
}

// day reads a date parameter (YYYY-MM-DD), defaulting to today.
func (p *params) day(name string) time.Time {
	v := p.q.Get(name)
	if v == "" {
		return time.Now().UTC()
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		p.fail(name, "%q is not a date (YYYY-MM-DD)", v)
	}
	return t
}

// handleTradeSchema serves the term-sheet JSON Schema. GET /api/v1/trade/schema
func (s *Server) handleTradeSchema(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	_, _ = w.Write(commercial.TermSheetSchema)
}

// handleContractList lists term sheets. GET /api/v1/trade/contracts
func (s *Server) handleContractList(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "limit", "offset")
	limit, offset := p.listPage()
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	list, err := s.Trade().Contracts(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	page, total := pageOf(list, limit, offset)
	writeJSON(w, http.StatusOK, map[string]any{"contracts": page, "total": total, "limit": limit, "offset": offset})
}

// handleContractSave validates and stores a term sheet.
// POST /api/v1/trade/contracts
func (s *Server) handleContractSave(w http.ResponseWriter, r *http.Request) {
	b, err := readJSONBodyLimit(r, tradeBodyLimit)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ts, err := s.Trade().SaveContract(r.Context(), b)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ts)
}

// handleContractGet returns a term sheet with its position, as `trade
// contract show` and the contract page give it: the term sheet's members
// plus "position" (commercial.Position: delivered dmt, the tolerance band
// and its status, take-or-pay period dmt, shortfall and amount). When the
// position cannot be computed (an invoice that cannot be read), the term
// sheet is still returned, with "position_error" saying why. It carries
// "shadow_prices" too (commercial.PlanShadows): the contract's shadow
// prices in the latest finished plan, sales and purchases alike.
// GET /api/v1/trade/contracts/{id}
func (s *Server) handleContractGet(w http.ResponseWriter, r *http.Request) {
	ts, err := s.Trade().Contract(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	raw, err := json.Marshal(ts)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &out); err != nil {
		s.Error(w, r, err)
		return
	}
	if pos, err := s.Trade().Position(r.Context(), ts.ID); err != nil {
		out["position_error"], _ = json.Marshal(critmin.ErrorMessage(err))
	} else if out["position"], err = json.Marshal(pos); err != nil {
		s.Error(w, r, err)
		return
	}
	// Each contract's shadow price from the latest finished plan, next
	// to its terms (issue 13 §6): its sales (planning contracts naming
	// it) and purchases (supplies priced at it), as the contract page.
	sh := commercial.NewPlanShadows("", nil, nil, ts.ID)
	j, err := s.LatestPlan(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if j != nil {
		sh = commercial.NewPlanShadows(j.ID, j.Plans, s.PlanNetwork(), ts.ID)
	}
	if out["shadow_prices"], err = json.Marshal(sh); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handlePriceList lists price series without their points.
// GET /api/v1/trade/prices
func (s *Server) handlePriceList(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "limit", "offset")
	limit, offset := p.listPage()
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	all, err := s.Trade().Prices(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	type row struct {
		commercial.PriceSeries
		Days  int    `json:"days"`
		First string `json:"first,omitempty"`
		Last  string `json:"last,omitempty"`
	}
	out := []row{}
	for _, ps := range all {
		x := row{PriceSeries: *ps, Days: len(ps.Points)}
		if n := len(ps.Points); n > 0 {
			x.First, x.Last = ps.Points[0].Date, ps.Points[n-1].Date
		}
		x.Points = nil
		out = append(out, x)
	}
	page, total := pageOf(out, limit, offset)
	writeJSON(w, http.StatusOK, map[string]any{"series": page, "total": total, "limit": limit, "offset": offset})
}

// handlePriceImport imports price series from a CSV body (text/csv); the
// query may give series, source, unit and frequency for files without
// those columns. Another media type is 415 (RFC 9110 §15.5.16); a file
// with faults is 400 listing every row and column at fault, and nothing
// of it is stored. POST /api/v1/trade/prices
func (s *Server) handlePriceImport(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "text/csv" {
		s.problem(w, r, http.StatusUnsupportedMediaType, "send the price file as text/csv (RFC 4180)", []critmin.FieldError{{Pointer: "Content-Type", Reason: fmt.Sprintf("%q is not text/csv", r.Header.Get("Content-Type"))}})
		return
	}
	p := readParams(r, "series", "source", "unit", "frequency", "correction", "confirm_unit_jumps")
	def := commercial.PriceSeries{ID: p.str("series", ""), Source: p.str("source", ""), Unit: p.str("unit", ""), Frequency: p.str("frequency", "")}
	var opt commercial.PriceImportOptions
	for _, f := range []struct {
		name string
		dst  *bool
	}{
		// correction: days inside a QP closed by an issued final
		// invoice are accepted as corrections (the lot's views flag
		// them); confirm_unit_jumps: rows whose price jumps by a unit
		// factor from their neighbours are imported as they are.
		{"correction", &opt.Correction}, {"confirm_unit_jumps", &opt.ConfirmUnitJumps},
	} {
		switch c := p.str(f.name, "false"); c {
		case "true":
			*f.dst = true
		case "false":
		default:
			p.fail(f.name, "%q is not true or false", c)
		}
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	b, err := readTradeBody(w, r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	got, err := s.Trade().ImportPricesWith(r.Context(), strings.NewReader(string(b)), def, opt)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ids := make([]string, 0, len(got))
	for _, ps := range got {
		ids = append(ids, ps.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"imported": ids})
}

// handlePriceGet returns one series with its points. GET /api/v1/trade/prices/{id}
func (s *Server) handlePriceGet(w http.ResponseWriter, r *http.Request) {
	ps, err := s.Trade().PriceSeries(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ps)
}

// handleAssaySubmit captures one party's assay-exchange results as an
// event of the lot. POST /api/v1/trade/assays
func (s *Server) handleAssaySubmit(w http.ResponseWriter, r *http.Request) {
	var sub commercial.ExchangeSubmission
	if err := decodeTrade(w, r, &sub); err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := s.Trade().SubmitAssays(r.Context(), &sub)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"eventID": id})
}

// handleDeclare records a quotational-period declaration.
// POST /api/v1/trade/declarations
func (s *Server) handleDeclare(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Contract   string `json:"contract"`
		Lot        string `json:"lot"`
		Element    string `json:"element"`
		Month      int    `json:"month"`
		Party      string `json:"party"`
		DeclaredAt string `json:"declared_at,omitempty" default:"the time the server records it"`
	}
	if err := decodeTrade(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	if in.DeclaredAt != "" {
		s.Error(w, r, critmin.FieldErrorf("/declared_at", "a declaration is dated by the server when it is recorded; leave declared_at out"))
		return
	}
	d := &critmin.QPDeclaration{Contract: in.Contract, Lot: in.Lot, Element: in.Element, Month: in.Month, Party: in.Party}
	if err := s.Trade().Declare(r.Context(), d); err != nil {
		s.Error(w, r, err)
		return
	}
	in.DeclaredAt = d.DeclaredAt.Format(time.RFC3339)
	writeJSON(w, http.StatusCreated, in)
}

// handleSettlement values a lot under a contract: provisional and (when
// complete) final settlement, every line with its formula, the invoices
// issued, and dmt, nsr_per_dmt, lot_value, provisional_amount and
// final_balance. GET /api/v1/trade/settlement?contract=ID&lot=LOT&as_of=DATE
// (as_of: the settlement as the records stood at the end of that day,
// commercial.Service.ValueAsOf; absent, on current data).
func (s *Server) handleSettlement(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "contract", "lot", "as_of")
	contract, lot := p.required("contract"), p.required("lot")
	svc := s.Trade()
	var asOf time.Time
	if p.q.Get("as_of") != "" {
		asOf = tradeDay(p.q.Get("as_of"), svc, p.fail)
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	var v *commercial.Valuation
	var err error
	if asOf.IsZero() {
		v, _, err = svc.Value(r.Context(), contract, lot)
	} else {
		v, _, err = svc.ValueAsOf(r.Context(), contract, lot, asOf)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// handleInvoiceList lists invoices.
// GET /api/v1/trade/invoices?contract=&lot=&as_of=DATE
// As of a day (default today) an invoice issued after it is not listed
// (it did not exist) and payments after it are not counted, as trade
// invoice list --as-of (commercial.Service.InvoiceListAsOf).
func (s *Server) handleInvoiceList(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "contract", "lot", "as_of", "limit", "offset")
	f := critmin.InvoiceFilter{Contract: p.str("contract", ""), Lot: p.str("lot", "")}
	svc := s.Trade()
	asOf := tradeDay(p.q.Get("as_of"), svc, p.fail)
	limit, offset := p.listPage()
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	invs, refused, err := svc.InvoiceListAsOf(r.Context(), f, asOf)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, inv := range invs {
		out = append(out, inv.Row())
	}
	if refused == nil {
		refused = []commercial.RefusedInvoice{}
	}
	// refused: invoices that fail verification, named with the reason
	// (their figures are not served); the others are still listed.
	page, total := pageOf(out, limit, offset)
	writeJSON(w, http.StatusOK, map[string]any{"invoices": page, "refused": refused, "total": total, "limit": limit, "offset": offset})
}

// tradeDay reads an as_of parameter of the invoice routes: a date
// (YYYY-MM-DD), or the Trade clock's today when empty; a bad one is
// reported through fail naming as_of.
func tradeDay(v string, svc *commercial.Service, fail func(name, format string, args ...any)) time.Time {
	if v == "" {
		return svc.Now()
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		fail("as_of", "%q is not a date (YYYY-MM-DD)", v)
	} else if err := svc.CheckAsOf(t); err != nil {
		// A day not yet come, refused as every trade report refuses it.
		for _, f := range critmin.ErrorFields(err) {
			fail(f.Pointer, "%s", f.Reason)
		}
	}
	return t
}

// handleInvoiceIssue issues a lot's provisional or final invoice and
// records it on the lot. accept lists the plausibility refusals the caller
// accepts, each with its reason ({check, reason}; by is the signed-in
// token's name, docs/trade.md "Accepting a refused figure").
// POST /api/v1/trade/invoices {contract, lot, kind, accept}
func (s *Server) handleInvoiceIssue(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Contract string `json:"contract"`
		Lot      string `json:"lot"`
		Kind     string `json:"kind"`
		Accept   []struct {
			Check  string `json:"check"`
			Reason string `json:"reason"`
		} `json:"accept"`
	}
	if err := decodeTrade(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	var accept []commercial.Acceptance
	for _, a := range in.Accept {
		by := ""
		if tok := tokenOf(r); tok != nil {
			by = tok.Name
		}
		accept = append(accept, commercial.Acceptance{Check: a.Check, By: by, Reason: a.Reason})
	}
	inv, err := s.Trade().IssueAccepting(r.Context(), in.Contract, in.Lot, in.Kind, s.Trade().Now(), accept)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/trade/invoices/"+inv.ID)
	writeJSON(w, http.StatusCreated, inv)
}

// handleNoteIssue issues a credit or debit note against a lot's final
// invoice for the difference current data give (commercial.Service.
// IssueNote): 201 with the note; 409 when the lot has no final invoice,
// current data do not settle it or there is nothing to correct.
// POST /api/v1/trade/notes {contract, lot, reason}
func (s *Server) handleNoteIssue(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Contract string `json:"contract"`
		Lot      string `json:"lot"`
		Reason   string `json:"reason"`
	}
	if err := decodeTrade(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	n, err := s.Trade().IssueNote(r.Context(), in.Contract, in.Lot, in.Reason)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/trade/notes?invoice="+url.QueryEscape(n.Invoice))
	writeJSON(w, http.StatusCreated, n)
}

// handleNoteList lists the notes issued against a final invoice, in
// order. GET /api/v1/trade/notes?invoice=ID
func (s *Server) handleNoteList(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "invoice")
	id := p.required("invoice")
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	if _, err := s.Trade().Invoice(r.Context(), id); err != nil {
		s.Error(w, r, err)
		return
	}
	notes, err := s.Trade().Notes(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"invoice": id, "notes": notes})
}

// handleInvoiceGet returns an invoice as JSON, or as a spreadsheet with
// ?format=xlsx; its payment status as of as_of (default today): as of a
// day before its issue, status not_issued (it did not exist then).
// GET /api/v1/trade/invoices/{id}?as_of=DATE
func (s *Server) handleInvoiceGet(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "xlsx" {
		s.Error(w, r, critmin.FieldErrorf("format", "%q is not json or xlsx", format))
		return
	}
	svc := s.Trade()
	var bad []critmin.FieldError
	asOf := tradeDay(r.URL.Query().Get("as_of"), svc, func(name, format string, args ...any) {
		bad = append(bad, critmin.FieldError{Pointer: name, Reason: fmt.Sprintf(format, args...)})
	})
	if len(bad) > 0 {
		s.Error(w, r, critmin.FieldErrorf(bad[0].Pointer, "%s", bad[0].Reason))
		return
	}
	inv, err := svc.InvoiceAsOf(r.Context(), r.PathValue("id"), asOf)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+inv.ID+`.xlsx"`)
		if err := commercial.WriteXLSX(w, inv); err != nil {
			s.Logger.Error("write xlsx", "err", err)
		}
		return
	}
	writeJSON(w, http.StatusOK, inv)
}

// handlePayment records a payment against an invoice.
// POST /api/v1/trade/payments {id?, invoice, amount, paid_on, direction?}
// The rules are commercial.Service.RecordPayment's; the answer carries
// the id (generated when none was given), the amount at the currency's
// minor unit and the direction.
func (s *Server) handlePayment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID        string `json:"id" default:"an id numbered by the server"`
		Invoice   string `json:"invoice"`
		Amount    string `json:"amount"`
		PaidOn    string `json:"paid_on"`
		Direction string `json:"direction,omitempty" default:"the invoice's direction (payment, or refund for a credit)"`
	}
	if err := decodeTrade(w, r, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	p := &critmin.TradePayment{ID: in.ID, Invoice: in.Invoice, Amount: in.Amount, PaidOn: in.PaidOn, Direction: in.Direction}
	if err := s.Trade().RecordPayment(r.Context(), p); err != nil {
		s.Error(w, r, err)
		return
	}
	in.ID, in.Amount, in.Direction = p.ID, strings.TrimPrefix(p.Amount, "-"), p.Direction
	writeJSON(w, http.StatusCreated, in)
}

// handleAgreementList lists framework agreements. GET /api/v1/trade/agreements
func (s *Server) handleAgreementList(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "limit", "offset")
	limit, offset := p.listPage()
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	list, err := s.Trade().Agreements(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	page, total := pageOf(list, limit, offset)
	writeJSON(w, http.StatusOK, map[string]any{"agreements": page, "total": total, "limit": limit, "offset": offset})
}

// handleAgreementProgress reports an agreement's progress: committed,
// shipped, invoiced and paid per commodity and month, and its milestones
// on time or late. GET /api/v1/trade/agreements/{id}?as_of=DATE
func (s *Server) handleAgreementProgress(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "as_of")
	asOf := p.day("as_of")
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	prog, err := s.Trade().Progress(r.Context(), r.PathValue("id"), asOf)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, prog)
}

// handleNSR compares the NSR per dmt of a lot's best-known grades, or of a
// forecast feed (grades=Cu:24%,Au:4g/t), under term sheets (terms=ID,ID;
// default all) at the spot prices of as_of, with price and grade
// sensitivity of ±step %; format=csv gives it as CSV. When no term sheet
// values the feed (none of its commodity, or each fails) it answers 422
// problem+json, each sheet's reason a field "terms/ID".
// GET /api/v1/trade/nsr
func (s *Server) handleNSR(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "lot", "grades", "terms", "as_of", "step", "format")
	lot, gradesArg, terms := p.str("lot", ""), p.str("grades", ""), p.str("terms", "")
	asOf := p.day("as_of")
	step := 10.0
	if v := p.q.Get("step"); v != "" {
		f, err := critmin.ParseDecimal(v)
		if err != nil {
			p.fail("step", "%v: give a per-cent step in (0, 100)", err)
		} else if f <= 0 || f >= 100 {
			p.fail("step", "%q is not a per-cent step in (0, 100)", v)
		}
		step = f
	}
	switch {
	case lot == "" && gradesArg == "":
		p.fail("lot", "required: give lot (a lot of the ledger) or grades (a forecast feed's grades)")
	case lot != "" && gradesArg != "":
		p.fail("lot", "give lot or grades, not both")
	}
	if f := p.q.Get("format"); f != "" && f != "json" && f != "csv" {
		p.fail("format", "%q is not json or csv", f)
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	// No date given: today's prices, else the latest day with prices,
	// said so in as_of_note — as the CLI and the NSR page.
	var cmp *commercial.NSRComparison
	var err error
	if p.q.Get("as_of") == "" {
		cmp, err = s.Trade().NSRLatest(r.Context(), terms, lot, gradesArg, step)
	} else {
		cmp, err = s.Trade().NSRFor(r.Context(), terms, lot, gradesArg, asOf, step)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// No term sheet values the feed: 422, each sheet's reason a field.
	if err := cmp.Unvalued(); err != nil {
		s.Error(w, r, err)
		return
	}
	if p.q.Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="nsr-comparison.csv"`)
		_ = cmp.WriteCSV(w)
		return
	}
	writeJSON(w, http.StatusOK, cmp)
}

// handleTradeExposure reports priced and unpriced payable metal by fixing
// day and element, from one party's book (purchases long, sales short).
// GET /api/v1/trade/exposure?as_of=DATE&book=PARTY
func (s *Server) handleTradeExposure(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "as_of", "book")
	asOf := p.day("as_of")
	book := r.URL.Query().Get("book")
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	ex, err := s.Trade().Exposure(r.Context(), asOf, book)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ex)
}

// bodyRoutePointers are the JSON-body routes of the trade and refinery
// APIs whose problem documents name body fields, each with the field a
// refusal that names none is about (fix13v: the assay API's 409s carried
// no pointer, and payments named "amount" where the body's field is
// "/amount"): the record the request acts on.
var bodyRoutePointers = map[string]string{
	"POST /api/v1/trade/assays":       "/lot",
	"POST /api/v1/trade/declarations": "/lot",
	"POST /api/v1/trade/invoices":     "/lot",
	"POST /api/v1/trade/notes":        "/lot",
	"POST /api/v1/trade/payments":     "/invoice",
	"POST /api/v1/refinery/reopen":    "/period",
}

// queryRoutePointers are the trade and refinery routes whose refusals
// name query parameters, with the parameter a refusal that names none
// is about.
var queryRoutePointers = map[string]string{
	"GET /api/v1/trade/settlement":    "lot",
	"POST /api/v1/refinery/close":     "period",
	"GET /api/v1/refinery/report":     "period",
	"GET /api/v1/refinery/periods":    "period",
	"GET /api/v1/trade/exposure":      "as_of",
	"GET /api/v1/trade/invoices":      "lot",
	"POST /api/v1/refinery/report":    "period",
	"GET /api/v1/refinery/recoveries": "period",
}

// queryNames is e with each field named by a one-token JSON Pointer
// ("/as_of") named as the query parameter it is ("as_of"), its message's
// leading pointer too.
func queryNames(e *critmin.Error) *critmin.Error {
	out := &critmin.Error{Code: e.Code, Message: e.Message, Fields: append([]critmin.FieldError(nil), e.Fields...)}
	for i, f := range out.Fields {
		name, ok := strings.CutPrefix(f.Pointer, "/")
		if !ok || name == "" || strings.Contains(name, "/") {
			continue
		}
		out.Fields[i].Pointer = name
		if strings.HasPrefix(out.Message, f.Pointer+": ") {
			out.Message = strings.TrimPrefix(out.Message, "/")
		}
	}
	return out
}

// routePointers makes a refusal (400, 409, 422) of a trade or refinery
// route name its field as a JSON Pointer (RFC 6901) where the field is
// in the body: a domain error that names a body field without the
// leading "/" (a store's "lot") has it written "/lot" here, its detail
// too (the commercial package names its fields as JSON Pointers, fix13x);
// and a
// refusal naming no field at all names the record the request acts on
// (bodyRoutePointers, queryRoutePointers), so that every problem carries
// a pointer. Query parameters stay names; a pointer with a space (a CSV
// "line 2/value") is not a JSON pointer and stays as it is.
func routePointers(r *http.Request, err error) error {
	var ce *critmin.Error
	if !errors.As(err, &ce) {
		return err
	}
	switch codeStatus[ce.Code] {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
	default:
		return err
	}
	key := r.Method + " " + r.URL.Path
	body, isBody := bodyRoutePointers[key]
	query, isQuery := queryRoutePointers[key]
	if !isBody && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// A request without a body names its fields as query
		// parameters: the commercial package's "/as_of" (a JSON
		// Pointer, fix13x) is the parameter as_of here.
		ce = queryNames(ce)
		err = ce
	}
	if !isBody && !isQuery {
		return err
	}
	out := &critmin.Error{Code: ce.Code, Message: ce.Message, Fields: append([]critmin.FieldError(nil), ce.Fields...)}
	for i, f := range out.Fields {
		if !isBody || f.Pointer == "" || f.Pointer == "body" || strings.HasPrefix(f.Pointer, "/") || strings.ContainsAny(f.Pointer, " \t") || r.URL.Query().Has(f.Pointer) {
			continue
		}
		out.Fields[i].Pointer = "/" + f.Pointer
		if strings.HasPrefix(out.Message, f.Pointer+": ") {
			out.Message = "/" + out.Message
		}
	}
	if len(out.Fields) == 0 {
		ptr := body
		if !isBody {
			ptr = query
		}
		out.Fields = []critmin.FieldError{{Pointer: ptr, Reason: ce.Message, Conflict: ce.Code == critmin.ECONFLICT}}
	}
	return out
}
