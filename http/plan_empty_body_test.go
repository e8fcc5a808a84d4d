package http_test

import (
	"testing"
)

// POST /api/v1/plans with an empty body is a 400 naming the body, as
// every other JSON route answers; it started a job with the defaults.
// The defaults are asked for with {} (one JSON value, as the docs say).
func TestPlanCreateEmptyBodyRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	resp, b := do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, nil, map[string]string{"Content-Type": "application/json"})
	if p := mustProblem(t, resp, b, 400); len(p.Errors) == 0 || p.Errors[0].Pointer != "body" {
		t.Errorf("empty body: %d %s; want 400 naming the body", resp.StatusCode, b)
	}
}
