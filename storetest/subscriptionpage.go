package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// testSubscriptionPaging: ListSubscriptionsPage reads one page by
// subscription ID, of one query or all, and SubscriptionTotals counts all
// of them (fix14c: lists read every subscription per request).
//
// Subscriptions s1, s3, s5 of query a and s2, s4 of query b, all streams.
// All, pages of 2: [s1 s2], after s2 [s3 s4], after s4 [s5]. Query a,
// pages of 2: [s1 s3], after s3 [s5]. s1 runs once with 2 notifications;
// one is claimed and fails once. Totals: 5 subscriptions, 2 pending (none
// delivered), 1 failed attempt — the sums of ListSubscriptions' columns.
func testSubscriptionPaging(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, name := range []string{"a", "b"} {
		if err := s.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: name, Query: json.RawMessage(`{}`), CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for i, q := range []string{"a", "b", "a", "b", "a"} {
		id := "s" + string(rune('1'+i))
		if err := s.CreateSubscription(ctx, &critmin.Subscription{ID: id, QueryName: q, Dest: "http://h/" + id, Stream: true, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(subs []*critmin.Subscription) string {
		var out []string
		for _, sub := range subs {
			out = append(out, sub.ID)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct{ query, after, want string }{
		{"", "", "s1 s2"}, {"", "s2", "s3 s4"}, {"", "s4", "s5"}, {"", "s5", ""},
		{"a", "", "s1 s3"}, {"a", "s3", "s5"}, {"b", "s2", "s4"},
	} {
		page, err := s.ListSubscriptionsPage(ctx, c.query, c.after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if ids(page) != c.want {
			t.Errorf("query %q after %q: %q, want %q", c.query, c.after, ids(page), c.want)
		}
	}
	claimed, err := s.ClaimSubscriptions(ctx, "A", t0, t0.Add(time.Minute), 5, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %d", err, len(claimed))
	}
	notes := []*critmin.Notification{
		{Body: []byte(`{"n":1}`), EventIDs: []string{"urn:uuid:1"}, CreatedAt: t0},
		{Body: []byte(`{"n":2}`), EventIDs: []string{"urn:uuid:2"}, CreatedAt: t0},
	}
	if err := s.CompleteRun(ctx, "A", claimed[0].ID, notes, 5, nil); err != nil {
		t.Fatal(err)
	}
	out, err := s.ClaimNotifications(ctx, t0, t0.Add(time.Minute), 1, nil)
	if err != nil || len(out) != 1 {
		t.Fatalf("claim notifications: %v, %d", err, len(out))
	}
	if err := s.NotificationFailed(ctx, out[0].ID, "webhook answered 500", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tot, err := s.SubscriptionTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tot != (critmin.SubscriptionTotals{Subscriptions: 5, Pending: 2, Failures: 1}) {
		t.Errorf("totals %+v, want 5 subscriptions, 2 pending, 1 failure", tot)
	}
	all, err := s.ListSubscriptions(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var sum critmin.SubscriptionTotals
	for _, sub := range all {
		sum.Subscriptions++
		sum.Pending += sub.Pending
		sum.Failures += sub.Failures
	}
	if sum != tot {
		t.Errorf("totals %+v differ from the sums of the listed subscriptions %+v", tot, sum)
	}
}
