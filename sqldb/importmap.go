package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/critmin/critmin"
)

// SaveImportMapping inserts or replaces the mapping of a CSV source.
func (db *DB) SaveImportMapping(ctx context.Context, m *critmin.ImportMapping) error {
	var errs []critmin.FieldError
	if n := utf8.RuneCountInString(m.Source); n < 1 || n > 64 {
		errs = append(errs, critmin.FieldError{Pointer: "source", Reason: "a source name is 1 to 64 characters"})
	}
	if m.Kind != critmin.ImportWeighbridge && m.Kind != critmin.ImportLaboratory {
		errs = append(errs, critmin.FieldError{Pointer: "kind", Reason: fmt.Sprintf("%q is not weighbridge or laboratory", m.Kind)})
	}
	if len(m.Columns) == 0 {
		// An empty mapping reads nothing from any file: the page that
		// saves mappings names the missing required columns by kind.
		errs = append(errs, critmin.FieldError{Pointer: "columns", Reason: "map at least one column of the file to a field"})
	}
	if len(errs) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: "import mapping refused", Fields: errs}
	}
	cols, err := json.Marshal(nonNil(m.Columns))
	if err != nil {
		return err
	}
	defs, err := json.Marshal(nonNil(m.Defaults))
	if err != nil {
		return err
	}
	err = db.attestWrite(ctx, "import_mappings", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO import_mappings (source, kind, columns, defaults, updated_us, updated_by)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (source) DO UPDATE SET kind = excluded.kind, columns = excluded.columns, defaults = excluded.defaults,
			updated_us = excluded.updated_us, updated_by = excluded.updated_by`),
			m.Source, m.Kind, string(cols), string(defs), micros(m.UpdatedAt), m.UpdatedBy)
		return err
	}, m.Source)
	if err != nil {
		return fmt.Errorf("%s: save import mapping %q: %w", db.Dialect.Name, m.Source, err)
	}
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// FindImportMapping returns the saved mapping of a source.
func (db *DB) FindImportMapping(ctx context.Context, source string) (*critmin.ImportMapping, error) {
	row := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT source, kind, columns, defaults, updated_us, updated_by FROM import_mappings WHERE source = ?`), source)
	m, err := scanImportMapping(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no saved mapping for the import source %q", source)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: find import mapping %q: %w", db.Dialect.Name, source, err)
	}
	if err := db.checkAttestedIn(ctx, db.consistent(ctx), "import_mappings", source); err != nil {
		return nil, err
	}
	return m, nil
}

// ListImportMappings returns every saved mapping, by source name.
func (db *DB) ListImportMappings(ctx context.Context) ([]*critmin.ImportMapping, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT source, kind, columns, defaults, updated_us, updated_by FROM import_mappings ORDER BY source`)
	if err != nil {
		return nil, fmt.Errorf("%s: list import mappings: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.ImportMapping
	for rows.Next() {
		m, err := scanImportMapping(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("%s: list import mappings: %w", db.Dialect.Name, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	keys := make([][]any, len(out))
	for i, m := range out {
		keys[i] = []any{m.Source}
	}
	if err := db.checkAttestedKeys(ctx, db.reader(ctx), "import_mappings", keys); err != nil {
		return nil, err
	}
	return out, nil
}

func scanImportMapping(scan func(...any) error) (*critmin.ImportMapping, error) {
	var m critmin.ImportMapping
	var cols, defs string
	var us int64
	if err := scan(&m.Source, &m.Kind, &cols, &defs, &us, &m.UpdatedBy); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(cols), &m.Columns); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(defs), &m.Defaults); err != nil {
		return nil, err
	}
	m.UpdatedAt = fromMicros(us)
	return &m, nil
}
