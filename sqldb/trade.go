package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

func uniqueErr(err error) bool {
	return isUniqueViolation(err) || strings.Contains(strings.ToLower(err.Error()), "unique")
}

// tradeTx runs fn in one write transaction that first takes the trade
// lock (Dialect.LockTrade on PostgreSQL; SQLite's single writer already
// serialises), so a check fn makes and the write it guards are atomic
// with respect to every other Trade write: PostgreSQL's READ COMMITTED
// would otherwise let two transactions each check before the other
// writes. fn's reads see everything committed before the lock was taken.
func (db *DB) tradeTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", db.Dialect.Name, what, err)
	}
	defer func() { _ = tx.Rollback() }()
	if db.Dialect.LockTrade != "" {
		if _, err := tx.ExecContext(ctx, db.Dialect.LockTrade); err != nil {
			return fmt.Errorf("%s: %s: trade lock: %w", db.Dialect.Name, what, err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %s: %w", db.Dialect.Name, what, err)
	}
	return nil
}

func (db *DB) upsertTradeDoc(ctx context.Context, tx *sql.Tx, d *critmin.TradeDoc) error {
	// In the write transaction, under the trade lock: an id differing
	// only in case from one stored (or committed by a racing writer
	// before the lock was taken) is refused.
	rows, err := tx.QueryContext(ctx, db.q(`SELECT id FROM trade_docs WHERE kind = ? AND id <> ?`), d.Kind, d.ID)
	if err != nil {
		return fmt.Errorf("%s: check %s %q: %w", db.Dialect.Name, d.Kind, d.ID, err)
	}
	var twin string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		if twin == "" && strings.EqualFold(id, d.ID) {
			twin = id
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if twin != "" {
		return &critmin.TradeIDCaseTwin{Kind: d.Kind, ID: d.ID, Stored: twin}
	}
	if err := db.guardAttested(ctx, tx, "trade_docs", d.Kind, d.ID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.q(`INSERT INTO trade_docs (kind, id, saved_us, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET saved_us = excluded.saved_us, body = excluded.body`), d.Kind, d.ID, micros(d.SavedAt), string(d.Body))
	if err != nil {
		return fmt.Errorf("%s: save %s %q: %w", db.Dialect.Name, d.Kind, d.ID, err)
	}
	return db.attest(ctx, tx, "trade_docs", d.Kind, d.ID)
}

// SaveTradeDoc inserts or replaces a trade document. A contract with
// invoices keeps its terms: a different body is ECONFLICT. The invoice
// count and the write are one transaction under the trade lock, which
// SaveInvoice takes too, so an edit and an invoice racing on a contract
// cannot both succeed (issue 13: an invoice resting on replaced terms).
func (db *DB) SaveTradeDoc(ctx context.Context, d *critmin.TradeDoc) error {
	return db.tradeTx(ctx, "save "+d.Kind+" "+d.ID, func(tx *sql.Tx) error {
		if d.Kind == critmin.TradeContract {
			var old string
			var oldAt int64
			err := tx.QueryRowContext(ctx, db.q(`SELECT saved_us, body FROM trade_docs WHERE kind = ? AND id = ?`), d.Kind, d.ID).Scan(&oldAt, &old)
			exists := err == nil
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return fmt.Errorf("%s: read contract %s: %w", db.Dialect.Name, d.ID, err)
			case !jsonEqual([]byte(old), d.Body):
				var n int
				if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM trade_invoices WHERE contract = ?`), d.ID).Scan(&n); err != nil {
					return fmt.Errorf("%s: count invoices of %s: %w", db.Dialect.Name, d.ID, err)
				}
				if n > 0 {
					return critmin.Errorf(critmin.ECONFLICT, "contract %s has %d invoices and cannot be changed; issue a new contract id", d.ID, n)
				}
			}
			if err := db.upsertTradeDoc(ctx, tx, d); err != nil {
				return err
			}
			var prev *critmin.TradeDocVersion
			if exists {
				prev = &critmin.TradeDocVersion{SavedAt: fromMicros(oldAt), Body: json.RawMessage(old)}
			}
			return db.appendContractVersion(ctx, tx, d, prev)
		}
		return db.upsertTradeDoc(ctx, tx, d)
	})
}

// appendContractVersion appends d's body, recorded at d.SavedAt, to its
// contract's versions (critmin.TradeContractVersions) unless it is the
// last one's as JSON: an edit keeps every earlier version of the terms.
// A contract stored before versions were kept has none: its stored body
// (prev) is recorded first, at the time it was saved.
func (db *DB) appendContractVersion(ctx context.Context, tx *sql.Tx, d *critmin.TradeDoc, prev *critmin.TradeDocVersion) error {
	var versions []critmin.TradeDocVersion
	var body string
	err := tx.QueryRowContext(ctx, db.q(`SELECT body FROM trade_docs WHERE kind = ? AND id = ?`), critmin.TradeContractVersions, d.ID).Scan(&body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if prev != nil {
			versions = append(versions, *prev)
		}
	case err != nil:
		return fmt.Errorf("%s: read versions of contract %s: %w", db.Dialect.Name, d.ID, err)
	default:
		if err := json.Unmarshal([]byte(body), &versions); err != nil {
			return fmt.Errorf("%s: versions of contract %s: %w", db.Dialect.Name, d.ID, err)
		}
	}
	if n := len(versions); n > 0 && jsonEqual(versions[n-1].Body, d.Body) {
		if err == nil {
			return nil // the terms as last recorded: nothing new
		}
	} else {
		versions = append(versions, critmin.TradeDocVersion{SavedAt: d.SavedAt.UTC(), Body: d.Body})
	}
	b, jerr := json.Marshal(versions)
	if jerr != nil {
		return jerr
	}
	return db.upsertTradeDoc(ctx, tx, &critmin.TradeDoc{Kind: critmin.TradeContractVersions, ID: d.ID, Body: b, SavedAt: d.SavedAt})
}

// jsonEqual reports whether two documents are the same JSON value (key
// order and spacing aside).
func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ca, _ := json.Marshal(x)
	cb, _ := json.Marshal(y)
	return string(ca) == string(cb)
}

// UpdateTradeDocs reads, updates and writes documents of a kind in one
// transaction under the trade lock (critmin.TradeStore); update's reads
// through the store with the ctx it is given run in that transaction.
func (db *DB) UpdateTradeDocs(ctx context.Context, kind string, ids []string, update func(ctx context.Context, old map[string]*critmin.TradeDoc) ([]*critmin.TradeDoc, error)) error {
	return db.tradeTx(ctx, "update "+kind, func(tx *sql.Tx) error {
		old := make(map[string]*critmin.TradeDoc, len(ids))
		for _, id := range ids {
			var at int64
			var body string
			err := tx.QueryRowContext(ctx, db.q(`SELECT saved_us, body FROM trade_docs WHERE kind = ? AND id = ?`), kind, id).Scan(&at, &body)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return fmt.Errorf("%s: read %s %q: %w", db.Dialect.Name, kind, id, err)
			}
			old[id] = &critmin.TradeDoc{Kind: kind, ID: id, Body: []byte(body), SavedAt: fromMicros(at)}
		}
		// A note is computed from the lot's events inside update: hold the
		// capture lock too (after the trade lock, as SaveInvoice does), so
		// no event of the lot commits between its reads and its commit.
		if kind == critmin.TradeNotes && db.Dialect.LockCapture != "" {
			if _, err := tx.ExecContext(ctx, db.Dialect.LockCapture); err != nil {
				return fmt.Errorf("%s: update %s: capture lock: %w", db.Dialect.Name, kind, err)
			}
		}
		docs, err := update(context.WithValue(ctx, groupReadsKey{}, &groupReads{write: db.Write, tx: tx}), old)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if d.Kind != kind {
				return fmt.Errorf("%s: update %s returned a %s document %q", db.Dialect.Name, kind, d.Kind, d.ID)
			}
			if err := db.upsertTradeDoc(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindTradeDoc returns one document; ENOTFOUND if there is none.
func (db *DB) FindTradeDoc(ctx context.Context, kind, id string) (*critmin.TradeDoc, error) {
	d := critmin.TradeDoc{Kind: kind, ID: id}
	var at int64
	var body string
	err := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT saved_us, body FROM trade_docs WHERE kind = ? AND id = ?`), kind, id).Scan(&at, &body)
	if err != nil {
		return nil, notFound(err, "no %s %q", kind, id)
	}
	if err := db.checkAttestedIn(ctx, db.consistent(ctx), "trade_docs", kind, id); err != nil {
		return nil, err
	}
	d.SavedAt, d.Body = fromMicros(at), []byte(body)
	return &d, nil
}

// ListTradeDocs returns the documents of a kind by id.
func (db *DB) ListTradeDocs(ctx context.Context, kind string) ([]*critmin.TradeDoc, error) {
	rows, err := db.consistent(ctx).QueryContext(ctx, db.q(`SELECT id, saved_us, body FROM trade_docs WHERE kind = ? ORDER BY id`), kind)
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	keys := make([][]any, len(out))
	for i, d := range out {
		keys[i] = []any{kind, d.ID}
	}
	if err := db.checkAttestedKeys(ctx, db.consistent(ctx), "trade_docs", keys); err != nil {
		return nil, err
	}
	return out, nil
}

// SaveInvoice stores an invoice. The database holds one invoice per lot
// and kind under any contract (unique index trade_invoices_one_per_lot,
// migration 27), so of two servers invoicing one lot at once, under the
// same contract or two, one gets ECONFLICT. With inv.Basis set, the
// contract's stored body and the lot's declarations are compared with it
// in the same transaction, under the trade lock that SaveTradeDoc and
// SaveDeclaration take: an invoice computed before a contract edit or a
// declaration committed is refused (ECONFLICT), never stored on stale data.
// So is one whose lot gained or lost an event (inv.Basis.LotEvents),
// compared under the capture lock too.
func (db *DB) SaveInvoice(ctx context.Context, inv *critmin.StoredInvoice) error {
	return db.tradeTx(ctx, "save invoice "+inv.ID, func(tx *sql.Tx) error {
		if b := inv.Basis; b != nil {
			var terms string
			err := tx.QueryRowContext(ctx, db.q(`SELECT body FROM trade_docs WHERE kind = ? AND id = ?`), critmin.TradeContract, inv.Contract).Scan(&terms)
			if errors.Is(err, sql.ErrNoRows) || err == nil && terms != string(b.Terms) {
				return critmin.Errorf(critmin.ECONFLICT, "contract %s changed while invoice %s was settled; not issued (settle and issue again)", inv.Contract, inv.ID)
			} else if err != nil {
				return fmt.Errorf("%s: read contract %s: %w", db.Dialect.Name, inv.Contract, err)
			}
			for _, p := range b.Prices {
				var body string
				err := tx.QueryRowContext(ctx, db.q(`SELECT body FROM trade_docs WHERE kind = ? AND id = ?`), critmin.TradePrices, p.ID).Scan(&body)
				if errors.Is(err, sql.ErrNoRows) || err == nil && body != string(p.Body) {
					return critmin.Errorf(critmin.ECONFLICT, "price series %s changed while invoice %s was settled; not issued (settle and issue again)", p.ID, inv.ID)
				} else if err != nil {
					return fmt.Errorf("%s: read price series %s: %w", db.Dialect.Name, p.ID, err)
				}
			}
			now, err := db.listDeclarations(ctx, tx, inv.Contract, inv.Lot)
			if err != nil {
				return err
			}
			if !sameDeclarations(now, b.Declarations) {
				return critmin.Errorf(critmin.ECONFLICT, "the QP declarations of lot %s under contract %s changed while invoice %s was settled; not issued (settle and issue again)", inv.Lot, inv.Contract, inv.ID)
			}
			if le := b.LotEvents; le != nil {
				// Captures take the capture lock, not the trade lock: hold
				// it too (after the trade lock; no capture takes the trade
				// lock) so no event of the lot commits between this read
				// and the invoice's commit.
				if db.Dialect.LockCapture != "" {
					if _, err := tx.ExecContext(ctx, db.Dialect.LockCapture); err != nil {
						return fmt.Errorf("%s: save invoice %s: capture lock: %w", db.Dialect.Name, inv.ID, err)
					}
				}
				keys, err := critmin.FindLotEventKeys(context.WithValue(ctx, groupReadsKey{}, &groupReads{write: db.Write, tx: tx}), db, le.Lot)
				if err != nil {
					return fmt.Errorf("%s: read the events of lot %s: %w", db.Dialect.Name, le.Lot, err)
				}
				if !slices.Equal(keys, le.Keys) {
					return critmin.Errorf(critmin.ECONFLICT, "the events of lot %s changed while invoice %s was settled (%s); not issued (settle and issue again)", le.Lot, inv.ID, eventsChange(le.Keys, keys))
				}
			}
		}
		if b := inv.Basis; b != nil && b.ContractInvoices != nil {
			// Under the trade lock, so no other invoice under the
			// contract commits between this read and this one's commit:
			// the quantity checked against these invoices still holds.
			ids, err := db.contractInvoiceIDs(ctx, tx, b.ContractInvoices.Contract)
			if err != nil {
				return err
			}
			if !slices.Equal(ids, b.ContractInvoices.IDs) {
				return &critmin.ContractInvoicesChanged{Err: critmin.Errorf(critmin.ECONFLICT, "the invoices under contract %s changed while invoice %s was checked against its quantity (%s); not issued (check and issue again)", b.ContractInvoices.Contract, inv.ID, eventsChange(b.ContractInvoices.IDs, ids))}
			}
		}
		if err := db.guardAttested(ctx, tx, "trade_invoices", inv.ID); err != nil {
			return err
		}
		// Under the trade lock (SQLite: the one writer), the invoice this
		// one would duplicate is read before the insert, so the refusal
		// names it and its contract — the same contract or another.
		var heldID, heldContract string
		err := tx.QueryRowContext(ctx, db.q(`SELECT id, contract FROM trade_invoices WHERE lot = ? AND kind = ? AND duplicate_of IS NULL`), inv.Lot, inv.Kind).Scan(&heldID, &heldContract)
		if err == nil {
			return invoiceHeld(inv, heldID, heldContract)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: save invoice %s: read the invoices of lot %s: %w", db.Dialect.Name, inv.ID, inv.Lot, err)
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO trade_invoices (id, contract, lot, kind, currency, total, issued_us, due_date, event_id, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), inv.ID, inv.Contract, inv.Lot, inv.Kind, inv.Currency, inv.Total, micros(inv.IssuedAt), inv.DueDate, inv.EventID, string(inv.Body))
		if err != nil {
			if uniqueErr(err) {
				return critmin.Errorf(critmin.ECONFLICT, "lot %s already has a %s invoice (a lot is invoiced under one contract, one invoice of each kind); invoice %s was not issued", inv.Lot, inv.Kind, inv.ID)
			}
			return fmt.Errorf("%s: save invoice %s: %w", db.Dialect.Name, inv.ID, err)
		}
		return db.attest(ctx, tx, "trade_invoices", inv.ID)
	})
}

// contractInvoiceIDs are the sorted ids of the invoices under a contract,
// read in tx.
func (db *DB) contractInvoiceIDs(ctx context.Context, tx *sql.Tx, contract string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, db.q(`SELECT id FROM trade_invoices WHERE contract = ?`), contract)
	if err != nil {
		return nil, fmt.Errorf("%s: read the invoices of contract %s: %w", db.Dialect.Name, contract, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, rows.Err()
}

// invoiceHeld is the refusal of inv when the lot already has invoice
// heldID of the same kind under heldContract.
func invoiceHeld(inv *critmin.StoredInvoice, heldID, heldContract string) error {
	if heldContract == inv.Contract {
		return critmin.Errorf(critmin.ECONFLICT, "lot %s already has a %s invoice %s under this contract (%s); invoice %s was not issued (one invoice of each kind per lot)", inv.Lot, inv.Kind, heldID, inv.Contract, inv.ID)
	}
	return critmin.Errorf(critmin.ECONFLICT, "lot %s already has a %s invoice %s under contract %s (a lot is invoiced under one contract, one invoice of each kind); invoice %s under contract %s was not issued", inv.Lot, inv.Kind, heldID, heldContract, inv.ID, inv.Contract)
}

// eventsChange names what differs between two sorted key sets: the
// events added and gone (at most three of each named).
func eventsChange(was, now []string) string {
	in := func(set []string, k string) bool { _, ok := slices.BinarySearch(set, k); return ok }
	var added, gone []string
	for _, k := range now {
		if !in(was, k) {
			added = append(added, k)
		}
	}
	for _, k := range was {
		if !in(now, k) {
			gone = append(gone, k)
		}
	}
	name := func(what string, ks []string) string {
		if len(ks) > 3 {
			return fmt.Sprintf("%s %s and %d more", what, strings.Join(ks[:3], ", "), len(ks)-3)
		}
		return what + " " + strings.Join(ks, ", ")
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, name("new or changed", added))
	}
	if len(gone) > 0 {
		parts = append(parts, name("gone", gone))
	}
	return strings.Join(parts, "; ")
}

// sameDeclarations compares two declaration lists by element (both sorted
// by element, as listDeclarations returns them).
func sameDeclarations(a, b []*critmin.QPDeclaration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Element != y.Element || x.Month != y.Month || x.Party != y.Party || micros(x.DeclaredAt) != micros(y.DeclaredAt) {
			return false
		}
	}
	return true
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
	inv, err := scanInvoice(db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT `+invoiceCols+` FROM trade_invoices WHERE id = ?`), id))
	if err != nil {
		return nil, notFound(err, "no invoice %q", id)
	}
	if err := db.checkAttestedIn(ctx, db.consistent(ctx), "trade_invoices", id); err != nil {
		return nil, err
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	keys := make([][]any, len(out))
	for i, inv := range out {
		keys[i] = []any{inv.ID}
	}
	if err := db.checkAttestedKeys(ctx, db.reader(ctx), "trade_invoices", keys); err != nil {
		return nil, err
	}
	return out, nil
}

// SavePayment records a payment against a stored invoice, in one write
// transaction that first locks the invoice's row (a no-op UPDATE: a row
// lock on PostgreSQL, the write lock on SQLite), so that payments racing
// from several servers are checked one after the other: the sum of the
// invoice's |amounts| with this one may not exceed |total| (critmin
// records no overpayment; ECONFLICT naming the outstanding balance). A
// payment without an id is named from its IDPrefix and the payment count
// read in that transaction (critmin.TradePayment).
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
	if err := db.checkAttestedIn(ctx, tx, "trade_invoices", p.Invoice); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, db.q(`SELECT id, amount FROM trade_payments WHERE invoice = ?`), p.Invoice)
	if err != nil {
		return fmt.Errorf("%s: read payments of %s: %w", db.Dialect.Name, p.Invoice, err)
	}
	settled, count := decimal.Zero, 0
	var paid [][]any
	var amounts []decimal.Decimal
	for rows.Next() {
		var id, a string
		if err := rows.Scan(&id, &a); err != nil {
			rows.Close()
			return err
		}
		paid = append(paid, []any{id})
		count++
		d, err := decimal.NewFromString(a)
		if err != nil {
			rows.Close()
			return fmt.Errorf("%s: stored payment amount %q: %w", db.Dialect.Name, a, err)
		}
		settled = settled.Add(d.Abs())
		amounts = append(amounts, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := db.checkAttestedKeys(ctx, tx, "trade_payments", paid); err != nil {
		return err
	}
	if p.Owed != "" {
		// The account of an invoice with notes (critmin.TradePayment.Owed):
		// the signed amount must go the way the outstanding balance
		// (owed − net paid) does, and no further.
		owed, err := decimal.NewFromString(p.Owed)
		if err != nil {
			return fmt.Errorf("%s: payment %s owed %q: %w", db.Dialect.Name, p.ID, p.Owed, err)
		}
		net := decimal.Zero
		for _, a := range amounts {
			net = net.Add(a)
		}
		out := owed.Sub(net)
		if out.IsZero() || amt.Sign() != out.Sign() || amt.Abs().GreaterThan(out.Abs()) {
			return critmin.Errorf(critmin.ECONFLICT, "a %s of %s does not fit the %s outstanding on invoice %s and its notes (%s owed less %s paid); critmin records no overpayment", map[bool]string{true: "payment", false: "refund"}[amt.IsPositive()], amt.Abs(), out, p.Invoice, owed, net)
		}
	} else if settled.Add(amt.Abs()).GreaterThan(total.Abs()) {
		name := "a payment"
		if p.ID != "" {
			name = "payment " + p.ID
		}
		return critmin.Errorf(critmin.ECONFLICT, "%s of %s is more than the %s outstanding on invoice %s (|total| %s less %s settled); critmin records no overpayment", name, amt.Abs(), total.Abs().Sub(settled), p.Invoice, total.Abs(), settled)
	}
	id := p.ID
	if id == "" && p.IDPrefix != "" {
		id = fmt.Sprintf("%s%d", p.IDPrefix, count+1)
	}
	if id == "" {
		return critmin.FieldErrorf("id", "a payment needs an id")
	}
	if err := db.guardAttested(ctx, tx, "trade_payments", id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO trade_payments (id, invoice, amount, paid_on) VALUES (?, ?, ?, ?)`), id, p.Invoice, p.Amount, p.PaidOn); err != nil {
		if uniqueErr(err) {
			return critmin.Errorf(critmin.ECONFLICT, "payment %q is already recorded", id)
		}
		return fmt.Errorf("%s: save payment %s: %w", db.Dialect.Name, id, err)
	}
	if err := db.attest(ctx, tx, "trade_payments", id); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: save payment %s: %w", db.Dialect.Name, id, err)
	}
	p.ID = id
	return nil
}

// ListPayments returns payments of one invoice, or all when invoice is "".
func (db *DB) ListPayments(ctx context.Context, invoice string) ([]*critmin.TradePayment, error) {
	q, args := `SELECT id, invoice, amount, paid_on FROM trade_payments`, []any{}
	if invoice != "" {
		q += ` WHERE invoice = ?`
		args = append(args, invoice)
	}
	rows, err := db.consistent(ctx).QueryContext(ctx, db.q(q+` ORDER BY paid_on, id`), args...)
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	keys := make([][]any, len(out))
	for i, p := range out {
		keys[i] = []any{p.ID}
	}
	if err := db.checkAttestedKeys(ctx, db.consistent(ctx), "trade_payments", keys); err != nil {
		return nil, err
	}
	return out, nil
}

// SaveDeclaration records or replaces a QP declaration, unless the lot has
// a final invoice under the contract (EINVALID on lot: the settlement is
// fixed). The check and the write are one transaction under the trade
// lock, which SaveInvoice takes too: of a declaration and a final invoice
// racing, either the declaration is stored first (and the invoice,
// computed without it, is refused) or the invoice is, and the declaration
// is refused.
func (db *DB) SaveDeclaration(ctx context.Context, d *critmin.QPDeclaration) error {
	return db.tradeTx(ctx, "save declaration", func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, db.q(`SELECT id FROM trade_invoices WHERE contract = ? AND lot = ? AND kind = 'final' AND duplicate_of IS NULL`), d.Contract, d.Lot).Scan(&id)
		if err == nil {
			return critmin.FieldErrorf("lot", "lot %s has its final invoice under contract %s (%s): its settlement is fixed and takes no more declarations", d.Lot, d.Contract, id)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: find final invoice of %s: %w", db.Dialect.Name, d.Lot, err)
		}
		if !d.Redeclare {
			if err := db.firstDeclaration(ctx, tx, d); err != nil {
				return err
			}
		}
		if err := db.guardAttested(ctx, tx, "trade_declarations", d.Contract, d.Lot, d.Element); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO trade_declarations (contract, lot, element, month, party, declared_us) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (contract, lot, element) DO UPDATE SET month = excluded.month, party = excluded.party, declared_us = excluded.declared_us`),
			d.Contract, d.Lot, d.Element, d.Month, d.Party, micros(d.DeclaredAt))
		if err != nil {
			return fmt.Errorf("%s: save declaration: %w", db.Dialect.Name, err)
		}
		return db.attest(ctx, tx, "trade_declarations", d.Contract, d.Lot, d.Element)
	})
}

// firstDeclaration refuses (ECONFLICT) a declaration of an element the
// lot already has one for under the contract: the same element, "*"
// (every element) beside any, or any beside "*". A declaration is final
// once made unless the contract allows re-declaration (d.Redeclare).
func (db *DB) firstDeclaration(ctx context.Context, tx *sql.Tx, d *critmin.QPDeclaration) error {
	prev, err := db.listDeclarations(ctx, tx, d.Contract, d.Lot)
	if err != nil {
		return err
	}
	for _, p := range prev {
		if p.Element == d.Element || p.Element == "*" || d.Element == "*" {
			return critmin.Errorf(critmin.ECONFLICT, "lot %s already has the %s's declaration of month %+d for %s under contract %s, made %s: a declaration is final once made (the contract does not allow re-declaration, qp.redeclare)", d.Lot, p.Party, p.Month, p.Element, d.Contract, p.DeclaredAt.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// ListDeclarations returns the declarations of a lot under a contract.
func (db *DB) ListDeclarations(ctx context.Context, contract, lot string) ([]*critmin.QPDeclaration, error) {
	return db.listDeclarations(ctx, db.consistent(ctx), contract, lot)
}

func (db *DB) listDeclarations(ctx context.Context, q querier, contract, lot string) ([]*critmin.QPDeclaration, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT element, month, party, declared_us FROM trade_declarations WHERE contract = ? AND lot = ? ORDER BY element`), contract, lot)
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	keys := make([][]any, len(out))
	for i, d := range out {
		keys[i] = []any{contract, lot, d.Element}
	}
	if err := db.checkAttestedKeys(ctx, q, "trade_declarations", keys); err != nil {
		return nil, err
	}
	return out, nil
}
