package http_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
)

// TestIntegerParametersReadAsNumbers (fix14o item 3): whole-number
// parameters follow the one number text rule of forms, CSV cells and
// parameters (critmin.NumberText, docs/security.md): space around the
// number is dropped and a true minus (U+2212) is a minus. Before, limit=
// %205 was "is not an integer" while GE_quantity=%201%20 was read as 1.
func TestIntegerParametersReadAsNumbers(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, path := range []string{
		"/api/v1/lots?limit=%205%20",
		"/api/v1/lots?limit=5&offset=%200",
		"/api/v1/tokens?limit=%205",
		"/api/v1/trade/contracts?limit=%205",
		"/epcis/events?perPage=%205%20",
		"/epcis/capture?perPage=%205",
		"/epcis/events?eventCountLimit=%205&orderBy=eventTime",
		"/api/v1/risk/concentration?commodity=antimony&year=%202024%20",
	} {
		if resp, b := do(t, "GET", ts.URL+path, adminSecret, nil, nil); resp.StatusCode != 200 {
			t.Errorf("GET %s: %d %.300s; want 200", path, resp.StatusCode, b)
		}
	}
	// A true minus is a minus: offset −1 is out of range (below the
	// minimum of 0, fix14q's wording), not "not an integer".
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots?offset=%E2%88%921", adminSecret, nil, nil)
	p := mustProblem(t, resp, b, 400)
	if !strings.Contains(string(b), "below the minimum of 0") || strings.Contains(string(b), "not a whole number") {
		t.Errorf("offset=−1: %+v; want below the minimum of 0", p)
	}
}

// TestInvalidParameterReportedOnce (fix14o item 4): a parameter given
// but invalid gets one error, its own reason, not also "required".
func TestInvalidParameterReportedOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, path := range []string{
		"/api/v1/risk/concentration?commodity=antimony&year=NaN",
		"/api/v1/risk/concentration?commodity=antimony&year=",
		"/api/v1/lots?limit=NaN",
	} {
		resp, b := do(t, "GET", ts.URL+path, adminSecret, nil, nil)
		p := mustProblem(t, resp, b, 400)
		seen := map[string]int{}
		for _, e := range p.Errors {
			seen[e.Pointer]++
		}
		for ptr, n := range seen {
			if n != 1 {
				raw, _ := json.Marshal(p.Errors)
				t.Errorf("GET %s: %d errors for %s: %s; want one", path, n, ptr, raw)
			}
		}
	}
}

// TestEPCISQueryParameterFaultsTyped (fix14o item 5): every fault of a
// query parameter on /epcis is EPCIS 2.0's QueryParameterException
// (§8.2.7, the REST binding's 400 of the query endpoints): a parameter
// given twice was a ValidationException, as was a bad perPage of the
// capture-job list.
func TestEPCISQueryParameterFaultsTyped(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, path := range []string{
		"/epcis/events?perPage=1&perPage=2",
		"/epcis/events?zz=1",
		"/epcis/capture?perPage=x",
		"/epcis/capture?perPage=1&perPage=1",
		"/epcis/eventTypes?perPage=0",
		"/epcis/queries?perPage=x",
	} {
		resp, b := do(t, "GET", ts.URL+path, adminSecret, nil, nil)
		p := mustProblem(t, resp, b, 400)
		if p.Type != "epcisException:QueryParameterException" {
			t.Errorf("GET %s: type %q; want epcisException:QueryParameterException", path, p.Type)
		}
	}
	// Elsewhere a parameter given twice stays a plain 400.
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots?limit=1&limit=2", adminSecret, nil, nil)
	if p := mustProblem(t, resp, b, 400); p.Type != "about:blank" {
		t.Errorf("/api/v1/lots repeated limit: type %q; want about:blank", p.Type)
	}
}

// TestExpiryMessagesSayNoGoDuration (fix14o item 6): the API's expiry
// refusals said "at most 87600h0m0s" and "less than 1m0s", Go's
// time.Duration text. MaxTokenLifetime is 3,650 days = 87,600 h; from
// 2026-12-01T00:00Z the last instant allowed is 2036-11-28T00:00:00Z
// (ten calendar years hold three leap days, so 3,650 days fall three
// short of 2036-12-01).
func TestExpiryMessagesSayNoGoDuration(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ at, in, want string }{
		{"9999-12-31T00:00:00Z", "", "on or before 2036-11-28T00:00:00Z"},
		{"2026-12-01T00:00:30Z", "", "at least a minute"},
		{"", "87601h", "at most 87600h (10 years)"},
		{"", "30s", "at least a minute"},
	} {
		_, err := critminhttp.ParseExpiry(c.at, c.in, now)
		msg := critmin.ErrorText(err)
		if err == nil || !strings.Contains(msg, c.want) || strings.Contains(msg, "0m0s") || strings.Contains(msg, "1m0s") {
			t.Errorf("expires_at %q expires_in %q: %q; want %q and no Go duration", c.at, c.in, msg, c.want)
		}
	}
}

// TestMethodCheckAfterAuthentication (fix14o item 9): an anonymous GET
// /api/v1/tokens/x got 405 "allowed: DELETE" before authentication,
// revealing the admin route. A request with no token to a path whose
// routes all need one is a 401 (RFC 9110 §15.5.2), as it is on the route
// itself; with a token the method check answers 405 with Allow.
func TestMethodCheckAfterAuthentication(t *testing.T) {
	ts := MustServe(t, false, nil)
	resp, b := do(t, "GET", ts.URL+"/api/v1/tokens/x", "", nil, nil)
	if resp.StatusCode != 401 || resp.Header.Get("Allow") != "" || strings.Contains(string(b), "DELETE") {
		t.Errorf("anonymous GET /api/v1/tokens/x: %d Allow %q %s; want 401 naming no method", resp.StatusCode, resp.Header.Get("Allow"), b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/tokens/x", "not-a-token", nil, nil)
	if resp.StatusCode != 401 {
		t.Errorf("bad token GET /api/v1/tokens/x: %d %s; want 401", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/tokens/x", adminSecret, nil, nil)
	if resp.StatusCode != 405 || resp.Header.Get("Allow") == "" {
		t.Errorf("admin GET /api/v1/tokens/x: %d Allow %q %s; want 405 with Allow", resp.StatusCode, resp.Header.Get("Allow"), b)
	}
	// A path with a public route keeps its 405 for anyone.
	if resp, _ := do(t, "POST", ts.URL+"/healthz", "", nil, nil); resp.StatusCode != 405 {
		t.Errorf("anonymous POST /healthz: %d; want 405", resp.StatusCode)
	}
}
