package http_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSubscriptionDestinationRedacted (new-user check 14f item 10): a
// webhook URL's path and query often hold its secret, and any viewer (or
// anyone, with public reads) could read it from GET
// /epcis/queries/{q}/subscriptions. A non-admin sees scheme and host only,
// "https://hooks.example.com:8443/…"; an admin sees the whole URL.
func TestSubscriptionDestinationRedacted(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, true, nil)
	createQuery(t, ts.URL, "shipments", `{"EQ_bizStep": ["shipping"]}`)
	const dest = "https://hooks.example.com:8443/T0KEN-path/x?key=s3cret"
	if resp, b := do(t, "POST", ts.URL+"/epcis/queries/shipments/subscriptions", operatorSecret, []byte(`{"dest": "`+dest+`", "stream": true}`), jsonCT); resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	for _, c := range []struct{ who, token, want string }{
		{"anonymous", "", "https://hooks.example.com:8443/…"},
		{"viewer", viewerSecret, "https://hooks.example.com:8443/…"},
		{"operator", operatorSecret, "https://hooks.example.com:8443/…"},
		{"admin", adminSecret, dest},
	} {
		resp, b := do(t, "GET", ts.URL+"/epcis/queries/shipments/subscriptions", c.token, nil, nil)
		var subs []struct {
			ID   string `json:"subscriptionID"`
			Dest string `json:"dest"`
		}
		if err := json.Unmarshal(b, &subs); err != nil || resp.StatusCode != 200 || len(subs) != 1 {
			t.Fatalf("%s: %d %s", c.who, resp.StatusCode, b)
		}
		if subs[0].Dest != c.want {
			t.Errorf("%s: dest %q; want %q", c.who, subs[0].Dest, c.want)
		}
		_, one := do(t, "GET", ts.URL+"/epcis/queries/shipments/subscriptions/"+subs[0].ID, c.token, nil, nil)
		if c.token != adminSecret && (strings.Contains(string(one), "s3cret") || strings.Contains(string(one), "T0KEN")) {
			t.Errorf("%s: one subscription shows the secret: %s", c.who, one)
		}
	}
}
