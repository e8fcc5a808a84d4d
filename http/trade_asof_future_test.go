package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user check (fix13k, 5): every as_of of the trade API
// refuses a day after today (400 naming as_of and today's date) — the
// agreement's progress (it called future milestones overdue), the
// exposure, the NSR comparison and the invoices.
func TestTradeAPIAsOfAfterTodayIsRefused(t *testing.T) {
	ts := MustTradeDemo(t)
	later := time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly)
	for _, path := range []string{
		"/api/v1/trade/agreements/" + commercial.DemoAgreement + "?as_of=" + later,
		"/api/v1/trade/exposure?as_of=" + later,
		"/api/v1/trade/nsr?lot=urn:critmin:demo:lot:REE-2025-001&as_of=" + later,
		"/api/v1/trade/invoices?as_of=" + later,
	} {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "as_of") || !strings.Contains(string(b), "is after today") {
			t.Errorf("GET %s: %d %s; want 400 naming as_of, after today", path, resp.StatusCode, b)
		}
	}
}
