package http_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
)

func TestLocalPath(t *testing.T) {
	t.Parallel()
	for next, want := range map[string]string{
		"/lots?commodity=antimony": "/lots?commodity=antimony",
		"/":                        "/",
		"":                         "/",
		"//evil.example/x":         "/",
		"/\\evil.example/x":        "/", // browsers read \ as /
		"/\t/evil.example/x":       "/", // browsers drop tabs: //evil.example
		"/\n/evil.example":         "/",
		"/ /evil.example":          "/", // nu14: a raw space went into Location
		"/\u00a0/evil.example":     "/",
		"https://evil.example/":    "/",
		"evil.example":             "/",
		"/%5Cevil.example":         "/%5Cevil.example", // an encoded backslash stays a path on this site
		"/lots/urn:x:y":            "/lots/urn:x:y",
	} {
		if got := critminhttp.LocalPath(next); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, true, nil)
	for _, path := range []string{"/api/v1/lots", "/healthz", "/epcis/events"} {
		resp, _ := do(t, "GET", ts.URL+path, "", nil, nil)
		h := resp.Header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
}

func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		resp, b := do(t, "GET", ts.URL+"/api/v1/lots", "", nil, map[string]string{"Authorization": scheme + " " + viewerSecret})
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", scheme, resp.StatusCode, b)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots", "", nil, map[string]string{"Authorization": "Basic " + viewerSecret})
	mustProblem(t, resp, b, 401)
}

// TestCrossOriginWritesRefused sends what a page on another port of the
// same host makes a browser send: the token's session cookie comes along,
// Sec-Fetch-Site says same-site (not same-origin). Nothing may be stored.
func TestCrossOriginWritesRefused(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	doc, err := os.ReadFile("../demo/corridor/01-pakistan-mines-to-ports.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	for _, hdr := range []map[string]string{
		{"Sec-Fetch-Site": "same-site", "Content-Type": "application/ld+json"},
		{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/ld+json"},
		{"Origin": "http://127.0.0.1:1", "Content-Type": "application/ld+json"},
	} {
		resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc, hdr)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%v: status %d %s", hdr, resp.StatusCode, b)
		}
	}
	if n, _ := ts.Store.CountEvents(context.Background()); n != 0 {
		t.Fatalf("a refused cross-origin capture stored %d events", n)
	}
	// The same request from the same origin, or from a non-browser
	// client with a bearer token, goes through.
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("same-origin capture: %d %s", resp.StatusCode, b)
	}
	// A text/plain body (which a cross-site form can send without a
	// preflight) is refused by the JSON API.
	resp, b = do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"]}`), map[string]string{"Content-Type": "text/plain"})
	if p := mustProblem(t, resp, b, 415); p.Errors[0].Pointer != "Content-Type" {
		t.Errorf("text/plain plan: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"]} trailing`), jsonCT)
	if p := mustProblem(t, resp, b, 400); !strings.Contains(p.Errors[0].Reason, "trailing") {
		t.Errorf("trailing data: %s", b)
	}
}

func TestQueryParametersNeverDroppedOrNonFinite(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, true, nil)
	cases := map[string]string{
		"/epcis/events?GE_quantity=NaN":                                "GE_quantity",
		"/epcis/events?LT_quantity=1e999":                              "LT_quantity",
		"/epcis/events?EQ_bizStep=shipping;x=1":                        "EQ_bizStep",
		"/api/v1/risk/corridor?commodity=antimony&tonnes=NaN":          "tonnes",
		"/epcis/events?EQ_eventID=" + strings.Repeat("a|", 1000) + "a": "EQ_eventID",
	}
	for path, param := range cases {
		resp, b := do(t, "GET", ts.URL+path, "", nil, nil)
		p := mustProblem(t, resp, b, 400)
		found := false
		for _, e := range p.Errors {
			found = found || e.Pointer == param
		}
		if !found {
			t.Errorf("%.80s: errors %+v do not name %s", path, p.Errors, param)
		}
	}
}

// TestBodyLimits: a large body on a non-capture route is cut off at the
// route's limit instead of being read whole.
func TestBodyLimits(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	big := []byte(`{"years": [` + strings.Repeat("1,", critminhttp.MaxJSONBody) + `1]}`)
	resp, b := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", viewerSecret, big, jsonCT)
	mustProblem(t, resp, b, 413)
	form := url.Values{"token": {strings.Repeat("x", 3*critminhttp.MaxFormBody)}}.Encode()
	resp, _ = do(t, "POST", ts.URL+"/login", "", []byte(form), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode == 200 || resp.StatusCode >= 500 {
		t.Errorf("oversized sign-in: %d", resp.StatusCode)
	}
}

// TestClientDisconnectIsNotAServerError calls a store-backed route with a
// request whose client has gone: recorded as 499, not 500.
func TestClientDisconnectIsNotAServerError(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, true, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/api/v1/lots", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	if rec.Code >= 500 && rec.Code != critminhttp.StatusClientClosedRequest {
		t.Errorf("status %d for a request whose client went away", rec.Code)
	}
}

// TestTokenLifecycle creates a token with an expiry through the API,
// lists it without its secret, revokes it, and checks that expired and
// revoked tokens no longer authenticate.
func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	resp, b := do(t, "POST", ts.URL+"/api/v1/tokens", operatorSecret, []byte(`{"name": "x", "role": "viewer"}`), jsonCT)
	mustProblem(t, resp, b, 403)
	resp, b = do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, []byte(`{"name": "", "role": "boss", "expires_in": "-1h"}`), jsonCT)
	if p := mustProblem(t, resp, b, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != "/expires_in" {
		t.Errorf("bad expiry: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, []byte(`{"name": "", "role": "boss"}`), jsonCT)
	if p := mustProblem(t, resp, b, 400); len(p.Errors) != 2 {
		t.Errorf("bad name and role: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, []byte(`{"name": "port-karachi", "role": "operator", "expires_in": "720h"}`), jsonCT)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	var created struct {
		Secret string                `json:"secret"`
		Token  critminhttp.TokenView `json:"token"`
	}
	if err := json.Unmarshal(b, &created); err != nil || !strings.HasPrefix(created.Secret, "cm_") || created.Token.ExpiresAt == nil {
		t.Fatalf("create answer: %v %s", err, b)
	}
	if d := time.Until(*created.Token.ExpiresAt); d < 719*time.Hour || d > 721*time.Hour {
		t.Errorf("expiry %v from now, want 720h", d)
	}
	if resp, b := do(t, "GET", ts.URL+"/api/v1/lots", created.Secret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("new token: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/tokens", adminSecret, nil, nil)
	if resp.StatusCode != 200 || strings.Contains(string(b), created.Secret) || strings.Contains(string(b), critmin.HashToken(created.Secret)) || !strings.Contains(string(b), `"last_used"`) {
		t.Errorf("list: %s", b)
	}
	resp, b = do(t, "DELETE", ts.URL+"/api/v1/tokens/port-karachi", adminSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"status": "revoked"`) {
		t.Fatalf("revoke: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots", created.Secret, nil, nil)
	if p := mustProblem(t, resp, b, 401); !strings.Contains(p.Detail, "revoked") {
		t.Errorf("revoked token: %s", b)
	}
	resp, b = do(t, "DELETE", ts.URL+"/api/v1/tokens/port-karachi", adminSecret, nil, nil)
	mustProblem(t, resp, b, 409)
	resp, b = do(t, "DELETE", ts.URL+"/api/v1/tokens/nobody", adminSecret, nil, nil)
	mustProblem(t, resp, b, 404)
	// An expired token: stored with an expiry in the past.
	past := &critmin.Token{Name: "old", Role: critmin.RoleViewer, Hash: critmin.HashToken("old-secret"), CreatedAt: time.Now().Add(-48 * time.Hour), ExpiresAt: time.Now().Add(-time.Hour)}
	if err := ts.Store.CreateToken(context.Background(), past); err != nil {
		t.Fatal(err)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots", "old-secret", nil, nil)
	if p := mustProblem(t, resp, b, 401); !strings.Contains(p.Detail, "expired") {
		t.Errorf("expired token: %s", b)
	}
}

// TestExpensiveRoutesAreRateLimited: a caller may start ExpensiveBurst
// stockpile runs at once; the next is 429 with Retry-After, while another
// caller is not affected; a cancelled run stops.
func TestExpensiveRoutesAreRateLimited(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	body := []byte(`{"commodity": "antimony", "start_year": 2026, "years": 2, "demand": [{"name": "x", "tonnes": {"value": 100}, "growth": {"value": 0}}], "import_loss": {"value": 0.5}, "disrupted_years": 1, "draws": 1}`)
	for i := 0; i < critminhttp.ExpensiveBurst; i++ {
		if resp, b := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", viewerSecret, body, jsonCT); resp.StatusCode != 200 {
			t.Fatalf("run %d: %d %s", i+1, resp.StatusCode, b)
		}
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", viewerSecret, body, jsonCT)
	mustProblem(t, resp, b, 429)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", operatorSecret, body, jsonCT); resp.StatusCode != 200 {
		t.Errorf("another token: %d %s", resp.StatusCode, b)
	}
}

// TestScenarioByIDAndCloseAreRateLimited: GET …/scenarios/{id} runs the
// same computation as POST …/scenarios/run and is limited like it; a
// period close (a reconciliation) is limited on the API and the form.
func TestScenarioByIDAndCloseAreRateLimited(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	url := ts.URL + "/api/v1/risk/scenarios/cn-us-ban-ga-ge-sb-2024?commodity=antimony&from=2025&to=2025"
	for i := 0; i < critminhttp.ExpensiveBurst; i++ {
		if resp, b := do(t, "GET", url, viewerSecret, nil, nil); resp.StatusCode != 200 {
			t.Fatalf("run %d: %d %s", i+1, resp.StatusCode, b)
		}
	}
	resp, b := do(t, "GET", url, viewerSecret, nil, nil)
	mustProblem(t, resp, b, 429)
	// Closes refused for their body still take from the allowance: the
	// limit is taken before the work.
	for i := 0; i < critminhttp.ExpensiveBurst; i++ {
		if resp, _ := do(t, "POST", ts.URL+"/api/v1/refinery/close", operatorSecret, []byte(`{}`), jsonCT); resp.StatusCode == 429 {
			t.Fatalf("close %d: 429 within the burst", i+1)
		}
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/refinery/close", operatorSecret, []byte(`{}`), jsonCT)
	mustProblem(t, resp, b, 429)
}

// brokenBody yields part of a document, then fails with err: a client
// that vanished mid-upload (io.ErrUnexpectedEOF) or one that sent too
// slowly for the server's read timeout (a net.Error that timed out).
type brokenBody struct {
	data []byte
	err  error
}

func (b *brokenBody) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		return 0, b.err
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// TestBrokenBodyStatus: a body that cannot be read is answered for what
// happened to it, not as bad input or a wrong token: a capture upload or
// JSON request whose client went away is 499 (logged at info), one that
// trickled past the read timeout is 408.
func TestBrokenBodyStatus(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	doc := []byte(`{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[`)
	cases := []struct {
		name, path, ct, secret string
		body                   []byte
		err                    error
		want                   int
	}{
		{"capture, client gone", "/epcis/capture", "application/json", operatorSecret, doc, io.ErrUnexpectedEOF, critminhttp.StatusClientClosedRequest},
		{"capture, too slow", "/epcis/capture", "application/json", operatorSecret, doc, timeoutErr{}, http.StatusRequestTimeout},
		{"token, client gone", "/api/v1/tokens", "application/json", adminSecret, []byte(`{"name":`), io.ErrUnexpectedEOF, critminhttp.StatusClientClosedRequest},
		{"plan, too slow", "/api/v1/plans", "application/json", operatorSecret, []byte(`{"scen`), timeoutErr{}, http.StatusRequestTimeout},
	}
	for _, c := range cases {
		req := httptest.NewRequest("POST", c.path, &brokenBody{data: c.body, err: c.err})
		req.Header.Set("Content-Type", c.ct)
		if c.secret != "" {
			req.Header.Set("Authorization", "Bearer "+c.secret)
		}
		rec := httptest.NewRecorder()
		ts.Handler().ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, rec.Code, c.want, rec.Body)
		}
	}
}

// TestJSONDecodeErrorsNamePointer: a JSON body's decode errors name the
// field by its JSON pointer (RFC 6901), on the routes that decode request
// objects: an unknown field and a value of the wrong kind.
func TestJSONDecodeErrorsNamePointer(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for _, c := range []struct{ path, secret, body, ptr string }{
		{"/api/v1/plans", operatorSecret, `{"bogus": 1}`, "/bogus"},
		{"/api/v1/risk/stockpile", viewerSecret, `{"seed": -1}`, "/seed"},
		{"/api/v1/risk/stockpile", viewerSecret, `{"bogus": 1}`, "/bogus"},
		{"/api/v1/tokens", adminSecret, `{"name": "x", "role": "viewer", "bogus": true}`, "/bogus"},
	} {
		resp, b := do(t, "POST", ts.URL+c.path, c.secret, []byte(c.body), jsonCT)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != c.ptr || !strings.Contains(p.Detail, c.ptr) {
			t.Errorf("%s %s: %s; want the pointer %s", c.path, c.body, b, c.ptr)
		}
	}
}

// TestCaptureTrailingData: data after a capture document's JSON value is
// refused with a message that says so.
func TestCaptureTrailingData(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[]}}`
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc+` {"more": 1}`), jsonCT)
	p := mustProblem(t, resp, b, 400)
	if !strings.Contains(p.Detail, "data after the end of the document (at byte") || len(p.Errors) != 1 || p.Errors[0].Pointer != "body" {
		t.Errorf("trailing data: %s; want a message saying data follows the document", b)
	}
}

// TestBodyNumberOutOfRange: a JSON number too large for its field says
// it is out of range (it said "must be a number, not a JSON number
// 1e400"); a fraction for a whole number says so.
func TestBodyNumberOutOfRange(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for body, want := range map[string]string{
		`{"commodity": "antimony", "draws": 1e400}`: "1e400 is out of range",
		`{"commodity": "antimony", "draws": 1.5}`:   "not 1.5",
	} {
		resp, b := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", viewerSecret, []byte(body), jsonCT)
		if p := mustProblem(t, resp, b, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != "/draws" || !strings.Contains(p.Errors[0].Reason, want) {
			t.Errorf("%s: %s; want /draws …%s…", body, b, want)
		}
	}
}

// TestExplicitZeroQueryParamsRefused: a parameter given as 0 where 0 is
// not a valid value is a 400 naming it, not silently replaced by the
// default that leaving it out gives (nu14 item 5's class: trace depth=0
// became 50, first_year=0 the year after base_year).
func TestExplicitZeroQueryParamsRefused(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for path, name := range map[string]string{
		"/api/v1/lots/urn:critmin:demo:lot:x/trace?depth=0":                                "depth",
		"/api/v1/risk/corridor?commodity=antimony&base_year=2023&tonnes=1000&first_year=0": "first_year",
	} {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, nil)
		if p := mustProblem(t, resp, b, 400); len(p.Errors) == 0 || p.Errors[0].Pointer != name {
			t.Errorf("%s: %s; want a 400 naming %s", path, b, name)
		}
	}
}

// TestRevocationListIsRateLimited (issue 14, fix14c item 6): GET
// /api/v1/certificates/revocations is public and checks every standing
// certificate for supersession, a cost that grows with the certificates
// issued; anonymous callers are limited per address like the other
// expensive routes: ExpensiveBurst lists, then 429 with Retry-After.
func TestRevocationListIsRateLimited(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for i := 0; i < critminhttp.ExpensiveBurst; i++ {
		if resp, b := do(t, "GET", ts.URL+"/api/v1/certificates/revocations", "", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("list %d: %d %s", i+1, resp.StatusCode, b)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/certificates/revocations", "", nil, nil)
	mustProblem(t, resp, b, 429)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}
