package http_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestExplicitZeroNotDefaulted posts /api/v1 bodies that send a field
// with its zero value (0 or "") where leaving the field out means a
// default: each is refused with 400 naming the field and what leaving it
// out would give, never silently replaced (issue 14: "first_year": 0
// became the year after base_year). Nothing is stored.
func TestExplicitZeroNotDefaulted(t *testing.T) {
	ts := MustServe(t, true, nil)
	corridor := `"commodity": "antimony", "base_year": 2024, "tonnes_per_year": [1000]`
	for _, c := range []struct{ method, path, body, ptr, want string }{
		{"POST", "/api/v1/risk/corridor", `{` + corridor + `, "first_year": 0}`, "/first_year", "the year after base_year"},
		{"POST", "/api/v1/risk/corridor", `{` + corridor + `, "country": ""}`, "/country", "PAK"},
		{"POST", "/api/v1/risk/corridor", `{` + corridor + `, "stage": ""}`, "/stage", "the mine stage"},
		{"POST", "/api/v1/risk/stockpile", `{"commodity": "antimony", "unit": "", "start_year": 2025, "years": 1}`, "/unit", `leave unit out for t`},
		{"POST", "/api/v1/plans", `{"prices_as_of": ""}`, "/prices_as_of", "prices_as_of"},
		{"POST", "/api/v1/tokens", `{"name": "n", "role": "viewer", "expires_in": ""}`, "/expires_in", "does not expire"},
		{"POST", "/api/v1/tokens", `{"name": "n", "role": "viewer", "expires_at": ""}`, "/expires_at", "does not expire"},
		{"PUT", "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance", `{"site": "", "categories": [], "periods": []}`, "/site", "the site of the path"},
		{"PUT", "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance", `{"method": "", "categories": [], "periods": []}`, "/method", "credit"},
		{"PUT", "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance", `{"effectiveFrom": "", "categories": [], "periods": []}`, "/effectiveFrom", "claim period"},
		{"PUT", "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance", `{"version": 7, "categories": [], "periods": []}`, "/version", "numbered by the server"},
		// "version": 0 passed the handler's check (0 reads as left out)
		// and was replaced by the next version silently.
		{"PUT", "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance", `{"version": 0, "categories": [], "periods": []}`, "/version", "the next version, numbered by the server"},
		// "declared_at": "" passed as left out and the server's time was
		// put in its place.
		{"POST", "/api/v1/trade/declarations", `{"contract": "C", "lot": "L", "element": "Cu", "month": 1, "party": "buyer", "declared_at": ""}`, "/declared_at", "the time the server records it"},
		{"PUT", "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance", `{"declaredAt": "2020-01-01T00:00:00Z", "categories": [], "periods": []}`, "/declaredAt", "dated by the server"},
		// Go's zero time where leaving the field out means a default
		// read as left out: "expires_at": "0001-01-01T00:00:00Z" made a
		// token that never expires, "declaredAt" the zero time passed
		// the handler's IsZero check and was replaced by the server's.
		{"POST", "/api/v1/tokens", `{"name": "n", "role": "viewer", "expires_at": "0001-01-01T00:00:00Z"}`, "/expires_at", "does not expire"},
		{"POST", "/api/v1/tokens", `{"name": "n", "role": "viewer", "expires_at": "0001-01-01T01:00:00+01:00"}`, "/expires_at", "does not expire"},
		{"PUT", "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance", `{"declaredAt": "0001-01-01T00:00:00Z", "categories": [], "periods": []}`, "/declaredAt", "the time the server stores it"},
		{"PUT", "/api/v1/sites/urn:epc:id:sgln:0614141.00001.0/mass-balance", `{"effectiveFrom": "0001-01-01", "categories": [], "periods": []}`, "/effectiveFrom", "claim period"},
		{"POST", "/api/v1/plans", `{"prices_as_of": "0001-01-01"}`, "/prices_as_of", "prices_as_of"},
		{"POST", "/api/v1/trade/declarations", `{"contract": "C", "lot": "L", "element": "Cu", "month": 1, "party": "buyer", "declared_at": "0001-01-01T00:00:00Z"}`, "/declared_at", "the time the server records it"},
		{"POST", "/api/v1/trade/payments", `{"id": "", "invoice": "INV-1", "amount": "10.00", "paid_on": "2026-01-02"}`, "/id", "numbered by the server"},
		{"POST", "/api/v1/trade/payments", `{"invoice": "INV-1", "amount": "10.00", "paid_on": "2026-01-02", "direction": ""}`, "/direction", "direction"},
	} {
		resp, b := do(t, c.method, ts.URL+c.path, adminSecret, []byte(c.body), jsonCT)
		p := mustProblem(t, resp, b, 400)
		found := false
		for _, e := range p.Errors {
			if e.Pointer == c.ptr && strings.Contains(e.Reason, "leave") && strings.Contains(e.Reason, c.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s %s %s: %s", c.method, c.path, c.body, b)
		}
	}
	toks, err := ts.Store.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 3 {
		t.Errorf("a refused request stored a token: %d tokens", len(toks))
	}
	if jobs := ts.PlanJobs(); len(jobs) != 0 {
		t.Errorf("a refused request started %d plan jobs", len(jobs))
	}
	// An explicit first_year is honoured: base year 2024, first_year
	// 2030, two yearly values → years 2030 and 2031 (not 2025, the
	// default). Left out, the ramp starts the year after base_year:
	// 2024 + 1 = 2025.
	for _, c := range []struct {
		body  string
		years []int
	}{
		{`{"commodity": "antimony", "base_year": 2024, "tonnes_per_year": [1000, 2000], "first_year": 2030}`, []int{2030, 2031}},
		{`{"commodity": "antimony", "base_year": 2024, "tonnes_per_year": [1000, 2000]}`, []int{2025, 2026}},
	} {
		resp, b := do(t, "POST", ts.URL+"/api/v1/risk/corridor", "", []byte(c.body), jsonCT)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", c.body, resp.StatusCode, b)
		}
		var res struct {
			Years []struct {
				Year int `json:"year"`
			} `json:"years"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Years) != len(c.years) || res.Years[0].Year != c.years[0] || res.Years[1].Year != c.years[1] {
			t.Errorf("%s: years %+v, want %v", c.body, res.Years, c.years)
		}
	}
	// The query form: a parameter given empty where leaving it out means
	// a default is refused too (?country= was PAK, ?stage= mine).
	for path, name := range map[string]string{
		"/api/v1/risk/corridor?commodity=antimony&base_year=2024&tonnes=100&country=": "country",
		"/api/v1/risk/corridor?commodity=antimony&base_year=2024&tonnes=100&stage=":   "stage",
		"/api/v1/risk/concentration?commodity=antimony&year=":                         "year",
		"/api/v1/lots/x/trace?direction=":                                             "direction",
	} {
		resp, b := do(t, "GET", ts.URL+path, adminSecret, nil, nil)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != name || !strings.Contains(p.Errors[0].Reason, "empty") {
			t.Errorf("%s: %s", path, b)
		}
	}
	// base_year left out of a body is required, as in the query form,
	// not year 0 (whose ramp would start in year 1).
	resp, b := do(t, "POST", ts.URL+"/api/v1/risk/corridor", "", []byte(`{"commodity": "antimony", "tonnes_per_year": [1000]}`), jsonCT)
	p := mustProblem(t, resp, b, 400)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/base_year" {
		t.Errorf("base_year left out: %s", b)
	}
}
