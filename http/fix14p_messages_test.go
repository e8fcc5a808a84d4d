package http_test

import (
	"strings"
	"testing"
)

// TestQueryLimitMessages (issue 14 final check, fix14p): more than 10,000
// query parameters answered "query: malformed query parameter: does not
// parse", and offset=99999999999999999999 "not an integer" — the first
// names no limit, the second is wrong (it is an integer, too large). Each
// says which limit was passed.
func TestQueryLimitMessages(t *testing.T) {
	ts := MustServe(t, true, nil)
	many := strings.Repeat("a=1&", 10001) + "a=1"
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots?"+many, "", nil, nil)
	pr := mustProblem(t, resp, b, 400)
	if !strings.Contains(pr.Detail, "10,002 parameters") || !strings.Contains(pr.Detail, "at most 10,000") {
		t.Errorf("10,002 parameters: %q; want the count and the limit (10000) named", pr.Detail)
	}
	// 2^63 - 1 = 9223372036854775807 is the largest int on a 64-bit build.
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?offset=99999999999999999999", "", nil, nil)
	pr = mustProblem(t, resp, b, 400)
	if strings.Contains(pr.Detail, "not a whole number") || !strings.Contains(pr.Detail, "too large") || !strings.Contains(pr.Detail, "at most 9,223,372,036,854,775,807") {
		t.Errorf("offset=99999999999999999999: %q; want \"too large, at most 9,223,372,036,854,775,807\"", pr.Detail)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots?offset=1.5", "", nil, nil)
	if pr = mustProblem(t, resp, b, 400); !strings.Contains(pr.Detail, "not a whole number") {
		t.Errorf("offset=1.5: %q; want \"not a whole number\"", pr.Detail)
	}
}
