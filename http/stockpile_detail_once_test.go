package http_test

import (
	"strings"
	"testing"
)

// A stockpile 400's detail says each fault once: it was
// `stockpile: years: 0 is not 1–50: field "years" (/years): 0 is not 1–50 (and 2 more faults…)`.
func TestStockpileDetailSaysFaultOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	resp, b := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", viewerSecret, []byte(`{}`), map[string]string{"Content-Type": "application/json"})
	p := mustProblem(t, resp, b, 400)
	if n := strings.Count(p.Detail, "0 is not 1–50"); n != 1 || !strings.Contains(p.Detail, `field "years" (/years): 0 is not 1–50`) {
		t.Errorf("detail %q: says the fault %d times; want once, naming field \"years\"", p.Detail, n)
	}
}
