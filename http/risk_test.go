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
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/scenarios/run?commodity=antimony", "", []byte(`{"id": "x", "title": "t", "measures": [{"kind": "export_restriction", "country": "XXX", "commodities": ["antimony"], "share": 1, "from": "2025-01-01"}]}`), nil)
	if p := mustProblem(t, resp, b, 400); p.Errors[0].Pointer != "/measures/0/country" {
		t.Errorf("bad scenario: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/corridor", "", []byte(`{"commodity": "antimony", "base_year": 2024, "tonnes_per_year": [1000], "us_imports_per_year": 4000}`), nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"us_import_hhi_after": 2492.16`) {
		t.Errorf("corridor POST: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/corridor", "", []byte(`{"commodity": "antimony", "base_year": 2024, "tonnes": [1000]}`), nil)
	mustProblem(t, resp, b, 400)
	_, ex := do(t, "GET", ts.URL+"/api/v1/risk/stockpile/example?commodity=antimony", "", nil, nil)
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/stockpile?format=csv", "", ex, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "year,demand,available,shortfall,shortfall_p5") || strings.Count(string(b), "\n") != 6 {
		t.Errorf("stockpile CSV: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/risk/stockpile", "", []byte(`{"years": 0}`), nil)
	mustProblem(t, resp, b, 400)
	resp, b = do(t, "GET", ts.URL+"/api/v1/risk/datasets", "", nil, nil)
	if resp.StatusCode != 200 || strings.Count(string(b), `"name"`) != 9 {
		t.Errorf("datasets: %s", b)
	}
}
