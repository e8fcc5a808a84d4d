package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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
	if !t.ExpiresAt.IsZero() {
		t.ExpiresAt = fromMicros(micros(t.ExpiresAt))
	}
	// Names are unique ignoring case (tokens.name_key, migration 64):
	// "alice" beside "Alice" would be told apart only by case in every
	// listing, audit entry and revocation.
	var existing string
	switch err := tx.QueryRowContext(ctx, db.q(`SELECT name FROM tokens WHERE name_key = ?`), critmin.TokenNameKey(t.Name)).Scan(&existing); {
	case err == nil:
		return tokenNameTaken(t.Name, existing)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: create token: %w", db.Dialect.Name, err)
	}
	err = tx.QueryRowContext(ctx, db.q(`INSERT INTO tokens (name, name_key, role, hash, created_us, expires_us) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
		t.Name, critmin.TokenNameKey(t.Name), t.Role, t.Hash, micros(t.CreatedAt), nullMicros(t.ExpiresAt)).Scan(&t.ID)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "unique") {
			// A concurrent create of the same folded name (the index
			// decides), or the same hash.
			return tokenNameTaken(t.Name, "")
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

// tokenNameTaken is the conflict of a token name with an existing one,
// the same or differing only in case.
func tokenNameTaken(name, existing string) error {
	if existing != "" && existing != name {
		e := critmin.FieldErrorf("name", "a token named %q exists: token names are compared ignoring case, so %q is taken", existing, name)
		e.Code = critmin.ECONFLICT
		return e
	}
	return critmin.Errorf(critmin.ECONFLICT, "a token named %q exists", name)
}

const tokenColumns = `id, name, role, hash, created_us, expires_us, revoked_us, last_used_us`

func scanToken(row interface{ Scan(...any) error }) (*critmin.Token, error) {
	var t critmin.Token
	var created int64
	var expires, revoked, used sql.NullInt64
	if err := row.Scan(&t.ID, &t.Name, &t.Role, &t.Hash, &created, &expires, &revoked, &used); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMicros(created)
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = fromNullMicros(expires), fromNullMicros(revoked), fromNullMicros(used)
	return &t, nil
}

// FindTokenByHash returns the token whose secret hashes to hash.
// A token found is kept in memory for AuthCacheTTL (authcache.go).
func (db *DB) FindTokenByHash(ctx context.Context, hash string) (*critmin.Token, error) {
	if t := db.auth.token(hash); t != nil {
		return t, nil
	}
	read, gen := db.auth.start()
	t, err := scanToken(db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`), hash))
	if err != nil {
		return nil, notFound(err, "unknown token")
	}
	db.auth.putToken(hash, t, read, gen)
	return t, nil
}

// ListTokens returns every token, oldest first.
func (db *DB) ListTokens(ctx context.Context) ([]*critmin.Token, error) {
	rows, err := db.consistent(ctx).QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("%s: list tokens: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: list tokens: %w", db.Dialect.Name, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken marks a token revoked and deletes its sessions, in one
// transaction. name matches ignoring case (critmin.TokenNameKey).
func (db *DB) RevokeToken(ctx context.Context, name string, at time.Time) (*critmin.Token, error) {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: revoke token: %w", db.Dialect.Name, err)
	}
	defer tx.Rollback()
	// Names are unique ignoring case (name_key, critmin.TokenNameKey), so
	// "LU1" revokes the token created as "lu1"; a name written exactly as
	// stored wins over a case variant kept from before that rule.
	t, err := scanToken(tx.QueryRowContext(ctx, db.q(`SELECT `+tokenColumns+` FROM tokens WHERE name = ? OR name_key = ? ORDER BY CASE WHEN name = ? THEN 0 ELSE 1 END LIMIT 1`), name, critmin.TokenNameKey(name), name))
	if err != nil {
		return nil, notFound(err, "no token named %q", name)
	}
	name = t.Name
	if !t.RevokedAt.IsZero() {
		return nil, critmin.Errorf(critmin.ECONFLICT, "token %q was revoked at %s", name, t.RevokedAt.Format(time.RFC3339))
	}
	if t.Role == critmin.RoleAdmin && (t.ExpiresAt.IsZero() || t.ExpiresAt.After(at)) {
		// The last active admin token revoked would leave nobody able to
		// administer (tokens, revocations). On PostgreSQL the active admin
		// rows are locked, so two revocations of the last two admins
		// cannot both pass.
		q := `SELECT id FROM tokens WHERE role = ? AND revoked_us IS NULL AND (expires_us IS NULL OR expires_us > ?) AND id <> ?`
		if db.Dialect.Dollar {
			q += ` FOR UPDATE`
		}
		rows, err := tx.QueryContext(ctx, db.q(q), critmin.RoleAdmin, micros(at), t.ID)
		if err != nil {
			return nil, fmt.Errorf("%s: revoke token: %w", db.Dialect.Name, err)
		}
		others := 0
		for rows.Next() {
			others++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("%s: revoke token: %w", db.Dialect.Name, err)
		}
		if others == 0 {
			return nil, critmin.Errorf(critmin.ECONFLICT, "token %q is the last active admin token: revoking it would leave nobody able to administer; create another admin token first", name)
		}
	}
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE tokens SET revoked_us = ? WHERE id = ?`), micros(at), t.ID); err != nil {
		return nil, fmt.Errorf("%s: revoke token: %w", db.Dialect.Name, err)
	}
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE token_id = ?`), t.ID); err != nil {
		return nil, fmt.Errorf("%s: end sessions of token: %w", db.Dialect.Name, err)
	}
	if err := db.appendAuditTx(ctx, tx, &critmin.AuditEntry{At: at, Action: critmin.AuditTokenRevoke, Subject: name, Detail: "{}"}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("%s: revoke token: %w", db.Dialect.Name, err)
	}
	// Revocation takes effect at once for this handle's look-ups; a
	// look-up that read the row before the commit stores nothing.
	db.auth.clear()
	t.RevokedAt = fromMicros(micros(at))
	return t, nil
}

// TouchToken records a use of the token. It writes only when the stored
// time is more than a minute older, so that reads do not turn into a write
// each.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := db.Write.ExecContext(ctx, db.q(`UPDATE tokens SET last_used_us = ? WHERE id = ? AND (last_used_us IS NULL OR last_used_us < ?)`),
		micros(at), id, micros(at.Add(-time.Minute)))
	if err != nil {
		return fmt.Errorf("%s: touch token: %w", db.Dialect.Name, err)
	}
	db.auth.forget(id) // the next look-up reads the new time
	return nil
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s *critmin.Session) error {
	_, err := db.Write.ExecContext(ctx, db.q(`INSERT INTO sessions (id_hash, token_id, created_us, expires_us) VALUES (?, ?, ?, ?)`),
		s.IDHash, s.TokenID, micros(s.CreatedAt), micros(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("%s: create session: %w", db.Dialect.Name, err)
	}
	return nil
}

// FindSession returns a live session and its token. A session found is
// kept in memory for AuthCacheTTL (authcache.go); its expiry is checked
// against now at every look-up.
func (db *DB) FindSession(ctx context.Context, idHash string, now time.Time) (*critmin.Session, *critmin.Token, error) {
	if s, t := db.auth.session(idHash); s != nil {
		if !s.ExpiresAt.After(now) {
			return nil, nil, critmin.Errorf(critmin.ENOTFOUND, "no such session")
		}
		return s, t, nil
	}
	read, gen := db.auth.start()
	var s critmin.Session
	var created, expires int64
	err := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT id_hash, token_id, created_us, expires_us FROM sessions WHERE id_hash = ? AND expires_us > ?`), idHash, micros(now)).
		Scan(&s.IDHash, &s.TokenID, &created, &expires)
	if err != nil {
		return nil, nil, notFound(err, "no such session")
	}
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	t, err := scanToken(db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT `+tokenColumns+` FROM tokens WHERE id = ?`), s.TokenID))
	if err != nil {
		return nil, nil, notFound(err, "session's token is gone")
	}
	db.auth.putSession(&s, t, read, gen)
	return &s, t, nil
}

// DeleteSession ends a session and, while it is at it, every expired one.
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	db.auth.clear()
	_, err := db.Write.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE id_hash = ? OR expires_us <= ?`), idHash, micros(db.Now()))
	db.auth.clear() // (again: a look-up that read the row before the delete stores nothing)
	if err != nil {
		return fmt.Errorf("%s: delete session: %w", db.Dialect.Name, err)
	}
	return nil
}

func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micros(t)
}

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}
