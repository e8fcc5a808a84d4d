package web_test

import (
	"strings"
	"testing"
)

// TestStatic404IsThePage (issue 14, fix14q item 3's class): a missing
// file or a directory under /static/ answered the Go file server's
// text/plain "404 page not found", the one error of the site that was
// neither problem+json nor the site's error page. It is the site's 404
// page, naming the path.
func TestStatic404IsThePage(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, p := range []string{"/static/", "/static/vendor/", "/static/no-such.css"} {
		resp, b := do(t, "GET", ts.URL+p, "", nil, nil)
		if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), p) {
			t.Errorf("%s: %d %s %.200s; want the site's 404 page naming the path", p, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
}
