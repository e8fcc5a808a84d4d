package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestOverviewRecentEventsByShownTime (nu15f item 12): the overview's
// recent events are the last recorded, but the table's first column is
// the event time; they were listed by record time, so the demo's
// correction (corr-001, an event of 4 Oct 2025 recorded after the 12 Nov
// shipment 027), or a weighing of 30 Aug imported now, broke the
// column's order. Each row's event time is at
// or before the row above's.
func TestOverviewRecentEventsByShownTime(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	// A weighing of 30 Aug 2025 recorded now, after the November events.
	if resp, page := postImport(t, ts, url.Values{"source": {"wb"}, "kind": {"weighbridge"}, "step": {"capture"},
		"csv":        {"Ticket,Lot,Time,Net\nT1,urn:critmin:demo:lot:REE-2025-002,2025-08-30 10:00,17980\n"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot"}, "col_time": {"Time"}, "col_net_kg": {"Net"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}); resp.StatusCode != 303 {
		t.Fatalf("import: %d\n%s", resp.StatusCode, page)
	}
	_, b := do(t, "GET", ts.URL+"/", "", nil, nil)
	page := string(b)
	i := strings.Index(page, "Recently recorded events")
	if i < 0 {
		t.Fatalf("no recent events heading")
	}
	table := page[i : i+strings.Index(page[i:], "</table>")]
	var ids []string
	for _, m := range regexp.MustCompile(`href="/events/([^"]+)"`).FindAllStringSubmatch(table, -1) {
		id, _ := url.PathUnescape(m[1])
		ids = append(ids, id)
	}
	if len(ids) < 5 {
		t.Fatalf("%d recent events", len(ids))
	}
	for k := 1; k < len(ids); k++ {
		prev, err1 := ts.Store.FindEventsByID(ctx, ids[k-1])
		cur, err2 := ts.Store.FindEventsByID(ctx, ids[k])
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if cur[0].EventTime.After(prev[0].EventTime) {
			t.Errorf("row %d (%s, %s) is after row %d (%s, %s) in event time", k+1, ids[k], cur[0].EventTime, k, ids[k-1], prev[0].EventTime)
		}
	}
}
