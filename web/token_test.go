package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin"
)

var formHeader = map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}

// TestTokensPage: an admin creates a token on the page and is shown its
// secret once; the secret works; the list shows name, role, created, last
// used and expiry but never a secret or hash; revoking stops the token;
// a bad or duplicate request shows the page again naming the field; a
// form sent by another origin's page changes nothing.
func TestTokensPage(t *testing.T) {
	ts := MustServe(t, false, nil)
	create := func(form url.Values, headers map[string]string) (*http.Response, string) {
		t.Helper()
		resp, b := do(t, "POST", ts.URL+"/tokens", adminSecret, []byte(form.Encode()), headers)
		return resp, string(b)
	}
	// An expiry a year ahead (the page takes a date; at most ten years).
	expires := time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	resp, page := create(url.Values{"name": {"ci-loader"}, "role": {"operator"}, "expires": {expires}}, formHeader)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	i := strings.Index(page, `id="token-secret" readonly value="`)
	if i < 0 {
		t.Fatalf("no secret shown:\n%s", page)
	}
	secret, _, _ := strings.Cut(page[i+len(`id="token-secret" readonly value="`):], `"`)
	if !strings.HasPrefix(secret, "cm_") {
		t.Fatalf("secret %q", secret)
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/lots", secret, nil, nil); resp.StatusCode != 200 {
		t.Errorf("the new token does not work: %d", resp.StatusCode)
	}
	resp, b := do(t, "GET", ts.URL+"/tokens", adminSecret, nil, map[string]string{"Accept": "text/html"})
	list := string(b)
	tok, err := ts.Store.FindTokenByHash(t.Context(), critmin.HashToken(secret))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || strings.Contains(list, secret) || strings.Contains(list, tok.Hash) || strings.Contains(list, critmin.HashToken(adminSecret)) {
		t.Errorf("list: %d, or it shows a secret or hash", resp.StatusCode)
	}
	// The row: name, role, created, last used (the request above), expiry.
	row := list[strings.Index(list, `data-token="ci-loader"`):]
	row = row[:strings.Index(row, "</tr>")]
	// The date is the last day the token works: it expires at 00:00 UTC
	// the next day.
	exp, _ := time.Parse(time.DateOnly, expires)
	for _, want := range []string{">operator<", exp.AddDate(0, 0, 1).Format(time.DateOnly) + " 00:00 UTC", ">active", "/tokens/ci-loader/revoke"} {
		if !strings.Contains(row, want) {
			t.Errorf("row lacks %q: %s", want, row)
		}
	}
	if strings.Contains(row, "never</td><td>"+expires[:4]) {
		t.Errorf("last use not recorded: %s", row)
	}

	// Today's date is accepted (the token works to midnight UTC; within
	// two minutes of midnight the test takes tomorrow, as a token must
	// last a minute at least) and yesterday's is refused.
	day := time.Now().UTC()
	if midnight := day.Truncate(24 * time.Hour).Add(24 * time.Hour); midnight.Sub(day) < 2*time.Minute {
		day = midnight
	}
	resp, _ = create(url.Values{"name": {"today"}, "role": {"viewer"}, "expires": {day.Format(time.DateOnly)}}, formHeader)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("a token valid through %s: %d, want 201", day.Format(time.DateOnly), resp.StatusCode)
	} else {
		toks, err := ts.Store.ListTokens(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var today *critmin.Token
		for _, tk := range toks {
			if tk.Name == "today" {
				today = tk
			}
		}
		if today == nil || !today.ExpiresAt.Equal(day.Truncate(24*time.Hour).Add(24*time.Hour)) {
			t.Errorf("token valid through %s: %+v, want it to expire at 00:00 UTC the next day", day.Format(time.DateOnly), today)
		}
	}
	for _, c := range []struct {
		form   url.Values
		status int
		field  string
	}{
		{url.Values{"name": {"ci-loader"}, "role": {"viewer"}}, 409, "<code>Name</code>"},
		{url.Values{"name": {"x"}, "role": {"viewer"}, "expires": {time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)}}, 400, "<code>Valid through</code>"},
		{url.Values{"name": {"x"}, "role": {"root"}}, 400, "<code>Role</code>"},
		{url.Values{"name": {"x"}, "role": {"viewer"}, "expires": {"2001-01-01"}}, 400, "<code>Valid through</code>"},
		{url.Values{"name": {"x"}, "role": {"viewer"}, "expires": {"soon"}}, 400, "<code>Valid through</code>"},
		// Ten years at most, as the API and the CLI (critmin.MaxTokenLifetime).
		{url.Values{"name": {"x"}, "role": {"viewer"}, "expires": {"9999-12-31"}}, 400, "<code>Valid through</code>"},
		{url.Values{"name": {"x"}, "role": {"viewer"}, "expires": {time.Now().UTC().AddDate(11, 0, 0).Format(time.DateOnly)}}, 400, "<code>Valid through</code>"},
	} {
		resp, page := create(c.form, formHeader)
		if resp.StatusCode != c.status || !strings.Contains(page, `id="token-errors"`) || !strings.Contains(page, c.field) || strings.Contains(page, `id="token-secret"`) {
			t.Errorf("create %v: %d, want %d naming %s", c.form, resp.StatusCode, c.status, c.field)
		}
	}

	// Another origin's page (same host, other port) posting the form.
	cross := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html", "Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"}
	if resp, page := create(url.Values{"name": {"evil"}, "role": {"admin"}}, cross); resp.StatusCode != 403 || !strings.Contains(page, "Request refused") {
		t.Errorf("cross-origin create: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "POST", ts.URL+"/tokens/ci-loader/revoke", adminSecret, []byte{}, cross); resp.StatusCode != 403 {
		t.Errorf("cross-origin revoke: %d", resp.StatusCode)
	}
	toks, _ := ts.Store.ListTokens(t.Context())
	for _, tk := range toks {
		if tk.Name == "evil" || tk.Name == "x" || (tk.Name == "ci-loader" && !tk.RevokedAt.IsZero()) {
			t.Errorf("token %s created or revoked by a refused form", tk.Name)
		}
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", ts.URL+"/tokens/ci-loader/revoke", nil)
	req.Header.Set("Authorization", "Bearer "+adminSecret)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tokens?revoked=ci-loader" {
		t.Errorf("revoke: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/lots", secret, nil, nil); resp.StatusCode != 401 {
		t.Errorf("revoked token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := do(t, "POST", ts.URL+"/tokens/ci-loader/revoke", adminSecret, []byte{}, formHeader); resp.StatusCode != 409 {
		t.Errorf("revoke twice: %d, want 409", resp.StatusCode)
	}
	if resp, _ := do(t, "POST", ts.URL+"/tokens/nobody/revoke", adminSecret, []byte{}, formHeader); resp.StatusCode != 404 {
		t.Errorf("revoke unknown: %d, want 404", resp.StatusCode)
	}
}

// TestBrowserTokensPage: in Chromium, an admin signs in, has the
// Tokens link, creates a token, reads its secret once, and revokes it; an
// operator sees no Tokens link.
func TestBrowserTokensPage(t *testing.T) {
	ts := MustServe(t, false, nil)
	p := page{t: t, ctx: browser(t)}
	p.do("sign in as operator",
		chromedp.Navigate(ts.URL+"/login?next=/lots"),
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), operatorSecret),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
		chromedp.WaitVisible(chromedp.CSS("#lots")),
	)
	if n := p.n("#nav-tokens"); n != 0 {
		t.Errorf("an operator sees the Tokens link")
	}
	// Signing in again replaces the session (navigating, not clicking: a
	// click during a navigation may reach a node of the old page).
	p.do("sign in as admin",
		chromedp.Navigate(ts.URL+"/login?next=/tokens"),
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), adminSecret),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
		chromedp.WaitVisible(chromedp.CSS("#token-form")),
	)
	if href := eval[string](p, `document.getElementById("nav-tokens").getAttribute("href")`); href != "/tokens" {
		t.Errorf("an admin's Tokens link goes to %q", href)
	}
	if rows := p.count("#tokens tr[data-token]"); rows != 3 {
		t.Errorf("%d tokens listed, want admin, operator and viewer", rows)
	}
	p.do("create a token",
		chromedp.SendKeys(chromedp.CSS(`#token-form input[name="name"]`), "browser-made"),
		chromedp.SetValue(chromedp.CSS(`#token-form select[name="role"]`), "viewer"),
		chromedp.Submit(chromedp.CSS("#token-form")),
		chromedp.WaitVisible(chromedp.CSS("#token-created")),
	)
	secret := eval[string](p, `document.getElementById("token-secret").value`)
	if !strings.HasPrefix(secret, "cm_") {
		t.Fatalf("secret shown %q", secret)
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/lots", secret, nil, nil); resp.StatusCode != 200 {
		t.Errorf("the token made in the browser does not work: %d", resp.StatusCode)
	}
	p.do("reload the list", chromedp.Navigate(ts.URL+"/tokens"), chromedp.WaitVisible(chromedp.CSS("#token-form")))
	if n := p.n("#token-secret"); n != 0 || strings.Contains(p.text("main"), secret) {
		t.Error("the secret is shown again")
	}
	p.do("revoke it",
		chromedp.Click(chromedp.CSS(`tr[data-token="browser-made"] form.revoke button`)),
		chromedp.WaitVisible(chromedp.CSS("#token-revoked")),
	)
	if st := p.text(`tr[data-token="browser-made"] .token-status`); !strings.HasPrefix(st, "revoked") {
		t.Errorf("status after revoke %q", st)
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/lots", secret, nil, nil); resp.StatusCode != 401 {
		t.Errorf("revoked in the browser, the token still works: %d", resp.StatusCode)
	}
}

// TestTokenFormAllErrorsAtOnce: a token form wrong in every field names
// each one at once, by the form's own labels (Valid through, not the
// API's expires_at; fix15s), whether the date is in the past or not a date.
func TestTokenFormAllErrorsAtOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, exp := range []string{"2000-01-01", "soon"} {
		resp, b := do(t, "POST", ts.URL+"/tokens", adminSecret, []byte(url.Values{"name": {""}, "role": {"boss"}, "expires": {exp}}.Encode()), formHeader)
		page := string(b)
		if resp.StatusCode != 400 {
			t.Errorf("expires %s: status %d, want 400", exp, resp.StatusCode)
		}
		for _, f := range []string{"<code>Name</code>", "<code>Role</code>", "<code>Valid through</code>"} {
			if !strings.Contains(page, f) {
				t.Errorf("expires %s: the page does not name %s", exp, f)
			}
		}
		if strings.Contains(page, "expires_at") {
			t.Errorf("expires %s: the page names expires_at, not the form's field", exp)
		}
	}
}

// TestTokensPageRevokedBannerOnlyForARevokedToken (issue 14, new-user
// recheck): /tokens?revoked=NAME is where a revocation redirects, and
// the page said "Token NAME revoked; its sessions have ended." for any
// NAME — a live token's, or any text — so a link could make an admin
// believe a token was revoked. The banner now follows the list: shown
// for a token the list shows revoked, never otherwise.
func TestTokensPageRevokedBannerOnlyForARevokedToken(t *testing.T) {
	ts := MustServe(t, false, nil)
	page := func(name string) string {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+"/tokens?revoked="+url.QueryEscape(name), adminSecret, nil, map[string]string{"Accept": "text/html"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/tokens?revoked=%s: %d", name, resp.StatusCode)
		}
		return string(b)
	}
	for _, name := range []string{"operator", "no-such-token"} {
		if strings.Contains(page(name), `id="token-revoked"`) {
			t.Errorf("?revoked=%s: the page says a token was revoked, but none by that name is", name)
		}
	}
	if resp, b := do(t, "POST", ts.URL+"/tokens/operator/revoke", adminSecret, nil, formHeader); resp.StatusCode/100 != 2 && resp.StatusCode/100 != 3 {
		t.Fatalf("revoke: %d %s", resp.StatusCode, b)
	}
	if p := page("OPERATOR"); !strings.Contains(p, `id="token-revoked">Token operator revoked`) {
		t.Errorf("after the revocation the banner is missing or misnamed:\n%s", p)
	}
}
