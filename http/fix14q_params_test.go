package http_test

import (
	"strings"
	"testing"
)

// TestHugeIntegerParamsNameTheRealCap (issue 14, fix14q item 1): a whole
// number beyond int64's range in a capped list or query parameter answered
// "not a positive integer" (perPage on /epcis/events), "not an integer
// from 1 to 1000" or named int64's maximum (limit), neither the fault nor
// the cap. Every capped integer parameter of every route now says the
// value is above the maximum and names the documented cap.
func TestHugeIntegerParamsNameTheRealCap(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	const huge = "99999999999999999999" // 10^20 - 1 > 2^63 - 1 = 9223372036854775807
	for _, c := range []struct{ path, param, cap string }{
		{"/epcis/events?perPage=" + huge, "perPage", "1,000"},
		{"/epcis/capture?perPage=" + huge, "perPage", "1,000"},
		{"/epcis/queries?perPage=" + huge, "perPage", "1,000"},
		{"/epcis/eventTypes?perPage=" + huge, "perPage", "1,000"},
		{"/epcis/epcs?perPage=" + huge, "perPage", "1,000"},
		{"/api/v1/lots?limit=" + huge, "limit", "1,000"},
		{"/api/v1/transit?limit=" + huge, "limit", "1,000"},
		{"/api/v1/trade/contracts?limit=" + huge, "limit", "1,000"},
		{"/api/v1/trade/prices?limit=" + huge, "limit", "1,000"},
		{"/api/v1/trade/invoices?limit=" + huge, "limit", "1,000"},
		{"/api/v1/trade/agreements?limit=" + huge, "limit", "1,000"},
		{"/api/v1/tokens?limit=" + huge, "limit", "1,000"},
		{"/api/v1/lots/urn:critmin:demo:lot:x/trace?depth=" + huge, "depth", "1,000"},
		// Below the floor is said the same way.
		{"/epcis/events?perPage=-" + huge, "perPage", "1"},
		{"/api/v1/lots?limit=-" + huge, "limit", "1"},
		{"/api/v1/lots?offset=-" + huge, "offset", "0"},
	} {
		resp, b := do(t, "GET", ts.URL+c.path, adminSecret, nil, nil)
		p := mustProblem(t, resp, b, 400)
		want := "above the maximum of " + c.cap
		if strings.Contains(c.path, "=-") {
			want = "below the minimum of " + c.cap
		}
		text := p.Detail
		for _, e := range p.Errors {
			text += " " + e.Pointer + ": " + e.Reason
		}
		if !strings.Contains(text, c.param) || !strings.Contains(text, want) || strings.Contains(text, "9,223,372,036,854,775,807") {
			t.Errorf("%s: %s; want %s named with %q", c.path, text, c.param, want)
		}
	}
}

// TestWebSocketRefusalIsProblemJSON (issue 14, fix14q item 3): an upgrade
// refused by the WebSocket library — from another origin, or with a
// malformed handshake — was answered with the library's text/plain; it is
// problem+json like every other HTTP error, the origin refusal in words.
func TestWebSocketRefusalIsProblemJSON(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	createQuery(t, ts.URL, "shipments", `{"EQ_bizStep": ["shipping"]}`)
	handshake := map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
		"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": "http://evil.example"}
	resp, b := do(t, "GET", ts.URL+"/epcis/queries/shipments/events?stream=true", viewerSecret, nil, handshake)
	if p := mustProblem(t, resp, b, 403); !strings.Contains(p.Detail, "cross-origin") || !strings.Contains(p.Detail, "evil.example") {
		t.Errorf("cross-origin upgrade: %q; want the refusal in words, naming the origin", p.Detail)
	}
	delete(handshake, "Origin")
	delete(handshake, "Sec-WebSocket-Key")
	resp, b = do(t, "GET", ts.URL+"/epcis/queries/shipments/events?stream=true", viewerSecret, nil, handshake)
	if p := mustProblem(t, resp, b, 400); !strings.Contains(p.Detail, "Sec-WebSocket-Key") {
		t.Errorf("upgrade without a key: %q; want the missing header named", p.Detail)
	}
}
