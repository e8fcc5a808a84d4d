package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/risk"
)

// TestStockpileRunsAreBounded (issue 14, fix14 item 3): stockpile Monte
// Carlo runs had no bound on how many computed at once. With one slot
// (held here) and a queue of one: a request waits in the queue; the next
// is refused at once, 429 problem+json with Retry-After (the gate's
// longest wait, 60 s) saying how many run and wait; when the slot is
// given back the waiting request is answered 200.
func TestStockpileRunsAreBounded(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	ts.StockpileGate = risk.NewGate(1, 1, time.Minute)
	_, example := do(t, "GET", ts.URL+"/api/v1/risk/stockpile/example?commodity=antimony", viewerSecret, nil, nil)
	hold, err := ts.StockpileGate.Enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan int, 1)
	go func() {
		resp, _ := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", operatorSecret, example, jsonCT)
		waited <- resp.StatusCode
	}()
	for ts.StockpileGate.Waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/risk/stockpile", viewerSecret, example, jsonCT)
	p := mustProblem(t, resp, b, 429)
	if resp.Header.Get("Retry-After") != "60" || !strings.Contains(p.Detail, "1 stockpile runs are computing and 1 waiting") {
		t.Errorf("over the bound: Retry-After %q, %s", resp.Header.Get("Retry-After"), b)
	}
	hold()
	if code := <-waited; code != 200 {
		t.Errorf("the waiting request: %d; want 200 once the slot was free", code)
	}
	if ts.StockpileGate.Running() != 0 || ts.StockpileGate.Waiting() != 0 {
		t.Errorf("after: %d running, %d waiting", ts.StockpileGate.Running(), ts.StockpileGate.Waiting())
	}
}
