package http_test

import (
	"strings"
	"testing"
)

// TestRiskInputsBounded: inputs that overflowed to +Inf (and a 500
// "json: unsupported value: +Inf"), absurd years and draws 0 silently
// replaced by 2000 are refused with a 400 naming the field (issue 14
// new-user check). Each body differs from a valid one in one field.
func TestRiskInputsBounded(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	valid := `{"commodity": "antimony", "start_year": 2026, "years": 2, "demand": [{"name": "x", "tonnes": {"value": 100}, "growth": {"value": 0}}], "import_loss": {"value": 0.5}, "disrupted_years": 1, "draws": 5}`
	resp, b := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", viewerSecret, []byte(valid), jsonCT)
	if resp.StatusCode != 200 {
		t.Fatalf("valid input: %d %s", resp.StatusCode, b)
	}
	// Without draws the default 2000 applies.
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/stockpile", viewerSecret, []byte(strings.Replace(valid, `, "draws": 5`, "", 1)), jsonCT)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"draws": 2000`) {
		t.Errorf("input without draws: %d %.300s", resp.StatusCode, b)
	}
	for _, c := range []struct{ old, new, pointer string }{
		{`"tonnes": {"value": 100}`, `"tonnes": {"value": 1e308}`, "demand/0/tonnes"},
		{`"tonnes": {"value": 100}`, `"tonnes": {"value": 50, "low": 0, "high": 1e300}`, "demand/0/tonnes"},
		{`"start_year": 2026`, `"start_year": -99999999999`, "start_year"},
		{`"start_year": 2026`, `"start_year": 0`, "start_year"},
		{`"draws": 5`, `"draws": 0`, "draws"},
		{`"import_loss": {"value": 0.5}`, `"import_loss": {"value": 0.5}, "domestic_output": {"value": 1e300}`, "domestic_output"},
	} {
		body := strings.Replace(valid, c.old, c.new, 1)
		resp, b := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", viewerSecret, []byte(body), jsonCT)
		if p := mustProblem(t, resp, b, 400); len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Pointer, c.pointer) {
			t.Errorf("%s: %s; want 400 at %s", c.new, b, c.pointer)
		}
	}
	for _, q := range []string{
		"/api/v1/risk/scenarios/cn-antimony-licensing-2024?commodity=antimony&from=-9000000000000000000&to=9000000000000000000",
		"/api/v1/risk/corridor?commodity=antimony&base_year=2022&tonnes=1e300&first_year=2023",
		"/api/v1/risk/corridor?commodity=antimony&base_year=2022&tonnes=100&first_year=-99999999999",
	} {
		resp, b := do(t, "GET", ts.URL+q, viewerSecret, nil, nil)
		mustProblem(t, resp, b, 400)
	}
}
