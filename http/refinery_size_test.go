package http_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/refinery"
)

// POST /api/v1/refinery/reconcile with the problem — 20 nodes,
// 240 streams, 30 elements, everything measured: within the element,
// node, stream and quantity counts, but (240 + 20) × (1 + 30) = 8,060
// quantities and balances for the dense solve, over 3,200 — is a 400
// naming /streams with the figure and the limit, answered before any
// solve (it ran a minute of CPU).
func TestRefineryReconcileSizeRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	p := &refinery.Problem{}
	for i := range 30 {
		p.Elements = append(p.Elements, fmt.Sprintf("E%d", i))
	}
	for i := range 20 {
		p.Nodes = append(p.Nodes, refinery.Node{ID: fmt.Sprintf("n%d", i)})
	}
	for i := range 240 {
		s := refinery.Stream{ID: fmt.Sprintf("s%d", i), From: p.Nodes[i%20].ID, To: p.Nodes[(i+1)%20].ID, Mass: refinery.M(10, 1), Grade: map[string]*refinery.Quantity{}}
		for _, e := range p.Elements {
			s.Grade[e] = refinery.M(1, 0.1)
		}
		p.Streams = append(p.Streams, s)
	}
	body, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/refinery/reconcile", viewerSecret, body, jsonCT)
	pr := mustProblem(t, resp, b, 400)
	found := false
	for _, f := range pr.Errors {
		if f.Pointer == "/streams" && strings.Contains(f.Reason, "8,060 quantities and balances") && strings.Contains(f.Reason, "at most 3,200") {
			found = true
		}
	}
	if !found {
		t.Errorf("%s; want /streams: 8,060 quantities and balances … at most 3,200", b)
	}
}

// A viewer may reconcile a posted problem (it stores nothing), limited
// per token as every expensive route: ExpensiveBurst reconciliations at
// once, the next a 429 with Retry-After; another token is not affected.
func TestViewerReconcileRateLimited(t *testing.T) {
	ts := MustServe(t, false, nil)
	body := []byte(mustReadFile("../refinery/testdata/flotation.json"))
	for i := 0; i < critminhttp.ExpensiveBurst; i++ {
		if resp, b := do(t, "POST", ts.URL+"/api/v1/refinery/reconcile", viewerSecret, body, jsonCT); resp.StatusCode != 200 {
			t.Fatalf("reconcile %d: %d %s", i+1, resp.StatusCode, b)
		}
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/refinery/reconcile", viewerSecret, body, jsonCT)
	mustProblem(t, resp, b, 429)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/refinery/reconcile", operatorSecret, body, jsonCT); resp.StatusCode != 200 {
		t.Errorf("another token: %d %s", resp.StatusCode, b)
	}
}
