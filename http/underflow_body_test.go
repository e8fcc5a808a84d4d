package http_test

import (
	"strings"
	"testing"
)

// TestJSONBodyUnderflowRefused (issue 14, new-user check): a JSON number
// that underflows (1e-400: not 0, below the smallest 64-bit float) was
// read as 0 by every JSON body of the API — a stockpile's tonnes, a
// plan's gap, a contract's figures, a mass-balance factor — where an
// overflow (1e400) was already refused. Each is a 400 naming the field
// and saying it underflows; capture already refused it
// (ledger TestNumbersUnderflowAndNegativeZero).
func TestJSONBodyUnderflowRefused(t *testing.T) {
	ts := MustServe(t, true, nil)
	mb := "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance"
	for _, c := range []struct{ method, path, body, ptr string }{
		{"POST", "/api/v1/risk/stockpile", `{"commodity":"antimony","start_year":2025,"years":1,"demand":[{"name":"a","tonnes":{"value":1e-400},"growth":{"value":0}}]}`, "/demand/0/tonnes/value"},
		{"POST", "/api/v1/plans", `{"gap":1e-400}`, "/gap"},
		{"PUT", mb, `{"categories":[{"id":"a","conversionFactor":1e-400}],"periods":[]}`, "/categories/0/conversionFactor"},
		{"POST", "/api/v1/trade/contracts", `{"id":"C1","quantity":{"dmt":1e-400}}`, "/quantity/dmt"},
	} {
		resp, b := do(t, c.method, ts.URL+c.path, adminSecret, []byte(c.body), jsonCT)
		if resp.StatusCode != 400 || !strings.Contains(string(b), c.ptr) || !strings.Contains(string(b), "1e-400 underflows") {
			t.Errorf("%s %s %s: %d %s, want 400 naming %s: 1e-400 underflows", c.method, c.path, c.body, resp.StatusCode, b, c.ptr)
		}
	}
	if jobs := ts.PlanJobs(); len(jobs) != 0 {
		t.Errorf("a refused request started %d plan jobs", len(jobs))
	}
}
