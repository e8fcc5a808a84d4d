package critmin

import (
	"context"
	"encoding/json"
	"time"
)

// Kinds of trade documents kept whole as validated JSON.
const (
	TradeContract  = "contract"  // a term sheet
	TradePrices    = "prices"    // a price series with its points
	TradeAgreement = "agreement" // a framework agreement
)

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
	ID        string
	Invoice   string
	Amount    string
	PaidOn    string // YYYY-MM-DD
	Direction string `json:"-"`
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
}

// TradeStore keeps the Trade job's records. Assays, weights and the
// invoice events themselves live in the ledger.
type TradeStore interface {
	// SaveTradeDoc inserts or replaces a document of a kind.
	SaveTradeDoc(ctx context.Context, d *TradeDoc) error
	FindTradeDoc(ctx context.Context, kind, id string) (*TradeDoc, error)
	ListTradeDocs(ctx context.Context, kind string) ([]*TradeDoc, error)
	// SaveInvoice stores an invoice; ECONFLICT if the lot already has an
	// invoice of that kind under the contract.
	SaveInvoice(ctx context.Context, inv *StoredInvoice) error
	FindInvoice(ctx context.Context, id string) (*StoredInvoice, error)
	ListInvoices(ctx context.Context, f InvoiceFilter) ([]*StoredInvoice, error)
	// SavePayment records a payment; ENOTFOUND if the invoice is unknown,
	// ECONFLICT if the payment id is taken.
	SavePayment(ctx context.Context, p *TradePayment) error
	ListPayments(ctx context.Context, invoice string) ([]*TradePayment, error)
	// SaveDeclaration records (or replaces) a QP declaration.
	SaveDeclaration(ctx context.Context, d *QPDeclaration) error
	ListDeclarations(ctx context.Context, contract, lot string) ([]*QPDeclaration, error)
}
