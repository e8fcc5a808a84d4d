package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestLotPageSaysNothingOfZeroInTransit (issue 15, fix15s, cosmetic):
// FW-19 (fw19Split), 19 t at Karachi, 5,000 kg of it shipped to Houston
// and received there: nothing of it is at sea, and its Remaining line
// read "… · 0 wmt in transit · parts sent 5 wmt …". It now names what
// is in transit only when something is: 14 t at Karachi, 5 t at Houston,
// parts sent 5 wmt of the lot's 19 wmt, no "in transit". While the part
// is at sea (shipped, not received) the line says "5 wmt in transit".
func TestLotPageSaysNothingOfZeroInTransit(t *testing.T) {
	remaining := func(ts *testServer) string {
		_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:FW-19"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
		return visibleText(regexp.MustCompile(`(?s)<dd id="remaining">.*?</dd>`).FindString(string(b)))
	}
	ship := fw19Ship("urn:t:fw19z:s", "2025-11-02T10:00:00+05:00", "FW-19-Z", 5000)
	if got := remaining(fw19Split(t, ship, fw19Receive("urn:t:fw19z:r", "2025-11-20T10:00:00-06:00", "FW-19-Z", 5000))); strings.Contains(got, "in transit") || !strings.Contains(got, "parts sent 5 wmt of the lot's 19 wmt") {
		t.Errorf("received: Remaining %q; want no in transit, parts sent 5 wmt of 19", got)
	}
	if got := remaining(fw19Split(t, ship)); !strings.Contains(got, "5 wmt in transit") {
		t.Errorf("at sea: Remaining %q; want 5 wmt in transit", got)
	}
}
