package http_test

import (
	"strings"
	"testing"
)

// TestNumberParameterSaysWhyItIsRefused: a number parameter refused by
// critmin.ParseDecimal carries its reason. tonnes=1e-400 said "not a
// finite number" (it is finite: it rounds to 0), us_imports=1e400 "not
// a number of zero or more" and step=1e-400 "not a per-cent step in
// (0, 100)" (issue 14 new-user check).
func TestNumberParameterSaysWhyItIsRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, c := range []struct{ url, param, want string }{
		{"/api/v1/risk/corridor?commodity=ree_concentrate&base_year=2024&tonnes=1e-400", "tonnes", "too small to be told from 0"},
		{"/api/v1/risk/corridor?commodity=ree_concentrate&base_year=2024&tonnes=100,1e400", "tonnes", "value 2: \"1e400\" is too large"},
		{"/api/v1/risk/corridor?commodity=ree_concentrate&base_year=2024&tonnes=100&us_imports=1e400", "us_imports", "too large"},
		{"/api/v1/risk/corridor?commodity=ree_concentrate&base_year=2024&tonnes=100&us_imports=-1", "us_imports", "below 0"},
		{"/api/v1/trade/nsr?grades=Nd:1%25&step=1e-400", "step", "too small to be told from 0"},
	} {
		resp, b := do(t, "GET", ts.URL+c.url, viewerSecret, nil, nil)
		p := mustProblem(t, resp, b, 400)
		found := false
		for _, e := range p.Errors {
			found = found || (e.Pointer == c.param && strings.Contains(e.Reason, c.want))
		}
		if !found {
			t.Errorf("%s: %s; want %s refused saying %q", c.url, b, c.param, c.want)
		}
	}
}
