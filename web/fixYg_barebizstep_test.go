package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestEventsPageBareWordNotCBV (new-user finding nu37b-6): the events
// page's query EQ_bizStep=shippin read "No events" (200); it is refused
// 400 naming the parameter and the nearest CBV value, as the API refuses
// it. EQ_bizStep=shipping is a query: 200.
func TestEventsPageBareWordNotCBV(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "GET", ts.URL+"/events?EQ_bizStep=shippin", "", nil, map[string]string{"Accept": "text/html"})
	page := visibleText(string(b))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "EQ_bizStep") || !strings.Contains(page, `did you mean "shipping"?`) {
		t.Errorf("shippin: %d %s", resp.StatusCode, excerpt(string(b), "EQ_bizStep"))
	}
	if resp, _ := do(t, "GET", ts.URL+"/events?EQ_bizStep=shipping", "", nil, map[string]string{"Accept": "text/html"}); resp.StatusCode != http.StatusOK {
		t.Errorf("shipping: %d", resp.StatusCode)
	}
}
