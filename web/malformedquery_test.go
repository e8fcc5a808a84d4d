package web_test

import (
	"strings"
	"testing"
)

// TestPageMalformedQueryIsHTML: a page given a query string that does not
// parse (";" or a bad %-escape) answers the HTML error page, naming the
// parameter, as it does for an unknown parameter — it answered raw
// problem+json (nu14 item 6). The API keeps problem+json.
func TestPageMalformedQueryIsHTML(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	for _, path := range []string{"/risk?tonnes=1;x=2", "/lots?x=%zz", "/events?a=1;b=2"} {
		resp, b := send(t, "GET", ts.URL+path, nil, map[string]string{"Authorization": "Bearer " + viewerSecret, "Accept": "text/html", "Sec-Fetch-Mode": "navigate"})
		if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "malformed query parameter") {
			t.Errorf("%s: %d %s\n%.300s", path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
	resp, _ := send(t, "GET", ts.URL+"/api/v1/lots?x=%zz", nil, map[string]string{"Authorization": "Bearer " + viewerSecret})
	if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("API: %d %s; want 400 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
