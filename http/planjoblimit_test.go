package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	critminhttp "github.com/critmin/critmin/http"
)

// TestPlanJobsCapped (new-user check 14f item 4): one operator token
// started 13 plan jobs in 30 s (13 solver processes on 2 CPUs). Running
// jobs are counted in the database, so the cap holds whichever server of
// it started them: with two jobs of the operator token running there
// (stored by "another server", leases live), a third start is 429 naming
// the per-token limit (critminhttp.DefaultPlanJobsPerToken, 2) and stores
// nothing; with DefaultPlanJobsRunning (4) running in all, an admin's
// start is 429 naming the database's limit.
func TestPlanJobsCapped(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	running := func(id, by string) {
		t.Helper()
		j := &critmin.PlanJob{ID: id, Network: "demo", Scenarios: []string{"baseline"}, Status: critmin.PlanRunning, Created: time.Now(),
			Owner: "another-server", LeaseUntil: time.Now().Add(time.Hour), StartedBy: by}
		if err := ts.Store.StartPlanJob(ctx, j, time.Now(), critmin.PlanJobLimits{}); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		jobs, err := ts.Store.ListPlanJobs(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(jobs)
	}
	running("plan-op-1", "operator")
	running("plan-op-2", "operator")
	resp, b := do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"]}`), map[string]string{"Content-Type": "application/json"})
	p := mustProblem(t, resp, b, http.StatusTooManyRequests)
	if !strings.Contains(p.Detail, `token "operator" already has 2 plan jobs running`) || critminhttp.DefaultPlanJobsPerToken != 2 {
		t.Errorf("per-token refusal: %q", p.Detail)
	}
	if n := count(); n != 2 {
		t.Errorf("%d jobs stored after a refused start; want 2", n)
	}
	running("plan-x-1", "someone")
	running("plan-x-2", "someone")
	resp, b = do(t, "POST", ts.URL+"/api/v1/plans", adminSecret, []byte(`{"scenarios": ["baseline"]}`), map[string]string{"Content-Type": "application/json"})
	p = mustProblem(t, resp, b, http.StatusTooManyRequests)
	if !strings.Contains(p.Detail, "4 plan jobs are running on this database, the most it runs at once (4)") {
		t.Errorf("database refusal: %q", p.Detail)
	}
}
