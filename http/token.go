package http

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/critmin/critmin"
)

func (s *Server) tokenRoutes() {
	s.route("GET /api/v1/tokens", accessAdmin, s.handleTokenList, "limit", "offset")
	s.route("POST /api/v1/tokens", accessAdmin, s.handleTokenCreate)
	s.route("DELETE /api/v1/tokens/{name}", accessAdmin, s.handleTokenRevoke)
}

// TokenView is a token as the API lists it: never its secret or hash.
type TokenView struct {
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	Created   time.Time  `json:"created"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	// Status is active, expired or revoked.
	Status string `json:"status"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ViewToken is the listable form of a token at now.
func ViewToken(t *critmin.Token, now time.Time) TokenView {
	status := "active"
	if ok, why := t.Usable(now); !ok {
		status = why
	}
	return TokenView{Name: t.Name, Role: t.Role, Created: t.CreatedAt, ExpiresAt: optTime(t.ExpiresAt), RevokedAt: optTime(t.RevokedAt), LastUsed: optTime(t.LastUsedAt), Status: status}
}

// ListTokens returns every token as the API shows it.
func (s *Server) ListTokens(r *http.Request) ([]TokenView, error) {
	toks, err := s.Store.ListTokens(r.Context())
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make([]TokenView, len(toks))
	for i, t := range toks {
		out[i] = ViewToken(t, now)
	}
	return out, nil
}

// handleTokenList lists tokens (name, role, created, expiry, revocation,
// last use; never the secret). GET /api/v1/tokens
func (s *Server) handleTokenList(w http.ResponseWriter, r *http.Request) {
	p := readParams(r, "limit", "offset")
	limit, offset := p.listPage()
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	list, err := s.ListTokens(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	page, total := pageOf(list, limit, offset)
	writeJSON(w, http.StatusOK, map[string]any{"tokens": page, "total": total, "limit": limit, "offset": offset})
}

// TokenRequest is the body of POST /api/v1/tokens. ExpiresAt (RFC 3339)
// or ExpiresIn (a Go duration such as "720h") sets an expiry; neither
// means the token does not expire.
type TokenRequest struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	ExpiresAt string `json:"expires_at,omitempty" default:"a token that does not expire"`
	ExpiresIn string `json:"expires_in,omitempty" default:"a token that does not expire"`
}

// MaxTokenLifetime bounds expires_in (and --expires): ten years. A token
// meant to last longer is made without an expiry.
const MaxTokenLifetime = critmin.MaxTokenLifetime

// MinTokenLifetime is the shortest expiry a token may be given: one
// minute. A token that expires before anyone can use it ("1ns") is a
// mistake, and creating it still prints a live-looking secret.
const MinTokenLifetime = time.Minute

// durationSyntax is time.ParseDuration's accepted syntax; a string that
// matches it but does not parse has overflowed int64 nanoseconds.
var durationSyntax = regexp.MustCompile(`^[-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$`)

// ParseExpiry turns expires_at / expires_in into a time (zero if neither).
// Its field errors name the JSON members ("expires_at", "expires_in");
// the API answers them as RFC 6901 pointers, the CLI as its flags.
func ParseExpiry(at, in string, now time.Time) (time.Time, error) {
	switch {
	case at != "" && in != "":
		return time.Time{}, critmin.FieldErrorf("expires_in", "give expires_at or expires_in, not both")
	case at != "":
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return time.Time{}, critmin.FieldErrorf("expires_at", "not an RFC 3339 time: %q", at)
		}
		if !t.After(now) {
			return time.Time{}, critmin.FieldErrorf("expires_at", "%q is not in the future: give a time at least a minute ahead", at)
		}
		if t.Sub(now) < MinTokenLifetime {
			return time.Time{}, critmin.FieldErrorf("expires_at", "%q is less than a minute from now: a token must live at least a minute", at)
		}
		if t.Sub(now) > MaxTokenLifetime {
			return time.Time{}, critmin.FieldErrorf("expires_at", "%q is too far ahead: at most 10 years ahead, on or before %s; leave the expiry out for a token that does not expire", at, now.Add(MaxTokenLifetime).UTC().Format(time.RFC3339))
		}
		return t, nil
	case in != "":
		d, err := time.ParseDuration(in)
		switch {
		case err != nil && durationSyntax.MatchString(in) && in != "." && !strings.HasPrefix(in, "-"):
			return time.Time{}, critmin.FieldErrorf("expires_in", "%q is too long: at most %s; leave the expiry out for a token that does not expire", in, critmin.MaxTokenLifetimeText)
		case err != nil:
			return time.Time{}, critmin.FieldErrorf("expires_in", "%q is not a duration such as 720h or 90m", in)
		case d <= 0:
			return time.Time{}, critmin.FieldErrorf("expires_in", "%q is not after now: give a positive duration such as 720h", in)
		case d < MinTokenLifetime:
			return time.Time{}, critmin.FieldErrorf("expires_in", "%q is shorter than a minute (1m): a token must live at least a minute", in)
		case d > MaxTokenLifetime:
			return time.Time{}, critmin.FieldErrorf("expires_in", "%q is too long: at most %s; leave the expiry out for a token that does not expire", in, critmin.MaxTokenLifetimeText)
		}
		return now.Add(d), nil
	}
	return time.Time{}, nil
}

// bodyPointers rewrites the field names of a request-body error as RFC
// 6901 JSON pointers ("expires_at" → "/expires_at", "demand/0/tonnes" →
// "/demand/0/tonnes"), so that every body error of the API names its
// member the same way.
func bodyPointers(err error) error {
	var e *critmin.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := &critmin.Error{Code: e.Code, Message: e.Message, Fields: make([]critmin.FieldError, len(e.Fields))}
	for i, f := range e.Fields {
		if f.Pointer != "" && !strings.HasPrefix(f.Pointer, "/") {
			if strings.HasPrefix(out.Message, f.Pointer+":") {
				out.Message = "/" + out.Message
			}
			f.Pointer = "/" + f.Pointer
		}
		out.Fields[i] = f
	}
	return out
}

// handleTokenCreate issues a token and answers its secret, once.
// POST /api/v1/tokens
func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	if err := decodeJSON(r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	now := time.Now()
	exp, err := ParseExpiry(req.ExpiresAt, req.ExpiresIn, now)
	if err != nil {
		s.Error(w, r, bodyPointers(err))
		return
	}
	secret, t, err := critmin.IssueToken(r.Context(), s.Store, req.Name, req.Role, exp, now)
	if err != nil {
		s.Error(w, r, bodyPointers(err))
		return
	}
	s.Logger.Info("token created", "name", t.Name, "role", t.Role, "by", tokenName(r))
	w.Header().Set("Location", "/api/v1/tokens/"+t.Name)
	// The answer carries the secret: no cache may keep it (RFC 9111 §5.2.2.5).
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]any{"token": ViewToken(t, now), "secret": secret})
}

// handleTokenRevoke revokes a token and ends its sessions.
// DELETE /api/v1/tokens/{name}
func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request) {
	t, err := s.Store.RevokeToken(r.Context(), r.PathValue("name"), time.Now())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("token revoked", "name", t.Name, "by", tokenName(r))
	writeJSON(w, http.StatusOK, map[string]any{"token": ViewToken(t, time.Now())})
}
