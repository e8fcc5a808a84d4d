package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/critmin/critmin"
)

// SaveMassBalance stores a site's mass-balance declaration as its next
// version (one more than the latest) and sets d.Version; earlier versions
// are kept. The caller validates it (custody.DeclareMassBalance). Two
// concurrent saves cannot take the same number: (site, version) is the
// primary key and the loser's insert fails.
func (db *DB) SaveMassBalance(ctx context.Context, d *critmin.MassBalanceDeclaration) error {
	var last sql.NullInt64
	if err := db.Write.QueryRowContext(ctx, db.q(`SELECT MAX(version) FROM mass_balance_versions WHERE site = ?`), d.Site).Scan(&last); err != nil {
		return fmt.Errorf("%s: mass-balance declaration version: %w", db.Dialect.Name, err)
	}
	v := *d
	v.Version = int(last.Int64) + 1
	body, err := json.Marshal(&v)
	if err != nil {
		return fmt.Errorf("%s: encode mass-balance declaration: %w", db.Dialect.Name, err)
	}
	if _, err = db.Write.ExecContext(ctx, db.q(`INSERT INTO mass_balance_versions (site, version, declared_us, body) VALUES (?, ?, ?, ?)`),
		d.Site, v.Version, micros(d.DeclaredAt), string(body)); err != nil {
		return fmt.Errorf("%s: save mass-balance declaration: %w", db.Dialect.Name, err)
	}
	d.Version = v.Version
	return nil
}

// FindMassBalance returns a site's latest declaration, ENOTFOUND if it has
// none.
func (db *DB) FindMassBalance(ctx context.Context, site string) (*critmin.MassBalanceDeclaration, error) {
	vs, err := db.MassBalanceVersions(ctx, site)
	if err != nil {
		return nil, err
	}
	return vs[len(vs)-1], nil
}

// MassBalanceVersions returns every version of a site's declaration,
// oldest first, ENOTFOUND if it has none.
func (db *DB) MassBalanceVersions(ctx context.Context, site string) ([]*critmin.MassBalanceDeclaration, error) {
	rows, err := db.Read.QueryContext(ctx, db.q(`SELECT version, body FROM mass_balance_versions WHERE site = ? ORDER BY version`), site)
	if err != nil {
		return nil, fmt.Errorf("%s: find mass-balance declaration: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.MassBalanceDeclaration
	for rows.Next() {
		var (
			version int
			body    string
		)
		if err := rows.Scan(&version, &body); err != nil {
			return nil, fmt.Errorf("%s: find mass-balance declaration: %w", db.Dialect.Name, err)
		}
		var d critmin.MassBalanceDeclaration
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			return nil, fmt.Errorf("%s: stored mass-balance declaration of %s: %w", db.Dialect.Name, site, err)
		}
		d.Version = version // rows migrated from before 0019 have none in their body
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: find mass-balance declaration: %w", db.Dialect.Name, err)
	}
	if len(out) == 0 {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "site %s has no mass-balance declaration", site)
	}
	return out, nil
}
