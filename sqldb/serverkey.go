package sqldb

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// ServerKey returns the store's key of that name (migration 0024), made
// on first use: 32 random bytes, inserted unless another server inserted
// one first, then read back — so every server of the store holds the same
// key (nextPageToken signatures, epcis.SignPageToken).
func (db *DB) ServerKey(ctx context.Context, name string) ([]byte, error) {
	var v string
	err := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT value FROM server_keys WHERE name = ?`), name).Scan(&v)
	if err != nil {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, err
		}
		if _, err := db.Write.ExecContext(ctx, db.q(`INSERT INTO server_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), name, hex.EncodeToString(fresh)); err != nil {
			return nil, fmt.Errorf("%s: server key %s: %w", db.Dialect.Name, name, err)
		}
		if err := db.Write.QueryRowContext(ctx, db.q(`SELECT value FROM server_keys WHERE name = ?`), name).Scan(&v); err != nil {
			return nil, fmt.Errorf("%s: server key %s: %w", db.Dialect.Name, name, err)
		}
	}
	return hex.DecodeString(v)
}

// signingKeyName is the server_keys row that pins the public key every
// server of the store signs certificates with.
const signingKeyName = "certificate-signing-key"

// PinSigningKey pins pub as the store's certificate signing key unless
// one is pinned already (the first server to start on the store pins
// its key), and returns the pinned key: pub itself, or another server's,
// which the caller refuses to sign beside.
func (db *DB) PinSigningKey(ctx context.Context, pub []byte) ([]byte, error) {
	if _, err := db.Write.ExecContext(ctx, db.q(`INSERT INTO server_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), signingKeyName, hex.EncodeToString(pub)); err != nil {
		return nil, fmt.Errorf("%s: pin signing key: %w", db.Dialect.Name, err)
	}
	var v string
	if err := db.Write.QueryRowContext(ctx, db.q(`SELECT value FROM server_keys WHERE name = ?`), signingKeyName).Scan(&v); err != nil {
		return nil, fmt.Errorf("%s: pin signing key: %w", db.Dialect.Name, err)
	}
	return hex.DecodeString(v)
}

// PinnedSigningKey returns the certificate signing key pinned by the
// first server to start on the store (PinSigningKey), nil when no server
// has started on it.
func (db *DB) PinnedSigningKey(ctx context.Context) (ed25519.PublicKey, error) {
	var v string
	err := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT value FROM server_keys WHERE name = ?`), signingKeyName).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: pinned signing key: %w", db.Dialect.Name, err)
	}
	b, err := hex.DecodeString(v)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s: pinned signing key %q is not an Ed25519 public key", db.Dialect.Name, v)
	}
	return ed25519.PublicKey(b), nil
}
