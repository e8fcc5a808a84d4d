package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

func uniqueErr(err error) bool {
	return isUniqueViolation(err) || strings.Contains(strings.ToLower(err.Error()), "unique")
}

// SaveTradeDoc inserts or replaces a trade document in one statement.
func (db *DB) SaveTradeDoc(ctx context.Context, d *critmin.TradeDoc) error {
	_, err := db.Write.ExecContext(ctx, db.q(`INSERT INTO trade_docs (kind, id, saved_us, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET saved_us = excluded.saved_us, body = excluded.body`), d.Kind, d.ID, micros(d.SavedAt), string(d.Body))
	if err != nil {
		return fmt.Errorf("%s: save %s %q: %w", db.Dialect.Name, d.Kind, d.ID, err)
	}
	return nil
}

// FindTradeDoc returns one document; ENOTFOUND if there is none.
func (db *DB) FindTradeDoc(ctx context.Context, kind, id string) (*critmin.TradeDoc, error) {
	d := critmin.TradeDoc{Kind: kind, ID: id}
	var at int64
	var body string
	err := db.reader(ctx).QueryRowContext(ctx, db.q(`SELECT saved_us, body FROM trade_docs WHERE kind = ? AND id = ?`), kind, id).Scan(&at, &body)
	if err != nil {
		return nil, notFound(err, "no %s %q", kind, id)
	}
	d.SavedAt, d.Body = fromMicros(at), []byte(body)
	return &d, nil
}

// ListTradeDocs returns the documents of a kind by id.
func (db *DB) ListTradeDocs(ctx context.Context, kind string) ([]*critmin.TradeDoc, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT id, saved_us, body FROM trade_docs WHERE kind = ? ORDER BY id`), kind)
	if err != nil {
		return nil, fmt.Errorf("%s: list %s: %w", db.Dialect.Name, kind, err)
	}
	defer rows.Close()
	var out []*critmin.TradeDoc
	for rows.Next() {
		d := critmin.TradeDoc{Kind: kind}
		var at int64
		var body string
		if err := rows.Scan(&d.ID, &at, &body); err != nil {
			return nil, err
		}
		d.SavedAt, d.Body = fromMicros(at), []byte(body)
		out = append(out, &d)
	}
	return out, rows.Err()
}

// SaveInvoice stores an invoice. The database holds one invoice per lot
// and kind under any contract (unique index trade_invoices_one_per_lot,
// migration 27), so of two servers invoicing one lot at once, under the
// same contract or two, one gets ECONFLICT.
func (db *DB) SaveInvoice(ctx context.Context, inv *critmin.StoredInvoice) error {
	_, err := db.Write.ExecContext(ctx, db.q(`INSERT INTO trade_invoices (id, contract, lot, kind, currency, total, issued_us, due_date, event_id, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), inv.ID, inv.Contract, inv.Lot, inv.Kind, inv.Currency, inv.Total, micros(inv.IssuedAt), inv.DueDate, inv.EventID, string(inv.Body))
	if err != nil {
		if uniqueErr(err) {
			return critmin.Errorf(critmin.ECONFLICT, "lot %s already has a %s invoice (a lot is invoiced under one contract, one invoice of each kind); not issued under contract %s", inv.Lot, inv.Kind, inv.Contract)
		}
		return fmt.Errorf("%s: save invoice %s: %w", db.Dialect.Name, inv.ID, err)
	}
	return nil
}

const invoiceCols = `id, contract, lot, kind, currency, total, issued_us, due_date, event_id, body, duplicate_of`

func scanInvoice(sc interface{ Scan(...any) error }) (*critmin.StoredInvoice, error) {
	var inv critmin.StoredInvoice
	var at int64
	var body string
	var dup sql.NullString
	if err := sc.Scan(&inv.ID, &inv.Contract, &inv.Lot, &inv.Kind, &inv.Currency, &inv.Total, &at, &inv.DueDate, &inv.EventID, &body, &dup); err != nil {
		return nil, err
	}
	inv.IssuedAt, inv.Body, inv.DuplicateOf = fromMicros(at), []byte(body), dup.String
	return &inv, nil
}

// FindInvoice returns one invoice; ENOTFOUND if there is none.
func (db *DB) FindInvoice(ctx context.Context, id string) (*critmin.StoredInvoice, error) {
	inv, err := scanInvoice(db.reader(ctx).QueryRowContext(ctx, db.q(`SELECT `+invoiceCols+` FROM trade_invoices WHERE id = ?`), id))
	if err != nil {
		return nil, notFound(err, "no invoice %q", id)
	}
	return inv, nil
}

// ListInvoices returns invoices oldest first.
func (db *DB) ListInvoices(ctx context.Context, f critmin.InvoiceFilter) ([]*critmin.StoredInvoice, error) {
	q := `SELECT ` + invoiceCols + ` FROM trade_invoices WHERE 1 = 1`
	var args []any
	if f.Contract != "" {
		q += ` AND contract = ?`
		args = append(args, f.Contract)
	}
	if f.Lot != "" {
		q += ` AND lot = ?`
		args = append(args, f.Lot)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(q+` ORDER BY issued_us, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: list invoices: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.StoredInvoice
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// SavePayment records a payment against a stored invoice, in one write
// transaction that first locks the invoice's row (a no-op UPDATE: a row
// lock on PostgreSQL, the write lock on SQLite), so that payments racing
// from several servers are checked one after the other: the sum of the
// invoice's |amounts| with this one may not exceed |total| (critmin
// records no overpayment; ECONFLICT naming the outstanding balance).
func (db *DB) SavePayment(ctx context.Context, p *critmin.TradePayment) error {
	amt, err := decimal.NewFromString(p.Amount)
	if err != nil {
		return critmin.FieldErrorf("amount", "%q is not a decimal amount", p.Amount)
	}
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: save payment %s: %w", db.Dialect.Name, p.ID, err)
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx, db.q(`UPDATE trade_invoices SET id = id WHERE id = ?`), p.Invoice)
	if err != nil {
		return fmt.Errorf("%s: lock invoice %s: %w", db.Dialect.Name, p.Invoice, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return critmin.Errorf(critmin.ENOTFOUND, "no invoice %q", p.Invoice)
	}
	var totalStr string
	if err := tx.QueryRowContext(ctx, db.q(`SELECT total FROM trade_invoices WHERE id = ?`), p.Invoice).Scan(&totalStr); err != nil {
		return fmt.Errorf("%s: read invoice %s: %w", db.Dialect.Name, p.Invoice, err)
	}
	total, err := decimal.NewFromString(totalStr)
	if err != nil {
		return fmt.Errorf("%s: invoice %s total %q: %w", db.Dialect.Name, p.Invoice, totalStr, err)
	}
	rows, err := tx.QueryContext(ctx, db.q(`SELECT amount FROM trade_payments WHERE invoice = ?`), p.Invoice)
	if err != nil {
		return fmt.Errorf("%s: read payments of %s: %w", db.Dialect.Name, p.Invoice, err)
	}
	settled := decimal.Zero
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return err
		}
		d, err := decimal.NewFromString(a)
		if err != nil {
			rows.Close()
			return fmt.Errorf("%s: stored payment amount %q: %w", db.Dialect.Name, a, err)
		}
		settled = settled.Add(d.Abs())
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if settled.Add(amt.Abs()).GreaterThan(total.Abs()) {
		return critmin.Errorf(critmin.ECONFLICT, "payment %s of %s is more than the %s outstanding on invoice %s (|total| %s less %s settled); critmin records no overpayment", p.ID, amt.Abs(), total.Abs().Sub(settled), p.Invoice, total.Abs(), settled)
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO trade_payments (id, invoice, amount, paid_on) VALUES (?, ?, ?, ?)`), p.ID, p.Invoice, p.Amount, p.PaidOn); err != nil {
		if uniqueErr(err) {
			return critmin.Errorf(critmin.ECONFLICT, "payment %q is already recorded", p.ID)
		}
		return fmt.Errorf("%s: save payment %s: %w", db.Dialect.Name, p.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: save payment %s: %w", db.Dialect.Name, p.ID, err)
	}
	return nil
}

// ListPayments returns payments of one invoice, or all when invoice is "".
func (db *DB) ListPayments(ctx context.Context, invoice string) ([]*critmin.TradePayment, error) {
	q, args := `SELECT id, invoice, amount, paid_on FROM trade_payments`, []any{}
	if invoice != "" {
		q += ` WHERE invoice = ?`
		args = append(args, invoice)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(q+` ORDER BY paid_on, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: list payments: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.TradePayment
	for rows.Next() {
		var p critmin.TradePayment
		if err := rows.Scan(&p.ID, &p.Invoice, &p.Amount, &p.PaidOn); err != nil {
			return nil, err
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// SaveDeclaration records or replaces a QP declaration.
func (db *DB) SaveDeclaration(ctx context.Context, d *critmin.QPDeclaration) error {
	_, err := db.Write.ExecContext(ctx, db.q(`INSERT INTO trade_declarations (contract, lot, element, month, party, declared_us) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (contract, lot, element) DO UPDATE SET month = excluded.month, party = excluded.party, declared_us = excluded.declared_us`),
		d.Contract, d.Lot, d.Element, d.Month, d.Party, micros(d.DeclaredAt))
	if err != nil {
		return fmt.Errorf("%s: save declaration: %w", db.Dialect.Name, err)
	}
	return nil
}

// ListDeclarations returns the declarations of a lot under a contract.
func (db *DB) ListDeclarations(ctx context.Context, contract, lot string) ([]*critmin.QPDeclaration, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT element, month, party, declared_us FROM trade_declarations WHERE contract = ? AND lot = ? ORDER BY element`), contract, lot)
	if err != nil {
		return nil, fmt.Errorf("%s: list declarations: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.QPDeclaration
	for rows.Next() {
		d := critmin.QPDeclaration{Contract: contract, Lot: lot}
		var at int64
		if err := rows.Scan(&d.Element, &d.Month, &d.Party, &at); err != nil {
			return nil, err
		}
		d.DeclaredAt = fromMicros(at)
		out = append(out, &d)
	}
	return out, rows.Err()
}
