package http_test

import (
	"strings"
	"testing"
)

// TestRefineryQuantityCaseRefused: the refinery API refuses a quantity
// member in another case ("Value" for value), naming it, for a posted
// problem and for a flowsheet read with ?site=&period= — encoding/json
// would have read "Value" as value.
func TestRefineryQuantityCaseRefused(t *testing.T) {
	ts := MustServe(t, true, nil)
	body := `{"elements":["Cu"],"nodes":[{"id":"n"}],"streams":[
{"id":"feed","to":"n","mass_t":{"Value":100,"sd":2},"grade_pct":{"Cu":{"value":1,"sd":0.03}}},{"id":"out","from":"n","mass_t":{"value":99,"sd":2}}]}`
	for _, path := range []string{"/api/v1/refinery/reconcile", "/api/v1/refinery/reconcile?site=urn:critmin:test:site:r&period=2025-10"} {
		resp, b := do(t, "POST", ts.URL+path, viewerSecret, []byte(body), jsonCT)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != "/streams/0/mass_t/Value" || !strings.Contains(p.Errors[0].Reason, `the field is "value"`) {
			t.Errorf("%s: %s", path, b)
		}
	}
}
