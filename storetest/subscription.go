package storetest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testSubscriptions checks the store side of named queries and
// subscriptions: names are unique, leases let one server at a time run a
// subscription, a run that lost its lease writes nothing, the outbox is
// claimed by one server at a time (also when two claim at once), failed
// deliveries come back when due, and deleting a query takes its
// subscriptions and notifications with it.
func testSubscriptions(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	q := &critmin.NamedQuery{Name: "shipments", Query: json.RawMessage(`{"EQ_bizStep":["shipping"]}`), CreatedAt: t0}
	if err := s.CreateNamedQuery(ctx, q); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateNamedQuery(ctx, q); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("second query of one name: %v, want ECONFLICT", err)
	}
	if err := s.CreateSubscription(ctx, &critmin.Subscription{ID: "x", QueryName: "nope", Dest: "http://h/", Stream: true, CreatedAt: t0}); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("subscription of a missing query: %v, want ENOTFOUND", err)
	}
	next := t0.Add(time.Hour)
	subs := []*critmin.Subscription{
		{ID: "stream-1", QueryName: "shipments", Dest: "http://h/1", Secret: "k", Stream: true, CreatedAt: t0, LastSeq: 0},
		{ID: "sched-1", QueryName: "shipments", Dest: "http://h/2", Schedule: &critmin.Schedule{Hour: "13", Minute: "0"}, ReportIfEmpty: true, CreatedAt: t0, NextRun: &next},
	}
	for _, sub := range subs {
		if err := s.CreateSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	// At t0 with events up to seq 5: the stream one is due (0 < 5), the
	// scheduled one not before 13:00.
	got, err := s.ClaimSubscriptions(ctx, "A", t0, t0.Add(time.Minute), 5, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "stream-1" || got[0].Secret != "k" {
		t.Fatalf("claimed %v, want stream-1 with its secret", got)
	}
	// B cannot take it while A's lease runs.
	if again, _ := s.ClaimSubscriptions(ctx, "B", t0.Add(time.Second), t0.Add(time.Minute), 5, 10); len(again) != 0 {
		t.Fatalf("B claimed %d subscriptions under A's lease", len(again))
	}
	// After the lease ran out, B takes it; A's late completion is refused
	// and writes nothing.
	later := t0.Add(2 * time.Minute)
	if b, _ := s.ClaimSubscriptions(ctx, "B", later, later.Add(time.Minute), 5, 10); len(b) != 1 {
		t.Fatalf("B after the lease: %d subscriptions", len(b))
	}
	note := &critmin.Notification{Body: []byte(`{"n":1}`), EventIDs: []string{"urn:uuid:1"}, CreatedAt: later}
	if err := s.CompleteRun(ctx, "A", "stream-1", []*critmin.Notification{note}, 5, nil); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("completion without the lease: %v, want ECONFLICT", err)
	}
	if err := s.CompleteRun(ctx, "B", "stream-1", []*critmin.Notification{note}, 5, nil); err != nil {
		t.Fatal(err)
	}
	// Caught up: not due until a later event.
	if d, _ := s.ClaimSubscriptions(ctx, "B", later, later.Add(time.Minute), 5, 10); len(d) != 0 {
		t.Fatalf("caught-up stream subscription claimed again")
	}
	// The scheduled one is due at 13:00.
	at13 := t0.Add(time.Hour)
	if d, _ := s.ClaimSubscriptions(ctx, "A", at13, at13.Add(time.Minute), 5, 10); len(d) != 1 || d[0].ID != "sched-1" || !d[0].ReportIfEmpty || d[0].Schedule.Hour != "13" {
		t.Fatalf("scheduled subscription at 13:00: %+v", d)
	}

	// The outbox: two claimers at once get the one notification once.
	var mu sync.Mutex
	var claimed []*critmin.Notification
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.ClaimNotifications(ctx, later, later.Add(time.Minute), 10, nil)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			claimed = append(claimed, n...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(claimed) != 1 || claimed[0].Dest != "http://h/1" || claimed[0].Secret != "k" || claimed[0].EventIDs[0] != "urn:uuid:1" || claimed[0].Attempts != 1 {
		t.Fatalf("claimed %+v, want the one notification once, with its destination", claimed)
	}
	id := claimed[0].ID
	// A failure makes it due again at the time given, not before.
	retry := later.Add(10 * time.Second)
	if err := s.NotificationFailed(ctx, id, "webhook answered 500", retry); err != nil {
		t.Fatal(err)
	}
	if sub, err := s.FindSubscription(ctx, "shipments", "stream-1"); err != nil || sub.LastError != "webhook answered 500" {
		t.Errorf("after a failure: last error %+v %v", sub, err)
	}
	if n, _ := s.ClaimNotifications(ctx, later.Add(5*time.Second), later.Add(time.Minute), 10, nil); len(n) != 0 {
		t.Fatalf("claimed before its retry time")
	}
	// A claimer already delivering to stream-1 skips its notifications.
	if n, err := s.ClaimNotifications(ctx, retry, retry.Add(time.Minute), 10, []string{"sched-1", "stream-1"}); err != nil || len(n) != 0 {
		t.Fatalf("claimed a skipped subscription's notification: %+v %v", n, err)
	}
	n, err := s.ClaimNotifications(ctx, retry, retry.Add(time.Minute), 10, []string{"sched-1"})
	if err != nil || len(n) != 1 || n[0].Attempts != 2 {
		t.Fatalf("retry: %+v %v", n, err)
	}
	// A claim whose server died (no delivered, no failed) comes back after
	// its lease: at least once.
	if n, _ := s.ClaimNotifications(ctx, retry.Add(2*time.Minute), retry.Add(3*time.Minute), 10, nil); len(n) != 1 || n[0].Attempts != 3 {
		t.Fatalf("expired claim not reclaimed: %+v", n)
	}
	delivered := retry.Add(2 * time.Minute)
	if err := s.NotificationDelivered(ctx, id, delivered); err != nil {
		t.Fatal(err)
	}
	sub, err := s.FindSubscription(ctx, "shipments", "stream-1")
	if err != nil {
		t.Fatal(err)
	}
	// Three attempts: one failed (recorded), one lost with its server (not
	// a recorded failure), one delivered — which clears the last error
	// (the failure count keeps it).
	if sub.Delivered != 1 || sub.Pending != 0 || sub.Failures != 1 || sub.LastError != "" ||
		sub.LastNotifiedAt == nil || !sub.LastNotifiedAt.Equal(delivered) || sub.LastSeq != 5 {
		t.Errorf("delivery state %+v", sub)
	}
	if all, _ := s.ListSubscriptions(ctx, ""); len(all) != 2 {
		t.Errorf("listed %d subscriptions, want 2", len(all))
	}
	if err := s.DeleteSubscription(ctx, "shipments", "nope"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("delete missing subscription: %v", err)
	}
	if err := s.DeleteNamedQuery(ctx, "shipments"); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.ListSubscriptions(ctx, ""); len(all) != 0 {
		t.Errorf("subscriptions survived their query: %d", len(all))
	}
	if n, _ := s.ClaimNotifications(ctx, delivered.Add(time.Hour), delivered.Add(2*time.Hour), 10, nil); len(n) != 0 {
		t.Errorf("notifications survived their query")
	}
	if _, err := s.FindNamedQuery(ctx, "shipments"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("deleted query found: %v", err)
	}
}
