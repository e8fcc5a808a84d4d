package main_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqlite"
)

// build compiles the critmin binary once for the tests in this file.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "critmin")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestCapturedDataSurvivesKill9 starts the real binary, creates a token
// with `critmin init` and `critmin token create` (its last stdout line is the secret),
// captures a document over HTTP, kills the server with SIGKILL as soon as
// it answers 202, and checks that the events are in the database.
func TestCapturedDataSurvivesKill9(t *testing.T) {
	bin := build(t)
	db := filepath.Join(t.TempDir(), "critmin.db")
	if out, err := exec.Command(bin, "init", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("init: %v %s", err, out)
	}
	out, err := exec.Command(bin, "token", "create", "--db", db, "--name", "ops", "--role", "operator").Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, "cm_") {
		t.Fatalf("last line %q is not a token", token)
	}
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	url := ""
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "critmin is serving on "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatal("server did not report its address")
	}
	body, err := os.ReadFile("../../demo/corridor/01-pakistan-mines-to-ports.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", url+"/epcis/capture", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/ld+json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("capture: %s", resp.Status)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	n, err := store.CountEvents(ctx)
	if err != nil || n != 13 {
		t.Fatalf("after kill -9: %d events, %v; want the 13 acknowledged", n, err)
	}
	if _, err := store.FindLot(ctx, "urn:critmin:demo:lot:REE-2025-001"); err != nil {
		t.Errorf("lot projection lost: %v", err)
	}
}

// TestSoakCampaign runs a short kill -9 campaign (critmin bench soak) on
// SQLite and on PostgreSQL with the real binary: no acknowledged event may
// be lost, no document half stored, and verify must pass after each kill.
// The long campaign (30 and 10 cycles) is a benchmark, run by hand.
func TestSoakCampaign(t *testing.T) {
	bin := build(t)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			args := []string{"bench", "soak", "--cycles", "2", "--loaders", "2", "--events", "20", "--min-up", "800ms", "--max-up", "1500ms", "--binary", bin, "--dir", t.TempDir()}
			if backend == "postgres" {
				admin := pgtest.AdminDSN()
				pgtest.MustCreateDatabase(t) // fails in CI, skips elsewhere, when PostgreSQL is down
				args = append(args, "--postgres", admin)
			}
			out, err := exec.Command(bin, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("soak: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "lost=0 partial=0 verify_failures=0") || !strings.Contains(string(out), "backend="+backend) {
				t.Errorf("soak output:\n%s", out)
			}
		})
	}
}

// TestSubscriptionSurvivesKill9: a webhook subscription's notification
// that the (down) receiver refused waits in the database's outbox; the
// server is killed with SIGKILL, started again, and delivers it once the
// receiver is up.
func TestSubscriptionSurvivesKill9(t *testing.T) {
	bin := build(t)
	db := filepath.Join(t.TempDir(), "critmin.db")
	if out, err := exec.Command(bin, "init", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("init: %v %s", err, out)
	}
	out, err := exec.Command(bin, "token", "create", "--db", db, "--name", "ops", "--role", "operator").Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	token := lines[len(lines)-1]

	var mu sync.Mutex
	up := false
	got := make(chan string, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if !up {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer hook.Close()

	serve := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "critmin is serving on "); ok {
				go func() {
					for sc.Scan() {
					}
				}()
				return cmd, u
			}
		}
		t.Fatal("server did not report its address")
		return nil, ""
	}
	post := func(url, ct, body string, want int) {
		t.Helper()
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("POST %s: %s", url, resp.Status)
		}
	}
	cmd, url := serve()
	post(url+"/epcis/queries", "application/json", `{"name": "objects", "query": {"eventType": ["ObjectEvent"]}}`, http.StatusCreated)
	post(url+"/epcis/queries/objects/subscriptions", "application/json", `{"dest": "`+hook.URL+`", "signatureToken": "k", "stream": true}`, http.StatusCreated)
	body, err := os.ReadFile("../../demo/corridor/01-pakistan-mines-to-ports.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	post(url+"/epcis/capture", "application/ld+json", string(body), http.StatusAccepted)

	ctx := context.Background()
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		subs, err := store.ListSubscriptions(ctx, "objects")
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) == 1 && subs[0].Pending >= 1 && subs[0].Failures >= 1 {
			break
		}
		if i > 6000 {
			t.Fatalf("no refused delivery recorded: %+v", subs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	store.Close()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	mu.Lock()
	up = true
	mu.Unlock()
	serve()
	select {
	case doc := <-got:
		if !strings.Contains(doc, `"subscriptionID"`) || !strings.Contains(doc, `"eventID"`) {
			t.Errorf("delivered after kill -9: %.300s", doc)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("the pending notification was not delivered after kill -9 and restart")
	}
}
