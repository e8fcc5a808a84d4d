package http_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
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
	// DBPath is the SQLite file, for a test that reopens the store.
	DBPath string
}

// MustServe starts a real server on 127.0.0.1:0 over a fresh SQLite store.
func MustServe(tb testing.TB, publicRead bool, limits *ledger.Limits) *testServer {
	tb.Helper()
	ctx := context.Background()
	dbPath := filepath.Join(tb.TempDir(), "critmin.db")
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		tb.Fatal(err)
	}
	for name, t := range map[string][2]string{"admin": {adminSecret, critmin.RoleAdmin}, "operator": {operatorSecret, critmin.RoleOperator}, "viewer": {viewerSecret, critmin.RoleViewer}} {
		if err := store.CreateToken(ctx, &critmin.Token{Name: name, Role: t[1], Hash: critminhttp.HashToken(t[0]), CreatedAt: time.Now()}); err != nil {
			tb.Fatal(err)
		}
	}
	svc := custody.NewService(store)
	if limits != nil {
		svc.Limits = *limits
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := critminhttp.NewServer(store, svc, logger, publicRead)
	if err != nil {
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
	return &testServer{Server: srv, URL: srv.URL(), Store: store, Svc: svc, DBPath: dbPath}
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

type problem struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Pointer string `json:"pointer"`
		Reason  string `json:"reason"`
	} `json:"errors"`
}

// mustProblem decodes a problem+json body and checks its status.
func mustProblem(tb testing.TB, resp *http.Response, body []byte, status int) problem {
	tb.Helper()
	if resp.StatusCode != status {
		tb.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		tb.Fatalf("content type %q, want application/problem+json", ct)
	}
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		tb.Fatalf("decode problem: %v", err)
	}
	if p.Status != status {
		tb.Errorf("problem status %d, want %d", p.Status, status)
	}
	return p
}

func readShared(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", rel))
	if err != nil {
		tb.Fatalf("test data: %v", err)
	}
	return b
}

func eventCount(tb testing.TB, s critmin.Store) int64 {
	tb.Helper()
	n, err := s.CountEvents(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// jsonCT is the Content-Type of JSON request bodies.
var jsonCT = map[string]string{"Content-Type": "application/json"}

// mustReadFile reads a test fixture at package initialisation.
func mustReadFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// reportMargin is kept before the test binary's deadline (go test
// -timeout) to report a failed wait and clean up instead of panicking.
const reportMargin = 30 * time.Second

// testDeadline is a context that ends at the test's deadline less
// reportMargin (never, under go test -timeout 0): waits end there, not at
// a limit guessed for one machine's speed.
func testDeadline(tb testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	if t, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		if d, ok := t.Deadline(); ok {
			cancel()
			ctx, cancel = context.WithDeadline(context.Background(), d.Add(-reportMargin))
		}
	}
	tb.Cleanup(cancel)
	return ctx
}

// waitUntil polls cond until it holds, as long as the test may run.
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	ctx := testDeadline(tb)
	for !cond() {
		select {
		case <-ctx.Done():
			tb.Fatalf("%s: not by the test's deadline", what)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
