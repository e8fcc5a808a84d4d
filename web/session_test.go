package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
)

// TestSessions signs in through the form: the cookie holds a session ID,
// not the token; signing out ends the session on the server, so a copy
// of the cookie stops working; revoking the token ends its sessions.
func TestSessions(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	signIn := func(secret string) *http.Cookie {
		t.Helper()
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.PostForm(ts.URL+"/login", url.Values{"token": {secret}, "next": {"/lots"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/lots" {
			t.Fatalf("sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, c := range resp.Cookies() {
			if c.Name == critminhttp.SessionCookie {
				if c.Value == secret || strings.Contains(c.Value, secret) || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
					t.Fatalf("session cookie %+v", c)
				}
				return c
			}
		}
		t.Fatal("no session cookie")
		return nil
	}
	withCookie := func(method, path string, c *http.Cookie) int {
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		req.AddCookie(c)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	c := signIn(viewerSecret)
	if code := withCookie("GET", "/api/v1/lots", c); code != 200 {
		t.Fatalf("with session: %d", code)
	}
	if code := withCookie("POST", "/logout", c); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	if code := withCookie("GET", "/api/v1/lots", c); code != 401 {
		t.Errorf("cookie reused after sign-out: %d, want 401", code)
	}
	// Revoking the token ends its sessions.
	if _, _, err := critmin.IssueToken(context.Background(), ts.Store, "temp", critmin.RoleViewer, time.Time{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A second admin first: the last active admin token cannot be revoked
	// (storetest LastAdminRevoke).
	if _, _, err := critmin.IssueToken(context.Background(), ts.Store, "admin2", critmin.RoleAdmin, time.Time{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c = signIn(adminSecret)
	if _, err := ts.Store.RevokeToken(context.Background(), "admin", time.Now()); err != nil {
		t.Fatal(err)
	}
	if code := withCookie("GET", "/api/v1/lots", c); code != 401 {
		t.Errorf("session of a revoked token: %d, want 401", code)
	}
	// A wrong token gives the sign-in page again, not a session.
	resp, err := http.PostForm(ts.URL+"/login", url.Values{"token": {"nope"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("bad sign-in: %d", resp.StatusCode)
	}
}

// TestLoginBodyAndQueryToken: the sign-in reads its body before judging
// the token — a form over the route's 1 MiB limit is 413, not 401, as is
// an over-limit form on the admin tokens page — and a token in the URL's
// query is refused with 400 and starts no session.
func TestLoginBodyAndQueryToken(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	big := url.Values{"token": {adminSecret}, "pad": {strings.Repeat("x", 2<<20)}}.Encode()
	post := func(path, secret, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp, b.String()
	}
	if resp, _ := post("/login", "", big); resp.StatusCode != 413 {
		t.Errorf("2 MiB sign-in form: %d, want 413", resp.StatusCode)
	}
	if resp, page := post("/tokens", adminSecret, url.Values{"name": {"x"}, "role": {"viewer"}, "pad": {strings.Repeat("x", 2<<20)}}.Encode()); resp.StatusCode != 413 || !strings.Contains(page, "limit") {
		t.Errorf("2 MiB token form: %d, want 413 with a readable page", resp.StatusCode)
	}
	resp, page := post("/login?token="+url.QueryEscape(adminSecret), "", "")
	if resp.StatusCode != 400 || !strings.Contains(page, "form body") {
		t.Errorf("token in the query: %d, want 400 saying to send it in the form body", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Value != "" && c.MaxAge >= 0 {
			t.Errorf("token in the query set cookie %s", c.Name)
		}
	}
}
