package epcis

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/critmin/critmin"
)

// PageTokenLifetime is how long a nextPageToken this server issues stays
// valid. The token is a keyset cursor (record or event time, then primary
// key) and would still point at the right place later; the lifetime is a
// promise the server keeps, advertised in GS1-Next-Page-Token-Expires (EPCIS
// 2.0 REST binding, components/headers, an RFC 3339 date-time) and enforced
// when the token comes back.
const PageTokenLifetime = 24 * time.Hour

// expiringToken is the token's JSON: the cursor and, for tokens issued with
// EncodePageTokenUntil, the expiry in Unix seconds.
type expiringToken struct {
	critmin.PageCursor
	Expires int64 `json:"x,omitempty"`
}

// EncodePageTokenUntil makes a nextPageToken from a keyset cursor that
// DecodePageToken refuses after expires (kept to the second).
func EncodePageTokenUntil(c *critmin.PageCursor, expires time.Time) string {
	b, _ := json.Marshal(expiringToken{PageCursor: *c, Expires: expires.Unix()})
	return base64.RawURLEncoding.EncodeToString(b)
}

// PageTokenExpiry formats an expiry for the GS1-Next-Page-Token-Expires
// header: RFC 3339 in UTC to the second ("2017-07-21T17:32:28Z").
func PageTokenExpiry(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ExpiredTokenError is returned for a nextPageToken used after its expiry.
type ExpiredTokenError struct{ Expired time.Time }

func (e *ExpiredTokenError) Error() string {
	return fmt.Sprintf("expired at %s; run the query again without nextPageToken", PageTokenExpiry(e.Expired))
}

// DecodePageTokenAt reads a token made by EncodePageToken or
// EncodePageTokenUntil as of now: a token past its expiry is an
// *ExpiredTokenError.
func DecodePageTokenAt(s string, now time.Time) (*critmin.PageCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var t expiringToken
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	if t.Expires != 0 && !now.Before(time.Unix(t.Expires, 0)) {
		return nil, &ExpiredTokenError{Expired: time.Unix(t.Expires, 0)}
	}
	return &t.PageCursor, nil
}

// PageTokenKeyName is the name of the store's key (critmin.Store
// ServerKey) that signs nextPageToken values.
const PageTokenKeyName = "page_token"

// SignPageToken is EncodePageTokenUntil signed: the token is followed by
// "." and the HMAC-SHA256 (RFC 2104) of the token under key, so that a
// client cannot move its cursor or push back its expiry (the expiry is
// the server's promise, GS1-Next-Page-Token-Expires); every server of a
// store holds the same key and accepts the others' tokens.
func SignPageToken(c *critmin.PageCursor, expires time.Time, key []byte) string {
	tok := EncodePageTokenUntil(c, expires)
	return tok + "." + base64.RawURLEncoding.EncodeToString(pageMAC(tok, key))
}

func pageMAC(tok string, key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tok))
	return m.Sum(nil)
}

// ErrPageTokenSignature is returned for a nextPageToken whose signature is
// missing or does not match: edited, or issued by another store.
var ErrPageTokenSignature = errors.New("signature missing or wrong: the token was altered or another server store issued it; run the query again without nextPageToken")

// DecodeSignedPageToken reads a token made by SignPageToken under key as of
// now: a bad signature is ErrPageTokenSignature (checked before anything
// in the token is read), a token past its expiry an *ExpiredTokenError.
// With a nil key it is DecodePageTokenAt (tokens of local tools).
func DecodeSignedPageToken(s string, now time.Time, key []byte) (*critmin.PageCursor, error) {
	if key == nil {
		return DecodePageTokenAt(s, now)
	}
	tok, sig, ok := strings.Cut(s, ".")
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(mac, pageMAC(tok, key)) {
		return nil, ErrPageTokenSignature
	}
	return DecodePageTokenAt(tok, now)
}
