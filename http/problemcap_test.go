package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	critminhttp "github.com/critmin/critmin/http"
)

// TestProblemErrorListCapped (new-user check 14f item 5): a body of
// 200,001 bad scenario names made a 51.6 MB problem document listing
// 400,001 errors. Every problem document lists at most
// critminhttp.MaxProblemErrors (1,000, capture's cap) and counts the rest.
// 2,000 copies of the unknown name "zz": one error for the count (over
// 200), then for each copy "not a scenario of the planning file" and for
// each copy after the first "listed twice" — 1 + 2,000 + 1,999 = 4,000
// faults; errors lists 1,000, errorsNotListed is 3,000 and the detail
// says so.
func TestProblemErrorListCapped(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	names := strings.TrimSuffix(strings.Repeat(`"zz",`, 2000), ",")
	resp, b := do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": [`+names+`]}`), map[string]string{"Content-Type": "application/json"})
	p := mustProblem(t, resp, b, http.StatusBadRequest)
	var extra struct {
		NotListed int `json:"errorsNotListed"`
	}
	if err := json.Unmarshal(b, &extra); err != nil {
		t.Fatal(err)
	}
	if len(p.Errors) != critminhttp.MaxProblemErrors || critminhttp.MaxProblemErrors != 1000 || extra.NotListed != 3000 ||
		!strings.Contains(p.Detail, "4,000 faults in all; errors lists the first 1,000, 3,000 more are not listed") {
		t.Errorf("%d errors listed, %d not listed, detail %q; want 1000 listed, 3000 not, and the detail saying so", len(p.Errors), extra.NotListed, p.Detail)
	}
}
