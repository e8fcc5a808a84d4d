package http

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/critmin/critmin"
)

// SessionCookie is the cookie of a signed-in browser. It holds a random
// session ID; the store keeps the ID's SHA-256 and the token it acts for.
const SessionCookie = "critmin_session"

// SessionLifetime is how long a sign-in lasts (never past the token's
// own expiry).
const SessionLifetime = 12 * time.Hour

// bearer reads an Authorization header's credentials. The scheme is
// case-insensitive (RFC 9110 §11.1: "It uses a case-insensitive token to
// identify the authentication scheme"), so "bearer x" and "Bearer x" are
// the same. ok is false when there is a header of another scheme.
func bearer(h string) (secret string, ok bool) {
	scheme, rest, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// authenticate returns the token a request carries — a bearer token, or
// the token of the browser's session — nil if none, or EUNAUTHORIZED for a
// token or session the server does not know, a revoked or an expired one.
func (s *Server) authenticate(r *http.Request) (*critmin.Token, error) {
	now := time.Now()
	var tok *critmin.Token
	if n := len(r.Header.Values("Authorization")); n > 1 {
		// Two credentials are ambiguous: which one a proxy, a cache or
		// this server honours differs (net/http's Get takes the first),
		// so neither is (RFC 9110 §5.3: a field that is not a list is
		// sent once). 400, not 401: no credential is missing or wrong.
		return nil, critmin.FieldErrorf("Authorization", "given %d times; send one Authorization header with one credential", n)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := bearer(h)
		if !ok || secret == "" {
			return nil, critmin.Errorf(critmin.EUNAUTHORIZED, "Authorization: use the Bearer scheme with an API token")
		}
		t, err := s.Store.FindTokenByHash(r.Context(), HashToken(secret))
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return nil, critmin.Errorf(critmin.EUNAUTHORIZED, "unknown API token")
		}
		if err != nil {
			return nil, err
		}
		tok = t
	} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		_, t, err := s.Store.FindSession(r.Context(), HashToken(c.Value), now)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			return nil, critmin.Errorf(critmin.EUNAUTHORIZED, "your session has ended; sign in again")
		}
		if err != nil {
			return nil, err
		}
		tok = t
	} else {
		return nil, nil
	}
	if ok, why := tok.Usable(now); !ok {
		return nil, critmin.Errorf(critmin.EUNAUTHORIZED, "API token %q is %s", tok.Name, why)
	}
	if now.Sub(tok.LastUsedAt) > time.Minute && s.touches.claim(tok.ID, now) {
		if err := s.Store.TouchToken(r.Context(), tok.ID, now); err != nil {
			s.Logger.Warn("record token use", "token", tok.Name, "err", err)
		}
	}
	return tok, nil
}

// SignIn checks a token secret and starts a session for it: a random ID
// in an HttpOnly, SameSite=Strict cookie (Secure when the request came over
// TLS), its hash in the store. The token secret is never put in a cookie.
func (s *Server) SignIn(w http.ResponseWriter, r *http.Request, secret string) (*critmin.Token, error) {
	now := time.Now()
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, critmin.FieldErrorf("token", "required")
	}
	tok, err := s.Store.FindTokenByHash(r.Context(), HashToken(secret))
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return nil, critmin.Errorf(critmin.EUNAUTHORIZED, "that token is not known to this server")
	}
	if err != nil {
		return nil, err
	}
	if ok, why := tok.Usable(now); !ok {
		return nil, critmin.Errorf(critmin.EUNAUTHORIZED, "that token is %s", why)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	id := base64.RawURLEncoding.EncodeToString(b[:])
	exp := now.Add(SessionLifetime)
	if !tok.ExpiresAt.IsZero() && tok.ExpiresAt.Before(exp) {
		exp = tok.ExpiresAt
	}
	if err := s.Store.CreateSession(r.Context(), &critmin.Session{IDHash: HashToken(id), TokenID: tok.ID, CreatedAt: now, ExpiresAt: exp}); err != nil {
		return nil, err
	}
	// Signing in with a token is a use of it: its "last used" (the token
	// list, the admin page) moves, as for an API request.
	if err := s.Store.TouchToken(r.Context(), tok.ID, now); err != nil {
		s.Logger.Warn("record token use", "token", tok.Name, "err", err)
	} else {
		s.touches.claim(tok.ID, now)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", Expires: exp, HttpOnly: true, Secure: requestSecure(r), SameSite: http.SameSiteStrictMode})
	return tok, nil
}

// SignOut ends the browser's session in the store and clears its cookie.
func (s *Server) SignOut(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: requestSecure(r), SameSite: http.SameSiteStrictMode})
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return s.Store.DeleteSession(r.Context(), HashToken(c.Value))
	}
	return nil
}

// touches makes one request per token and minute record the token's use.
// Without it every request in flight when the minute turns would read the
// old time and queue for the store's one writer (SQLite) behind captures
// to write the same row: under 200 clients that put seconds on the p99
// of plain queries (docs/benchmarks.md, bench load).
type touches struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

func (t *touches) claim(id int64, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil || len(t.last) > 10000 {
		t.last = map[int64]time.Time{} // forget old tokens rather than grow
	}
	if prev, ok := t.last[id]; ok && now.Sub(prev) < time.Minute && !now.Before(prev) {
		return false
	}
	t.last[id] = now
	return true
}
