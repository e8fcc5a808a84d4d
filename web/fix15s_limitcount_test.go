package web_test

import (
	"strings"
	"testing"
)

// TestCaptureLimitHasThousandsSeparator (issue 15, fix15s, cosmetic):
// the Capture page's limits read "10000 events" (ledger.DefaultLimits,
// MaxEvents 10,000) without the thousands separator every other figure
// on the pages has. Counts are written with commercial.Count, which
// groups thousands: "Limits: 10,000 events, 32 MiB per document".
func TestCaptureLimitHasThousandsSeparator(t *testing.T) {
	ts := MustServe(t, false, nil)
	_, b := do(t, "GET", ts.URL+"/capture", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if page := visibleText(string(b)); !strings.Contains(page, "Limits: 10,000 events, 32 MiB per document") {
		t.Errorf("capture page lacks %q:\n%s", "Limits: 10,000 events, 32 MiB per document", excerpt(page, "Limits"))
	}
}
