package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestSubscriptionsPagePaged (issue 14, fix14c item 6): the subscriptions
// page read every subscription on every view. Now it shows 200 a page
// with a link to the next, and totals over all of them. 201 subscriptions
// of one query: page 1 shows 200 rows and the total 201, page 2 the one
// left (sub-200) and no further link; neither says the query has no
// subscriptions.
func TestSubscriptionsPagePaged(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if err := ts.Store.CreateNamedQuery(ctx, &critmin.NamedQuery{Name: "q", Query: json.RawMessage(`{}`), CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	for i := range 201 {
		if err := ts.Store.CreateSubscription(ctx, &critmin.Subscription{ID: fmt.Sprintf("sub-%03d", i), QueryName: "q", Dest: "http://h/", Stream: true, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	hdr := map[string]string{"Authorization": "Bearer " + viewerSecret, "Accept": "text/html"}
	rows := regexp.MustCompile(`<tr id="sub-`)
	resp, b := send(t, "GET", ts.URL+"/subscriptions", nil, hdr)
	page := string(b)
	if resp.StatusCode != 200 || len(rows.FindAllString(page, -1)) != 200 || !strings.Contains(page, `id="subs-count">201<`) {
		t.Fatalf("page 1: %d, %d rows; want 200 rows and the total 201", resp.StatusCode, len(rows.FindAllString(page, -1)))
	}
	next := regexp.MustCompile(`<a href="([^"]+)" id="subs-next">`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("page 1 has no link to the next")
	}
	resp, b = send(t, "GET", ts.URL+html.UnescapeString(next[1]), nil, hdr)
	page = string(b)
	if resp.StatusCode != 200 || len(rows.FindAllString(page, -1)) != 1 || !strings.Contains(page, `id="sub-sub-200"`) || strings.Contains(page, `id="subs-next"`) {
		t.Errorf("page 2: %d, %d rows; want sub-200 alone and no further link", resp.StatusCode, len(rows.FindAllString(page, -1)))
	}
	if strings.Contains(page, "No subscriptions.") {
		t.Error("a partial page says the query has no subscriptions")
	}
}
