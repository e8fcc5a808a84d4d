package http_test

import (
	"strings"
	"testing"
)

// GET /api/v1/risk/corridor names the query parameter the user gave, not
// the JSON body field: tonnes=1e308 named "tonnes_per_year/0", and
// us_imports=1e308 "us_imports_per_year" (an unknown parameter on GET).
func TestCorridorQueryErrorsNameTheParameter(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, c := range []struct{ query, param string }{
		{"tonnes=1e308", "tonnes"},
		{"tonnes=100,1e308", "tonnes"},
		{"tonnes=100&us_imports=1e308", "us_imports"},
	} {
		resp, b := do(t, "GET", ts.URL+"/api/v1/risk/corridor?commodity=ree_concentrate&base_year=2024&"+c.query, viewerSecret, nil, nil)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != c.param || strings.Contains(string(b), "_per_year") {
			t.Errorf("%s: %s; want the parameter %s named", c.query, b, c.param)
		}
	}
}
