package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestEventPageUnknownIDReadable (new-user finding nu37b-6): the page of
// an unknown event, its ID pasted with spaces ("/events/%20nope%20"),
// read `no event with eventID " nope "`. The spaces are the paste's (an
// event ID is a URI): the page opens the trimmed ID, and its 404 quotes
// the ID once, in a sentence that says what an event ID is.
func TestEventPageUnknownIDReadable(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "GET", ts.URL+"/events/%20nope%20", "", nil, map[string]string{"Accept": "text/html"})
	page := visibleText(string(b))
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(page, `No event has the ID "nope".`) || strings.Contains(page, `" nope "`) {
		t.Errorf("%d %s; want 404 naming \"nope\"", resp.StatusCode, excerpt(string(b), "nope"))
	}
}
