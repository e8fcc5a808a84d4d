package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/sqlite"
)

// BenchmarkPendingView is the work of one view of the subscriptions'
// delivery state (the /subscriptions page: the first 51 subscriptions'
// pending counts, notify.AddOwed, and the page total, notify.OwedTotal)
// with 200 stream subscriptions to one named query that each owe the run
// over 100 captured ObjectEvents (no dispatcher has run, as after a
// restart). Figures: docs/benchmarks.md, "Pending counts of the
// subscriptions view".
func BenchmarkPendingView(b *testing.B) { benchPendingView(b, false) }

// BenchmarkPendingViewDistinctQueries is BenchmarkPendingView with each
// of the 200 subscriptions to a named query of its own (the same
// selection under 200 names), so that no two share a count.
func BenchmarkPendingViewDistinctQueries(b *testing.B) { benchPendingView(b, true) }

func benchPendingView(b *testing.B, distinct bool) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "critmin.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	now := time.Now().UTC()
	if err := store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "objects", Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: now}); err != nil {
		b.Fatal(err)
	}
	const subs = 200
	for i := range subs {
		query := "objects"
		if distinct {
			query = fmt.Sprintf("objects%03d", i)
			if err := store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: query, Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: now}); err != nil {
				b.Fatal(err)
			}
		}
		s := &critmin.Subscription{ID: fmt.Sprintf("s%03d", i), QueryName: query, Dest: "http://127.0.0.1:1/hook", Stream: true, CreatedAt: now.Add(-time.Minute)}
		if err := store.CreateSubscription(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	events := make([]string, 100)
	for i := range events {
		events[i] = fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:b%d", "eventTime": "2025-06-01T10:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"]}`, i, i)
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
	"creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	if _, err := ledger.NewService(store).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		b.Fatal(err)
	}
	d := notify.New(store, nil)
	view := func(b *testing.B) {
		list, err := store.ListSubscriptionsPage(ctx, "", "", 51)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.AddOwed(ctx, list, now); err != nil {
			b.Fatal(err)
		}
		total, err := d.OwedTotal(ctx, now)
		if err != nil {
			b.Fatal(err)
		}
		// ⌈n/500⌉ = 1 notification owed by each of the 200, for the
		// 100 to 599 events captured.
		if total != subs || list[0].Pending != 1 {
			b.Fatalf("owed total %d, first pending %d; want %d and 1", total, list[0].Pending, subs)
		}
	}
	// Unchanged: the view again, nothing captured since the last one.
	b.Run("unchanged", func(b *testing.B) {
		view(b)
		b.ResetTimer()
		for range b.N {
			view(b)
		}
	})
	captured := 0
	// AfterCapture: one event captured before each view (not timed), so
	// every due subscription's count is taken afresh.
	b.Run("afterCapture", func(b *testing.B) {
		if captured+b.N > 400 {
			b.Fatalf("-benchtime %dx: at most 400 views in all keep ⌈n/500⌉ = 1", b.N)
		}
		svc := ledger.NewService(store)
		for range b.N {
			// A new event each time, across the runs the framework
			// makes: a repeated eventID would be a duplicate, which
			// changes nothing.
			captured++
			i := captured
			b.StopTimer()
			doc := fmt.Sprintf(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
			"creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:c%d", "eventTime": "2025-06-01T10:00:00Z",
			"eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107347.%d"]}]}}`, i, i)
			if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			view(b)
		}
	})
}
