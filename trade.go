package critmin

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"time"
)

// Kinds of trade documents kept whole as validated JSON.
const (
	TradeContract  = "contract"  // a term sheet
	TradePrices    = "prices"    // a price series with its points
	TradeAgreement = "agreement" // a framework agreement
	// TradeNotes holds the credit and debit notes issued against one
	// final invoice (its id the invoice's), appended, never changed.
	TradeNotes = "notes"
	// TradeContractVersions holds every version of a contract's terms (its
	// id the contract's): a JSON array of TradeDocVersion, oldest first,
	// appended by SaveTradeDoc in the transaction that saves the contract,
	// never rewritten, so that a view as of a past instant reads the terms
	// recorded by then (issue 13, fix13x).
	TradeContractVersions = "contract_versions"
)

// TradeDocVersion is one recorded version of a document: its body and
// the transaction time it was saved at.
type TradeDocVersion struct {
	SavedAt time.Time       `json:"saved_at"`
	Body    json.RawMessage `json:"body"`
}

// TradeDoc is a trade document (term sheet, price series, framework
// agreement) kept as the JSON the commercial package validated.
type TradeDoc struct {
	Kind    string
	ID      string
	Body    json.RawMessage
	SavedAt time.Time
}

// StoredInvoice is an issued invoice: the columns queries select on and
// the whole invoice (lines, formulas, settlement) as JSON. Total is a
// decimal string in Currency. EventID names the TransactionEvent that
// records the invoice on the lot.
type StoredInvoice struct {
	ID       string
	Contract string
	Lot      string
	Kind     string // provisional or final
	Currency string
	Total    string
	IssuedAt time.Time
	DueDate  string
	EventID  string
	Body     json.RawMessage
	// DuplicateOf is set on an invoice a store held before migration 27
	// for a lot and kind that already had one (a double billing): the
	// first invoice's id. Such an invoice is refused when served.
	DuplicateOf string
	// Basis, input only, is what the invoice was computed from; when set,
	// SaveInvoice stores the invoice only if it is still what the store
	// holds (ECONFLICT otherwise: settle and issue again).
	Basis *InvoiceBasis `json:"-"`
}

// InvoiceBasis is what an invoice was computed from, as read from the
// store before settling: the contract document's body (FindTradeDoc,
// compared byte for byte) and the lot's QP declarations under the
// contract (ListDeclarations; compared by element, month, party and
// time). A contract edit or a declaration committed between that read and
// SaveInvoice makes the invoice rest on stale data, so it is refused.
//
// Prices are the price series (TradePrices documents) the contract names,
// as read: an import that back-fills a day (an agency assessment inside a
// closed period, a day before the provisional price's) would change the
// settlement, so a series whose stored body differs, or that is gone,
// refuses the invoice too.
//
// LotEvents is the lot's event set as the settlement read it (its weights,
// assays, bill of lading and their error declarations): an event captured
// for the lot, or one declared in error, between that read and SaveInvoice
// would change the settlement, so a set that differs refuses the invoice.
type InvoiceBasis struct {
	Terms        []byte
	Declarations []*QPDeclaration
	Prices       []*TradeDoc
	LotEvents    *LotEventSet
	// ContractInvoices, when set, are the ids of every invoice stored
	// under the invoice's contract when its quantity was checked: an
	// invoice under the contract stored since (by a concurrent issuer)
	// refuses this one with a ContractInvoicesChanged error, so that two
	// invoices checked at once cannot together exceed the contract
	// quantity.
	ContractInvoices *InvoiceIDSet
}

// InvoiceIDSet is the sorted ids of the invoices under a contract.
type InvoiceIDSet struct {
	Contract string
	IDs      []string
}

// ContractInvoicesChanged is the store's refusal (ECONFLICT) of an invoice
// whose InvoiceBasis.ContractInvoices no longer match the invoices stored
// under its contract. The issuer checks its quantity again and retries.
type ContractInvoicesChanged struct{ Err *Error }

func (e *ContractInvoicesChanged) Error() string { return e.Err.Error() }

// Unwrap is the ECONFLICT Error ErrorCode and ErrorMessage read.
func (e *ContractInvoicesChanged) Unwrap() error { return e.Err }

// LotEventSet is the set of events that name a lot (LotEventFilter), as
// their LotEventKeys.
type LotEventSet struct {
	Lot  string
	Keys []string
}

// LotEventFilter selects the events that name a lot as an EPC class in any
// role, oldest first: the events the Trade job reads a lot's facts from.
func LotEventFilter(lot string) EventFilter {
	return EventFilter{ClassMatches: []EPCMatch{{Roles: []string{RoleEPC, RoleChild, RoleInput, RoleOutput}, Patterns: []string{lot}, Exact: true}}, OrderBy: "eventTime", OrderAscending: true, Limit: 1000}
}

// LotEventKeys returns the sorted keys of events: eventID, record time and
// whether the event is an error declaration or declared in error. A stored
// event never changes otherwise, so two reads of a lot's events with the
// same keys read the same facts.
func LotEventKeys(events []*Event) []string {
	keys := make([]string, 0, len(events))
	for _, ev := range events {
		k := ev.EventID + " @" + strconv.FormatInt(ev.RecordTime.UnixMicro(), 10)
		if ev.ErrorDeclaration != nil {
			k += " error-declaration"
		}
		if ev.DeclaredInError != nil {
			k += " declared-in-error"
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FindLotEventKeys reads the LotEventKeys of the events naming a lot.
func FindLotEventKeys(ctx context.Context, store EventStore, lot string) ([]string, error) {
	var all []*Event
	f := LotEventFilter(lot)
	for {
		page, err := store.FindEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Events...)
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	return LotEventKeys(all), nil
}

// InvoiceFilter selects invoices; empty fields do not constrain.
type InvoiceFilter struct {
	Contract string
	Lot      string
}

// TradePayment is money received against an invoice (a decimal string).
// Stored, Amount is signed: positive for a payment from the buyer,
// negative for a refund from the seller against a credit invoice.
// Direction is input only (payment or refund); the sign stores it.
type TradePayment struct {
	ID      string
	Invoice string
	Amount  string
	PaidOn  string // YYYY-MM-DD
	// IDPrefix, with ID empty, has the store name the payment IDPrefix
	// followed by 1 + the invoice's payment count, counted in the
	// transaction that writes it (and sets ID): two payments recorded at
	// once are numbered one after the other, not both given the first
	// free number read before either was written.
	IDPrefix  string `json:"-"`
	Direction string `json:"-"`
	// Owed, when set, is what the invoice's account comes to with the
	// credit and debit notes issued against it (invoice total + Σ
	// notes): the store then checks, in its write transaction, that the
	// payment (positive) or refund (negative) moves the net paid towards
	// it without passing it, instead of |Σ amounts| ≤ |total|.
	Owed string `json:"-"`
}

// QPDeclaration is a party's declaration of the quotational-period month
// for an element of a lot under a contract.
type QPDeclaration struct {
	Contract   string
	Lot        string
	Element    string
	Month      int
	Party      string
	DeclaredAt time.Time
	// Redeclare lets the declaration replace the lot's earlier one of the
	// same element (the term sheet's qp.redeclare); without it the store
	// refuses a second declaration of an element, or of any element
	// beside "*" (every element), in the transaction that writes
	// (ECONFLICT naming the first).
	Redeclare bool
}

// TradeIDCaseTwin is the error SaveTradeDoc and UpdateTradeDocs return
// for a document whose id differs only in case from a stored one of its
// kind ("fwo-ussm-cu-2025" beside "FWO-USSM-CU-2025"): one would be taken
// for the other, in URLs and on paper. The check is made in the write
// transaction, under the trade lock, so two writers racing with such ids
// cannot both succeed. It unwraps to an EINVALID Error.
type TradeIDCaseTwin struct {
	Kind, ID, Stored string
}

func (e *TradeIDCaseTwin) Error() string { return e.Unwrap().Error() }

// Unwrap is the EINVALID error ErrorCode and ErrorMessage read.
func (e *TradeIDCaseTwin) Unwrap() error {
	return FieldErrorf("id", "%s %q differs only in case from the stored %s %q: ids are compared exactly, so this would be a second one; use %q to change it or another id", e.Kind, e.ID, e.Kind, e.Stored, e.Stored)
}

// TradeStore keeps the Trade job's records. Assays, weights and the
// invoice events themselves live in the ledger.
type TradeStore interface {
	// SaveTradeDoc inserts or replaces a document of a kind. A contract
	// (TradeContract) that has invoices is not changed: ECONFLICT unless
	// the new body is the stored one as JSON. Every different body of a
	// contract is appended, with its SavedAt, to the contract's
	// TradeContractVersions document in the same transaction (the body
	// it replaces first, for a contract saved before versions were kept). The check and the write are
	// one transaction, serialised with SaveInvoice. An id differing
	// only in case from a stored one of the kind is *TradeIDCaseTwin,
	// checked in that transaction.
	SaveTradeDoc(ctx context.Context, d *TradeDoc) error
	// UpdateTradeDocs reads the stored documents of a kind with the given
	// ids (absent ones are missing from the map), passes them to update
	// and writes the documents it returns, all in one write transaction
	// that holds the trade lock: updates of one document never interleave
	// (no read-modify-write lost), and when update returns an error
	// nothing is written and the error is returned as is. update must not
	// call the store's write methods (SQLite has one writer connection).
	// The store's reads with the ctx update is given go through that
	// transaction (the primary, under the lock), so a check update makes
	// on other records (the invoices whose quotational periods a price
	// import may not change) sees everything committed before it and
	// nothing a replica has yet to replay. A returned document whose id
	// differs only in case from a stored one is *TradeIDCaseTwin, nothing
	// written.
	UpdateTradeDocs(ctx context.Context, kind string, ids []string, update func(ctx context.Context, old map[string]*TradeDoc) ([]*TradeDoc, error)) error
	FindTradeDoc(ctx context.Context, kind, id string) (*TradeDoc, error)
	ListTradeDocs(ctx context.Context, kind string) ([]*TradeDoc, error)
	// SaveInvoice stores an invoice; ECONFLICT if the lot already has an
	// invoice of that kind under the contract, or if its Basis is no
	// longer what the store holds.
	SaveInvoice(ctx context.Context, inv *StoredInvoice) error
	FindInvoice(ctx context.Context, id string) (*StoredInvoice, error)
	ListInvoices(ctx context.Context, f InvoiceFilter) ([]*StoredInvoice, error)
	// SavePayment records a payment; ENOTFOUND if the invoice is unknown,
	// ECONFLICT if the payment id is taken.
	SavePayment(ctx context.Context, p *TradePayment) error
	ListPayments(ctx context.Context, invoice string) ([]*TradePayment, error)
	// SaveDeclaration records a QP declaration (replacing the element's
	// earlier one only with d.Redeclare; otherwise ECONFLICT naming it);
	// EINVALID on field lot if the lot has a final invoice under the
	// contract, checked in the transaction that writes, serialised with
	// SaveInvoice.
	SaveDeclaration(ctx context.Context, d *QPDeclaration) error
	ListDeclarations(ctx context.Context, contract, lot string) ([]*QPDeclaration, error)
}
