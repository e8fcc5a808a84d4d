package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
)

// routeAccess is the access every route must have. A route registered
// without an entry here fails TestAccessMatrix, so nobody adds a route
// without deciding who may call it.
var routeAccess = map[string]string{
	"GET /healthz": "public", "GET /readyz": "public", "GET /metrics": "public",
	"GET /schemas/mineral-v1.json": "public", "GET /api/v1/openapi.json": "public",
	"GET /api/v1/signing-key": "public", "OPTIONS /epcis/capture": "public",
	"GET /login": "public", "POST /login": "public", "POST /logout": "public",

	"GET /api/v1/lots": "read", "GET /api/v1/lots/{id}": "read", "GET /api/v1/lots/{id}/certificate": "read", "POST /api/v1/lots/{id}/certificate": "write",
	"GET /api/v1/lots/{id}/events": "read", "GET /api/v1/lots/{id}/origin": "read", "GET /api/v1/lots/{id}/rules": "read",
	"GET /api/v1/lots/{id}/trace": "read", "GET /api/v1/parties": "read", "GET /api/v1/sites": "read", "GET /api/v1/transit": "read",
	"GET /api/v1/plans": "read", "GET /api/v1/plans/network": "read", "GET /api/v1/plans/{id}": "read", "GET /api/v1/plans/{id}/log": "read",
	"GET /api/v1/risk/concentration": "read", "GET /api/v1/risk/corridor": "read", "GET /api/v1/risk/datasets": "read",
	"GET /api/v1/risk/exposure": "read", "GET /api/v1/risk/scenarios": "read", "GET /api/v1/risk/scenarios/{id}": "read",
	"GET /api/v1/risk/series": "read", "GET /api/v1/risk/stockpile/example": "read",
	"GET /api/v1/sites/{id}/mass-balance": "read", "GET /api/v1/sites/{id}/mass-balance/statement": "read", "GET /sites/{id}/mass-balance": "read",
	"POST /api/v1/certificates/status": "read",
	"POST /api/v1/risk/corridor":       "read", "POST /api/v1/risk/scenarios/run": "read", "POST /api/v1/risk/stockpile": "read",
	"GET /epcis/bizLocations": "read", "GET /epcis/bizLocations/{value}/events": "read", "GET /epcis/bizSteps": "read",
	"GET /epcis/bizSteps/{value}/events": "read", "GET /epcis/capture": "read", "GET /epcis/capture/{captureID}": "read",
	"GET /epcis/dispositions": "read", "GET /epcis/dispositions/{value}/events": "read", "GET /epcis/epcs": "read",
	"GET /epcis/epcs/{value}/events": "read", "GET /epcis/eventTypes": "read", "GET /epcis/eventTypes/{value}/events": "read",
	"GET /epcis/events": "read", "GET /epcis/events/{eventID}": "read", "GET /epcis/readPoints": "read",
	"GET /epcis/readPoints/{value}/events": "read",
	// EPCIS discovery (OPTIONS, issue 11) is public, like the binding's.
	"OPTIONS /epcis": "public", "OPTIONS /epcis/capture/{captureID}": "public", "OPTIONS /epcis/events": "public",
	"OPTIONS /epcis/events/{eventID}": "public", "OPTIONS /epcis/eventTypes": "public", "OPTIONS /epcis/eventTypes/{value}/events": "public",
	"OPTIONS /epcis/bizSteps": "public", "OPTIONS /epcis/bizSteps/{value}/events": "public", "OPTIONS /epcis/bizLocations": "public",
	"OPTIONS /epcis/bizLocations/{value}/events": "public", "OPTIONS /epcis/readPoints": "public", "OPTIONS /epcis/readPoints/{value}/events": "public",
	"OPTIONS /epcis/dispositions": "public", "OPTIONS /epcis/dispositions/{value}/events": "public", "OPTIONS /epcis/epcs": "public",
	"OPTIONS /epcis/epcs/{value}/events": "public",
	// The binding's discovery resources (http/epcis_resources.go).
	"GET /epcis": "read", "GET /epcis/{$}": "read", "OPTIONS /epcis/{$}": "public",
	"GET /epcis/eventTypes/{value}": "read", "GET /epcis/epcs/{value}": "read", "GET /epcis/bizSteps/{value}": "read",
	"GET /epcis/bizLocations/{value}": "read", "GET /epcis/readPoints/{value}": "read", "GET /epcis/dispositions/{value}": "read",
	"OPTIONS /epcis/eventTypes/{value}": "public", "OPTIONS /epcis/epcs/{value}": "public", "OPTIONS /epcis/bizSteps/{value}": "public",
	"OPTIONS /epcis/bizLocations/{value}": "public", "OPTIONS /epcis/readPoints/{value}": "public", "OPTIONS /epcis/dispositions/{value}": "public",
	"DELETE /epcis/nextPageToken/{token}": "read", "OPTIONS /epcis/nextPageToken/{token}": "public",
	// Named queries and subscriptions (REST binding /queries).
	"GET /epcis/queries": "read", "GET /epcis/queries/{queryName}": "read", "GET /epcis/queries/{queryName}/events": "read",
	"GET /epcis/queries/{queryName}/subscriptions": "read", "GET /epcis/queries/{queryName}/subscriptions/{subscriptionID}": "read",
	"POST /epcis/queries": "write", "DELETE /epcis/queries/{queryName}": "write",
	"POST /epcis/queries/{queryName}/subscriptions": "write", "DELETE /epcis/queries/{queryName}/subscriptions/{subscriptionID}": "write",
	"OPTIONS /epcis/queries": "public", "OPTIONS /epcis/queries/{queryName}": "public", "OPTIONS /epcis/queries/{queryName}/events": "public",
	"OPTIONS /epcis/queries/{queryName}/subscriptions": "public", "OPTIONS /epcis/queries/{queryName}/subscriptions/{subscriptionID}": "public",
	"GET /subscriptions": "read",
	"GET /{$}":           "read", "GET /lots": "read", "GET /lots/{id}": "read", "GET /lots/{id}/certificate": "read", "POST /lots/{id}/certificate": "write", "GET /certificates/{cid}": "read", "GET /events": "read",
	"GET /events/{id}": "read", "POST /events/{id}/declare": "write", "GET /shipments/{id}": "read", "GET /shipments": "read", "GET /shipments/{$}": "read", "GET /web/world.geo.json": "public",
	"GET /capture": "read", "GET /capture/{captureID}": "read", "GET /plans": "read", "GET /plans/{id}": "read", "GET /risk": "read",

	"POST /epcis/capture": "write", "POST /epcis/events": "write", "POST /capture": "write",
	"POST /api/v1/plans": "write", "DELETE /api/v1/plans/{id}": "write", "POST /plans": "write",
	"PUT /api/v1/sites/{id}/mass-balance": "write",
	// Operator forms and the CSV import (issue 15): viewers do not see them.
	"GET /record": "write", "GET /record/{form}": "write", "POST /record/{form}": "write",
	"GET /import": "write", "POST /import": "write",

	"GET /api/v1/tokens": "admin", "POST /api/v1/tokens": "admin", "DELETE /api/v1/tokens/{name}": "admin",
	"GET /tokens": "admin", "POST /tokens": "admin", "POST /tokens/{name}/revoke": "admin",
	"GET /api/v1/trade/schema":    "public",
	"GET /api/v1/trade/contracts": "read", "GET /api/v1/trade/contracts/{id}": "read", "GET /api/v1/trade/prices": "read",
	"GET /api/v1/trade/prices/{id}": "read", "GET /api/v1/trade/settlement": "read", "GET /api/v1/trade/invoices": "read",
	"GET /api/v1/trade/invoices/{id}": "read", "GET /api/v1/trade/agreements": "read", "GET /api/v1/trade/agreements/{id}": "read",
	"GET /api/v1/trade/nsr": "read", "GET /api/v1/trade/exposure": "read",
	"POST /api/v1/trade/contracts": "write", "POST /api/v1/trade/prices": "write", "POST /api/v1/trade/assays": "write",
	"POST /api/v1/trade/declarations": "write", "POST /api/v1/trade/invoices": "write", "POST /api/v1/trade/payments": "write", "POST /api/v1/trade/notes": "write", "GET /api/v1/trade/notes": "read",
	"GET /trade": "read", "GET /trade/contracts": "read", "GET /trade/contracts/{id}": "read", "GET /trade/settlement": "read", "GET /trade/invoices/{id}": "read",
	"GET /trade/invoices": "read", "GET /trade/agreement": "read", "GET /trade/exposure": "read", "GET /trade/nsr": "read", "POST /trade/invoices": "write", "POST /trade/notes": "write", "GET /trade/notes/{id}": "read", "POST /trade/payments": "write",

	"GET /api/v1/refinery/demo": "read", "GET /api/v1/refinery/report": "read", "GET /api/v1/refinery/periods": "read",
	"GET /api/v1/refinery/recoveries": "read", "GET /refinery": "read", "POST /refinery/close": "write",
	// Reconciling a posted problem stores nothing: any reader may, as any
	// reader may run the stockpile Monte Carlo — both bounded (refinery
	// MaxSize, MaxLinearisationFlops, MaxWorkFlops; stockpile draws) and
	// rate-limited per token (http.expensiveRoutes,
	// TestViewerReconcileRateLimited).
	"POST /api/v1/refinery/reconcile": "read", "POST /api/v1/refinery/report": "read",
	"POST /api/v1/refinery/close": "write", "POST /api/v1/refinery/reopen": "write",

	// The verifiable log and the certificate registry (docs/verify.md).
	"GET /api/v1/log/checkpoint": "public", "GET /api/v1/log/proof/consistency": "public", "GET /api/v1/log/proof/inclusion": "read",
	"GET /api/v1/certificates/revocations": "public", "POST /api/v1/certificates/verify": "public",
	"GET /api/v1/certificates/{cid}": "read", "GET /api/v1/certificates/{cid}/status": "public",
	"POST /api/v1/certificates/{cid}/revoke": "admin",
}

var accessLevels = map[string]int{"public": critminhttp.AccessPublic, "read": critminhttp.AccessRead, "write": critminhttp.AccessWrite, "admin": critminhttp.AccessAdmin}

// TestAccessMatrix walks every registered route with no token, an
// unknown token, and the viewer, operator and admin tokens, on a server
// without public reads, and checks who is let through: a refusal is 401
// (no or bad credentials) or 403 (role too weak); anything else means the
// request reached its handler. Requests carry a malformed body so that
// handlers that are reached refuse it without doing work.
func TestAccessMatrix(t *testing.T) {
	ts := MustServe(t, false, nil)
	got := ts.RouteAccess()
	for pattern, level := range got {
		name, ok := routeAccess[pattern]
		if !ok {
			t.Errorf("route %q has no entry in routeAccess: decide who may call it", pattern)
			continue
		}
		if accessLevels[name] != level {
			t.Errorf("route %q is registered with access %d, want %s", pattern, level, name)
		}
	}
	for pattern := range routeAccess {
		if _, ok := got[pattern]; !ok {
			t.Errorf("routeAccess lists %q, which is not registered", pattern)
		}
	}
	callers := []struct{ who, auth string }{
		{"none", ""}, {"bad", "Bearer not-a-token"},
		{"viewer", "Bearer " + viewerSecret}, {"operator", "Bearer " + operatorSecret}, {"admin", "Bearer " + adminSecret},
	}
	for pattern, level := range routeAccess {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.NewReplacer("{$}", "", "{id}", "x", "{name}", "nobody", "{eventID}", "x", "{captureID}", "x", "{value}", "x", "{cid}", "x", "{queryName}", "x", "{subscriptionID}", "x", "{form}", "commission").Replace(path)
		for _, c := range callers {
			hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
			if c.auth != "" {
				hdr["Authorization"] = c.auth
			}
			var body []byte
			if method != "GET" && method != "OPTIONS" {
				body = []byte("a=%ZZ")
			}
			resp, b := send(t, method, ts.URL+path, body, hdr)
			// The guard refuses with problem+json; a public handler may
			// answer 401 itself (a sign-in with a wrong token), as a page.
			refused := (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) &&
				strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json")
			want := wantRefusal(level, c.who)
			if refused != (want != 0) || (want != 0 && resp.StatusCode != want) {
				t.Errorf("%s as %s: status %d, want %s (%.120s)", pattern, c.who, resp.StatusCode, describe(want), b)
			}
		}
	}
}

// wantRefusal is the status a caller must get (0: let through).
func wantRefusal(level, who string) int {
	if level == "public" {
		return 0
	}
	switch who {
	case "none", "bad":
		return http.StatusUnauthorized
	case "viewer":
		if level == "write" || level == "admin" {
			return http.StatusForbidden
		}
	case "operator":
		if level == "admin" {
			return http.StatusForbidden
		}
	}
	return 0
}

func describe(status int) string {
	if status == 0 {
		return "the handler (not 401/403)"
	}
	return http.StatusText(status)
}

// send makes one request without following redirects.
func send(tb testing.TB, method, url string, body []byte, headers map[string]string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
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

// TestViewerSeesNoFormItCannotSubmit walks every page a viewer may read
// (the GET routes of routeAccess outside /api, /epcis and /static), with
// the demo corridor loaded, and checks that none shows a state-changing
// form other than signing out: a viewer's POST would be refused (403),
// so the form must not be offered. Operators do see the capture and plan
// forms.
func TestViewerSeesNoFormItCannotSubmit(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	formRE := regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]*)"`)
	pages := 0
	for pattern, level := range routeAccess {
		method, path, _ := strings.Cut(pattern, " ")
		if method != "GET" || level != "read" || strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/epcis") || strings.HasPrefix(path, "/static") {
			continue
		}
		path = strings.NewReplacer("{$}", "", "{id}", "x", "{captureID}", "x", "{cid}", "x").Replace(path)
		resp, b := send(t, "GET", ts.URL+path, nil, map[string]string{"Authorization": "Bearer " + viewerSecret, "Accept": "text/html"})
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		pages++
		for _, m := range formRE.FindAllStringSubmatch(string(b), -1) {
			if m[1] != "/logout" {
				t.Errorf("GET %s shows a viewer a form posting to %s", path, m[1])
			}
		}
	}
	if pages < 10 {
		t.Errorf("only %d HTML pages walked", pages)
	}
	for _, path := range []string{"/capture", "/plans"} {
		_, b := send(t, "GET", ts.URL+path, nil, map[string]string{"Authorization": "Bearer " + operatorSecret, "Accept": "text/html"})
		if !formRE.MatchString(strings.ReplaceAll(string(b), `action="/logout"`, "")) {
			t.Errorf("an operator sees no form on %s", path)
		}
	}
}

// TestRefusedFormPostIsReadable: a browser's form post that the guard
// refuses for want of a role (a viewer, an operator on an admin form:
// 403) gets a readable HTML page with the reason and a way on, not raw
// problem+json; API clients still get problem+json.
func TestRefusedFormPostIsReadable(t *testing.T) {
	ts := MustServe(t, false, nil)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html,application/xhtml+xml"}
	for _, c := range []struct {
		path, auth string
		status     int
		want       string
	}{
		{"/plans", "Bearer " + viewerSecret, 403, "may only read"},
		{"/capture", "Bearer " + viewerSecret, 403, "may only read"},
		{"/record/commission", "Bearer " + viewerSecret, 403, "may only read"},
		{"/tokens", "Bearer " + operatorSecret, 403, "needs an admin"},
	} {
		hdr := map[string]string{"Authorization": c.auth}
		for k, v := range form {
			hdr[k] = v
		}
		resp, b := send(t, "POST", ts.URL+c.path, []byte("scenario=baseline"), hdr)
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), c.want) || !strings.Contains(string(b), "Nothing was changed") {
			t.Errorf("POST %s (%s): %d %s\n%s", c.path, c.auth, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
	resp, _ := send(t, "POST", ts.URL+"/api/v1/plans", []byte(`{}`), map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + viewerSecret})
	if resp.StatusCode != 403 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("API client refused: %d %s; want 403 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestSignedOutBrowserIsSentToSignIn: a browser that is not signed in,
// opening an operator page or posting one of its forms, is redirected
// (303) to the sign-in page with the page to come back to — the page for
// a GET, the form's page (its Referer) for a post, never another site —
// and signing in lands it there. API clients (under /api/ or /epcis/, or
// asking for JSON) keep 401 problem+json, whatever else they accept.
func TestSignedOutBrowserIsSentToSignIn(t *testing.T) {
	ts := MustServe(t, false, nil)
	page := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, c := range []struct {
		method, path string
		hdr          map[string]string
		next         string // "" means 401 problem+json
	}{
		{"GET", "/record/commission", map[string]string{"Accept": page}, "/record/commission"},
		{"GET", "/import?source=karachi", map[string]string{"Accept": page}, "/import?source=karachi"},
		{"GET", "/record", map[string]string{"Sec-Fetch-Mode": "navigate"}, "/record"},
		{"POST", "/record/commission", map[string]string{"Accept": page, "Referer": ts.URL + "/record/commission?x=1"}, "/record/commission?x=1"},
		{"POST", "/import", map[string]string{"Accept": page}, "/import"},
		{"POST", "/plans", map[string]string{"Accept": page, "Referer": "https://evil.example/plans"}, "/plans"},
		{"POST", "/capture", map[string]string{"Accept": page, "Referer": ts.URL + "/capture", "Authorization": "Bearer not-a-token"}, "/capture"},
		{"GET", "/record", map[string]string{"Accept": "application/json"}, ""},
		{"POST", "/record/commission", map[string]string{}, ""},
		{"GET", "/api/v1/lots", map[string]string{"Accept": page}, ""},
		{"GET", "/epcis/events", map[string]string{"Accept": page}, ""},
		{"POST", "/epcis/capture", map[string]string{"Accept": page}, ""},
	} {
		c.hdr["Content-Type"] = "application/x-www-form-urlencoded"
		var body []byte
		if c.method == "POST" {
			body = []byte("lot=x")
		}
		resp, b := send(t, c.method, ts.URL+c.path, body, c.hdr)
		if c.next == "" {
			if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s %s %v: %d %s; want 401 problem+json\n%s", c.method, c.path, c.hdr, resp.StatusCode, resp.Header.Get("Content-Type"), b)
			}
			continue
		}
		if want := "/login?next=" + url.QueryEscape(c.next); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("%s %s %v: %d to %q; want 303 to %q", c.method, c.path, c.hdr, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	// Signing in on that page lands back on the form.
	resp, b := send(t, "GET", ts.URL+"/login?next="+url.QueryEscape("/record/commission"), nil, map[string]string{"Accept": page})
	if !strings.Contains(string(b), `name="next" value="/record/commission"`) {
		t.Fatalf("sign-in page keeps no return path: %d\n%s", resp.StatusCode, b)
	}
	v := url.Values{"token": {operatorSecret}, "next": {"/record/commission"}}
	resp, _ = send(t, "POST", ts.URL+"/login", []byte(v.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": page})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/record/commission" {
		t.Errorf("sign-in: %d to %q; want 303 to /record/commission", resp.StatusCode, resp.Header.Get("Location"))
	}
}
