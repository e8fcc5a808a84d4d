package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/critmin/critmin"
)

// SaveMassBalance stores or replaces a site's mass-balance declaration in
// one statement. The caller validates it (custody.DeclareMassBalance).
func (db *DB) SaveMassBalance(ctx context.Context, d *critmin.MassBalanceDeclaration) error {
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("%s: encode mass-balance declaration: %w", db.Dialect.Name, err)
	}
	_, err = db.Write.ExecContext(ctx, db.q(`INSERT INTO mass_balance_declarations (site, declared_us, body) VALUES (?, ?, ?)
		ON CONFLICT (site) DO UPDATE SET declared_us = excluded.declared_us, body = excluded.body`), d.Site, micros(d.DeclaredAt), string(body))
	if err != nil {
		return fmt.Errorf("%s: save mass-balance declaration: %w", db.Dialect.Name, err)
	}
	return nil
}

// FindMassBalance returns a site's declaration, ENOTFOUND if it has none.
func (db *DB) FindMassBalance(ctx context.Context, site string) (*critmin.MassBalanceDeclaration, error) {
	var body string
	err := db.Read.QueryRowContext(ctx, db.q(`SELECT body FROM mass_balance_declarations WHERE site = ?`), site).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "site %s has no mass-balance declaration", site)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: find mass-balance declaration: %w", db.Dialect.Name, err)
	}
	var d critmin.MassBalanceDeclaration
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, fmt.Errorf("%s: stored mass-balance declaration of %s: %w", db.Dialect.Name, site, err)
	}
	return &d, nil
}
