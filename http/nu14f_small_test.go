package http_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestNU14fSmallRefusals (new-user check 14f item 11): POST
// /api/v1/tokens answers the secret with Cache-Control: no-store; a body
// with Content-Encoding: gzip is 415 naming the header, with
// Accept-Encoding: identity (RFC 7694 §3), on the API and on capture — it
// was read as JSON and refused "invalid character '\x1f'"; and
// GE_quantity=1e-400, which float64 reads as 0, is 400 naming the
// parameter instead of a silent GE_quantity=0.
func TestNU14fSmallRefusals(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	resp, b := do(t, "POST", ts.URL+"/api/v1/tokens", adminSecret, []byte(`{"name": "cache-check", "role": "viewer"}`), jsonCT)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token create: %d, Cache-Control %q; want 201 and no-store\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), b)
	}
	gz := "\x1f\x8b\x08\x00\x00\x00\x00\x00"
	for _, c := range []struct{ path, ct string }{{"/api/v1/risk/corridor", "application/json"}, {"/epcis/capture", "application/ld+json"}} {
		resp, b := do(t, "POST", ts.URL+c.path, operatorSecret, []byte(gz), map[string]string{"Content-Type": c.ct, "Content-Encoding": "gzip"})
		p := mustProblem(t, resp, b, http.StatusUnsupportedMediaType)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != "Content-Encoding" || !strings.Contains(p.Detail, `"gzip" is not accepted`) || resp.Header.Get("Accept-Encoding") != "identity" {
			t.Errorf("%s: %+v %q Accept-Encoding %q", c.path, p.Errors, p.Detail, resp.Header.Get("Accept-Encoding"))
		}
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/events?GE_quantity=1e-400", viewerSecret, nil, nil)
	p := mustProblem(t, resp, b, http.StatusBadRequest)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "GE_quantity" || !strings.Contains(p.Errors[0].Reason, "too small") {
		t.Errorf("GE_quantity=1e-400: %+v", p.Errors)
	}
}
