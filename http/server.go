package http

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/refdata"
	"github.com/critmin/critmin/risk"
)

// Default limits on running plan jobs (Server.PlanLimits): each job
// solves its scenarios in solver processes, two or more at a time, so a
// few jobs fill a small server's CPUs.
const (
	DefaultPlanJobsRunning  = 4
	DefaultPlanJobsPerToken = 2
)

// Server is critmin's HTTP server.
type Server struct {
	// tradeNow is the Trade job's clock (unset: time.Now): the day whose
	// prices are spot for planning at contract terms (SetTradeClock).
	tradeNow atomic.Pointer[func() time.Time]
	Store    critmin.Store
	Ledger   *ledger.Service
	// Risk computes indicators over the reference data loaded at start-up
	// (embedded editions plus those imported into the store).
	Risk   *risk.Service
	Logger *slog.Logger
	// PlanLimits caps running plan jobs, in the database (every server on
	// it counts the same jobs) and per token; beyond them a start is 429.
	PlanLimits critmin.PlanJobLimits
	// StockpileGate bounds the stockpile Monte Carlo runs computed at
	// once (POST /api/v1/risk/stockpile, the risk page): beyond its
	// slots a run waits in its queue, beyond the queue it is a 429 with
	// Retry-After (risk.Gate; serve's --stockpile-running,
	// --stockpile-queue, --stockpile-wait). Nil: no bound.
	StockpileGate *risk.Gate
	// pageKey signs the nextPageToken values this server issues
	// (epcis.SignPageToken): the store's key, shared by its servers.
	pageKey []byte
	// PublicRead lets anyone read without a token; writes always need one.
	PublicRead bool
	// GCPLengths, when set, lets GS1-EPC-Format: Always_EPC_URN write
	// Digital Link identifiers as EPC URNs (docs/identity.md).
	GCPLengths *epcis.GCPLengths
	// Timeouts, when set before Listen, replace DefaultTimeouts.
	Timeouts *Timeouts

	mux     *http.ServeMux
	srv     *http.Server
	ln      net.Listener
	metrics *metrics
	// patterns lists every registered route, for the OpenAPI check.
	patterns []string
	// access is each route's access level (accessPublic …).
	access map[string]int
	// trusted are the networks of proxies whose forwarded headers are
	// believed (proxy.go).
	trusted []netip.Prefix
	// queries is each route's declared query parameters (query.go).
	queries map[string][]string
	// enumerated is each route's parameters checked against a vocabulary.
	enumerated map[string][]string
	// PageError, set by the web UI, shows an error as an HTML page; pages
	// use it for an undeclared query parameter.
	PageError func(w http.ResponseWriter, r *http.Request, err error)
	prove     proveConfig
	planner   *planner
	limits    limiters
	// superseded caches the revocation list's superseded certificates
	// by the database's revision (revocationcache.go).
	superseded supersessions
	touches    touches

	// Notifier runs the query subscriptions and delivers their
	// notifications from the database's outbox; Listen starts it and
	// Shutdown stops it.
	Notifier     *notify.Dispatcher
	stopNotifier context.CancelFunc
	notifierDone chan struct{}
	// captures wakes WebSocket subscriptions after a capture here;
	// closing ends them at Shutdown (hijacked connections are not the
	// http.Server's to close).
	captures  broadcast
	closing   chan struct{}
	closeOnce sync.Once
}

// broadcast is a signal many goroutines wait on: fire wakes every waiter.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

func (b *broadcast) fire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
}

// captureSignal returns what a WebSocket subscription waits on to learn
// of captures made through this server (others are found by polling).
func (s *Server) captureSignal() func() <-chan struct{} { return s.captures.wait }

// captured wakes subscriptions after a capture.
func (s *Server) captured() {
	s.captures.fire()
	if s.Notifier != nil {
		s.Notifier.Kick()
	}
}

// NewServer builds a server and its routes (the web UI's pages are added
// by web.Mount).
func NewServer(store critmin.Store, svc *ledger.Service, logger *slog.Logger, publicRead bool) (*Server, error) {
	s := &Server{Store: store, Ledger: svc, Logger: logger, PublicRead: publicRead, mux: http.NewServeMux(), metrics: newMetrics(), planner: newPlanner(),
		PlanLimits:    critmin.PlanJobLimits{Running: DefaultPlanJobsRunning, PerToken: DefaultPlanJobsPerToken},
		StockpileGate: risk.NewGate(risk.DefaultStockpileRunning(), risk.DefaultStockpileQueue, risk.DefaultStockpileWait)}
	cat, err := refdata.Load(context.Background(), store)
	if err != nil {
		return nil, err
	}
	s.Risk = &risk.Service{Data: cat}
	if s.pageKey, err = store.ServerKey(context.Background(), epcis.PageTokenKeyName); err != nil {
		return nil, err
	}
	if err := s.initProve(); err != nil {
		return nil, err
	}
	s.Notifier = notify.New(store, logger)
	s.closing = make(chan struct{})
	s.routes()
	s.srv = &http.Server{Handler: s.middleware(s.secure(s.negotiate(s.unescapedID(s.unmatched(s.mux))))), ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout, WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout}
	return s, nil
}

// unescapedID refuses an API path holding an unescaped identifier with
// slashes (a Digital Link https://id.gs1.org/414/… put into
// /api/v1/sites/{id}/…): the mux would clean its "//" and answer a bare
// redirect, which a PUT or POST cannot follow with its body. It answers
// 400 naming the path and how to escape it instead.
func (s *Server) unescapedID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.EscapedPath(); strings.HasPrefix(p, "/api/") && strings.Contains(p, "//") {
			s.problem(w, r, http.StatusBadRequest, "path "+p+" holds an identifier with unescaped slashes", []critmin.FieldError{{Pointer: "path",
				Reason: "percent-encode an identifier inside a path (https://id.gs1.org/414/… as https%3A%2F%2Fid.gs1.org%2F414%2F…; url.PathEscape, encodeURIComponent)"}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// timeouts are the server's deadlines: Timeouts, else DefaultTimeouts.
func (s *Server) timeouts() Timeouts {
	if s.Timeouts != nil {
		return *s.Timeouts
	}
	return DefaultTimeouts
}

// Owing is the dispatcher whose memory of owed counts the subscription
// views read (notify.Dispatcher.AddOwed): the server's Notifier, or, with
// none, a dispatcher of the store that remembers nothing past the call.
func (s *Server) Owing() *notify.Dispatcher {
	if s.Notifier != nil {
		return s.Notifier
	}
	return notify.New(s.Store, s.Logger)
}

// Handler returns the server's root handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.srv.Handler }

// Listen binds addr (":0" picks a free port) and serves in the background.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http: listen %s: %w", addr, err)
	}
	s.ServeListener(ln)
	return nil
}

// ServeListener serves on ln, a listener bound already, in the
// background; the server closes it at Shutdown. critmin serve binds its
// --addr before it opens or creates anything, so that an address that
// cannot be bound refuses the start with nothing made (issue 15,
// fix15s), and hands the listener over here.
func (s *Server) ServeListener(ln net.Listener) {
	s.ln = ln
	t := s.timeouts()
	s.srv.ReadHeaderTimeout, s.srv.ReadTimeout, s.srv.WriteTimeout, s.srv.IdleTimeout = t.ReadHeader, t.Read, t.Write, t.Idle
	if s.Notifier != nil && s.stopNotifier == nil {
		s.Notifier.GCPLengths = s.GCPLengths
		ctx, cancel := context.WithCancel(context.Background())
		s.stopNotifier, s.notifierDone = cancel, make(chan struct{})
		go func() {
			defer close(s.notifierDone)
			s.Notifier.Run(ctx)
		}()
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Logger.Error("serve", slog.Any("err", err))
		}
	}()
}

// URL is the base URL the server listens on.
func (s *Server) URL() string {
	addr := s.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Shutdown stops accepting requests and waits for those running.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() { close(s.closing) })
	if s.stopNotifier != nil {
		s.stopNotifier()
		<-s.notifierDone
	}
	err := s.srv.Shutdown(ctx)
	if e := s.stopPlans(ctx); err == nil {
		err = e
	}
	return err
}

// access levels of routes.
const (
	accessPublic = iota // health, metrics, login, static assets
	accessRead
	accessWrite
	accessAdmin // tokens and other administration
)

// route registers an API handler with the access it needs and the query
// parameters it accepts (query.go: any other is a 400 naming it; none
// declared, none accepted).
func (s *Server) route(pattern string, access int, h http.HandlerFunc, query ...string) {
	s.register(pattern, access, false, h, query)
}

func (s *Server) register(pattern string, access int, page bool, h http.HandlerFunc, query []string) {
	s.patterns = append(s.patterns, pattern)
	if s.access == nil {
		s.access = map[string]int{}
	}
	s.access[pattern] = access
	if primaryReadRoutes[pattern] || (page && primaryReadPages[pattern]) || writeRoute(pattern) {
		inner := h
		h = func(w http.ResponseWriter, r *http.Request) {
			inner(w, r.WithContext(critmin.PrimaryReads(r.Context())))
		}
	}
	s.mux.Handle(pattern, s.guard(pattern, access, s.checkQuery(pattern, page, query, s.limitBody(pattern, s.rateLimit(pattern, h)))))
}

// primaryReadRoutes are the look-ups by ID that docs/security.md
// ("Several servers") says read the primary — what a write returns as its
// Location or redirects to. Every read behind them (the lot's origin mix,
// events and anomalies, not only its row) goes to the primary
// (critmin.PrimaryReads), so they answer while only a --db-read replica is
// down and never mix a fresh row with replica-side detail (fix14o: GET
// /api/v1/lots/{id} answered 503 with the replica down). Lists, graphs
// (trace, origin) and event queries stay on the replica.
var primaryReadRoutes = map[string]bool{
	"GET /api/v1/lots/{id}":                                         true,
	"GET /epcis/events/{eventID}":                                   true,
	"GET /epcis/capture/{captureID}":                                true,
	"GET /api/v1/plans/{id}":                                        true,
	"GET /api/v1/plans/{id}/log":                                    true,
	"GET /epcis/queries/{queryName}":                                true,
	"GET /epcis/queries/{queryName}/subscriptions/{subscriptionID}": true,
	"GET /api/v1/certificates/{cid}":                                true,
	"GET /api/v1/certificates/{cid}/status":                         true,
	"GET /api/v1/trade/contracts/{id}":                              true,
	"GET /api/v1/trade/prices/{id}":                                 true,
	"GET /api/v1/trade/invoices/{id}":                               true,
	"GET /api/v1/trade/agreements/{id}":                             true,
	// A lot's stored certificate and its page, which judges it against
	// today's record (a lagging replica showed a certificate just issued
	// as superseded), and a site's mass-balance declaration (a PUT's
	// result read back 404 from a lagging replica) and its page.
	"GET /api/v1/lots/{id}/certificate":   true,
	"GET /api/v1/sites/{id}/mass-balance": true,
}

// primaryReadPages are the web pages (registered by package web) of the
// look-ups above that read the primary for the same reasons.
var primaryReadPages = map[string]bool{
	"GET /lots/{id}/certificate":   true,
	"GET /sites/{id}/mass-balance": true,
}

// PrimaryReadPages lists the web pages that read the primary
// (primaryReadPages), for package web's test that each is a page it
// registers.
func PrimaryReadPages() []string {
	var out []string
	for p := range primaryReadPages {
		out = append(out, p)
	}
	return out
}

// writeRoute reports whether pattern is a request that may write (any
// method but GET and HEAD). Every read made while serving it — a
// capture's master data and validation, a plan's start, a trade
// document, a certificate — decides what is written, so it reads the
// primary (critmin.PrimaryReads), never a --db-read replica that may lag
// it or be down (docs/security.md, "Several servers"; fix14p: a capture
// with cm: ILMD answered 503 with only the replica down).
func writeRoute(pattern string) bool {
	method, _, ok := strings.Cut(pattern, " ")
	return ok && method != http.MethodGet && method != http.MethodHead
}

// Routes lists the registered route patterns ("GET /api/v1/lots").
func (s *Server) Routes() []string { return append([]string(nil), s.patterns...) }

// RouteAccess is the access level (AccessPublic, AccessRead, AccessWrite,
// AccessAdmin) each registered route was given.
func (s *Server) RouteAccess() map[string]int {
	out := make(map[string]int, len(s.access))
	for k, v := range s.access {
		out[k] = v
	}
	return out
}

type ctxKey int

const tokenKey ctxKey = 0

// HashToken returns the stored form of a token secret (critmin.HashToken).
func HashToken(secret string) string { return critmin.HashToken(secret) }

func (s *Server) guard(_ string, access int, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if access == accessPublic {
			h(w, r)
			return
		}
		tok, err := s.authenticate(r)
		if err != nil {
			s.deny(w, r, err)
			return
		}
		switch {
		case tok == nil && (access == accessWrite || !s.PublicRead):
			s.deny(w, r, critmin.Errorf(critmin.EUNAUTHORIZED, "this request needs an API token: send Authorization: Bearer <token> (create one with critmin token create)"))
			return
		case tok == nil && access == accessAdmin:
			s.deny(w, r, critmin.Errorf(critmin.EUNAUTHORIZED, "this request needs an admin API token"))
			return
		case tok != nil && access == accessWrite && !critmin.CanWrite(tok.Role):
			s.deny(w, r, critmin.Errorf(critmin.EFORBIDDEN, "token %q has role %s, which may only read", tok.Name, tok.Role))
			return
		case tok != nil && access == accessAdmin && tok.Role != critmin.RoleAdmin:
			s.deny(w, r, critmin.Errorf(critmin.EFORBIDDEN, "token %q has role %s; this needs an admin", tok.Name, tok.Role))
			return
		}
		if tok != nil {
			r = r.WithContext(context.WithValue(r.Context(), tokenKey, tok))
		}
		h(w, r)
	})
}

// deny answers a refused request. A browser that is not signed in (or
// whose session has ended) is sent to the sign-in page with a return path
// — for a form post, the page it was on (303, so the browser asks for the
// page, not the post again) — and lands back there after signing in; a
// signed-in browser without the role gets a readable 403 page. An API
// client (a path under /api/ or /epcis/, or an Accept naming JSON) gets
// problem+json.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, err error) {
	unauthorized := critmin.ErrorCode(err) == critmin.EUNAUTHORIZED
	if !isBrowser(r) {
		if unauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="critmin"`)
		}
		s.Error(w, r, err)
		return
	}
	if unauthorized {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(returnPath(r)), http.StatusSeeOther)
		return
	}
	status := codeStatus[critmin.ErrorCode(err)]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s — critmin</title><link rel="stylesheet" href="/static/critmin.css"></head>`+
		`<body><main><h1>%s</h1><p id="refusal">%s.</p><p>Nothing was changed. Ask an administrator for a token with the role this needs and <a href="/login?next=%s">sign in with it</a>, or <a href="/">go back to critmin</a>.</p></main></body></html>`,
		http.StatusText(status), http.StatusText(status), html.EscapeString(critmin.ErrorMessage(err)), html.EscapeString(url.QueryEscape(returnPath(r))))
}

// returnPath is where a browser sent to sign in comes back to: the
// requested page for a GET, else the page of this site the request came
// from (its Referer), else the request's path.
//
// A query that names a credential (credentialParam: ?token=…) is left
// out, so the sign-in link and its next= do not carry a secret on into
// another address, the log and the browser's history.
func returnPath(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		for k := range r.URL.Query() {
			if credentialParam(k) {
				return LocalPath(r.URL.Path)
			}
		}
		return LocalPath(r.URL.RequestURI())
	}
	if ref, err := url.Parse(r.Header.Get("Referer")); err == nil && ref.Path != "" && (ref.Host == "" || ref.Host == r.Host) {
		if p := LocalPath(ref.RequestURI()); p != "/login" && !strings.HasPrefix(p, "/login?") {
			return p
		}
	}
	return LocalPath(r.URL.Path)
}

// credentialParam says a query parameter's name is one a credential is
// sent under by clients that put secrets in URLs (token, access_token,
// api_key, password, …): no route declares one, so such a request is
// refused, and its value is never carried into another address.
func credentialParam(name string) bool {
	switch strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name)) {
	case "token", "accesstoken", "apikey", "apitoken", "authtoken", "auth", "bearer", "key", "secret", "password", "session":
		return true
	}
	return false
}

// isBrowser says a request is a person's browser asking for a page or
// sending a form (Accept names text/html, or Sec-Fetch-Mode is navigate),
// not an API client: requests under /api/ and /epcis/, and any whose
// Accept names a JSON type, are API clients whatever else they send.
func isBrowser(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/epcis/") || r.URL.Path == "/epcis" {
		return false
	}
	if strings.Contains(strings.ToLower(r.Header.Get("Accept")), "json") {
		return false
	}
	return wantsHTML(r) || r.Header.Get("Sec-Fetch-Mode") == "navigate"
}

func tokenOf(r *http.Request) *critmin.Token {
	t, _ := r.Context().Value(tokenKey).(*critmin.Token)
	return t
}

func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

// Unwrap lets http.ResponseController and WebSocket upgrades reach the
// connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// middleware logs each request as one structured line, counts it for
// /metrics and turns a panic into a logged 500.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r = s.resolveClient(r)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.Logger.Error("panic", slog.Any("panic", p), slog.String("path", r.URL.Path))
				if sw.status == 0 {
					s.problem(sw, r, http.StatusInternalServerError, "internal error", nil)
				}
			}
			d := time.Since(start)
			_, pattern := s.mux.Handler(r)
			s.metrics.observe(r.Method, pattern, sw.status, d)
			s.Logger.Info("request", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("client", clientAddr(r)), slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes), slog.Duration("duration", d))
		}()
		next.ServeHTTP(sw, r)
	})
}

// unmatched answers a request no route matches as the rest of the
// server answers errors — problem+json under /api and /epcis, an HTML
// page elsewhere — instead of ServeMux's bare text/plain "404 page not
// found" and "Method Not Allowed" (its Allow header kept).
func (s *Server) unmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status != http.StatusNotFound && probe.status != http.StatusMethodNotAllowed {
			mux.ServeHTTP(w, r) // a redirect (a path to clean, a trailing slash)
			return
		}
		if probe.status == http.StatusMethodNotAllowed && !s.methodCheckAllowed(mux, w, r, probe.header.Get("Allow")) {
			return
		}
		detail := fmt.Sprintf("no resource at %s", r.URL.Path)
		if probe.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			detail = fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, probe.header.Get("Allow"))
		}
		if strings.HasPrefix(r.URL.Path, "/api/") || isEPCIS(r) {
			s.problem(w, r, probe.status, detail, nil)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(probe.status)
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s — critmin</title><link rel="stylesheet" href="/static/critmin.css"></head>`+
			`<body><main><h1>%s</h1><p>%s.</p><p><a href="/">Back to the overview</a></p></main></body></html>`,
			http.StatusText(probe.status), http.StatusText(probe.status), html.EscapeString(detail))
	})
}

// methodCheckAllowed decides whether a request to a path whose routes
// take other methods (allow, the Allow header ServeMux would send) may be
// told so. When every route at the path needs a token, the request is
// authenticated first, as on the route itself: no token or a bad one is
// refused there (401, deny) and false returned — a 405 naming the methods
// would reveal a protected route to anyone (fix14o: an anonymous GET
// /api/v1/tokens/x got "allowed: DELETE"). A path with a public route (or
// a read route under --public-read) keeps its 405 for everyone.
func (s *Server) methodCheckAllowed(mux *http.ServeMux, w http.ResponseWriter, r *http.Request, allow string) bool {
	least := accessAdmin + 1
	for _, m := range strings.Split(allow, ",") {
		m = strings.TrimSpace(m)
		if m == "" || m == http.MethodHead || m == http.MethodOptions {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		_, pattern := mux.Handler(probe)
		a, ok := s.access[pattern]
		if !ok {
			return true // a route not registered through s.route: no rule to apply
		}
		least = min(least, a)
	}
	if least > accessAdmin || least == accessPublic {
		return true
	}
	tok, err := s.authenticate(r)
	if err != nil {
		s.deny(w, r, err)
		return false
	}
	if tok == nil && !(least == accessRead && s.PublicRead) {
		s.deny(w, r, critmin.Errorf(critmin.EUNAUTHORIZED, "this request needs an API token: send Authorization: Bearer <token> (create one with critmin token create)"))
		return false
	}
	return true
}

// headerProbe records what a handler would answer, writing nothing.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
func (p *headerProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}

// routes wires every handler. Each handler's doc comment names its route.
func (s *Server) routes() {
	s.route("GET /healthz", accessPublic, s.handleHealthz)
	s.route("GET /readyz", accessPublic, s.handleReadyz)
	s.route("GET /metrics", accessPublic, s.handleMetrics)
	s.route("GET /schemas/mineral-v1.json", accessPublic, s.handleMineralSchema)
	s.epcisRoutes()
	s.apiRoutes()
	s.riskRoutes()
	s.proveRoutes()
	s.planRoutes()
	s.tradeRoutes()
	s.tokenRoutes()
	s.refineryRoutes()
}

// handleHealthz reports that the process is up. GET /healthz
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz reports whether the database answers. GET /readyz
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.Logger.Warn("not ready", slog.Any("err", err))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// handleMineralSchema publishes the mineral extension's JSON Schema.
// GET /schemas/mineral-v1.json
func (s *Server) handleMineralSchema(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	_, _ = w.Write(ledger.ExtensionSchema)
}
