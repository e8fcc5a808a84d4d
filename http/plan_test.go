package http_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/demo"
)

type planJobView struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Error  string `json:"error"`
	Plans  []struct {
		Scenario string `json:"scenario"`
		Status   string `json:"status"`
		Streams  []struct {
			ID  string `json:"id"`
			Lot string `json:"lot"`
		} `json:"streams"`
		KPIs struct {
			Margin float64 `json:"margin"`
		} `json:"kpis"`
		ShadowPrices []any `json:"shadow_prices"`
	} `json:"plans"`
}

func waitJob(t *testing.T, url, token, id string) planJobView {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, b := do(t, "GET", url+"/api/v1/plans/"+id, token, nil, nil)
		var j planJobView
		if resp.StatusCode != 200 || json.Unmarshal(b, &j) != nil {
			t.Fatalf("job: %d %s", resp.StatusCode, b)
		}
		if j.Status != "running" {
			return j
		}
	}
	t.Fatal("plan job did not finish in two minutes")
	return planJobView{}
}

func TestPlanAPI(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	// Writes need an operator.
	resp, b := do(t, "POST", ts.URL+"/api/v1/plans", viewerSecret, []byte(`{}`), map[string]string{"Content-Type": "application/json"})
	mustProblem(t, resp, b, 403)
	// Bad requests name the field and start nothing.
	resp, b = do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline", "no-such"], "gap": 2}`), map[string]string{"Content-Type": "application/json"})
	pr := mustProblem(t, resp, b, 400)
	if len(pr.Errors) != 2 || pr.Errors[0].Pointer != "/scenarios/1" || pr.Errors[1].Pointer != "/gap" {
		t.Fatalf("problem %+v", pr)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"], "extra": 1}`), map[string]string{"Content-Type": "application/json"})
	mustProblem(t, resp, b, 400)
	resp, b = do(t, "GET", ts.URL+"/api/v1/plans", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || strings.Contains(string(b), `"id"`) {
		t.Fatalf("a rejected request left a job: %s", b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline", "karachi-closed"]}`), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 202 || !strings.HasPrefix(resp.Header.Get("Location"), "/api/v1/plans/plan-") {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	var started planJobView
	json.Unmarshal(b, &started)
	j := waitJob(t, ts.URL, viewerSecret, started.ID)
	if j.Status != "success" || j.Done != 2 || len(j.Plans) != 2 || j.Plans[0].Scenario != "baseline" || j.Plans[1].Scenario != "karachi-closed" {
		t.Fatalf("job %+v", j)
	}
	if j.Plans[0].Status != "optimal" || j.Plans[0].KPIs.Margin <= 0 || len(j.Plans[0].ShadowPrices) == 0 {
		t.Fatalf("baseline plan %+v", j.Plans[0])
	}
	// The demo ledger's lots in stock and in transit are supplies.
	lots := 0
	for _, s := range j.Plans[0].Streams {
		if s.Lot != "" {
			lots++
		}
	}
	if lots == 0 {
		t.Fatal("no ledger lot became a supply")
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/plans/nope", viewerSecret, nil, nil)
	mustProblem(t, resp, b, 404)
	// Cancelling a finished job leaves it as it was.
	resp, b = do(t, "DELETE", ts.URL+"/api/v1/plans/"+j.ID, operatorSecret, nil, nil)
	if resp.StatusCode != 202 || !strings.Contains(string(b), `"success"`) {
		t.Fatalf("cancel finished: %d %s", resp.StatusCode, b)
	}
	// Cancelling a running job of many scenarios ends it as cancelled.
	body := `{"scenarios": ["baseline", "karachi-closed", "refinery-delay-8w", "pak-export-ban-ree", "ndpr-price-drop", "second-magnet-buyer"]}`
	_, b = do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(body), map[string]string{"Content-Type": "application/json"})
	json.Unmarshal(b, &started)
	do(t, "DELETE", ts.URL+"/api/v1/plans/"+started.ID, operatorSecret, nil, nil)
	if j := waitJob(t, ts.URL, viewerSecret, started.ID); j.Status != "cancelled" {
		t.Fatalf("cancelled job ended %s", j.Status)
	}
}
