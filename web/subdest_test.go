package web_test

import (
	"html"
	"strings"
	"testing"
)

// TestSubscriptionsPageRedactsDestinations (new-user check 14f item 10):
// /subscriptions showed every webhook URL whole to any viewer (or anyone,
// with public reads); a non-admin sees scheme and host, an admin the URL.
func TestSubscriptionsPageRedactsDestinations(t *testing.T) {
	ts := MustServe(t, true, nil)
	ct := map[string]string{"Content-Type": "application/json"}
	if resp, b := do(t, "POST", ts.URL+"/epcis/queries", operatorSecret, []byte(`{"name": "shipments", "query": {}}`), ct); resp.StatusCode != 201 {
		t.Fatalf("query: %d %s", resp.StatusCode, b)
	}
	const dest = "https://hooks.example.com/T0KEN-path/x?key=s3cret"
	if resp, b := do(t, "POST", ts.URL+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"dest": "`+dest+`", "stream": true}`), ct); resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	for _, c := range []struct {
		who, token string
		whole      bool
	}{{"anonymous", "", false}, {"viewer", viewerSecret, false}, {"admin", adminSecret, true}} {
		_, b := do(t, "GET", ts.URL+"/subscriptions", c.token, nil, nil)
		page := html.UnescapeString(string(b))
		if got := strings.Contains(page, dest); got != c.whole || !strings.Contains(page, "https://hooks.example.com/") {
			t.Errorf("%s: whole URL shown %v, want %v", c.who, got, c.whole)
		}
		if !c.whole && (strings.Contains(page, "s3cret") || strings.Contains(page, "T0KEN")) {
			t.Errorf("%s: the page shows the URL's secret", c.who)
		}
	}
}

// TestSubscriptionsPagePastTheLastIsRefused (issue 14 recheck):
// /subscriptions?after=zz answered 200 "shows 0 of the N" — a position
// past the last subscription (a typo or a made-up link) read as an empty
// list. It is a 400 naming after; a real position still pages.
func TestSubscriptionsPagePastTheLastIsRefused(t *testing.T) {
	ts := MustServe(t, true, nil)
	ct := map[string]string{"Content-Type": "application/json"}
	if resp, b := do(t, "POST", ts.URL+"/epcis/queries", operatorSecret, []byte(`{"name": "shipments", "query": {}}`), ct); resp.StatusCode != 201 {
		t.Fatalf("query: %d %s", resp.StatusCode, b)
	}
	if resp, b := do(t, "POST", ts.URL+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"dest": "https://hooks.example.com/x", "stream": true}`), ct); resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "GET", ts.URL+"/subscriptions?after=zz", viewerSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != 400 || !strings.Contains(string(b), "no subscription comes after") {
		t.Errorf("after=zz: %d; want 400 naming after\n%s", resp.StatusCode, b)
	}
	if resp, _ := do(t, "GET", ts.URL+"/subscriptions?after=", viewerSecret, nil, map[string]string{"Accept": "text/html"}); resp.StatusCode != 200 {
		t.Errorf("the first page: %d", resp.StatusCode)
	}
}
