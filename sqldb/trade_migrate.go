package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

func init() { goSteps[27] = OneInvoicePerLot }

// OneInvoicePerLot is migration 27's Go step. Trade stored lots as the
// caller spelled them, so one lot could hold invoices under an LGTIN URN
// and under its GS1 Digital Link, and two servers (or two requests) could
// invoice one lot under two contracts at once. The step:
//
//  1. rewrites trade_invoices.lot and trade_declarations.lot to the
//     canonical identifier (epcis.Canonical, docs/identity.md); a
//     declaration whose canonical row exists already is left as it was;
//  2. marks every invoice but the first issued (issued_us, then id) of a
//     lot and kind with duplicate_of = that first invoice's id: such an
//     invoice is a double billing made before the constraint, kept for the
//     record and refused when served (commercial.Service);
//  3. creates the unique index trade_invoices_one_per_lot on (lot, kind)
//     over the invoices not so marked: from then on the database refuses
//     a second provisional (or final) invoice of a lot under any contract.
func OneInvoicePerLot(ctx context.Context, tx *sql.Tx, d Dialect) error {
	q := func(s string) string {
		if d.Dollar {
			return Rebind(s)
		}
		return s
	}
	for _, table := range []string{"trade_invoices", "trade_declarations"} {
		lots, err := distinct(ctx, tx, `SELECT DISTINCT lot FROM `+table)
		if err != nil {
			return fmt.Errorf("read %s lots: %w", table, err)
		}
		for _, lot := range lots {
			c := canon(lot)
			if c == lot || c == "" {
				continue
			}
			stmt := `UPDATE trade_invoices SET lot = ? WHERE lot = ?`
			if table == "trade_declarations" {
				stmt = `UPDATE trade_declarations SET lot = ? WHERE lot = ? AND NOT EXISTS
					(SELECT 1 FROM trade_declarations o WHERE o.contract = trade_declarations.contract AND o.element = trade_declarations.element AND o.lot = ?)`
				if _, err := tx.ExecContext(ctx, q(stmt), c, lot, c); err != nil {
					return fmt.Errorf("canonicalise %s lot %q: %w", table, lot, err)
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, q(stmt), c, lot); err != nil {
				return fmt.Errorf("canonicalise %s lot %q: %w", table, lot, err)
			}
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, lot, kind FROM trade_invoices ORDER BY lot, kind, issued_us, id`)
	if err != nil {
		return fmt.Errorf("read invoices: %w", err)
	}
	type dup struct{ id, first string }
	var dups []dup
	var lastKey, first string
	for rows.Next() {
		var id, lot, kind string
		if err := rows.Scan(&id, &lot, &kind); err != nil {
			rows.Close()
			return err
		}
		if key := lot + "\x00" + kind; key != lastKey {
			lastKey, first = key, id
			continue
		}
		dups = append(dups, dup{id, first})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, x := range dups {
		if _, err := tx.ExecContext(ctx, q(`UPDATE trade_invoices SET duplicate_of = ? WHERE id = ?`), x.first, x.id); err != nil {
			return fmt.Errorf("mark invoice %s: %w", x.id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE UNIQUE INDEX trade_invoices_one_per_lot ON trade_invoices (lot, kind) WHERE duplicate_of IS NULL`); err != nil {
		return fmt.Errorf("create trade_invoices_one_per_lot: %w", err)
	}
	return nil
}

func distinct(ctx context.Context, tx *sql.Tx, query string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
