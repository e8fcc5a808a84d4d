package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/google/uuid"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
)

type planJobView struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Error  string `json:"error"`
	Log    string `json:"log"`
	// CancelRequested: a cancel was asked for and the owner has yet to stop.
	CancelRequested bool `json:"cancelRequested"`
	Plans           []struct {
		Scenario string `json:"scenario"`
		Status   string `json:"status"`
		Streams  []struct {
			ID  string `json:"id"`
			Lot string `json:"lot"`
		} `json:"streams"`
		KPIs struct {
			Margin float64 `json:"margin"`
		} `json:"kpis"`
		ShadowPrices []any    `json:"shadow_prices"`
		SolverLog    string   `json:"solver_log"`
		Warnings     []string `json:"warnings"`
	} `json:"plans"`
}

func waitJob(t *testing.T, url, token, id string) planJobView {
	t.Helper()
	var j planJobView
	waitUntil(t, "plan job "+id+" finished", func() bool {
		resp, b := do(t, "GET", url+"/api/v1/plans/"+id, token, nil, nil)
		j = planJobView{}
		if resp.StatusCode != 200 || json.Unmarshal(b, &j) != nil {
			t.Fatalf("job: %d %s", resp.StatusCode, b)
		}
		return j.Status != "running"
	})
	return j
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
	// A time limit of 0 s and an empty scenario list would run nothing
	// (or run without the limit the caller thought they set): refused.
	for body, ptr := range map[string]string{`{"scenarios": ["baseline"], "time_limit_seconds": 0}`: "/time_limit_seconds", `{"scenarios": ["baseline"], "time_limit_seconds": -1}`: "/time_limit_seconds", `{"scenarios": []}`: "/scenarios", `{"scenarios": ["baseline"], "prices_as_of": "31/12/2025"}`: "/prices_as_of"} {
		resp, b = do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(body), map[string]string{"Content-Type": "application/json"})
		if pr := mustProblem(t, resp, b, 400); len(pr.Errors) != 1 || pr.Errors[0].Pointer != ptr {
			t.Errorf("%s: problem %+v, want %s", body, pr, ptr)
		}
	}
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
	// No trade demo is stored: the NdPr contract's term sheet is not,
	// so every plan prices magnet-ndpr at the file's 72 000 USD per t and
	// says so (the job still succeeds).
	for _, p := range j.Plans {
		want := "contract magnet-ndpr: term sheet USSM-NDPR-FLOOR-2025 not stored; priced at the planning file's price 72000 USD per t"
		if len(p.Warnings) != 1 || p.Warnings[0] != want {
			t.Errorf("%s: warnings %q, want [%q]", p.Scenario, p.Warnings, want)
		}
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
	// Each plan keeps its solvers' raw logs: CBC's own lines (message
	// codes Cbc0001I…) for the MIP and CLP's for the LP that prices it.
	for _, p := range j.Plans {
		if !strings.Contains(p.SolverLog, "==== MIP (CBC)") || !strings.Contains(p.SolverLog, "Cbc0") || !strings.Contains(p.SolverLog, "==== LP with the integer decisions fixed") {
			t.Fatalf("scenario %s: solver log %.600q", p.Scenario, p.SolverLog)
		}
	}
	// The job is stored: a new server on the store reopened from its file
	// (a restart) serves it with its plans, its summary and each
	// scenario's raw solver log (the page reads the same job through
	// http.Server.FindPlanJob).
	store2, err := sqlite.Open(context.Background(), ts.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store2.Close() })
	srv2, err := critminhttp.NewServer(store2, ledger.NewService(store2), slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv2.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv2.Shutdown(context.Background()) })
	resp, b = do(t, "GET", srv2.URL()+"/api/v1/plans/"+j.ID, viewerSecret, nil, nil)
	var again planJobView
	if resp.StatusCode != 200 || json.Unmarshal(b, &again) != nil || again.Status != "success" || len(again.Plans) != 2 ||
		again.Plans[0].KPIs.Margin != j.Plans[0].KPIs.Margin || !strings.HasPrefix(again.Log, "baseline: optimal") {
		t.Fatalf("after restart: %d %.300s", resp.StatusCode, b)
	}
	for i, p := range again.Plans {
		if p.SolverLog != j.Plans[i].SolverLog {
			t.Errorf("after restart, scenario %s: solver log differs", p.Scenario)
		}
	}
	// The log downloads as text: the whole job, or one scenario's.
	resp, b = do(t, "GET", srv2.URL()+"/api/v1/plans/"+j.ID+"/log", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(string(b), "baseline: optimal") || !strings.Contains(string(b), j.Plans[0].SolverLog) || !strings.Contains(string(b), j.Plans[1].SolverLog) {
		t.Errorf("job log: %d %v %.300s", resp.StatusCode, resp.Header, b)
	}
	resp, b = do(t, "GET", srv2.URL()+"/api/v1/plans/"+j.ID+"/log?scenario=karachi-closed", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), j.Plans[1].SolverLog) || strings.Contains(string(b), j.Plans[0].SolverLog) {
		t.Errorf("scenario log: %d %.300s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", srv2.URL()+"/api/v1/plans/"+j.ID+"/log?scenario=nope", viewerSecret, nil, nil)
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
	// It says how many scenarios were done before the cancellation, and
	// counts none that the cancellation stopped.
	if j := waitJob(t, ts.URL, viewerSecret, started.ID); j.Status != "cancelled" || j.Done >= j.Total || j.Total != 6 || !strings.Contains(j.Error, fmt.Sprintf("after %d of 6 scenarios", j.Done)) {
		t.Fatalf("cancelled job ended %s, %d/%d done, %q", j.Status, j.Done, j.Total, j.Error)
	}
}

// With the Trade demo loaded, the ledger's lots enter the plan at their
// purchase contract's terms (FWO sells, USSM — the demo network's party —
// buys): every supply has a price and says where it came from.
//
// The plan's spot prices are those of the Trade clock's day: 5 Jan 2026,
// within the staleness limits of the demo's prices (to 25–31 Dec 2025);
// on the wall clock's day they may be stale (commercial.SpotPrices).
func TestPlanPricesLedgerLotsAtPurchaseContracts(t *testing.T) {
	ts := MustTradeDemo(t)
	ts.SetTradeClock(func() time.Time { return time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) })
	resp, b := do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"]}`), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 202 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	var started planJobView
	json.Unmarshal(b, &started)
	j := waitJob(t, ts.URL, viewerSecret, started.ID)
	if j.Status != "success" {
		t.Fatalf("job %+v", j)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/plans/"+j.ID, viewerSecret, nil, nil)
	var full struct {
		Plans []struct {
			SupplyPrices []struct {
				Supply, Lot, From, Source, Terms string
				PricePerT                        float64 `json:"price_per_t"`
			} `json:"supply_prices"`
		} `json:"plans"`
	}
	if err := json.Unmarshal(b, &full); err != nil || len(full.Plans) != 1 {
		t.Fatalf("%v %.300s", err, b)
	}
	contract, lots := 0, 0
	for _, sp := range full.Plans[0].SupplyPrices {
		if sp.From == "" || sp.Source == "" || sp.PricePerT <= 0 {
			t.Errorf("supply %s has no price or source: %+v", sp.Supply, sp)
		}
		if sp.Lot != "" {
			lots++
			t.Logf("lot %s: %s %.2f (%s)", sp.Lot, sp.From, sp.PricePerT, sp.Source)
		}
		if sp.From == "contract" {
			contract++
			if !strings.HasPrefix(sp.Terms, "FWO-USSM-") || !strings.Contains(sp.Source, "NSR") {
				t.Errorf("contract-priced supply %+v", sp)
			}
		}
	}
	if lots == 0 || contract == 0 {
		t.Errorf("%d ledger lots, %d priced at a purchase contract", lots, contract)
	}
}

// TestPlanJobIDsUniqueAcrossServers: plan job IDs are random (plan-UUID),
// so two servers on one database starting a job in the same second do
// not make the same ID (they were plan-<unix second>-<process counter>).
func TestPlanJobIDsUniqueAcrossServers(t *testing.T) {
	var ids []string
	for i := 0; i < 2; i++ {
		ts := MustServe(t, false, nil)
		if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
			t.Fatal(err)
		}
		resp, b := do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"]}`), map[string]string{"Content-Type": "application/json"})
		if resp.StatusCode != 202 {
			t.Fatalf("create: %d %s", resp.StatusCode, b)
		}
		id := strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/plans/")
		if _, err := uuid.Parse(strings.TrimPrefix(id, "plan-")); err != nil || !strings.HasPrefix(id, "plan-") {
			t.Errorf("job ID %q is not plan-<UUID>: %v", id, err)
		}
		ids = append(ids, id)
	}
	if ids[0] == ids[1] {
		t.Errorf("two servers made the same job ID %s", ids[0])
	}
}
