package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/web"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveLogged is MustServe with the server's whole log, at debug level,
// kept in a buffer; tune, when given, adjusts the server before it
// listens.
func serveLogged(t *testing.T, tune func(*critminhttp.Server)) (*critminhttp.Server, *lockedBuffer) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	for name, tk := range map[string][2]string{"admin": {adminSecret, critmin.RoleAdmin}, "operator": {operatorSecret, critmin.RoleOperator}, "viewer": {viewerSecret, critmin.RoleViewer}} {
		if err := store.CreateToken(ctx, &critmin.Token{Name: name, Role: tk[1], Hash: critminhttp.HashToken(tk[0]), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	logs := &lockedBuffer{}
	srv, err := critminhttp.NewServer(store, ledger.NewService(store), slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := web.Mount(srv); err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(srv)
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(c)
		store.Close()
	})
	return srv, logs
}

// TestTokenInURLRefusedAndNeverLogged (issue 14, fix14c item 3): GET
// /login?token=… showed the sign-in page with no word about the token in
// the address (it was a generic unknown-parameter refusal, with nothing
// said about revoking it). Now GET and POST /login with a token in the
// query are 400 saying why and to revoke it, start no session and do not
// echo the token; a token in the query of any other page or API route is
// refused too (400, never read as credentials) and not echoed, and a
// browser bounced to sign in is not sent to a next= carrying it. The
// server's whole log at debug level, after signing in, using the API and
// creating a token over it, holds no secret: neither the tokens used nor
// the one created.
func TestTokenInURLRefusedAndNeverLogged(t *testing.T) {
	t.Parallel()
	srv, logs := serveLogged(t, nil)
	base := srv.URL()
	page := map[string]string{"Accept": "text/html"}
	q := url.QueryEscape(adminSecret)
	for _, c := range []struct{ method, path string }{
		{"GET", "/login?token=" + q},
		{"GET", "/login?next=%2Flots&token=" + q},
		{"POST", "/login?token=" + q},
	} {
		hdr := map[string]string{"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"}
		resp, b := send(t, c.method, base+c.path, nil, hdr)
		if resp.StatusCode != 400 || !strings.Contains(string(b), "token in the address is refused") || !strings.Contains(string(b), "revoke it") {
			t.Errorf("%s %s: %d, want 400 explaining the refusal\n%.400s", c.method, c.path, resp.StatusCode, b)
		}
		if strings.Contains(string(b), adminSecret) {
			t.Errorf("%s %s: the page echoes the token", c.method, c.path)
		}
		for _, ck := range resp.Cookies() {
			if ck.Value != "" && ck.MaxAge >= 0 {
				t.Errorf("%s %s: set cookie %s", c.method, c.path, ck.Name)
			}
		}
	}
	for _, path := range []string{"/lots?token=" + q, "/api/v1/lots?token=" + q, "/api/v1/lots?access_token=" + q, "/epcis/events?token=" + q} {
		for _, hdr := range []map[string]string{page, {"Accept": "application/json"}} {
			resp, b := send(t, "GET", base+path, nil, hdr)
			if resp.StatusCode == 200 {
				t.Errorf("GET %s (%s): 200, the token in the query was taken as credentials", path, hdr["Accept"])
			}
			if strings.Contains(string(b), adminSecret) || strings.Contains(resp.Header.Get("Location"), adminSecret) || strings.Contains(resp.Header.Get("Location"), q) {
				t.Errorf("GET %s (%s): %d echoes the token (Location %q)", path, hdr["Accept"], resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	}
	// Ordinary use: sign in, read, create a token over the API.
	resp, _ := send(t, "POST", base+"/login", []byte("token="+q), map[string]string{"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 303 {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	auth := map[string]string{"Authorization": "bearer " + adminSecret, "Content-Type": "application/json"}
	if resp, _ := send(t, "GET", base+"/api/v1/lots", nil, auth); resp.StatusCode != 200 {
		t.Fatalf("lots: %d", resp.StatusCode)
	}
	resp, b := send(t, "POST", base+"/api/v1/tokens", []byte(`{"name":"ops","role":"operator"}`), auth)
	var created struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(b, &created); err != nil || resp.StatusCode != 201 || created.Secret == "" {
		t.Fatalf("create token: %d %s", resp.StatusCode, b)
	}
	if resp, _ := send(t, "GET", base+"/api/v1/lots", nil, map[string]string{"Authorization": "Bearer " + created.Secret}); resp.StatusCode != 200 {
		t.Fatalf("lots with the new token: %d", resp.StatusCode)
	}
	log := logs.String()
	if !strings.Contains(log, `"path":"/api/v1/lots"`) {
		t.Fatalf("the request log is not recorded at debug level:\n%.600s", log)
	}
	for name, secret := range map[string]string{"the admin token": adminSecret, "its URL form": q, "the created token": created.Secret} {
		if strings.Contains(log, secret) {
			t.Errorf("the server log holds %s", name)
		}
	}
}
