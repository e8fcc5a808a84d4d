package http_test

import (
	"strings"
	"testing"
)

// Every JSON route converted to decodeJSON/readJSONBody refuses a body
// not declared as JSON (415, field Content-Type), data after the JSON
// value (400), and a body over its own limit (413), and the routes with a
// larger limit than MaxJSONBody (1 MiB) take a body above 1 MiB: a
// problem padded to 2 MiB is read and refused as a problem (400), not as
// too large.
func TestJSONBodyRoutes(t *testing.T) {
	ts := MustServe(t, false, nil)
	routes := []struct {
		path, token, body string
		limit             int
	}{
		{"/api/v1/certificates/status", viewerSecret, `{}`, 8 << 20},
		{"/api/v1/refinery/reconcile", viewerSecret, `{}`, 8 << 20},
		{"/api/v1/refinery/report", viewerSecret, `{}`, 8 << 20},
		{"/api/v1/refinery/close", operatorSecret, `{}`, 8 << 20},
		{"/api/v1/refinery/reopen", adminSecret, `{"site": "s", "period": "2025-10", "reason": "r"}`, 1 << 16},
		{"/api/v1/trade/contracts", operatorSecret, `{}`, 8 << 20},
		{"/api/v1/trade/assays", operatorSecret, `{}`, 8 << 20},
		{"/api/v1/trade/declarations", operatorSecret, `{}`, 8 << 20},
		{"/api/v1/trade/invoices", operatorSecret, `{}`, 8 << 20},
		{"/api/v1/trade/payments", operatorSecret, `{}`, 8 << 20},
	}
	for _, rt := range routes {
		resp, b := do(t, "POST", ts.URL+rt.path, rt.token, []byte(rt.body), map[string]string{"Content-Type": "text/plain"})
		p := mustProblem(t, resp, b, 415)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != "Content-Type" {
			t.Errorf("%s as text/plain: %s, want the field Content-Type", rt.path, b)
		}
		resp, b = do(t, "POST", ts.URL+rt.path, rt.token, []byte(rt.body+` {"x": 1}`), map[string]string{"Content-Type": "application/json"})
		mustProblem(t, resp, b, 400)
		big := "{" + strings.Repeat(" ", rt.limit) + "}"
		resp, b = do(t, "POST", ts.URL+rt.path, rt.token, []byte(big), map[string]string{"Content-Type": "application/json"})
		mustProblem(t, resp, b, 413)
	}
	// A 2 MiB problem on a route whose limit is 8 MiB is read.
	padded := "{" + strings.Repeat(" ", 2<<20) + "}"
	resp, b := do(t, "POST", ts.URL+"/api/v1/refinery/reconcile", viewerSecret, []byte(padded), map[string]string{"Content-Type": "application/json"})
	mustProblem(t, resp, b, 400)
}
