package commercial

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Note kinds: a credit note lowers what the buyer owes under a final
// invoice, a debit note raises it.
const (
	CreditNote = "credit"
	DebitNote  = "debit"
)

// Note is a credit or debit note: the correction of an issued final
// invoice, which stays as issued (an invoice once issued is a document and
// never changes). When a weight, an assay or a price the final invoice
// rests on is corrected, or one of its events is declared in error, the
// lot's final settlement on current data differs from what was invoiced;
// the note invoices the difference, line by line (each line the change of
// one settlement line: now − invoiced so far), with the reason and the
// events (and price days) that caused it. So that
//
//	final invoice total + Σ notes' totals = current final value − provisional total
//
// and Before + Total = After, where Before is the lot value invoiced so
// far (the final settlement's value plus the earlier notes) and After the
// value on current data when the note was issued. A credit note has a
// negative Total (money the seller owes the buyer), a debit note a
// positive one. Practice: the UN/CEFACT Cross-Industry Invoice document
// types 381 (credit note) and 383 (debit note), each referencing the
// invoice it corrects (EN 16931-1 BG-3, "preceding invoice reference").
type Note struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Invoice  string    `json:"invoice"`
	Contract string    `json:"contract"`
	Lot      string    `json:"lot"`
	Currency string    `json:"currency"`
	IssuedAt time.Time `json:"issued_at"`
	Reason   string    `json:"reason"`
	// Lines are the changed settlement lines: Amount = now − invoiced
	// so far, the formula saying both.
	Lines  []Line          `json:"lines"`
	Total  decimal.Decimal `json:"total"`
	Before decimal.Decimal `json:"lot_value_before"`
	After  decimal.Decimal `json:"lot_value_after"`
	// DMT is the dry tonnage of the settlement After is the value of
	// (the final invoice's own until a note corrects the weights).
	DMT decimal.Decimal `json:"dmt"`
	// Events are the ledger events that caused the note: those of the
	// lot recorded after the invoice (or the previous note) was issued,
	// and those declared in error since, with their corrective events.
	Events []string `json:"events"`
	// PriceDays are the price days imported as corrections after the
	// final invoice was issued ("SERIES DAY: old → new").
	PriceDays []string `json:"price_days,omitempty"`
	// EventID is the TransactionEvent that records the note on the lot,
	// as an invoice is recorded (bizTransaction type inv: the note, and
	// the invoice it corrects; noteDocument).
	EventID string `json:"eventID"`
}

// noteDoc is the stored form of a final invoice's notes: one trade
// document (critmin.TradeNotes) per final invoice, its id the invoice's,
// holding every note issued against it in order. Notes are appended, never
// changed (IssueNote checks, under the trade lock, that the stored ones
// are those it computed from).
type noteDoc struct {
	Invoice string  `json:"invoice"`
	Notes   []*Note `json:"notes"`
}

// Title is "Credit note" or "Debit note".
func (n *Note) Title() string {
	if n.Kind == CreditNote {
		return "Credit note"
	}
	return "Debit note"
}

// Check re-derives a note's arithmetic: its lines add up to its total,
// Before + Total = After, and its kind is the sign of its total (a note
// of nothing is no note).
func (n *Note) Check() error {
	sum := zero
	for _, l := range n.Lines {
		sum = sum.Add(l.Amount)
	}
	switch {
	case !sum.Equal(n.Total):
		return critmin.Errorf(critmin.ECONFLICT, "note %s: lines add up to %s, the total says %s, so it is not published", n.ID, sum, n.Total)
	case !n.Before.Add(n.Total).Equal(n.After):
		return critmin.Errorf(critmin.ECONFLICT, "note %s: %s invoiced before + %s = %s, not the %s it states after, so it is not published", n.ID, n.Before, n.Total, n.Before.Add(n.Total), n.After)
	case n.Total.IsZero(), n.Total.IsNegative() != (n.Kind == CreditNote):
		return critmin.Errorf(critmin.ECONFLICT, "note %s: a %s note of %s, so it is not published", n.ID, n.Kind, n.Total)
	}
	return nil
}

// NoteTotals is Σ notes' totals.
func NoteTotals(notes []*Note) decimal.Decimal {
	sum := zero
	for _, n := range notes {
		sum = sum.Add(n.Total)
	}
	return sum
}

// invoicedLines are a final invoice's settlement lines as corrected by
// its notes: each line code's amount invoiced so far (the settlement's
// line plus every note's change of it), in first-seen order.
func invoicedLines(fin *Invoice, notes []*Note) ([]string, map[string]decimal.Decimal, map[string]string) {
	var order []string
	amt, label := map[string]decimal.Decimal{}, map[string]string{}
	add := func(code, lbl string, a decimal.Decimal) {
		if _, ok := amt[code]; !ok {
			order = append(order, code)
			label[code] = lbl
		}
		amt[code] = amt[code].Add(a)
	}
	for _, l := range fin.Settlement.Lines {
		add(l.Code, l.Label, l.Amount)
	}
	for _, n := range notes {
		for _, l := range n.Lines {
			add(l.Code, noteLineLabel(l.Label), l.Amount)
		}
	}
	return order, amt, label
}

// noteLineLabel is a settlement line's label from a note line's.
func noteLineLabel(l string) string {
	return strings.TrimPrefix(l, "Correction of ")
}

// Notes returns the notes issued against a final invoice, in order, each
// checked (Note.Check), and the chain they form: the first starts from
// the invoice's lot value, each from the one before.
func (s *Service) Notes(ctx context.Context, invoice string) ([]*Note, error) {
	d, err := s.Store.FindTradeDoc(ctx, critmin.TradeNotes, invoice)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return []*Note{}, nil
	} else if err != nil {
		return nil, err
	}
	var nd noteDoc
	if err := json.Unmarshal(d.Body, &nd); err != nil {
		return nil, fmt.Errorf("commercial: stored notes of %s: %w", invoice, err)
	}
	// Each line's per-dmt figure, as the invoice shows it (checkNotes:
	// n/a when the note changes the dry weight), never a false 0.
	if fin, err := s.storedInvoice(ctx, invoice); err == nil && fin.Settlement != nil {
		_ = checkNotes(fin, nd.Notes)
	}
	return nd.Notes, nil
}

// checkNotes checks every note and that they chain from the final
// invoice's lot value (fin.Settlement.Value).
//
// It also gives each note line its per-dmt figure (notePerDMT), never a
// false 0.
func checkNotes(fin *Invoice, notes []*Note) error {
	at := fin.Settlement.Value
	dmt := fin.Settlement.DMT
	for _, n := range notes {
		if err := n.Check(); err != nil {
			return err
		}
		if !n.Before.Equal(at) {
			return critmin.Errorf(critmin.ECONFLICT, "note %s starts from a lot value of %s; invoice %s and the notes before it invoiced %s, so it is not published", n.ID, n.Before, fin.ID, at)
		}
		at = n.After
		dmt = notePerDMT(n, dmt)
	}
	return nil
}

// notePerDMT sets the per-dmt figure of each line of note n, whose
// settlement before it was on prev dmt, and returns the note's dmt. When
// the note leaves the dry weight as it was, a line's change per dmt is
// its amount ÷ dmt (an assay or price correction: −903.60 on 90 dmt is
// −10.04 USD/dmt). When it changes the weight, a line's change spans two
// tonnages (2 000 USD/dmt on 90 dmt, then on 89.1 dmt: −1 800.00 with a
// per-dmt change of 0), so it has no per-dmt figure: n/a, naming the two
// weights — never a false 0 (docs/trade.md, "Credit and debit notes").
func notePerDMT(n *Note, prev decimal.Decimal) decimal.Decimal {
	dmt := n.DMT
	if !dmt.IsPositive() {
		dmt = prev // a note stored without its dmt: the weight stood
	}
	for i := range n.Lines {
		l := &n.Lines[i]
		switch {
		case !dmt.IsPositive():
			l.PerDMT, l.NoPerDMT = zero, "the settlement's dmt is not known"
		case !dmt.Equal(prev):
			l.PerDMT, l.NoPerDMT = zero, fmt.Sprintf("the note changes the dry weight (%s → %s dmt): a line's change spans two tonnages, so it has no per-dmt figure; the headline NSR is the lot value ÷ %s dmt", prev, dmt, dmt)
		default:
			l.PerDMT, l.NoPerDMT = l.Amount.Div(dmt).Round(6), ""
		}
	}
	return dmt
}

// IssueNote issues a credit or debit note against the lot's final invoice
// under a contract, for the difference between the lot's final settlement
// on current data and what the final invoice and the notes before it
// invoiced. reason (required) says why, in the issuer's words; the events
// and price days that caused the difference are named from the ledger
// and the price series. Refused ECONFLICT (409) when the lot has no final
// invoice (a correction before it is settled by the final invoice
// itself), when current data no longer settle the lot (the cause is
// named: correct the data first), and when there is nothing to correct.
// The note is stored under the trade lock, after checking that no other
// note was issued meanwhile; the final invoice is never changed.
func (s *Service) IssueNote(ctx context.Context, contract, lot, reason string) (*Note, error) {
	return s.IssueNoteAt(ctx, contract, lot, reason, s.Now())
}

// IssueNoteAt is IssueNote with the issue time given.
func (s *Service) IssueNoteAt(ctx context.Context, contract, lot, reason string, at time.Time) (*Note, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, fieldErrorf("reason", "required: say why the final invoice is corrected (a corrected weight, assay or price, an event declared in error)")
	}
	s = s.writer()
	// A first draft outside the lock names the final invoice (whose note
	// document the lock is taken on) and refuses early what cannot be a
	// note; the note stored is computed again inside the transaction.
	n, fin, notes, err := s.draftNote(ctx, contract, lot, reason, at)
	if nothing, ok := err.(*nothingToCorrect); ok {
		note := ""
		if done, err := s.recordMissingNoteEvent(ctx, nothing.notes); err != nil {
			return nil, err
		} else if done {
			note = fmt.Sprintf("; the event of note %s, missing from the ledger, is recorded now", nothing.notes[len(nothing.notes)-1].ID)
		}
		return nil, critmin.Errorf(critmin.ECONFLICT, "%s%s", nothing.msg, note)
	}
	if err != nil {
		return nil, err
	}
	// The note is computed again inside the transaction that stores it,
	// under the trade lock (and, for notes, the capture lock: no event of
	// the lot commits between these reads and the note's commit), its
	// reads through the transaction: the figures stored are those of the
	// data as they stand when the note is stored, never of a weight,
	// assay or price corrected between the draft above and the store.
	err = s.Store.UpdateTradeDocs(ctx, critmin.TradeNotes, []string{fin.ID}, func(tctx context.Context, old map[string]*critmin.TradeDoc) ([]*critmin.TradeDoc, error) {
		var nd noteDoc
		if d := old[fin.ID]; d != nil {
			if err := json.Unmarshal(d.Body, &nd); err != nil {
				return nil, fmt.Errorf("commercial: stored notes of %s: %w", fin.ID, err)
			}
		}
		if len(nd.Notes) != len(notes) {
			return nil, critmin.Errorf(critmin.ECONFLICT, "invoice %s has had another note issued since it was read; settle and issue again", fin.ID)
		}
		locked, lfin, lnotes, err := s.draftNote(tctx, contract, lot, reason, at)
		if nothing, ok := err.(*nothingToCorrect); ok {
			return nil, critmin.Errorf(critmin.ECONFLICT, "%s", nothing.msg)
		}
		if err != nil {
			return nil, err
		}
		if lfin.ID != fin.ID || len(lnotes) != len(nd.Notes) {
			return nil, critmin.Errorf(critmin.ECONFLICT, "invoice %s has had another note issued since it was read; settle and issue again", fin.ID)
		}
		n = locked
		nd.Invoice, nd.Notes = fin.ID, append(nd.Notes, n)
		body, err := json.Marshal(nd)
		if err != nil {
			return nil, err
		}
		return []*critmin.TradeDoc{{Kind: critmin.TradeNotes, ID: fin.ID, Body: body}}, nil
	})
	if err != nil {
		return nil, err
	}
	doc, _ := noteDocument(n)
	// The store first, as for an invoice: the trade lock decides between
	// racing issuers, and the loser has recorded nothing. The event id is
	// derived from the note's number, so a retry records one event.
	if _, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: doc, Token: "trade"}); err != nil {
		return nil, fmt.Errorf("commercial: note %s is stored but recording it on the lot failed (issue the note again to record it): %w", n.ID, err)
	}
	// The note's per-dmt figures as the invoice shows them (n/a when it
	// changes the dry weight): the chain of notes before it gives the
	// weight it starts from.
	_ = checkNotes(fin, append(slices.Clone(notes), n))
	return n, nil
}

// nothingToCorrect is draftNote's refusal when current data settle the
// lot as invoiced: IssueNoteAt adds whether it recorded the last note's
// missing event.
type nothingToCorrect struct {
	msg   string
	notes []*Note
}

func (e *nothingToCorrect) Error() string { return e.msg }

// draftNote computes the note IssueNoteAt would issue from what ctx
// reads (inside UpdateTradeDocs, the transaction's view): the note, the
// final invoice it corrects and the notes issued before it.
func (s *Service) draftNote(ctx context.Context, contract, lot, reason string, at time.Time) (*Note, *Invoice, []*Note, error) {
	v, _, err := s.Value(ctx, contract, lot)
	if err != nil {
		return nil, nil, nil, err
	}
	var fin *Invoice
	for _, inv := range v.Invoices {
		if inv.Kind == Final {
			fin = inv
		}
	}
	if fin == nil || fin.Settlement == nil {
		return nil, nil, nil, critmin.Errorf(critmin.ECONFLICT, "lot %s has no final invoice under contract %s: a correction before the final invoice is settled by the final invoice itself, not by a note", v.Lot, contract)
	}
	if v.Final == nil {
		why := v.Missing
		if why == "" {
			why = v.NotComputable
		}
		return nil, nil, nil, critmin.Errorf(critmin.ECONFLICT, "no note can be issued against invoice %s: current data do not settle lot %s (%s); correct the data first", fin.ID, v.Lot, why)
	}
	notes := v.Notes
	if err := checkNotes(fin, notes); err != nil {
		return nil, nil, nil, err
	}
	order, was, label := invoicedLines(fin, notes)
	now := map[string]decimal.Decimal{}
	for _, l := range v.Final.Lines {
		if _, ok := was[l.Code]; !ok {
			order = append(order, l.Code)
			label[l.Code] = l.Label
		}
		now[l.Code] = now[l.Code].Add(l.Amount)
		label[l.Code] = l.Label
	}
	before := fin.Settlement.Value.Add(NoteTotals(notes))
	n := &Note{Invoice: fin.ID, Contract: fin.Contract, Lot: fin.Lot, Currency: fin.Currency, IssuedAt: at.UTC().Truncate(time.Millisecond), Reason: reason,
		Before: before, After: v.Final.Value, DMT: v.Final.DMT, Lines: []Line{}, Events: []string{}}
	for _, code := range order {
		d := now[code].Sub(was[code])
		if d.IsZero() {
			continue
		}
		n.Lines = append(n.Lines, Line{Code: code, Label: "Correction of " + label[code],
			Formula: noteFormula(now[code], was[code], d, fin.Currency), Amount: d})
		n.Total = n.Total.Add(d)
	}
	if n.Total.IsZero() {
		return nil, nil, nil, &nothingToCorrect{msg: fmt.Sprintf("nothing to correct: lot %s settles at %s %s on current data, as invoice %s and its notes invoiced", v.Lot, v.Final.Value, fin.Currency, fin.ID), notes: notes}
	}
	n.Kind, n.ID = DebitNote, fmt.Sprintf("%s-DN%d", fin.ID, len(notes)+1)
	if n.Total.IsNegative() {
		n.Kind, n.ID = CreditNote, fmt.Sprintf("%s-CN%d", fin.ID, len(notes)+1)
	}
	since, err := s.recordedAt(ctx, fin)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(notes) > 0 {
		since = notes[len(notes)-1].IssuedAt
	}
	if n.Events, err = s.causes(ctx, fin, notes, since); err != nil {
		return nil, nil, nil, err
	}
	for _, c := range fin.PriceCorrections {
		if c.ImportedAt.After(since) {
			old, new := "no publication", "no publication"
			if c.Old != nil {
				old = c.Old.String()
			}
			if c.New != nil {
				new = c.New.String()
			}
			n.PriceDays = append(n.PriceDays, fmt.Sprintf("%s %s: %s → %s", c.Series, c.Date, old, new))
		}
	}
	if err := n.Check(); err != nil {
		return nil, nil, nil, err
	}
	_, n.EventID = noteDocument(n)
	return n, fin, notes, nil
}

// noteDocument is the EPCIS document recording a note on its lot: a
// TransactionEvent (ADD) naming the note as a business transaction of
// type inv (CBV 2.0 §8.5: an invoice; a credit or debit note is one) and
// the final invoice it corrects, with the note's kind, total, currency,
// contract and the invoice (cm:invoice), dated when it was issued. Its id
// is derived from the note's number.
func noteDocument(n *Note) ([]byte, string) {
	id := "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("critmin:note:"+n.ID)).String()
	ev := map[string]any{
		"type": "TransactionEvent", "eventID": id, "action": "ADD",
		"eventTime": n.IssuedAt.Format("2006-01-02T15:04:05.000Z07:00"), "eventTimeZoneOffset": "+00:00",
		"bizTransactionList": []any{map[string]any{"type": "inv", "bizTransaction": InvoiceURN(n.ID)}, map[string]any{"type": "inv", "bizTransaction": InvoiceURN(n.Invoice)}},
		"quantityList":       []any{map[string]any{"epcClass": n.Lot}},
		"cm:invoice": map[string]any{"cm:invoiceKind": n.Kind + "_note", "cm:total": n.Total.String(), "cm:currency": n.Currency,
			"cm:contract": n.Contract, "cm:corrects": n.Invoice},
	}
	return document(ev), id
}

// recordMissingNoteEvent captures the event of the last stored note of
// an invoice when the ledger lacks it (a failure between the two writes
// of IssueNote) and reports whether it did.
func (s *Service) recordMissingNoteEvent(ctx context.Context, notes []*Note) (bool, error) {
	if len(notes) == 0 {
		return false, nil
	}
	n := notes[len(notes)-1]
	doc, id := noteDocument(n)
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{id}, Limit: 1})
	if err != nil || len(page.Events) > 0 {
		return false, err
	}
	job, err := s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: doc, Token: "trade"})
	if err != nil {
		return false, fmt.Errorf("commercial: record note %s on the lot: %w", n.ID, err)
	}
	return job != nil && job.Stored > 0, nil
}

// recordedAt is when the ledger recorded fin: its TransactionEvent's
// record time (an invoice's issue time may be dated back, as the demo's
// are), else its issue time.
func (s *Service) recordedAt(ctx context.Context, fin *Invoice) (time.Time, error) {
	if fin.EventID == "" {
		return fin.IssuedAt, nil
	}
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{fin.EventID}, Limit: 1})
	if err != nil {
		return time.Time{}, err
	}
	if len(page.Events) == 0 {
		return fin.IssuedAt, nil
	}
	return page.Events[0].RecordTime, nil
}

// causes are the events behind a correction of fin, not named by an
// earlier note: the lot's events recorded after since (a corrected
// weight or assay, a corrective event) and the events fin rests on that
// were declared in error, with the corrective events their declarations
// name; and every event of the lot declared in error after since, with
// its corrective events, whether or not an earlier note named it (its
// declaration is the new fact).
func (s *Service) causes(ctx context.Context, fin *Invoice, notes []*Note, since time.Time) ([]string, error) {
	var out []string
	named := map[string]bool{}
	for _, n := range notes {
		named[n.EventID] = true
		for _, id := range n.Events {
			named[id] = true
		}
	}
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !named[id] && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	for _, r := range fin.Retracted {
		add(r.EventID)
		add(r.Corrective...)
	}
	f := critmin.LotEventFilter(fin.Lot)
	for {
		page, err := s.Store.FindEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, ev := range page.Events {
			// An event declared in error since the last correction is a
			// cause of this one, with the corrective events its
			// declaration names — even one an earlier note named as the
			// new fact it then was (fix13v: a receipt that corrected
			// the invoice, named by note 1, declared in error before
			// note 2, was missing from note 2's causes, which listed only
			// its corrective).
			d := ev.DeclaredInError
			if d == nil {
				d = ev.ErrorDeclaration
			}
			if d != nil && d.DeclarationTime.After(since) && ev.EventID != fin.EventID {
				for _, id := range append([]string{ev.EventID}, d.CorrectiveEventIDs...) {
					if id != "" && !slices.Contains(out, id) {
						out = append(out, id)
					}
				}
				continue
			}
			if ev.RecordTime.After(since) && ev.ErrorDeclaration == nil && !slices.Contains(fin.Events, ev.EventID) && ev.EventID != fin.EventID {
				add(ev.EventID)
			}
		}
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	return out, nil
}

// WriteNotesCSV writes notes as CSV, one row per note line: note, kind,
// invoice, issued (UTC day), currency, line code, label, amount, formula,
// the note's total, reason, and the events and price days that caused it
// (separated by spaces). Amounts are exact decimal text with an ASCII
// minus.
func WriteNotesCSV(w io.Writer, notes []*Note) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"note", "kind", "invoice", "issued", "currency", "line", "label", "amount", "formula", "note_total", "reason", "caused_by"})
	for _, n := range notes {
		causes := strings.Join(append(append([]string{}, n.Events...), n.PriceDays...), " ")
		for _, l := range n.Lines {
			_ = cw.Write([]string{n.ID, n.Kind, n.Invoice, n.IssuedAt.UTC().Format(time.DateOnly), n.Currency, l.Code, l.Label, l.Amount.String(), l.Formula, n.Total.String(), n.Reason, causes})
		}
	}
	cw.Flush()
	return cw.Error()
}

// Note returns a credit or debit note by its id (INVOICE-CNn or
// INVOICE-DNn) and the final invoice it corrects, whose account (payment
// status: invoice + notes − payments) the note is paid on; ENOTFOUND
// when id names no note.
func (s *Service) Note(ctx context.Context, id string) (*Note, *Invoice, error) {
	inv, err := s.noteInvoice(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if inv != nil {
		for _, n := range inv.Notes {
			if n.ID == id {
				return n, inv, nil
			}
		}
	}
	return nil, nil, critmin.Errorf(critmin.ENOTFOUND, "no credit or debit note %q", id)
}

// noteFormula is a note line's formula in words, each amount with its
// own sign (a true minus) and grouped to the currency's minor unit:
// "now −2,653.96, invoiced −2,644.89, difference −9.07 USD" (fix13t;
// before, "-2653.96 now − -2644.89 invoiced" mixed a minus sign and an
// operator).
func noteFormula(now, was, d decimal.Decimal, currency string) string {
	places := int32(2)
	if p, ok := minorUnits[currency]; ok {
		places = p
	}
	m := func(v decimal.Decimal) string { return GroupThousands(Money(v, places)) }
	diff := m(d)
	if d.IsPositive() {
		diff = "+" + diff
	}
	return fmt.Sprintf("now %s, invoiced %s, difference %s %s", m(now), m(was), diff, currency)
}
