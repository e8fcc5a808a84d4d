package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testPlanJobs: a job saved when it starts and again when it ends is found
// whole — request, input, result and log — and listed newest first
// without its documents; an unknown id is ENOTFOUND.
func testPlanJobs(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	t0 := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	first := &critmin.PlanJob{ID: "plan-1", Network: "demo-corridor", Scenarios: []string{"baseline", "karachi-closed"}, Status: critmin.PlanRunning,
		Created: t0, Request: json.RawMessage(`{"elastic":false,"gap":0.005}`), Input: json.RawMessage(`{"id":"demo-corridor","supplies":[{"id":"lot-1","tonnes":12.5}]}`)}
	if err := s.SavePlanJob(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := &critmin.PlanJob{ID: "plan-2", Network: "demo-corridor", Scenarios: []string{"baseline"}, Status: critmin.PlanRunning, Created: t0.Add(time.Minute)}
	if err := s.SavePlanJob(ctx, second); err != nil {
		t.Fatal(err)
	}
	done := t0.Add(30 * time.Second)
	first.Status, first.Finished = critmin.PlanSuccess, &done
	// Each plan carries its solver's raw log (CBC's console text:
	// newlines, tabs, quotes, non-ASCII, a quarter of a megabyte).
	rawLog := "==== MIP (CBC), 3445 columns × 2946 rows, 145 integer: optimal ====\n" +
		strings.Repeat("Cbc0010I After 100 nodes, 12 on tree, -249000.5 best solution, best possible -250100 (1.23 seconds)\n\t\"gap\" 0.44 % — ok\n", 2000)
	res, _ := json.Marshal([]map[string]any{{"scenario": "baseline", "objective": 1234.5, "solver_log": rawLog}})
	first.Result = res
	first.Log = "baseline: optimal, gap 0.10 %\n"
	if err := s.SavePlanJob(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindPlanJob(ctx, "plan-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != critmin.PlanSuccess || got.Finished == nil || !got.Finished.Equal(done) || !got.Created.Equal(t0) ||
		!reflect.DeepEqual(got.Scenarios, first.Scenarios) || got.Log != first.Log || got.Network != "demo-corridor" {
		t.Fatalf("found %+v", got)
	}
	var plans []struct {
		SolverLog string `json:"solver_log"`
	}
	if err := json.Unmarshal(got.Result, &plans); err != nil || len(plans) != 1 || plans[0].SolverLog != rawLog {
		t.Fatalf("the stored solver log differs (%v, %d plans)", err, len(plans))
	}
	for name, pair := range map[string][2]json.RawMessage{"request": {got.Request, first.Request}, "input": {got.Input, first.Input}, "result": {got.Result, first.Result}} {
		var a, b any
		if err := json.Unmarshal(pair[0], &a); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_ = json.Unmarshal(pair[1], &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s stored %s, saved %s", name, pair[0], pair[1])
		}
	}
	list, err := s.ListPlanJobs(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "plan-2" || list[1].ID != "plan-1" || list[1].Status != critmin.PlanSuccess || len(list[1].Result) != 0 {
		t.Fatalf("list %+v", list)
	}
	if _, err := s.FindPlanJob(ctx, "plan-none"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("unknown job: %v", err)
	}
	if err := s.SavePlanJob(ctx, &critmin.PlanJob{}); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("job without id: %v", err)
	}
}
