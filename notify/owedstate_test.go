package notify_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/sqlite"
)

// TestOwedCountsFollowStoredState: the pending counts a view shows are
// remembered by the stored state they were counted from, and follow
// every change of it — never a figure of an older state.
//
// Query "docked" selects events whose bizLocation has master-data
// attribute cbvmda:name (HASATTR_). Two ObjectEvents at Dock 7 are
// captured while Dock 7 has no master data: stream subscriptions "a" and
// "b" (same query, same position) owe 0 — nothing matches; scheduled "e"
// (due, reportIfEmpty) owes 1, the empty report; "f", the same without
// reportIfEmpty, 0. Then a master-data-only
// document names Dock 7 (no event: the ledger's last position does not
// move): both events match, ⌈2/500⌉ = 1 for "a", "b" and "f"; "e" still
// 1 (its report now holds the 2 events). A third event, not at Dock 7:
// still 1 each (2 match). The query deleted and made again under its
// name, selecting nothing captured, with "a" subscribed again alike: 0.
// Each view is asked twice: the second, of an
// unchanged state, gives the same figures.
func TestOwedCountsFollowStoredState(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Now().UTC()
	if err := store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "docked", Query: json.RawMessage(`{"HASATTR_bizLocation": ["cbvmda:name"]}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	past := now.Add(-time.Hour)
	for _, s := range []*critmin.Subscription{
		{ID: "a", QueryName: "docked", Dest: "http://127.0.0.1:1/a", Stream: true, CreatedAt: now.Add(-time.Minute)},
		{ID: "b", QueryName: "docked", Dest: "http://127.0.0.1:1/b", Stream: true, CreatedAt: now.Add(-time.Minute)},
		{ID: "e", QueryName: "docked", Dest: "http://127.0.0.1:1/e", Schedule: &critmin.Schedule{Minute: "0"}, NextRun: &past, ReportIfEmpty: true, CreatedAt: now.Add(-time.Minute)},
		{ID: "f", QueryName: "docked", Dest: "http://127.0.0.1:1/f", Schedule: &critmin.Schedule{Minute: "0"}, NextRun: &past, CreatedAt: now.Add(-time.Minute)},
	} {
		if err := store.CreateSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	d := notify.New(store, nil)
	svc := ledger.NewService(store)
	capture := func(doc string) {
		t.Helper()
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	event := func(id, loc string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
		"creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-06-01T10:00:00Z",
		"eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.` + id + `"], "bizLocation": {"id": "` + loc + `"}}]}}`
	}
	const dock = "urn:epc:id:sgln:4012345.00007.0"
	capture(event("1", dock))
	capture(event("2", dock))
	check := func(stage string, want map[string]int, wantTotal int) {
		t.Helper()
		for round := 1; round <= 2; round++ {
			subs, err := store.ListSubscriptionsPage(ctx, "docked", "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.AddOwed(ctx, subs, now); err != nil {
				t.Fatal(err)
			}
			for _, s := range subs {
				if s.Pending != want[s.ID] {
					t.Errorf("%s, view %d: %s pending %d, want %d", stage, round, s.ID, s.Pending, want[s.ID])
				}
			}
			if total, err := d.OwedTotal(ctx, now); err != nil || total != wantTotal {
				t.Errorf("%s, view %d: OwedTotal %d, %v; want %d", stage, round, total, err, wantTotal)
			}
		}
	}
	check("Dock 7 without master data", map[string]int{"a": 0, "b": 0, "e": 1, "f": 0}, 1)
	maxSeq, err := store.MaxSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	capture(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-06-02T00:00:00Z",
	"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
		{"id": "` + dock + `", "attributes": [{"id": "cbvmda:name", "attribute": "Dock 7"}]}]}]}},
	"epcisBody": {"eventList": []}}`)
	if after, err := store.MaxSeq(ctx); err != nil || after != maxSeq {
		t.Fatalf("master data moved the ledger's last position %d → %d (%v): the case needs it unmoved", maxSeq, after, err)
	}
	check("Dock 7 named in master data", map[string]int{"a": 1, "b": 1, "e": 1, "f": 1}, 4)
	capture(event("3", "urn:epc:id:sgln:4012345.00008.0"))
	check("a third event elsewhere", map[string]int{"a": 1, "b": 1, "e": 1, "f": 1}, 4)
	// The query deleted (its subscriptions with it) and made again under
	// the same name selecting AggregationEvents, none captured, and "a"
	// subscribed again as before: it owes 0 — the log did not move, but
	// the query is another.
	if err := store.DeleteNamedQuery(ctx, "docked"); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "docked", Query: json.RawMessage(`{"eventType": ["AggregationEvent"]}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateSubscription(ctx, &critmin.Subscription{ID: "a", QueryName: "docked", Dest: "http://127.0.0.1:1/a", Stream: true, CreatedAt: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	check("the query made again selecting nothing captured", map[string]int{"a": 0}, 0)
}
