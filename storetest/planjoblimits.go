package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testPlanJobLimits (new-user check 14f item 4): running plan jobs are
// counted in the store, so every server on one database sees the same
// count. Limits: 3 running in all, 2 per token. Token a starts a1 and a2
// (2 of a's 2); a3 is refused naming a's limit. b starts b1 (3 of 3); c1 is
// refused naming the database's limit; nothing refused is stored. A job
// whose lease lapsed (its server died) does not count: with a1's lease
// past, c1 starts (a2, b1, c1 = 3) and c2 is refused. A save that does
// not say who started a job keeps its starter: with a2 saved again and no
// limit in all, a has a2 running (a1 lapsed), so a4 starts (2 of 2) and a5
// is refused; once a2 has finished a5 starts.
func testPlanJobLimits(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	lim := critmin.PlanJobLimits{Running: 3, PerToken: 2}
	job := func(id, by string, lease time.Time) *critmin.PlanJob {
		return &critmin.PlanJob{ID: id, Network: "demo-corridor", Scenarios: []string{"baseline"}, Status: critmin.PlanRunning, Created: now, Owner: "server-1", LeaseUntil: lease, StartedBy: by}
	}
	live := now.Add(time.Minute)
	start := func(j *critmin.PlanJob, refusal string) {
		t.Helper()
		err := s.StartPlanJob(ctx, j, now, lim)
		if refusal == "" {
			if err != nil {
				t.Fatalf("%s: %v", j.ID, err)
			}
			return
		}
		if critmin.ErrorCode(err) != critmin.EBUSY || !strings.Contains(err.Error(), refusal) {
			t.Fatalf("%s: %v; want EBUSY naming %q", j.ID, err, refusal)
		}
		if _, err := s.FindPlanJob(ctx, j.ID); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s refused but stored: %v", j.ID, err)
		}
	}
	start(job("a1", "a", now.Add(time.Second)), "")
	start(job("a2", "a", live), "")
	start(job("a3", "a", live), "the most one token may run at once (2)")
	start(job("b1", "b", live), "")
	start(job("c1", "c", live), "the most it runs at once (3)")
	// a1's lease lapses: now is past it.
	now = now.Add(2 * time.Second)
	start(job("c1", "c", live), "")
	start(job("c2", "c", live), "the most it runs at once (3)")
	// a2 saved again (progress) without its starter: still a's.
	again := job("a2", "", live)
	again.Done = 1
	if err := s.SavePlanJob(ctx, again); err != nil {
		t.Fatal(err)
	}
	lim.Running = 0
	start(job("a4", "a", live), "")
	start(job("a5", "a", live), "the most one token may run at once (2)")
	fin := now
	again.Status, again.Finished = critmin.PlanSuccess, &fin
	if err := s.SavePlanJob(ctx, again); err != nil {
		t.Fatal(err)
	}
	start(job("a5", "a", live), "")
}
