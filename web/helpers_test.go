package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/web"
)

// Tokens of the three roles every test server has.
const (
	adminSecret    = "test-admin-secret"
	operatorSecret = "test-operator-secret"
	viewerSecret   = "test-viewer-secret"
)

type testServer struct {
	*critminhttp.Server
	URL   string
	Store critmin.Store
	Svc   *ledger.Service
}

// MustServe starts a real server with the web UI mounted on
// 127.0.0.1:0 over a fresh SQLite store.
func MustServe(tb testing.TB, publicRead bool, limits *ledger.Limits) *testServer {
	tb.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "critmin.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return MustServeStore(tb, store, publicRead, limits)
}

// MustServeUnchecked is MustServe with a ledger that runs no capture
// check (no custody.CaptureClaimCheck), unlike `critmin serve`. Use it
// only for a state stored before the check existed — one the real server
// now refuses to store, such as a claim refused at capture — and say at
// each use why the test needs that state.
func MustServeUnchecked(tb testing.TB, publicRead bool, limits *ledger.Limits) *testServer {
	tb.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "critmin.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return serveWith(tb, store, ledger.NewService(store), publicRead, limits)
}

// MustServeStore is MustServe over a given store, which it closes when
// the test ends.
func MustServeStore(tb testing.TB, store critmin.Store, publicRead bool, limits *ledger.Limits) *testServer {
	tb.Helper()
	return serveWith(tb, store, custody.NewService(store), publicRead, limits)
}

// serveWith starts the server over store with the ledger service svc.
func serveWith(tb testing.TB, store critmin.Store, svc *ledger.Service, publicRead bool, limits *ledger.Limits) *testServer {
	tb.Helper()
	ctx := context.Background()
	for name, t := range map[string][2]string{"admin": {adminSecret, critmin.RoleAdmin}, "operator": {operatorSecret, critmin.RoleOperator}, "viewer": {viewerSecret, critmin.RoleViewer}} {
		if err := store.CreateToken(ctx, &critmin.Token{Name: name, Role: t[1], Hash: critminhttp.HashToken(t[0]), CreatedAt: time.Now()}); err != nil {
			tb.Fatal(err)
		}
	}
	if limits != nil {
		svc.Limits = *limits
	}
	logger := slog.New(slog.NewTextHandler(testLog{tb}, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := critminhttp.NewServer(store, svc, logger, publicRead)
	if err != nil {
		tb.Fatal(err)
	}
	if err := web.Mount(srv); err != nil {
		tb.Fatal(err)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		store.Close()
	})
	return &testServer{Server: srv, URL: srv.URL(), Store: store, Svc: svc}
}

// do sends a request and returns the response with its body read.
func do(tb testing.TB, method, url, token string, body []byte, headers map[string]string) (*http.Response, []byte) {
	tb.Helper()
	var r io.Reader
	if body != nil {
		r = strings.NewReader(string(body))
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		// The JSON API takes application/json only; EPCIS (and the
		// certificate routes) take JSON-LD (docs/security.md).
		ct := "application/ld+json"
		if strings.Contains(url, "/api/") {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}

// browser starts headless Chromium (Debian's chromium package). In CI a
// missing browser fails the test; elsewhere it is skipped with the reason.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is required in CI: install Debian's chromium package (scripts/setup does)")
		}
		t.Skip("chromium not installed; scripts/setup installs it")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1300, 1000),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	// The tab lives as long as the test may: every wait on the page
	// (WaitVisible, chartsDrawn, poll) ends at the test's own deadline,
	// not at a limit guessed for one machine's speed.
	ctx, cancelT := withTestDeadline(t, ctx)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	watchConsole(t, ctx)
	return ctx
}

// watchConsole fails the test for every error the pages write to the
// console: uncaught exceptions, console.error, and failed loads of the
// UI's own assets (a 4xx page the test asks for on purpose is not one).
func watchConsole(t *testing.T, ctx context.Context) {
	var mu sync.Mutex
	var errs []string
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException {
				continue
			}
			if m.Source == "network" && !strings.Contains(m.URL, "/static/") && !strings.Contains(m.URL, "/web/") {
				continue
			}
			mu.Lock()
			errs = append(errs, m.String()+" "+m.URL)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range errs {
			t.Errorf("browser console: %s", e)
		}
	})
}

// page wraps a browser tab with fatal-on-error helpers.
type page struct {
	t   *testing.T
	ctx context.Context
}

// reportMargin is kept before the test binary's deadline (go test
// -timeout) to report a failed wait and clean up instead of panicking.
const reportMargin = 30 * time.Second

// withTestDeadline bounds ctx by the test's deadline less reportMargin;
// without a deadline (go test -timeout 0) it only makes ctx cancellable.
func withTestDeadline(t *testing.T, ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := t.Deadline(); ok {
		return context.WithDeadline(ctx, d.Add(-reportMargin))
	}
	return context.WithCancel(ctx)
}

// waitUntil polls cond (on the server, the store …) until it holds, as
// long as the test may run: a slow machine waits longer, never fails
// sooner.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := withTestDeadline(t, t.Context())
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not by the test's deadline", what)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// rerendered tells errors of a query that raced a document the page
// replaced (a navigation, a redirect, a script re-rendering): the node
// the query found is gone before the action on it ran, so the action did
// nothing and can be run again on the new document.
func rerendered(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "No node with given id") || strings.Contains(m, "Could not find node with given id") ||
		strings.Contains(m, "Cannot find context with specified id") || strings.Contains(m, "Node is detached from document")
}

// run runs one action, again while it fails only because the document
// was replaced under it, until the tab's (the test's) deadline.
func (p page) run(a chromedp.Action[chromedp.Void]) error {
	for {
		err := chromedp.Do(p.ctx, a)
		if !rerendered(err) || p.ctx.Err() != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// do runs a step's actions one by one; each selector action queries and
// acts in one go, and one that raced a re-render is run again (its
// predecessors, done, are not).
func (p page) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	for _, a := range actions {
		if err := p.run(a); err != nil {
			p.t.Fatalf("%s: %v", step, err)
		}
	}
}

// poll evaluates cond until it holds or the tab's deadline passes;
// evaluation errors during a navigation count as "not yet".
func (p page) poll(what string, cond func() (bool, error)) {
	p.t.Helper()
	for {
		if ok, err := cond(); err == nil && ok {
			return
		}
		select {
		case <-p.ctx.Done():
			p.t.Fatalf("%s: not by the test's deadline", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (p page) text(sel string) string {
	p.t.Helper()
	var s string
	var err error
	// A query may race a document the page has just replaced; reading
	// text changes nothing, so try again.
	for {
		if s, err = chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel))); !rerendered(err) || p.ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (p page) count(sel string) int {
	p.t.Helper()
	var nodes []*chromedp.Node
	var err error
	for {
		if nodes, err = chromedp.Run(p.ctx, chromedp.Nodes(chromedp.CSSAll(sel))); !rerendered(err) || p.ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("nodes %s: %v", sel, err)
	}
	return len(nodes)
}

// viewport sets the window's width (1,400 px desktop, 390 px phone).
func (p page) viewport(width int64) {
	p.t.Helper()
	p.do(fmt.Sprintf("viewport %d px", width), chromedp.EmulateViewport(width, 900))
}

// chartsDrawn waits until every chart of the page is drawn and returns
// how many there are.
func (p page) chartsDrawn() int {
	p.t.Helper()
	var v []int
	p.poll("every chart drawn", func() (bool, error) {
		var err error
		v, err = chromedp.Run(p.ctx, chromedp.Evaluate[[]int](`document.readyState === "complete" ? [document.querySelectorAll("[data-chart]").length, document.querySelectorAll("[data-chart].drawn").length] : [1, 0]`))
		return err == nil && v[0] == v[1], err
	})
	return v[0]
}

// eval evaluates a JavaScript expression.
func eval[T any](p page, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitURL waits until the page's address contains part and the new page
// has loaded.
// waitFor waits until the page has loaded and holds an element matching
// the CSS selector sel.
func (p page) waitFor(sel string) {
	p.t.Helper()
	p.poll(sel+" appearing", func() (bool, error) {
		return chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.readyState === "complete" && document.querySelector(%q) !== null`, sel)))
	})
}

func (p page) waitURL(part string) {
	p.t.Helper()
	// During the navigation the evaluation may fail: poll tries again.
	p.poll("the page reaching an address with "+part, func() (bool, error) {
		return chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`location.href.includes(%q) && document.readyState === "complete"`, part)))
	})
}

// n counts the elements matching sel now, without waiting for one.
func (p page) n(sel string) int {
	p.t.Helper()
	return eval[int](p, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// testLog writes the server's error log lines to the test's output.
type testLog struct{ tb testing.TB }

func (l testLog) Write(b []byte) (int, error) {
	l.tb.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// mustReadFile reads a test fixture at package initialisation.
func mustReadFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// refRE is an identifier a page names readably (readable.go): its label
// in an abbr whose title and data-id hold the identifier.
var refRE = regexp.MustCompile(`<abbr class="ref" title="[^"]*" data-id="([^"]*)">[^<]*</abbr>`)

// withIDs is a page with each readably named identifier replaced by the
// identifier itself (from its data-id): tests that check which lot, site
// or bill of lading a message names read it so.
func withIDs(page string) string { return refRE.ReplaceAllString(page, "$1") }

// issueCert issues the certificate of the lot whose path segment is seg
// (escaped as in an address) as an operator: POST, since a GET issues
// nothing (fix14p).
func issueCert(tb testing.TB, base, seg string) {
	tb.Helper()
	if resp, b := do(tb, "POST", base+"/api/v1/lots/"+seg+"/certificate", operatorSecret, nil, nil); resp.StatusCode != 200 {
		tb.Fatalf("issue the certificate of %s: %d %.300s", seg, resp.StatusCode, b)
	}
}
