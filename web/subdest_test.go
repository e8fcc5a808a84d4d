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
