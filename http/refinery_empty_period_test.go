package http_test

import (
	"strings"
	"testing"
)

// TestRefineryEmptyPeriodNamed: ?period= (present, empty) and a reopen
// body's "period": "" are refused at the period, with the form a period
// takes — not read as "no period" (which answered "site and period go
// together" named at the site) nor as "site and period are required".
func TestRefineryEmptyPeriodNamed(t *testing.T) {
	ts := MustServe(t, false, nil)
	base := ts.URL + "/api/v1/refinery"
	for _, c := range []struct{ method, url, token, body, ptr string }{
		{"POST", base + "/reconcile?site=urn:epc:id:sgln:0614141.00001.0&period=", viewerSecret, flotationProblem, "period"},
		{"GET", base + "/periods?period=", viewerSecret, "", "period"},
		{"POST", base + "/reopen", adminSecret, `{"site": "urn:epc:id:sgln:0614141.00001.0", "period": "", "reason": "x"}`, "/period"},
	} {
		var body []byte
		if c.body != "" {
			body = []byte(c.body)
		}
		resp, b := do(t, c.method, c.url, c.token, body, nil)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != c.ptr || !strings.Contains(p.Errors[0].Reason, "empty") || !strings.Contains(p.Errors[0].Reason, "YYYY-MM") {
			t.Errorf("%s %s: %+v", c.method, c.url, p)
		}
	}
}
