package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
)

// CreateToken stores a token, and its creation in the audit chain, in
// one transaction; only the token's hash is kept.
func (db *DB) CreateToken(ctx context.Context, t *critmin.Token) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: create token: %w", db.Dialect.Name, err)
	}
	defer func() { _ = tx.Rollback() }()
	t.CreatedAt = fromMicros(micros(t.CreatedAt))
	err = tx.QueryRowContext(ctx, db.q(`INSERT INTO tokens (name, role, hash, created_us) VALUES (?, ?, ?, ?) RETURNING id`),
		t.Name, t.Role, t.Hash, micros(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "unique") {
			return critmin.Errorf(critmin.ECONFLICT, "a token named %q exists", t.Name)
		}
		return fmt.Errorf("%s: create token: %w", db.Dialect.Name, err)
	}
	if err := db.appendAuditTx(ctx, tx, tokenAudit(t)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: create token: %w", db.Dialect.Name, err)
	}
	return nil
}

// FindTokenByHash returns the token whose secret hashes to hash.
func (db *DB) FindTokenByHash(ctx context.Context, hash string) (*critmin.Token, error) {
	var t critmin.Token
	var created int64
	err := db.Read.QueryRowContext(ctx, db.q(`SELECT id, name, role, hash, created_us FROM tokens WHERE hash = ?`), hash).Scan(&t.ID, &t.Name, &t.Role, &t.Hash, &created)
	if err != nil {
		return nil, notFound(err, "unknown token")
	}
	t.CreatedAt = fromMicros(created)
	return &t, nil
}
