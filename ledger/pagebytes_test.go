package ledger_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/bench"
	"github.com/critmin/critmin/ledger"
)

// TestQueryPageBoundedByBytes (issue 14, fix14 item 2): four viewers
// reading large events held 1.86 GB, since a page read perPage events
// whatever their size. A page now ends at perPage events or once its
// events hold the store's page budget of text (sqldb.MaxPageBytes, 16
// MiB; here set to the first three events' size, b0+b1+b2), and the
// next page goes on from there: pages of 3 events (the third brings the
// page to the budget) until the last, every event once, in order.
func TestQueryPageBoundedByBytes(t *testing.T) {
	const n = 10
	db := openStore(t)
	svc := ledger.NewService(db)
	var b bytes.Buffer
	if err := bench.NewGenerator(5).WriteDocument(&b, n); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: b.Bytes(), Behaviour: critmin.BehaviourRollback}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	all, err := db.FindEvents(ctx, critmin.EventFilter{Limit: 100, OrderAscending: true})
	if err != nil || len(all.Events) != n || all.Next != nil {
		t.Fatalf("all: %v", err)
	}
	db.PageBytes = len(all.Events[0].Raw) + len(all.Events[1].Raw) + len(all.Events[2].Raw)
	f := critmin.EventFilter{Limit: 100, OrderAscending: true}
	var got []string
	var sizes []int
	for {
		page, err := db.FindEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.Events))
		text := 0
		for i, ev := range page.Events {
			got = append(got, ev.EventID)
			if i < len(page.Events)-1 {
				text += len(ev.Raw)
			}
		}
		// Every event but the last was read while under the budget.
		if text >= db.PageBytes {
			t.Errorf("page of %d events read past the budget: %d bytes before its last event, budget %d", len(page.Events), text, db.PageBytes)
		}
		if page.Next == nil {
			break
		}
		f.After = page.Next
	}
	for i, ev := range all.Events {
		if i >= len(got) || got[i] != ev.EventID {
			t.Fatalf("paged events %v; want every event once, in order", got)
		}
	}
	if len(got) != n || sizes[0] != 3 {
		t.Errorf("%d events in pages of %v; want %d, the first page 3 events", len(got), sizes, n)
	}
}
