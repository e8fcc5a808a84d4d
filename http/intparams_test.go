package http_test

import (
	"strings"
	"testing"
)

// An integer parameter that is not an integer says so, not "out of range":
// /api/v1/lots?limit=1e3 and limit=NaN said "out of range (limit 1–1000…)".
// Every paged list, for limit and offset.
func TestIntegerParamsSayNotAnInteger(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, path := range []string{"/api/v1/lots", "/api/v1/transit", "/api/v1/tokens", "/api/v1/trade/contracts", "/api/v1/trade/invoices"} {
		for _, q := range []struct{ query, param string }{{"limit=1e3", "limit"}, {"limit=NaN", "limit"}, {"offset=1.5", "offset"}, {"offset=x", "offset"}} {
			resp, b := do(t, "GET", ts.URL+path+"?"+q.query, adminSecret, nil, nil)
			p := mustProblem(t, resp, b, 400)
			if len(p.Errors) != 1 || p.Errors[0].Pointer != q.param || !strings.Contains(p.Errors[0].Reason, "not a whole number") {
				t.Errorf("%s?%s: %s; want one error: %s is not a whole number", path, q.query, b, q.param)
			}
		}
	}
}
