package commercial

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/shopspring/decimal"
)

// Invoice is a provisional or final invoice for one lot under one
// contract. Its lines are the settlement's lines followed by the share line
// (provisional: the part not invoiced yet) or the deduction of the
// provisional invoice (final), so that Total = Σ line amounts; a negative
// final total is a credit to the buyer.
type Invoice struct {
	ID         string          `json:"id"`
	Contract   string          `json:"contract"`
	Lot        string          `json:"lot"`
	Kind       string          `json:"kind"`
	Currency   string          `json:"currency"`
	IssuedAt   time.Time       `json:"issued_at"`
	DueDate    string          `json:"due_date"`
	Settlement *Settlement     `json:"settlement"`
	Lines      []Line          `json:"lines"`
	Total      decimal.Decimal `json:"total"`
	// Provisional names the provisional invoice a final one settles.
	Provisional string `json:"provisional,omitempty"`
	// Events are the ledger events the invoice rests on (bill of lading,
	// weights, assays); EventID is the TransactionEvent that records the
	// invoice on the lot (bizTransaction type inv).
	Events  []string `json:"events"`
	EventID string   `json:"eventID,omitempty"`
	BL      string   `json:"bl,omitempty"`
	// Remark notes what a reader would otherwise question, such as an
	// invoice issued after its contractual due date.
	Remark string `json:"remark,omitempty"`
	// Retracted lists the events among Events that have since been
	// declared in error (EPCIS 2.0 §7.4.1.2): the invoice rests on facts
	// the ledger no longer stands by. Set when the invoice is served, not
	// stored (omitted when empty).
	Retracted []RetractedEvent `json:"retracted_events,omitempty"`
	// PriceCorrections lists the price days the invoice rests on that a
	// correction import revised (or added) after it was issued: flagged,
	// the invoice unchanged. Set when served, not stored.
	PriceCorrections []PriceCorrection `json:"price_corrections,omitempty"`
	// Warnings are what a reader must check before relying on the
	// invoice: a lot worth nothing or less under the terms (ValueWarning:
	// off-spec, or charges and penalties over the payables). Set when the
	// invoice is issued and when served.
	Warnings []string `json:"warnings,omitempty"`
	// ResolvedWarnings are the value warnings a credit or debit note has
	// corrected (fix13x): a final invoice on a lot worth nothing whose
	// note brought the lot's value above nothing, or whose note made a
	// payable that paid nothing pay. The warning is cleared from Warnings
	// and listed here with the note, as a retracted event a note corrected
	// is (RetractedEvent.ResolvedBy). Set when served, not stored.
	ResolvedWarnings []ResolvedWarning `json:"resolved_warnings,omitempty"`
	// Notes are the credit and debit notes issued against a final
	// invoice since (Service.IssueNote): the invoice itself never
	// changes; Total + Σ notes is what the lot's final settlement owes
	// now. Set when served, not stored (omitted when none).
	Notes []*Note `json:"notes,omitempty"`
	// Payment status, set when served (InvoiceStatusAt), not stored.
	PaymentStatus
}

// Invoice payment statuses (PaymentStatus.Status).
const (
	StatusNothingDue = "nothing_due" // the total is zero
	StatusOpen       = "open"        // a balance, not yet due (due date today or later)
	StatusOverdue    = "overdue"     // a balance after the due date
	StatusPaid       = "paid"        // nothing outstanding
	// A credit (negative total: the final value below the provisional
	// invoice) is money the seller owes the buyer: a refund, due until
	// refunds recorded settle it, never "unpaid" by the buyer.
	StatusRefundDue = "refund_due" // a credit balance the seller owes (DaysOverdue once late)
	StatusRefunded  = "refunded"   // the credit refunded in full
	// As of a day before the invoice was issued it did not exist: no
	// balance, nothing due, nothing paid (AsOf, IssuedOn say when).
	StatusNotIssued = "not_issued"
)

// Who owes an invoice's balance (PaymentStatus.OwedBy).
const (
	OwedByBuyer  = "buyer"
	OwedBySeller = "seller"
)

// PaymentStatus is where an invoice stands on a day (AsOf, UTC): Paid is
// Σ |payments and refunds recorded| up to that day, Balance |Total| −
// Paid (in the invoice currency; owed by the buyer for a positive total,
// by the seller for a credit); Status overdue when the due date is before
// AsOf and Balance > 0, with DaysOverdue = AsOf − due date in days. A
// credit (negative total) is refund_due while Balance > 0 (DaysOverdue
// counted the same way once late) and refunded once settled; OwedBy says
// who owes the balance: the buyer (a debit) or the seller (a credit). With
// late-payment interest in the contract (payment.late_interest_pct, r %
// a year), LateInterest is the simple interest accrued on each unpaid
// amount for each day after the due date until it was paid (or AsOf),
// actual/365: Σ amountᵢ × r ÷ 100 × daysᵢ ÷ 365, at the contract's
// rounding; LateInterestFormula writes it out. It accrues on amounts paid
// late too, so a paid invoice can carry it.
type PaymentStatus struct {
	Status string `json:"status,omitempty"`
	AsOf   string `json:"status_as_of,omitempty"`
	// IssuedOn is the issue day (UTC) of an invoice not yet issued as of
	// AsOf (StatusNotIssued).
	IssuedOn            string           `json:"issued_on,omitempty"`
	Paid                *decimal.Decimal `json:"paid,omitempty"`
	Balance             *decimal.Decimal `json:"balance,omitempty"`
	OwedBy              string           `json:"owed_by,omitempty"`
	DaysOverdue         int              `json:"days_overdue,omitempty"`
	LateInterest        *decimal.Decimal `json:"late_interest,omitempty"`
	LateInterestFormula string           `json:"late_interest_formula,omitempty"`
	// Owed is what the final invoice's account comes to with the credit
	// and debit notes issued against it (invoice total + Σ notes), set
	// when they change it: Balance is Owed less Paid.
	Owed *decimal.Decimal `json:"owed,omitempty"`
	// Dated lists the payments recorded with a date after AsOf that the
	// clock allowance (ClockSkew) accepted: they count from their own
	// day, not as of AsOf, and each says where the account stands from
	// then (fix13z; before, such a payment was recorded but nowhere
	// shown, the invoice listed unpaid).
	Dated []DatedPayment `json:"dated_later,omitempty"`
}

// DatedPayment is a payment dated after the status's day: its amount
// (refunds negative), its day and the account's balance and status from
// that day on.
type DatedPayment struct {
	ID      string          `json:"id"`
	PaidOn  string          `json:"paid_on"`
	Amount  decimal.Decimal `json:"amount"`
	Balance decimal.Decimal `json:"balance_then"`
	Status  string          `json:"status_then"`
}

// AccountOwed is what is owed under inv as of asOf: its total plus the
// totals of the notes issued against it (inv.Notes) on or before asOf's
// day (UTC). An invoice without notes owes its total.
func AccountOwed(inv *Invoice, asOf time.Time) decimal.Decimal {
	owed := inv.Total
	today := asOf.UTC().Format(time.DateOnly)
	for _, n := range inv.Notes {
		if n.IssuedAt.UTC().Format(time.DateOnly) <= today {
			owed = owed.Add(n.Total)
		}
	}
	return owed
}

// Summary is the status in words for lists and pages, amounts in
// currency: "overdue 30 days: 6,000.00 USD unpaid, late interest 44.00
// USD", "open: 10,000.00 USD unpaid", "paid", "nothing due"; a credit
// "refund due: 263.28 USD owed by the seller to the buyer" ("refund due,
// 11 days late: …" after its due date), "refunded".
func (st PaymentStatus) Summary(currency string) string {
	var out string
	switch st.Status {
	case "":
		return ""
	case StatusNotIssued:
		return fmt.Sprintf("not issued as of %s (issued %s): the invoice did not exist then", st.AsOf, st.IssuedOn)
	case StatusNothingDue:
		out = "nothing due"
	case StatusPaid:
		out = "paid"
	case StatusRefunded:
		out = "refunded"
	case StatusRefundDue:
		late := ""
		switch {
		case st.DaysOverdue == 1:
			late = ", 1 day late"
		case st.DaysOverdue > 1:
			late = fmt.Sprintf(", %d days late", st.DaysOverdue)
		}
		out = fmt.Sprintf("refund due%s: %s %s owed by the seller to the buyer", late, FormatAmount(*st.Balance, currency), currency)
	case StatusOverdue:
		out = fmt.Sprintf("overdue %d days: %s %s unpaid", st.DaysOverdue, FormatAmount(*st.Balance, currency), currency)
		if st.DaysOverdue == 1 {
			out = fmt.Sprintf("overdue 1 day: %s %s unpaid", FormatAmount(*st.Balance, currency), currency)
		}
	default:
		out = fmt.Sprintf("%s: %s %s unpaid", st.Status, FormatAmount(*st.Balance, currency), currency)
	}
	if st.Owed != nil {
		// The account with its notes (pages, XLSX, the CLI): what the
		// balance is taken from.
		out += fmt.Sprintf(" (with its credit and debit notes the invoice comes to %s %s, %s paid)", FormatAmount(*st.Owed, currency), currency, FormatAmount(*st.Paid, currency))
	}
	if st.LateInterest != nil {
		out += fmt.Sprintf(", late interest %s %s", FormatAmount(*st.LateInterest, currency), currency)
	}
	for _, d := range st.Dated {
		out += fmt.Sprintf("; %s of %s %s dated %s counts from that day: balance from %s %s %s (%s)", d.ID, FormatAmount(d.Amount.Abs(), currency), currency, d.PaidOn, d.PaidOn, FormatAmount(d.Balance, currency), currency, strings.ReplaceAll(d.Status, "_", " "))
	}
	return out
}

// InvoiceStatusAt is inv's PaymentStatus on day asOf (UTC date) given its
// recorded payments (refunds stored negative: their size counts) and ts,
// the contract (its late-payment interest and rounding; nil: none).
// Payments dated after asOf are not counted. A payment of day p stops
// the interest on its amount from day p on. As of a day before the
// invoice's issue day (UTC) the invoice did not exist: StatusNotIssued,
// with no balance (IssuedBy).
func InvoiceStatusAt(inv *Invoice, payments []*critmin.TradePayment, ts *TermSheet, asOf time.Time) (PaymentStatus, error) {
	today := asOf.UTC().Format(time.DateOnly)
	st := PaymentStatus{AsOf: today}
	if !IssuedBy(inv, asOf) {
		st.Status, st.IssuedOn = StatusNotIssued, inv.IssuedAt.UTC().Format(time.DateOnly)
		return st, nil
	}
	dueDate := EffectiveDueDate(inv)
	due, err := time.Parse(time.DateOnly, dueDate)
	if err != nil {
		return st, fmt.Errorf("commercial: invoice %s: due date %q: %w", inv.ID, inv.DueDate, err)
	}
	day, _ := time.Parse(time.DateOnly, today)
	type paid struct {
		on  time.Time
		amt decimal.Decimal
	}
	var ps []paid
	net := zero // signed: payments towards the seller, refunds (stored negative) back
	for _, p := range payments {
		if p.PaidOn > today {
			continue
		}
		a, err := decimal.NewFromString(p.Amount)
		if err != nil {
			return st, fmt.Errorf("commercial: stored payment %s: %w", p.ID, err)
		}
		on, err := time.Parse(time.DateOnly, p.PaidOn)
		if err != nil {
			return st, fmt.Errorf("commercial: stored payment %s: paid_on %q: %w", p.ID, p.PaidOn, err)
		}
		ps = append(ps, paid{on, a.Abs()})
		net = net.Add(a)
	}
	// What is owed under a final invoice is the invoice plus the credit
	// and debit notes issued against it by asOf (NoteTotals: a credit
	// note negative), less what was paid: a final of 26 402.81 with
	// notes −7 047.84 and +29.57 is owed 19 384.54, and 26 402.81 paid
	// is 7 018.27 the seller owes back (AccountOwed).
	owed := AccountOwed(inv, asOf)
	if !owed.Equal(inv.Total) {
		o := owed
		st.Owed = &o
	}
	balance := owed.Sub(net) // > 0 owed by the buyer, < 0 by the seller
	paidNet, rest := net.Abs(), balance.Abs()
	st.Paid, st.Balance = &paidNet, &rest
	credit := owed.IsNegative()
	switch {
	case balance.IsPositive():
		st.OwedBy = OwedByBuyer
	case balance.IsNegative():
		st.OwedBy = OwedBySeller
	}
	switch {
	case owed.IsZero() && balance.IsZero():
		st.Status = StatusNothingDue
	case balance.IsZero() && credit:
		st.Status = StatusRefunded
	case balance.IsZero():
		st.Status = StatusPaid
	case balance.IsNegative():
		// The seller owes money back: a credit invoice (late after its
		// due date), or an account paid in full before a credit note
		// lowered it (due on the note, not late by the invoice's date).
		st.Status = StatusRefundDue
		if credit && due.Before(day) {
			st.DaysOverdue = int(day.Sub(due).Hours() / 24)
		}
	case due.Before(day):
		st.Status = StatusOverdue
		st.DaysOverdue = int(day.Sub(due).Hours() / 24)
	default:
		st.Status = StatusOpen
	}
	total := owed.Abs()
	if ts == nil || ts.Payment.LateInterestPct == nil || !ts.Payment.LateInterestPct.IsPositive() || total.IsZero() {
		return st, nil
	}
	// Each amount paid after the due date accrues from the due date to
	// its payment day; what is still unpaid, to asOf.
	rate := *ts.Payment.LateInterestPct
	acc := zero
	var parts []string
	left := total
	daysBetween := func(a, b time.Time) int64 { return int64(b.Sub(a).Hours() / 24) }
	for _, p := range ps {
		amt := dmin(p.amt, left)
		left = left.Sub(amt)
		if !p.on.After(due) || !amt.IsPositive() {
			continue
		}
		d := daysBetween(due, p.on)
		acc = acc.Add(amt.Mul(rate).Div(hundred).Mul(decimal.NewFromInt(d)).Div(decimal.NewFromInt(365)))
		parts = append(parts, fmt.Sprintf("%s paid %s × %s %% × %d d ÷ 365", amt, p.on.Format(time.DateOnly), rate, d))
	}
	if left.IsPositive() && due.Before(day) {
		d := daysBetween(due, day)
		acc = acc.Add(left.Mul(rate).Div(hundred).Mul(decimal.NewFromInt(d)).Div(decimal.NewFromInt(365)))
		parts = append(parts, fmt.Sprintf("%s unpaid × %s %% × %d d ÷ 365", left, rate, d))
	}
	if len(parts) == 0 {
		return st, nil
	}
	acc = ts.round(acc)
	st.LateInterest = &acc
	st.LateInterestFormula = fmt.Sprintf("late-payment interest after the due date %s to %s: %s = %s %s", dueDate, today, strings.Join(parts, " + "), acc, inv.Currency)
	return st, nil
}

// Row is the invoice as lists give it (GET /api/v1/trade/invoices, trade
// invoice list --format json): its identity, total, dates and payment
// status, without its lines.
func (inv *Invoice) Row() map[string]any {
	return map[string]any{"id": inv.ID, "contract": inv.Contract, "lot": inv.Lot, "kind": inv.Kind, "currency": inv.Currency,
		"total": inv.Total, "issued_at": inv.IssuedAt, "due_date": inv.DueDate, "eventID": inv.EventID,
		"status": inv.Status, "status_as_of": inv.AsOf, "paid": inv.Paid, "balance": inv.Balance, "owed_by": inv.OwedBy, "days_overdue": inv.DaysOverdue, "late_interest": inv.LateInterest}
}

// IssuedBy reports whether inv existed on day asOf: it was issued on
// that day (UTC) or before. An invoice issued later is not listed as of
// asOf and its status then is StatusNotIssued.
func IssuedBy(inv *Invoice, asOf time.Time) bool {
	return inv.IssuedAt.UTC().Format(time.DateOnly) <= asOf.UTC().Format(time.DateOnly)
}

// ResolvedWarning is a warning of an invoice that a note has corrected.
type ResolvedWarning struct {
	Warning    string `json:"warning"`
	ResolvedBy string `json:"resolved_by_note"`
}

// flagValue sets inv.Warnings from its settlement (ValueWarning), or
// inv.ResolvedWarnings when a note served with it (inv.Notes) corrected
// what it warns of (valueResolvedBy).
func (inv *Invoice) flagValue() {
	inv.Warnings, inv.ResolvedWarnings = nil, nil
	w := ValueWarning(inv.Settlement)
	if w == "" {
		return
	}
	if n := valueResolvedBy(inv.Settlement, inv.Notes); n != "" {
		inv.ResolvedWarnings = append(inv.ResolvedWarnings, ResolvedWarning{Warning: w, ResolvedBy: n})
		return
	}
	inv.Warnings = append(inv.Warnings, w)
}

// valueResolvedBy is the note of notes (in order) that corrected the
// value warning of settlement st (ValueWarning), or "": a lot worth
// nothing or less is corrected by the first note after which the lot's
// value (Note.After) is positive; a lot worth something with payables
// that paid nothing, by the first note after which each of those payables
// pays (its line's invoiced amount plus the notes' changes to it so far
// positive) — unless a later note takes it back to nothing.
func valueResolvedBy(st *Settlement, notes []*Note) string {
	if st == nil || len(notes) == 0 {
		return ""
	}
	resolved := ""
	if !st.Value.IsPositive() {
		for _, n := range notes {
			switch {
			case n.After.IsPositive() && resolved == "":
				resolved = n.ID
			case !n.After.IsPositive():
				resolved = ""
			}
		}
		return resolved
	}
	paid := map[string]decimal.Decimal{}
	for _, l := range st.Lines {
		if strings.HasPrefix(l.Code, "payable:") && !l.Amount.IsPositive() && strings.Contains(l.Formula, "nothing payable") {
			paid[l.Code] = l.Amount
		}
	}
	if len(paid) == 0 {
		return ""
	}
	for _, n := range notes {
		for _, l := range n.Lines {
			if v, ok := paid[l.Code]; ok {
				paid[l.Code] = v.Add(l.Amount)
			}
		}
		all := true
		for _, v := range paid {
			all = all && v.IsPositive()
		}
		switch {
		case all && resolved == "":
			resolved = n.ID
		case !all:
			resolved = ""
		}
	}
	return resolved
}

// RetractedEvent is an event an invoice rests on that was declared in
// error: when, why, and the corrective events named.
type RetractedEvent struct {
	EventID    string    `json:"event"`
	DeclaredAt time.Time `json:"declared_at"`
	Reason     string    `json:"reason,omitempty"`
	Corrective []string  `json:"corrective_events,omitempty"`
	// Invoices are, in a valuation's list (Valuation.Retracted), the
	// invoices of the lot that rest on the event: each event is listed
	// once, naming every invoice it affects.
	Invoices []string `json:"invoices,omitempty"`
	// ResolvedBy names the credit or debit note that corrected the
	// invoice for the event (the first note whose causes list it,
	// Note.Events): the warning it raised is cleared, the event still
	// listed as resolved (fix13v).
	ResolvedBy string `json:"resolved_by_note,omitempty"`
}

// resolveRetracted marks each retracted event of inv that a note of
// notes lists among its causes (Note.Events) as resolved by the first
// such note (RetractedEvent.ResolvedBy): the note invoiced the
// correction, so the invoice no longer warns of it (fix13v).
func (inv *Invoice) resolveRetracted(notes []*Note) {
	for i := range inv.Retracted {
		r := &inv.Retracted[i]
		for _, n := range notes {
			if slices.Contains(n.Events, r.EventID) {
				r.ResolvedBy = n.ID
				break
			}
		}
	}
}

// Unresolved are the retracted events of inv no note has corrected: what
// its warning names.
func (inv *Invoice) Unresolved() []RetractedEvent {
	var out []RetractedEvent
	for _, r := range inv.Retracted {
		if r.ResolvedBy == "" {
			out = append(out, r)
		}
	}
	return out
}

// mergeRetracted adds inv's retracted events to list, each event once,
// naming inv among the invoices that rest on it.
func mergeRetracted(list []RetractedEvent, inv *Invoice) []RetractedEvent {
	for _, r := range inv.Retracted {
		i := slices.IndexFunc(list, func(x RetractedEvent) bool { return x.EventID == r.EventID })
		if i < 0 {
			r.Invoices = nil
			list = append(list, r)
			i = len(list) - 1
		}
		if list[i].ResolvedBy == "" {
			list[i].ResolvedBy = r.ResolvedBy
		}
		if !slices.Contains(list[i].Invoices, inv.ID) {
			list[i].Invoices = append(list[i].Invoices, inv.ID)
		}
	}
	return list
}

// Warning is the invoice's warnings in one sentence, or "": its value
// warning (ValueWarning), its retraction warning.
// A price correction the invoice rests on is flagged after it
// (correctionNote).
func (inv *Invoice) Warning() string {
	var parts []string
	value := ValueWarning(inv.Settlement)
	if valueResolvedBy(inv.Settlement, inv.Notes) != "" {
		value = "" // corrected by a note (ResolvedWarnings)
	}
	for _, w := range append([]string{value}, inv.retractionWarning(), inv.correctionNote()) {
		if w != "" {
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, "; ")
}

func (inv *Invoice) retractionWarning() string {
	open := inv.Unresolved()
	if len(open) == 0 {
		return "" // none, or each corrected by a note (ResolvedBy)
	}
	r := open[0]
	w := fmt.Sprintf("invoice %s rests on event %s, declared in error on %s", inv.ID, r.EventID, r.DeclaredAt.UTC().Format(time.RFC3339))
	if r.Reason != "" {
		w += " (" + r.Reason + ")"
	}
	if n := len(open) - 1; n > 0 {
		w += fmt.Sprintf(" and on %d more retracted events", n)
	}
	return w + ": its figures rest on facts the ledger no longer stands by"
}

// lateRemark dates an invoice issued after its contractual due date:
// an invoice is never due before it exists, so its due date is the
// issue date (due = max(due by the terms, issue date)), and the remark
// names the contractual date and says it is payable on receipt.
func lateRemark(inv *Invoice, rule string) {
	if due := EffectiveDueDate(inv); due != inv.DueDate {
		inv.Remark = fmt.Sprintf("issued on %s, after its contractual due date %s (%s): payable on receipt, due %s", due, inv.DueDate, rule, due)
		inv.DueDate = due
	}
}

// effectiveDue sets a stored invoice's DueDate to EffectiveDueDate, with
// lateRemark's remark when it had none: an invoice stored before the due
// date moved to the issue date still carries the contractual date, and
// every reader (API, pages, CLI, workbook, status) is then shown the one
// date it falls due. The contractual rule is not stored, so the remark
// names the date only.
func (inv *Invoice) effectiveDue() {
	if inv.Remark != "" {
		inv.DueDate = EffectiveDueDate(inv)
		return
	}
	lateRemark(inv, "by the contract's payment terms")
}

// EffectiveDueDate is the day inv falls due: its due date, or its issue
// date (UTC) when that is later. Invoices stored before the due date was
// moved to the issue date carry the contractual date; they are read the
// same way, so none is overdue on the day it is issued.
func EffectiveDueDate(inv *Invoice) string {
	if issued := inv.IssuedAt.UTC().Format(time.DateOnly); !inv.IssuedAt.IsZero() && inv.DueDate < issued {
		return issued
	}
	return inv.DueDate
}

// InvoiceID is the deterministic number of a lot's invoice of one kind
// under a contract, so that issuing twice names the same invoice. The lot
// is hashed in its canonical form (epcis.Canonical), so every spelling of
// a lot names one invoice; invoices issued before that keep their ids.
func InvoiceID(contract, lot, kind string) string {
	h := sha256.Sum256([]byte(contract + "\x00" + epcis.Canonical(lot)))
	k := "P"
	if kind == Final {
		k = "F"
	}
	return fmt.Sprintf("INV-%s-%s-%s", contract, hex.EncodeToString(h[:4]), k)
}

// NewProvisionalInvoice invoices the contract's provisional share of a
// provisional settlement: Total = round(value × share), due
// provisional_days after the B/L date.
func NewProvisionalInvoice(ts *TermSheet, lot *LotFacts, st *Settlement, issued time.Time) (*Invoice, error) {
	if st.Kind != Provisional {
		return nil, fieldErrorf("kind", "a provisional invoice needs a provisional settlement")
	}
	inv := newInvoice(ts, lot, st, Provisional, issued)
	inv.DueDate = lot.BLDate.AddDate(0, 0, ts.Payment.ProvisionalDays).Format(time.DateOnly)
	lateRemark(inv, "B/L date + "+Count(ts.Payment.ProvisionalDays, "day"))
	share := pct(ts.Payment.ProvisionalPct)
	inv.Total = ts.round(st.Value.Mul(share))
	inv.Lines = append(inv.Lines, Line{Code: "provisional_share", Label: fmt.Sprintf("Not invoiced provisionally (%s %% share)", ts.Payment.ProvisionalPct),
		Formula: fmt.Sprintf("round(%s × %s %%) − %s = %s − %s", st.Value, ts.Payment.ProvisionalPct, st.Value, inv.Total, st.Value),
		Amount:  inv.Total.Sub(st.Value)})
	inv.perDMT()
	return inv, inv.Check()
}

// NewFinalInvoice invoices the balance of a final settlement after the
// provisional invoice: Total = final value − provisional total.
func NewFinalInvoice(ts *TermSheet, lot *LotFacts, st *Settlement, prov *Invoice, issued time.Time) (*Invoice, error) {
	if st.Kind != Final {
		return nil, fieldErrorf("kind", "a final invoice needs a final settlement")
	}
	if prov == nil {
		return nil, fieldErrorf("provisional", "lot %s has no provisional invoice under %s; issue it first", lot.Lot, ts.ID)
	}
	if prov.Currency != ts.Currency {
		return nil, fieldErrorf("provisional/currency", "provisional invoice in %s, contract in %s: currency mismatch", prov.Currency, ts.Currency)
	}
	inv := newInvoice(ts, lot, st, Final, issued)
	inv.Provisional = prov.ID
	due, rule := finalDue(ts, lot, st)
	inv.DueDate = due
	lateRemark(inv, rule)
	inv.Lines = append(inv.Lines, Line{Code: "less_provisional", Label: "Less provisional invoice " + prov.ID,
		Formula: fmt.Sprintf("%s (less provisional invoice %s of %s)", signed(prov.Total.Neg()), prov.ID, Money(prov.Total, -1)), Amount: prov.Total.Neg(), Events: nonEmpty(prov.EventID)})
	inv.Total = st.Value.Sub(prov.Total)
	inv.perDMT()
	return inv, inv.Check()
}

// perDMT sets the per-dmt figure of the invoice's own lines (the
// provisional share, the deduction of the provisional invoice), which
// the settlement does not price per dmt: line amount ÷ the settlement's
// dmt, to 6 places as the settlement's lines (docs/trade.md,
// "Rounding"). With no dmt known the figure is absent, NoPerDMT saying
// why, never a false 0. Stored invoices issued before get theirs when
// served (decodeInvoice); the verification reads amounts only.
func (inv *Invoice) perDMT() {
	st := inv.Settlement
	n := 0
	if st != nil {
		n = len(st.Lines)
	}
	for i := range inv.Lines {
		if i < n {
			continue
		}
		l := &inv.Lines[i]
		if st == nil || !st.DMT.IsPositive() {
			l.PerDMT, l.NoPerDMT = zero, "the settlement's dmt is not known"
			continue
		}
		l.PerDMT, l.NoPerDMT = l.Amount.Div(st.DMT).Round(6), ""
	}
}

// finalDue is the final invoice's due date: final_days after the end of
// the last quotational period (Settlement.QPEnd, set whatever the price
// kind, so a fixed-price contract's final is due after its QP too), or
// after the latest fact the final rests on (discharge weighing, arrival),
// when that comes later: a final is never due before its data exist.
func finalDue(ts *TermSheet, lot *LotFacts, st *Settlement) (string, string) {
	last, what := lot.BLDate.Format(time.DateOnly), "the B/L date"
	later := func(d, name string) {
		if d > last {
			last, what = d, name
		}
	}
	later(st.QPEnd, "end of the last quotational period")
	for _, p := range st.Prices {
		later(p.To, "end of the last quotational period")
	}
	if lot.Arrival != nil {
		later(lot.Arrival.UTC().Format(time.DateOnly), "arrival")
	}
	if lot.Discharge != nil && !lot.Discharge.Date.IsZero() {
		later(lot.Discharge.Date.UTC().Format(time.DateOnly), "discharge weighing")
	}
	d, _ := time.Parse(time.DateOnly, last)
	return d.AddDate(0, 0, ts.Payment.FinalDays).Format(time.DateOnly), fmt.Sprintf("%s + %s", what, Count(ts.Payment.FinalDays, "day"))
}

func newInvoice(ts *TermSheet, lot *LotFacts, st *Settlement, kind string, issued time.Time) *Invoice {
	inv := &Invoice{ID: InvoiceID(ts.ID, lot.Lot, kind), Contract: ts.ID, Lot: lot.Lot, Kind: kind, Currency: ts.Currency,
		IssuedAt: issued.UTC(), Settlement: st, BL: lot.BL}
	inv.Lines = append(inv.Lines, st.Lines...)
	seen := map[string]bool{}
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !seen[id] {
				seen[id] = true
				inv.Events = append(inv.Events, id)
			}
		}
	}
	add(lot.BLEvent)
	for _, f := range st.Facts {
		add(f.Events...)
	}
	for _, l := range st.Lines {
		add(l.Events...)
	}
	inv.flagValue()
	return inv
}

// Check re-derives an invoice's arithmetic from its lines alone: the
// settlement's value is the sum of its lines, the invoice total is the sum
// of the invoice's lines, and every settlement line is on the invoice.
// It is the invariant every issued invoice passes.
func (inv *Invoice) Check() error {
	st := inv.Settlement
	if st == nil {
		return critmin.Errorf(critmin.EINVALID, "invoice %s has no settlement", inv.ID)
	}
	sum := zero
	for _, l := range st.Lines {
		sum = sum.Add(l.Amount)
	}
	if !sum.Equal(st.Value) {
		return critmin.Errorf(critmin.EINTERNAL, "invoice %s: settlement lines add up to %s, the settlement says %s", inv.ID, sum, st.Value)
	}
	if len(inv.Lines) < len(st.Lines) {
		return critmin.Errorf(critmin.EINTERNAL, "invoice %s lacks settlement lines", inv.ID)
	}
	total := zero
	for i, l := range inv.Lines {
		if i < len(st.Lines) && (l.Code != st.Lines[i].Code || !l.Amount.Equal(st.Lines[i].Amount)) {
			return critmin.Errorf(critmin.EINTERNAL, "invoice %s line %d (%s) differs from the settlement", inv.ID, i, l.Code)
		}
		total = total.Add(l.Amount)
	}
	if !total.Equal(inv.Total) {
		return critmin.Errorf(critmin.EINTERNAL, "invoice %s: lines add up to %s, the total says %s", inv.ID, total, inv.Total)
	}
	return nil
}
