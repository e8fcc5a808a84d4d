package notify_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/notify"
	"github.com/critmin/critmin/sqlite"
)

// findCounter is a store that counts its event queries, so a test can
// tell a count run afresh from one read back from a dispatcher's memory.
type findCounter struct {
	critmin.Store
	finds *int
}

func (s findCounter) FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error) {
	*s.finds++
	return s.Store.FindEvents(ctx, f)
}

// TestOwedMemoLeastRecentlyUsed: a dispatcher remembers at most OwedMemo
// owed counts and forgets the least recently used first, never all at
// once. Three stream subscriptions s1, s2, s3, each to a named query of
// its own (q1, q2, q3: ObjectEvents), owe the run over one captured
// ObjectEvent: ⌈1/500⌉ = 1 each. With OwedMemo = 2, the views
//
//	s1 counted (remembered: s1)
//	s2 counted (s2, s1)
//	s1 read back (s1, s2)
//	s3 counted, s2 forgotten as least recently used (s3, s1)
//	s1 read back (s1, s3) — a memory cleared whole would count it again
//	s2 counted again (s2, s1)
//
// each show pending 1; a counted view runs the query (the same number of
// event reads each time), a read-back view runs none.
func TestOwedMemoLeastRecentlyUsed(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	for _, id := range []string{"1", "2", "3"} {
		if err := db.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "q" + id, Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSubscription(ctx, &critmin.Subscription{ID: "s" + id, QueryName: "q" + id, Dest: "http://127.0.0.1:1/" + id, Stream: true, CreatedAt: now.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent",
	"eventID": "urn:t:ev:1", "eventTime": "2025-06-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	"epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}]}}`)}); err != nil {
		t.Fatal(err)
	}
	finds := 0
	d := notify.New(findCounter{db, &finds}, nil)
	d.OwedMemo = 2
	perCount := 0
	for i, v := range []struct {
		id      string
		counted bool
	}{{"1", true}, {"2", true}, {"1", false}, {"3", true}, {"1", false}, {"2", true}} {
		sub, err := db.FindSubscription(ctx, "q"+v.id, "s"+v.id)
		if err != nil {
			t.Fatal(err)
		}
		before := finds
		if err := d.AddOwed(ctx, []*critmin.Subscription{sub}, now); err != nil {
			t.Fatal(err)
		}
		if sub.Pending != 1 {
			t.Errorf("view %d of s%s: pending %d, want 1", i+1, v.id, sub.Pending)
		}
		reads := finds - before
		if i == 0 {
			perCount = reads
			if reads == 0 {
				t.Fatal("the first view ran no query")
			}
		}
		switch {
		case v.counted && reads != perCount:
			t.Errorf("view %d of s%s: %d event reads, want %d (counted afresh)", i+1, v.id, reads, perCount)
		case !v.counted && reads != 0:
			t.Errorf("view %d of s%s: %d event reads, want 0 (read back from the memory)", i+1, v.id, reads)
		}
	}
}

// TestOwedMemoGoesWithItsDispatcher: the memory of owed counts is the
// dispatcher's, so a store closed and dropped with its dispatcher is
// freed — nothing process-wide holds it (before, a package-level map
// kept every store that was ever counted until 100,000 entries).
func TestOwedMemoGoesWithItsDispatcher(t *testing.T) {
	ctx := context.Background()
	freed := make(chan struct{})
	func() {
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "critmin.db"))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		if err := db.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "q", Query: json.RawMessage(`{"eventType": ["ObjectEvent"]}`), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSubscription(ctx, &critmin.Subscription{ID: "s", QueryName: "q", Dest: "http://127.0.0.1:1/s", Stream: true, CreatedAt: now.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
		"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent",
		"eventID": "urn:t:ev:1", "eventTime": "2025-06-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		"epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}]}}`)}); err != nil {
			t.Fatal(err)
		}
		// ⌈1/500⌉ = 1 owed, counted and remembered.
		if total, err := notify.New(db, nil).OwedTotal(ctx, now); err != nil || total != 1 {
			t.Fatalf("OwedTotal %d, %v; want 1", total, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		runtime.AddCleanup(db, func(ch chan struct{}) { close(ch) }, freed)
	}()
	for range 100 {
		runtime.GC()
		select {
		case <-freed:
			return
		default:
			runtime.Gosched()
		}
	}
	t.Fatal("the closed store is still reachable after 100 collections: something outside its dispatcher holds it")
}
