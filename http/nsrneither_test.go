package http_test

import (
	"strings"
	"testing"
)

// TestNSRNeitherLotNorGrades: GET /api/v1/trade/nsr with neither lot
// nor grades said "give lot or grades, not both" (issue 14, third
// new-user check); it says one of them is required, and both given
// still says not both.
func TestNSRNeitherLotNorGrades(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "GET", ts.URL+"/api/v1/trade/nsr?terms=x", viewerSecret, nil, nil)
	if p := mustProblem(t, resp, b, 400); !strings.Contains(string(b), "required: give lot") || p.Errors[0].Pointer != "lot" {
		t.Errorf("neither lot nor grades: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/nsr?terms=x&lot=a&grades=Cu:25", viewerSecret, nil, nil)
	if mustProblem(t, resp, b, 400); !strings.Contains(string(b), "not both") {
		t.Errorf("both lot and grades: %s", b)
	}
}
