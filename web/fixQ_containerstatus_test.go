package web_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestIndexAndOverviewShowEachContainersStatus (issue 15, n15-6 item 5):
// the shipments index and the overview said only the voyage's status
// ("arrived 2025-…", "in transit"), never where each container of it
// stands now. The index lists under each shipment the containers its
// shipping event names, each with the status its own page states
// (#shipment-status), word for word: the demo's containers are listed
// (at least one) and every one reads as its page does; the overview's
// shipments in transit list theirs likewise.
func TestIndexAndOverviewShowEachContainersStatus(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	item := regexp.MustCompile(`(?s)<li><a href="(/shipments/[^"]+)"[^>]*>[^<]*</a>: <span class="container-state">(.*?)</span></li>`)
	statusOf := regexp.MustCompile(`(?s)id="shipment-status">(.*?)</div>`)
	check := func(path string, atLeast int) {
		resp, b := do(t, "GET", ts.URL+path, "", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		items := item.FindAllStringSubmatch(string(b), -1)
		if len(items) < atLeast {
			t.Errorf("%s: %d containers with their status; want at least %d", path, len(items), atLeast)
		}
		for _, it := range items {
			_, cb := do(t, "GET", ts.URL+html.UnescapeString(it[1]), "", nil, nil)
			m := statusOf.FindStringSubmatch(string(cb))
			if m == nil {
				t.Errorf("%s: no status", it[1])
				continue
			}
			if got, want := strings.TrimSpace(html.UnescapeString(it[2])), strings.TrimSpace(html.UnescapeString(m[1])); got != want {
				t.Errorf("%s lists %s as %q; its page says %q", path, it[1], got, want)
			}
		}
	}
	check("/shipments", 1)
	check("/", 0)
}
