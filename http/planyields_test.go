package http_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/refinery"
)

// The server's planner takes the line yields of a site's latest closed
// refinery period: with the demo refinery month closed and the demo
// network's Missouri plant located at the demo refinery's site, the plan
// lists the replaced recoveries with the period and close record they
// come from (the same three outputs as critmin refinery yields).
func TestPlanMeasuredYields(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	n := plan.Demo().Clone()
	for i := range n.Sites {
		if n.Sites[i].ID == "refinery-mo" {
			n.Sites[i].Location = "urn:critmin:demo:site:pk-refinery"
		}
	}
	ts.SetPlanNetwork(n)
	month, err := refinery.DemoMonth()
	if err != nil {
		t.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	// The installation's key: the store refuses records signed by any other.
	any(ts.Store).(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
	rec, _, err := refinery.ClosePeriod(ctx, ts.Store, month, refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}, "", key, time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"]}`), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 202 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	var started planJobView
	json.Unmarshal(b, &started)
	if j := waitJob(t, ts.URL, viewerSecret, started.ID); j.Status != "success" {
		t.Fatalf("job %+v", j)
	}
	_, b = do(t, "GET", ts.URL+"/api/v1/plans/"+started.ID, viewerSecret, nil, nil)
	var job struct {
		Plans []struct {
			MeasuredYields []struct {
				Line     string  `json:"line"`
				Was      float64 `json:"was"`
				Measured struct {
					Recovery float64 `json:"recovery"`
					Period   string  `json:"period"`
					Source   string  `json:"source"`
				} `json:"measured"`
			} `json:"measured_yields"`
		} `json:"plans"`
	}
	if err := json.Unmarshal(b, &job); err != nil || len(job.Plans) != 1 || len(job.Plans[0].MeasuredYields) != 3 {
		t.Fatalf("plan job %v %.600s", err, b)
	}
	for _, y := range job.Plans[0].MeasuredYields {
		if y.Measured.Period != "2025-10" || !strings.Contains(y.Measured.Source, rec.Hash) || !(y.Measured.Recovery > 0 && y.Measured.Recovery < 1) {
			t.Errorf("measured yield %+v, want period 2025-10 from close record %s", y, rec.Hash)
		}
	}
}
