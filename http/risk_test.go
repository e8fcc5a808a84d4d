package http_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRiskAPI(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "GET", ts.URL+"/api/v1/risk/concentration?commodity=rare+earths&stage=mine&year=2024", "", nil, nil)
	var c struct {
		Edition   string  `json:"edition"`
		HHI       float64 `json:"hhi"`
		Top1Share float64 `json:"top1_share"`
		Shares    []struct {
			ISO3  string  `json:"iso3"`
			Share float64 `json:"share"`
		} `json:"shares"`
		Rows []struct {
			Line int `json:"line"`
		} `json:"rows"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &c) != nil || c.Edition != "MCS2026" || c.Top1Share != 0.703125 || c.Shares[0].ISO3 != "CHN" || len(c.Rows) != 18 {
		t.Errorf("concentration: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/concentration?commodity=rare+earths&year=2024&format=csv", "", nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "commodity,stage,year,edition,iso3,country,quantity,unit,share\nrare earths,mine,2024,MCS2026,CHN,China,270000,t REO,0.703125\n") {
		t.Errorf("concentration CSV: %s", b)
	}
	for _, c := range []struct{ query, param string }{
		{"/api/v1/risk/concentration?commodity=rare+earths", "year"},
		{"/api/v1/risk/concentration?commodity=rare+earths&year=20x4", "year"},
		// issue 14: year=-1 answered 404 "no … data for -1".
		{"/api/v1/risk/concentration?commodity=rare+earths&year=-1", "year"},
		{"/api/v1/risk/concentration?commodity=rare+earths&year=99999", "year"},
		{"/api/v1/risk/scenarios/cn-us-ban-ga-ge-sb-2024?commodity=antimony&from=-1", "from"},
		{"/api/v1/risk/corridor?commodity=antimony&base_year=-1&tonnes=1", "base_year"},
		{"/api/v1/risk/concentration?commodity=rare+earths&year=2024&colour=red", "colour"},
		{"/api/v1/risk/concentration?commodity=rare+earths&year=2024&format=xml", "format"},
		{"/api/v1/risk/corridor?commodity=antimony&base_year=2024", "tonnes"},
		{"/api/v1/risk/corridor?commodity=antimony&base_year=2024&tonnes=1,x", "tonnes"},
		{"/api/v1/risk/scenarios/cn-us-ban-ga-ge-sb-2024?commodity=antimony&us_imports=-3", "us_imports"},
	} {
		resp, b := do(t, "GET", ts.URL+c.query, "", nil, nil)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != c.param {
			t.Errorf("%s: %s; want an error naming %s", c.query, b, c.param)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/concentration?commodity=copper&year=2024&edition=MCS2026", "", nil, nil)
	if p := mustProblem(t, resp, b, 400); !strings.Contains(p.Detail, "partial") {
		t.Errorf("partial edition: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/concentration?commodity=gold&year=2024", "", nil, nil)
	mustProblem(t, resp, b, 404)
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/series?commodity=copper&stage=refining&format=csv", "", nil, nil)
	if resp.StatusCode != 200 || strings.Count(string(b), "\n") != 4 {
		t.Errorf("series CSV: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/exposure?commodity=antimony", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"category": "total metal and oxide"`) {
		t.Errorf("exposure: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/scenarios/cn-us-ban-ga-ge-sb-2024?commodity=antimony&from=2025&to=2025&us_imports=10000", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"us_share_of_imports": 0.47013698630136`) {
		t.Errorf("scenario run: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/scenarios/run?commodity=antimony", "", []byte(`{"id": "x", "title": "t", "measures": [{"kind": "export_restriction", "country": "XXX", "commodities": ["antimony"], "share": 1, "from": "2025-01-01"}]}`), jsonCT)
	if p := mustProblem(t, resp, b, 400); p.Errors[0].Pointer != "/measures/0/country" {
		t.Errorf("bad scenario: %s", b)
	}
	// A commodity critmin does not know is refused, not run as "no
	// restriction covers it".
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/scenarios/run?commodity=antimony", "", []byte(`{"id": "x", "title": "t", "measures": [{"kind": "export_restriction", "country": "CHN", "commodities": ["antimony", "unobtainium"], "share": 1, "from": "2025-01-01"}]}`), jsonCT)
	if p := mustProblem(t, resp, b, 400); p.Errors[0].Pointer != "/measures/0/commodities/1" || !strings.Contains(p.Errors[0].Reason, "unobtainium") {
		t.Errorf("unknown commodity: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/corridor", "", []byte(`{"commodity": "antimony", "base_year": 2024, "tonnes_per_year": [1000], "us_imports_per_year": 4000}`), jsonCT)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"us_import_hhi_after": 2492.16`) {
		t.Errorf("corridor POST: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/corridor", "", []byte(`{"commodity": "antimony", "base_year": 2024, "tonnes": [1000]}`), jsonCT)
	mustProblem(t, resp, b, 400)
	_, ex := do(t, "GET", ts.URL+"/api/v1/risk/stockpile/example?commodity=antimony", "", nil, nil)
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/stockpile?format=csv", "", ex, jsonCT)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "year,shortfall_p50,shortfall_p5,shortfall_p95,deterministic_demand,deterministic_available,deterministic_shortfall") || strings.Count(string(b), "\n") != 6 {
		t.Errorf("stockpile CSV: %s", b)
	}
	// The JSON has no unlabelled deterministic figure at the top level:
	// the headline (medians with bands) and a block named deterministic.
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/stockpile", "", ex, jsonCT)
	var sp map[string]json.RawMessage
	if resp.StatusCode != 200 || json.Unmarshal(b, &sp) != nil {
		t.Fatalf("stockpile JSON: %s", b)
	}
	for _, gone := range []string{"required_stockpile", "coverage_days"} {
		if _, ok := sp[gone]; ok {
			t.Errorf("stockpile JSON still has a top-level %s", gone)
		}
	}
	var h struct {
		Median float64 `json:"median"`
		Days   float64 `json:"coverage_days_median"`
	}
	var d struct {
		Label     string  `json:"label"`
		RequiredT float64 `json:"required_t"`
		Position  string  `json:"position"`
	}
	if json.Unmarshal(sp["headline"], &h) != nil || json.Unmarshal(sp["deterministic"], &d) != nil || h.Median <= 0 || h.Days <= 0 || d.Label != "deterministic case" || d.RequiredT <= 0 || d.Position == "" {
		t.Errorf("stockpile headline %s / deterministic %s", sp["headline"], sp["deterministic"])
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/stockpile", "", []byte(`{"years": 0}`), jsonCT)
	mustProblem(t, resp, b, 400)
	// A cross-site form can send text/plain without a preflight: refused.
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/stockpile", "", ex, map[string]string{"Content-Type": "text/plain"})
	if p := mustProblem(t, resp, b, 415); p.Errors[0].Pointer != "Content-Type" {
		t.Errorf("text/plain body: %s", b)
	}
	// Trailing data after the JSON value is refused, not ignored.
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/stockpile", "", append(append([]byte{}, ex...), []byte(` {"x": 1}`)...), jsonCT)
	if p := mustProblem(t, resp, b, 400); !strings.Contains(p.Errors[0].Reason, "trailing data") {
		t.Errorf("trailing data: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/datasets", "", nil, nil)
	if resp.StatusCode != 200 || strings.Count(string(b), `"name"`) != 9 {
		t.Errorf("datasets: %s", b)
	}
}
