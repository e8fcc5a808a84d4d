package http_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnmatchedRoutesAnswerLikeTheRest (new-user check 14f item 11): a
// path no route serves, or a method a path does not allow, answered Go's
// bare text/plain "404 page not found" / "Method Not Allowed". Under /api
// and /epcis it is problem+json naming the path (and for 405 the methods
// allowed, with the Allow header kept); elsewhere an HTML page.
func TestUnmatchedRoutesAnswerLikeTheRest(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	resp, b := do(t, "GET", ts.URL+"/api/v1/shipments", viewerSecret, nil, nil)
	if p := mustProblem(t, resp, b, http.StatusNotFound); !strings.Contains(p.Detail, "no resource at /api/v1/shipments") {
		t.Errorf("404: %q", p.Detail)
	}
	resp, b = do(t, "DELETE", ts.URL+"/api/v1/risk/corridor", viewerSecret, nil, nil)
	if p := mustProblem(t, resp, b, http.StatusMethodNotAllowed); !strings.Contains(p.Detail, "DELETE is not allowed on /api/v1/risk/corridor") || !strings.Contains(resp.Header.Get("Allow"), "POST") {
		t.Errorf("405: %q, Allow %q", p.Detail, resp.Header.Get("Allow"))
	}
	resp, b = do(t, "PUT", ts.URL+"/healthz", "", nil, nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "<h1>Method Not Allowed</h1>") {
		t.Errorf("405 page: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}
