package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/sqlite"
)

// TestPendingCountsOwedRunsAfterRestart: a server killed after events were
// captured but before its subscriptions ran leaves the outbox empty, yet
// the notifications are owed (a server delivers them once it runs). The
// pending count is computed from the stored state: the store is reopened
// (as after kill -9) with no dispatcher, and each subscription counts what
// its due run would queue.
//
// Three ObjectEvents and one AggregationEvent are captured; the query
// selects ObjectEvents. Stream subscription "s": 3 events, pages of
// DefaultBatch = 500 → ⌈3/500⌉ = 1 notification; pages of 2 → ⌈3/2⌉ = 2.
// Scheduled "due" (next run an hour ago): 1. Scheduled "later" (next run
// tomorrow): 0, nothing is owed yet. After a run whose delivery failed,
// the notification is in the outbox (pending 1 from the store) and the
// run is no longer owed (0): 1 in all, never counted twice.
func TestPendingCountsOwedRunsAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "critmin.db")
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "objects", Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	past, future := now.Add(-time.Hour), now.Add(24*time.Hour)
	for _, s := range []*critmin.Subscription{
		{ID: "s", QueryName: "objects", Dest: failing.URL, Stream: true, CreatedAt: now.Add(-time.Minute)},
		{ID: "due", QueryName: "objects", Dest: failing.URL, Schedule: &critmin.Schedule{Minute: "0"}, NextRun: &past, CreatedAt: now.Add(-time.Minute)},
		{ID: "later", QueryName: "objects", Dest: failing.URL, Schedule: &critmin.Schedule{Minute: "0"}, NextRun: &future, CreatedAt: now.Add(-time.Minute)},
	} {
		if err := store.CreateSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 3; i++ {
		captureOne(t, store, i)
	}
	captureAggregation(t, store)
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	store, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	maxSeq, err := store.MaxSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pending := func(id string) int {
		t.Helper()
		sub, err := store.FindSubscription(ctx, "objects", id)
		if err != nil {
			t.Fatal(err)
		}
		if err := notify.New(store, nil).AddOwed(ctx, []*critmin.Subscription{sub}, time.Now()); err != nil {
			t.Fatal(err)
		}
		return sub.Pending
	}
	for id, want := range map[string]int{"s": 1, "due": 1, "later": 0} {
		if got := pending(id); got != want {
			t.Errorf("subscription %s after a restart: pending %d, want %d", id, got, want)
		}
	}
	sub, err := store.FindSubscription(ctx, "objects", "s")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := notify.Owed(ctx, store, sub, maxSeq, time.Now(), 2); err != nil || n != 2 {
		t.Errorf("Owed with pages of 2 = %d, %v; want 2", n, err)
	}
	if total, err := notify.New(store, nil).OwedTotal(ctx, time.Now()); err != nil || total != 2 {
		t.Errorf("OwedTotal = %d, %v; want 2 (s 1 + due 1)", total, err)
	}

	d := notify.New(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := d.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int{"s": 1, "due": 1, "later": 0} {
		if got := pending(id); got != want {
			t.Errorf("subscription %s after a run whose delivery failed: pending %d, want %d", id, got, want)
		}
	}
	if total, err := notify.New(store, nil).OwedTotal(ctx, time.Now()); err != nil || total != 0 {
		t.Errorf("OwedTotal after the run = %d, %v; want 0", total, err)
	}
}

func captureAggregation(t *testing.T, store critmin.Store) {
	t.Helper()
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "AggregationEvent", "eventID": "urn:t:ev:agg", "eventTime": "2025-06-01T10:00:00Z",
 "eventTimeZoneOffset": "+00:00", "action": "ADD", "parentID": "urn:epc:id:sscc:0614141.1234567890", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.9"]}]}}`
	if _, err := ledger.NewService(store).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
}
