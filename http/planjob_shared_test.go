package http_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/solver"
	"github.com/critmin/critmin/sqlite"
)

// sharedPlanServers starts two servers, each with its own store handle
// (connection pool) and memory as two processes would have, on one
// database opened by open, with the demo corridor loaded and an operator
// token. Their MIPs "solve" in a worker that sleeps until killed, so a
// job runs until it is cancelled; leases are renewed every 20 ms.
func sharedPlanServers(t *testing.T, open func() (critmin.Store, error)) (urls [2]string, store critmin.Store) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		st, err := open()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			store = st
			if err := st.CreateToken(ctx, &critmin.Token{Name: "operator", Role: critmin.RoleOperator, Hash: critminhttp.HashToken(operatorSecret), CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if _, err := demo.Load(ctx, ledger.NewService(st)); err != nil {
				t.Fatal(err)
			}
		}
		srv, err := critminhttp.NewServer(st, ledger.NewService(st), slog.New(slog.NewTextHandler(io.Discard, nil)), false)
		if err != nil {
			t.Fatal(err)
		}
		srv.SetPlanWorker(solver.Worker{Path: "/bin/sh", Args: []string{"-c", "exec sleep 300"}})
		srv.SetPlanLease(time.Minute, 20*time.Millisecond)
		if err := srv.Listen("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		urls[i] = srv.URL()
		t.Cleanup(func() {
			c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(c)
			st.Close()
		})
	}
	return urls, store
}

// checkSharedPlanJobs: a job started on server A is seen running on
// server B (not "interrupted", as when job state lived in A's memory);
// B's cancel sets the flag in the database and A's job stops and is
// stored as cancelled, which B then shows; a running job whose owner
// stopped renewing its lease (a server that died) reads as abandoned on
// B, never stuck running, while one with a live lease reads as running.
func checkSharedPlanJobs(t *testing.T, urls [2]string, store critmin.Store) {
	ctx := context.Background()
	a, b := urls[0], urls[1]
	resp, body := do(t, "POST", a+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"]}`), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 202 {
		t.Fatalf("create on A: %d %s", resp.StatusCode, body)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/plans/")
	get := func(url string) planJobView {
		resp, body := do(t, "GET", url+"/api/v1/plans/"+id, operatorSecret, nil, nil)
		var j planJobView
		if resp.StatusCode != 200 || json.Unmarshal(body, &j) != nil {
			t.Fatalf("GET job: %d %s", resp.StatusCode, body)
		}
		return j
	}
	if j := get(b); j.Status != critmin.PlanRunning {
		t.Fatalf("B sees A's job as %q (%s), want running", j.Status, j.Error)
	}
	resp, body = do(t, "DELETE", b+"/api/v1/plans/"+id, operatorSecret, nil, nil)
	var cancelled planJobView
	if resp.StatusCode != 202 || json.Unmarshal(body, &cancelled) != nil || !cancelled.CancelRequested {
		t.Fatalf("cancel on B: %d %s", resp.StatusCode, body)
	}
	j := waitJob(t, b, operatorSecret, id)
	if j.Status != critmin.PlanCancelled || !strings.Contains(j.Error, "cancelled by request") {
		t.Errorf("after B's cancel, B shows %q (%s), want cancelled", j.Status, j.Error)
	}
	if j := get(a); j.Status != critmin.PlanCancelled {
		t.Errorf("after B's cancel, A shows %q, want cancelled", j.Status)
	}

	// Jobs of servers that are gone or alive, as their rows stand.
	now := time.Now()
	for _, c := range []struct {
		id    string
		lease time.Time
		want  string
	}{
		{"plan-dead-owner", now.Add(-time.Second), critmin.PlanAbandoned},
		{"plan-live-owner", now.Add(time.Hour), critmin.PlanRunning},
	} {
		if err := store.SavePlanJob(ctx, &critmin.PlanJob{ID: c.id, Network: "demo", Scenarios: []string{"baseline"}, Status: critmin.PlanRunning,
			Created: now.Add(-time.Minute), Owner: "another-server", LeaseUntil: c.lease, Done: 0}); err != nil {
			t.Fatal(err)
		}
		resp, body := do(t, "GET", b+"/api/v1/plans/"+c.id, operatorSecret, nil, nil)
		var got planJobView
		if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil || got.Status != c.want {
			t.Errorf("%s: %d %s, want status %s", c.id, resp.StatusCode, body, c.want)
		}
	}
	rec, err := store.FindPlanJob(ctx, "plan-dead-owner")
	if err != nil || rec.Status != critmin.PlanAbandoned || rec.Finished == nil || !strings.Contains(rec.Error, "lease lapsed") {
		t.Errorf("stored dead-owner job: %+v %v, want abandoned with a finish time and the reason", rec, err)
	}
	// The list shows the same states.
	resp, body = do(t, "GET", a+"/api/v1/plans", operatorSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status": "abandoned"`) {
		t.Errorf("list on A: %d %s", resp.StatusCode, body)
	}
}

func TestPlanJobsSharedSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "critmin.db")
	urls, store := sharedPlanServers(t, func() (critmin.Store, error) { return sqlite.Open(context.Background(), path) })
	checkSharedPlanJobs(t, urls, store)
}

func TestPlanJobsSharedPostgreSQL(t *testing.T) {
	dsn := pgtest.MustCreateDatabase(t)
	urls, store := sharedPlanServers(t, func() (critmin.Store, error) { return postgres.Open(context.Background(), dsn) })
	checkSharedPlanJobs(t, urls, store)
}
