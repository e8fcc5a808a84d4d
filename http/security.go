package http

import (
	"github.com/critmin/critmin/units"
	"net"
	"strconv"
	"sync"
	"unicode"

	"context"
	"errors"
	"fmt"
	"golang.org/x/time/rate"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/critmin/critmin"
)

// Server timeouts. ReadTimeout bounds how long a client may take to send
// its request, body included, so a body trickled in byte by byte cannot
// hold a connection (a streamed capture instead runs under the progress
// deadlines of deadline.go); WriteTimeout bounds a response; IdleTimeout closes
// kept-alive connections nobody uses. Plans run as jobs, never inside one
// request.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 90 * time.Second
	WriteTimeout      = 120 * time.Second
	IdleTimeout       = 120 * time.Second
)

// MaxFormBody is the body limit of every route that is not a capture: form
// posts, JSON requests (MaxJSONBody), sign-in.
const MaxFormBody = 1 << 20

// captureRoutes take EPCIS documents; their body limit is the capture
// file-size limit (GS1-EPCIS-Capture-File-Size-Limit) plus room for the
// form encoding of the capture page.
var captureRoutes = map[string]bool{
	"POST /epcis/capture": true,
	"POST /epcis/events":  true,
	"POST /capture":       true,
}

// ContentSecurityPolicy is sent with every response. No inline script may
// run (script-src 'self': the pages' scripts are static files); the pages
// may not be framed (frame-ancestors 'none', against clickjacking); forms
// post only to this server. Inline style attributes stay allowed for the
// server-drawn SVG charts.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secure wraps the mux: security headers on every response, cross-origin
// protection for every state-changing request, and refusal of query
// strings that do not parse (Go's URL.Query would drop such parameters
// silently, e.g. one containing ";").
func (s *Server) secure(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.denyCrossOrigin))
	inner := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		q, err := url.ParseQuery(r.URL.RawQuery)
		if _, empty := q[""]; err != nil || empty {
			var qerr error
			if err != nil {
				name, reason := badQueryParam(r.URL.RawQuery)
				qerr = critmin.FieldErrorf(name, "malformed query parameter: %s", reason)
			} else {
				// "?=5": no route's parameter check can name it (fix14r:
				// '": unknown query parameter (…)"').
				qerr = critmin.FieldErrorf("", "malformed query parameter: an empty parameter name (%q): write the parameter's name before \"=\"", "="+q.Get(""))
			}
			if isBrowser(r) && s.PageError != nil {
				// A page: the readable error page the docs promise,
				// not raw problem+json.
				s.PageError(w, r, qerr)
				return
			}
			// A query parameter's fault: on /epcis the binding's
			// QueryParameterException (as queryError gives), elsewhere
			// a 400 naming the parameter.
			s.queryError(w, r, qerr)
			return
		}
		inner.ServeHTTP(w, r)
	})
}

// badQueryParam names the first parameter of a raw query that does not
// parse, and why. A ";" is not a separator (Go, like the WHATWG URL
// standard, splits only on "&"); the parameter is the name before it.
func badQueryParam(raw string) (name, reason string) {
	for _, part := range strings.Split(raw, "&") {
		_, err := url.ParseQuery(part)
		if err == nil {
			continue
		}
		name, _, _ = strings.Cut(part, "=")
		semi := strings.Contains(part, ";")
		name, _, _ = strings.Cut(name, ";")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if name == "" {
			name = "query"
		}
		if semi {
			return name, `contains ";", which does not separate parameters: separate them with "&" and write a ";" inside a value as %3B`
		}
		return name, err.Error()
	}
	// Every parameter parses alone: the query has more than Go's limit
	// of parameters (net/url, GODEBUG urlmaxqueryparams, 10000 by
	// default; fix14p: this said only "does not parse").
	if n := strings.Count(raw, "&") + 1; n > maxQueryParams {
		return "query", fmt.Sprintf("has %s parameters; at most %s are accepted", units.Int(n), units.Int(maxQueryParams))
	}
	return "query", "does not parse"
}

// maxQueryParams is net/url's limit on the parameters of one query (Go
// 1.24+, GODEBUG urlmaxqueryparams).
const maxQueryParams = 10000

// denyCrossOrigin answers a state-changing request that a page of another
// origin made the browser send (Sec-Fetch-Site or Origin say so): an API
// client gets problem+json, a person a readable page.
func (s *Server) denyCrossOrigin(w http.ResponseWriter, r *http.Request) {
	err := critmin.Errorf(critmin.EFORBIDDEN, "cross-origin request refused: a page of another site or port asked your browser to send this %s to %s", r.Method, r.URL.Path)
	s.Logger.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"), "secFetchSite", r.Header.Get("Sec-Fetch-Site"))
	if r.Header.Get("Sec-Fetch-Mode") == "navigate" || wantsHTML(r) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Request refused — critmin</title><link rel="stylesheet" href="/static/critmin.css"></head>`+
			`<body><main><h1>Request refused</h1><p>%s.</p><p>Nothing was changed. If you meant to do this, open <a href="/">critmin</a> and use its own forms.</p></main></body></html>`, html.EscapeString(critmin.ErrorMessage(err)))
		return
	}
	s.Error(w, r, err)
}

// limitBody caps the request body of a route: captures at the capture
// file-size limit (plus 1 MiB for form encoding), everything else at
// MaxFormBody. Reading past it fails with *http.MaxBytesError.
func (s *Server) limitBody(pattern string, h http.HandlerFunc) http.HandlerFunc {
	limit := int64(MaxFormBody)
	if l, ok := routeBodyLimits[pattern]; ok {
		limit = l
	}
	if captureRoutes[pattern] {
		limit = s.Ledger.Limits.MaxBytes + 1<<20
	}
	return func(w http.ResponseWriter, r *http.Request) {
		// critmin decodes no content coding: a gzip body was read as
		// JSON and refused as "invalid character '\x1f'". RFC 7694 §3:
		// 415, with Accept-Encoding naming what is accepted.
		if ce := strings.TrimSpace(r.Header.Get("Content-Encoding")); ce != "" && !strings.EqualFold(ce, "identity") {
			w.Header().Set("Accept-Encoding", "identity")
			s.problem(w, r, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Encoding %q is not accepted: send the body uncompressed", ce),
				[]critmin.FieldError{{Pointer: "Content-Encoding", Reason: fmt.Sprintf("%q is not accepted; only identity (no coding)", ce)}})
			return
		}
		if r.Body != nil {
			rec := &bodyRecord{}
			r = r.WithContext(context.WithValue(r.Context(), bodyRecordKey{}, rec))
			r.Body = &recordingBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit), rec: rec}
		}
		h(w, r)
	}
}

// bodyRecord keeps the first error met reading a request's body, so that
// however a handler wraps or words it, the response says what happened:
// the body was too large (413), too slow (408), or the client went away
// (499) — never a 400 or 401 about a form the server could not read.
type bodyRecord struct {
	mu  sync.Mutex
	err error
}

type bodyRecordKey struct{}

type recordingBody struct {
	io.ReadCloser
	rec *bodyRecord
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.rec.mu.Lock()
		if b.rec.err == nil {
			b.rec.err = err
		}
		b.rec.mu.Unlock()
	}
	return n, err
}

// BodyStatus is the status a request's failed body read calls for: 413
// past the route's limit, 408 when the client sent it too slowly (the
// server's ReadTimeout), 499 when the client went away mid-body; 0 when
// reading the body has not failed.
func BodyStatus(r *http.Request) int {
	rec, _ := r.Context().Value(bodyRecordKey{}).(*bodyRecord)
	if rec == nil {
		return 0
	}
	rec.mu.Lock()
	err := rec.err
	rec.mu.Unlock()
	var tooBig *http.MaxBytesError
	var nerr net.Error
	switch {
	case err == nil:
		return 0
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &nerr) && nerr.Timeout():
		return http.StatusRequestTimeout
	default:
		// io.ErrUnexpectedEOF, a reset connection, a cancelled request.
		return StatusClientClosedRequest
	}
}

// BodyLimit is the body limit the route of r refused, when BodyStatus is
// 413.
func BodyLimit(r *http.Request) int64 {
	rec, _ := r.Context().Value(bodyRecordKey{}).(*bodyRecord)
	if rec == nil {
		return 0
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var tooBig *http.MaxBytesError
	if errors.As(rec.err, &tooBig) {
		return tooBig.Limit
	}
	return 0
}

// clientGone reports whether err comes from the client closing the
// request (disconnect, cancel) rather than from the server.
func clientGone(r *http.Request, err error) bool {
	return r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}

// StatusClientClosedRequest is recorded (never sent: nobody is listening)
// for a request its client abandoned, as nginx's 499 does, so that it is
// not counted as a server error.
const StatusClientClosedRequest = 499

// LocalPath returns next if it is a path on this server ("/lots?x=1"),
// else "/". Browsers treat "\" as "/" and drop tabs and newlines inside
// URLs (WHATWG URL standard), so "/\evil.example" and "/<TAB>/evil.example"
// would leave the site: any backslash or control character is refused, as
// is a scheme-relative "//host".
func LocalPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, c := range next {
		if c == '\\' || unicode.IsControl(c) || unicode.IsSpace(c) {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	return next
}

// expensiveRoutes run computations whose cost a caller controls (Monte
// Carlo draws, MIP solves, certificate signing over a genealogy). Each
// token — or each client address, for anonymous reads — may start
// ExpensiveRate of them per second with bursts of ExpensiveBurst; more
// get 429 with Retry-After. On PostgreSQL the allowance is counted in the
// database (sqldb.TakeRate, migration 0028), so several servers on one
// database share it; on SQLite (one server process) it is kept in memory.
var expensiveRoutes = map[string]bool{
	"POST /api/v1/risk/stockpile":       true,
	"POST /api/v1/risk/scenarios/run":   true,
	"GET /api/v1/risk/scenarios/{id}":   true,
	"POST /api/v1/refinery/close":       true,
	"POST /refinery/close":              true,
	"POST /api/v1/plans":                true,
	"POST /plans":                       true,
	"GET /api/v1/lots/{id}/certificate": true,
	"GET /lots/{id}/certificate":        true,
	// Issuing (fix14p: a GET serves, a POST issues) signs over the same
	// genealogy.
	"POST /api/v1/lots/{id}/certificate": true,
	"POST /lots/{id}/certificate":        true,
	"POST /api/v1/refinery/reconcile":    true,
	"POST /api/v1/refinery/report":       true,
	// The signed revocation list is public and re-checks every standing
	// certificate's evidence for supersession (custody.Supersessions), so
	// its cost grows with every certificate ever issued (fix14c).
	"GET /api/v1/certificates/revocations": true,
}

// Rate of expensive requests per caller.
const (
	ExpensiveRate  = 1.0 // per second, sustained
	ExpensiveBurst = 10
)

// limiters keeps one token bucket per caller of expensive routes.
type limiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func (l *limiters) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil || len(l.m) > 10000 {
		l.m = map[string]*rate.Limiter{} // forget idle callers rather than grow
	}
	lim, ok := l.m[key]
	if !ok {
		lim = rate.NewLimiter(rate.Limit(ExpensiveRate), ExpensiveBurst)
		l.m[key] = lim
	}
	res := lim.Reserve()
	if d := res.Delay(); d > 0 {
		res.Cancel()
		return false, d
	}
	return true, 0
}

// sharedLimiter is a store that counts rate limits for every server of it
// (sqldb.DB on PostgreSQL).
type sharedLimiter interface {
	SharedRateLimits() bool
	TakeRate(ctx context.Context, key string, now time.Time, interval time.Duration, burst int) (bool, time.Duration, error)
}

// allowExpensive takes one expensive request from key's allowance: in the
// database when the store shares limits between servers, else in this
// process. Should the database fail, the process's own limiter still
// applies (and the error is logged).
func (s *Server) allowExpensive(r *http.Request, key string) (bool, time.Duration) {
	if sh, ok := s.Store.(sharedLimiter); ok && sh.SharedRateLimits() {
		ok, wait, err := sh.TakeRate(r.Context(), key, time.Now(), time.Duration(float64(time.Second)/ExpensiveRate), ExpensiveBurst)
		if err == nil {
			return ok, wait
		}
		s.Logger.Warn("shared rate limit unavailable; using this process's", slog.Any("err", err))
	}
	return s.limits.allow(key)
}

// rateLimit applies the expensive-route limit to h when pattern is one.
func (s *Server) rateLimit(pattern string, h http.HandlerFunc) http.HandlerFunc {
	if !expensiveRoutes[pattern] {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		key := "addr:" + clientAddr(r)
		if t := tokenOf(r); t != nil {
			key = "token:" + t.Name
		}
		if ok, wait := s.allowExpensive(r, key); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			s.problem(w, r, http.StatusTooManyRequests, fmt.Sprintf("too many expensive requests; at most %v a second with bursts of %d — retry in %s", ExpensiveRate, ExpensiveBurst, wait.Round(time.Second)), nil)
			return
		}
		h(w, r)
	}
}
