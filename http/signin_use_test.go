package http_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	critminhttp "github.com/critmin/critmin/http"
)

// Signing in with a token (the web /login form calls SignIn) is a use of
// it: its last-used time moves from never to the sign-in, as an API
// request with the token would move it. It stayed at never.
func TestSignInRecordsTokenUse(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	before, err := ts.Store.FindTokenByHash(ctx, critminhttp.HashToken(viewerSecret))
	if err != nil {
		t.Fatal(err)
	}
	if !before.LastUsedAt.IsZero() {
		t.Fatalf("viewer token used before the test: %v", before.LastUsedAt)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/login", strings.NewReader(""))
	if _, err := ts.Server.SignIn(rec, req, viewerSecret); err != nil {
		t.Fatal(err)
	}
	after, err := ts.Store.FindTokenByHash(ctx, critminhttp.HashToken(viewerSecret))
	if err != nil {
		t.Fatal(err)
	}
	if after.LastUsedAt.IsZero() {
		t.Error("sign-in did not record the token's use (last used: never)")
	}
}

// A request with two Authorization headers is ambiguous — which one a
// proxy or this server honours differs — and is refused with 400 naming
// Authorization, whichever credentials they hold (it was served with the
// first).
func TestTwoAuthorizationHeadersRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, pair := range [][2]string{{adminSecret, viewerSecret}, {viewerSecret, viewerSecret}, {adminSecret, "unknown"}} {
		req, err := http.NewRequest("GET", ts.URL+"/api/v1/lots", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Add("Authorization", "Bearer "+pair[0])
		req.Header.Add("Authorization", "Bearer "+pair[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != "Authorization" || !strings.Contains(p.Errors[0].Reason, "given 2 times") {
			t.Errorf("two Authorization headers: %s", b)
		}
	}
	// One header is served as before.
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Errorf("one Authorization header: %d %s", resp.StatusCode, b)
	}
}
