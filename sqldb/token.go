package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
)

// CreateToken stores a token; only its hash is kept.
func (db *DB) CreateToken(ctx context.Context, t *critmin.Token) error {
	err := db.Write.QueryRowContext(ctx, db.q(`INSERT INTO tokens (name, role, hash, created_us) VALUES (?, ?, ?, ?) RETURNING id`),
		t.Name, t.Role, t.Hash, micros(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "unique") {
			return critmin.Errorf(critmin.ECONFLICT, "a token named %q exists", t.Name)
		}
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
