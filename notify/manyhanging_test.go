package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/sqlite"
)

// TestMoreHangingDestinationsThanWorkers: with one worker, three
// subscriptions whose webhooks read the request and never answer (the
// client's timeout is an hour, so none of their deliveries ends during the
// test) all get their request — each delivery gives the worker back once
// its request is written — and a fourth, healthy subscription created
// afterwards still receives its event. Before, the first hanging
// delivery held the only worker until the client's timeout: the second
// hanging destination and the healthy one never got a request. No
// durations are asserted: the waits only bound a failing run.
func TestMoreHangingDestinationsThanWorkers(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	now := time.Now().UTC()
	if err := store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "all", Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	hung := make([]<-chan struct{}, 3)
	for i := range hung {
		var dest string
		dest, hung[i] = hangingListener(t)
		if err := store.CreateSubscription(ctx, &critmin.Subscription{ID: fmt.Sprintf("hang-%d", i), QueryName: "all", Dest: dest, Stream: true, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	received := make(chan string, 16)
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- string(b)
	}))
	defer healthy.Close()

	d := notify.New(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.Client = &http.Client{Timeout: time.Hour}
	d.Lease = 2 * time.Hour
	d.Interval = 10 * time.Millisecond
	d.Workers = 1
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(runCtx) }()
	defer func() { stop(); <-done }()

	captureOne(t, store, 1)
	for i, c := range hung {
		select {
		case <-c:
		case <-time.After(2 * time.Minute):
			t.Fatalf("hanging destination %d got no request: the earlier hanging deliveries hold the only worker", i)
		}
	}
	if err := store.CreateSubscription(ctx, &critmin.Subscription{ID: "ok", QueryName: "all", Dest: healthy.URL, Stream: true, CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	captureOne(t, store, 2)
	for {
		select {
		case body := <-received:
			if strings.Contains(body, "urn:t:ev:2") {
				return
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("the healthy webhook got no notification of urn:t:ev:2 while three destinations hang with one worker")
		}
	}
}
