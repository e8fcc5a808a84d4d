package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
)

// SaveDataset stores an imported edition in one statement: it is there
// whole or not at all.
func (db *DB) SaveDataset(ctx context.Context, d *critmin.StoredDataset) error {
	err := db.attestWrite(ctx, "datasets", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO datasets (name, edition, imported_us, body) VALUES (?, ?, ?, ?)`), d.Name, d.Edition, micros(d.ImportedAt), d.Body)
		return err
	}, d.Name, d.Edition)
	if err != nil {
		if isUniqueViolation(err) || strings.Contains(strings.ToLower(err.Error()), "unique") {
			return critmin.Errorf(critmin.ECONFLICT, "edition %q of %s is already imported", d.Edition, d.Name)
		}
		return fmt.Errorf("%s: save dataset: %w", db.Dialect.Name, err)
	}
	return nil
}

// ListDatasets returns imported editions, oldest import first.
func (db *DB) ListDatasets(ctx context.Context) ([]*critmin.StoredDataset, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT name, edition, imported_us, body FROM datasets ORDER BY imported_us, name, edition`)
	if err != nil {
		return nil, fmt.Errorf("%s: list datasets: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.StoredDataset
	for rows.Next() {
		var d critmin.StoredDataset
		var at int64
		if err := rows.Scan(&d.Name, &d.Edition, &at, &d.Body); err != nil {
			return nil, err
		}
		d.ImportedAt = fromMicros(at)
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	keys := make([][]any, len(out))
	for i, d := range out {
		keys[i] = []any{d.Name, d.Edition}
	}
	if err := db.checkAttestedKeys(ctx, db.reader(ctx), "datasets", keys); err != nil {
		return nil, err
	}
	return out, nil
}
