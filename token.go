package critmin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Roles of API tokens. An admin may do everything, an operator may capture
// and read, a viewer may only read.
const (
	RoleAdmin    = "admin"
	RoleOperator = "operator"
	RoleViewer   = "viewer"
)

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool {
	return r == RoleAdmin || r == RoleOperator || r == RoleViewer
}

// CanWrite reports whether a role may capture events.
func CanWrite(role string) bool { return role == RoleAdmin || role == RoleOperator }

// Token is an API token. Only the SHA-256 of its secret is stored.
type Token struct {
	ID        int64
	Name      string
	Role      string
	Hash      string
	CreatedAt time.Time
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time
	// RevokedAt is when an admin revoked the token; zero if it is live.
	RevokedAt time.Time
	// LastUsedAt is the last time a request authenticated with the token
	// (recorded at most once a minute); zero if never.
	LastUsedAt time.Time
}

// Usable reports whether the token may authenticate a request at now, and
// if not, why ("revoked", "expired").
func (t *Token) Usable(now time.Time) (bool, string) {
	switch {
	case !t.RevokedAt.IsZero():
		return false, "revoked"
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return false, "expired"
	}
	return true, ""
}

// TokenStore keeps API tokens.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	// FindTokenByHash returns the token whose secret hashes to hash,
	// revoked and expired ones included (the caller decides); ENOTFOUND
	// if none.
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)
	// ListTokens returns every token, oldest first, hashes included.
	ListTokens(ctx context.Context) ([]*Token, error)
	// RevokeToken marks the named token revoked at at and ends its
	// sessions; ENOTFOUND if no such token, ECONFLICT if already revoked.
	RevokeToken(ctx context.Context, name string, at time.Time) (*Token, error)
	// TouchToken records that the token was used at at.
	TouchToken(ctx context.Context, id int64, at time.Time) error
}

// Session is a signed-in browser: the cookie carries a random ID, the
// store keeps only its SHA-256 and the token it acts for, so the API
// token itself never reaches the browser and any server sharing the
// database recognises the session.
type Session struct {
	IDHash    string
	TokenID   int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionStore keeps browser sessions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns a session that has not expired at now, with the
	// token it acts for; ENOTFOUND otherwise.
	FindSession(ctx context.Context, idHash string, now time.Time) (*Session, *Token, error)
	// DeleteSession ends a session (signing out); deleting a missing one
	// is not an error.
	DeleteSession(ctx context.Context, idHash string) error
}

// StoredDataset is an imported edition of a reference dataset, kept whole
// as the CSV that was validated.
type StoredDataset struct {
	Name       string
	Edition    string
	ImportedAt time.Time
	Body       string
}

// DatasetStore keeps imported editions of reference data.
type DatasetStore interface {
	// SaveDataset stores an edition; ECONFLICT if that edition exists.
	SaveDataset(ctx context.Context, d *StoredDataset) error
	// ListDatasets returns every imported edition, oldest import first.
	ListDatasets(ctx context.Context) ([]*StoredDataset, error)
}

// Store is everything the platform persists; the sqlite and postgres
// packages implement it and one contract suite tests both.
type Store interface {
	EventStore
	LotStore
	TokenStore
	SessionStore
	DatasetStore
	ChainStore
	TradeStore
	LogStore
	GenealogyStore
	RefineryStore
	MassBalanceStore
	PlanStore
	ImportStore
	MasterDataStore
	SubscriptionStore
	// Ping reports whether the database answers, for /readyz.
	Ping(ctx context.Context) error
	Close() error
}

// HashToken returns the stored form of a token secret or session ID: the
// hex SHA-256 of it.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// IssueToken makes a token with a random 256-bit secret ("cm_" + base64url),
// stores only its hash and returns the secret, which is shown once. name is
// 1–64 characters; expiresAt is zero for a token that does not expire, and
// must be after now otherwise.
func IssueToken(ctx context.Context, store TokenStore, name, role string, expiresAt, now time.Time) (string, *Token, error) {
	errs := ValidateTokenRequest(name, role, expiresAt, now)
	if len(errs) > 0 {
		// Worded as every field error (FieldErrorf): the first field and
		// its reason, as the expiry's errors are.
		return "", nil, &Error{Code: EINVALID, Message: errs[0].Pointer + ": " + errs[0].Reason, Fields: errs}
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	secret := "cm_" + base64.RawURLEncoding.EncodeToString(b[:])
	t := &Token{Name: name, Role: role, Hash: HashToken(secret), CreatedAt: now.UTC(), ExpiresAt: expiresAt}
	if err := store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// ValidateTokenRequest returns every problem of a token request at once:
// the name, the role and an expiry not in the future ("expires_at"; a
// zero expiresAt is no expiry).
func ValidateTokenRequest(name, role string, expiresAt, now time.Time) []FieldError {
	var errs []FieldError
	if n := utf8.RuneCountInString(name); n == 0 || n > 64 || strings.TrimSpace(name) != name {
		errs = append(errs, FieldError{Pointer: "name", Reason: "must be 1 to 64 characters without leading or trailing spaces"})
	} else if reason := unsafeNameReason(name); reason != "" {
		errs = append(errs, FieldError{Pointer: "name", Reason: reason})
	} else if name == "." || name == ".." || strings.Contains(name, "/") {
		// The name is a path segment (/tokens/NAME/revoke,
		// /api/v1/tokens/NAME): "." and ".." are resolved away by
		// browsers and "/" splits it, so such a token could not be
		// revoked there.
		errs = append(errs, FieldError{Pointer: "name", Reason: fmt.Sprintf("%q: must not be . or .. or contain /", name)})
	}
	if !ValidRole(role) {
		errs = append(errs, FieldError{Pointer: "role", Reason: fmt.Sprintf("%q is not admin, operator or viewer", role)})
	}
	if !expiresAt.IsZero() && !expiresAt.After(now) {
		errs = append(errs, FieldError{Pointer: "expires_at", Reason: "must be in the future"})
	} else if !expiresAt.IsZero() && expiresAt.Sub(now) > MaxTokenLifetime {
		errs = append(errs, FieldError{Pointer: "expires_at", Reason: fmt.Sprintf("%s is too far ahead: at most 10 years ahead, on or before %s; leave the expiry out for a token that does not expire", expiresAt.UTC().Format(time.DateOnly), now.Add(MaxTokenLifetime).UTC().Format(time.DateOnly))})
	}
	return errs
}

// MaxTokenLifetime bounds a token's expiry: ten years from its issue, on
// every path (API expires_at/expires_in, CLI --expires, the admin page's
// date). A longer-lived credential should be a token without expiry,
// chosen on purpose, not a typo for 9999-12-31.
const MaxTokenLifetime = 10 * 365 * 24 * time.Hour

// MaxTokenLifetimeText is MaxTokenLifetime as the expires_in / --expires
// syntax reads it, for messages: "87600h (10 years)", never Go's
// time.Duration text "87600h0m0s" (fix14o).
const MaxTokenLifetimeText = "87600h (10 years)"

// unsafeNameReason explains why name cannot be shown safely, or is "": a
// name must be valid UTF-8 without control characters (Unicode Cc: NUL,
// newline, ESC…), format characters (Cf, which holds the bidirectional
// overrides and isolates U+202A–U+202E and U+2066–U+2069 and the
// zero-width characters) or line and paragraph separators (Zl, Zp) — any
// of which would let a name rewrite the lines of `critmin token list` or
// disguise itself as another (Unicode TR #36 §2, "Visual Security Issues").
func unsafeNameReason(name string) string {
	if !utf8.ValidString(name) {
		return "must be valid UTF-8"
	}
	for i, r := range []rune(name) {
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return fmt.Sprintf("must not contain control, format or bidirectional characters (%U at character %d)", r, i+1)
		}
	}
	return ""
}

// DisplayName returns a stored name as it may be printed to a terminal or
// page: unchanged when it is safe, otherwise Go-quoted with every
// non-graphic character escaped (\n, \x00, \u202e), so that names stored
// before these characters were refused cannot spoof a listing.
func DisplayName(name string) string {
	if unsafeNameReason(name) == "" {
		return name
	}
	return strconv.QuoteToGraphic(name)
}

// TokenNameKey is name as token names are compared: ignoring case, as
// strings.EqualFold compares (each character replaced by the smallest of
// its Unicode simple case folds), so that "Alice", "ALICE" and "alice"
// are one name and two names are one key exactly when EqualFold says so.
func TokenNameKey(name string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, name)
}
