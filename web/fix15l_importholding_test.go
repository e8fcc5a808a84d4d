package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestImportPreviewJudgesTheWeighedHolding (issue 15, fix15l item 3):
// FW-19, 19 t at Karachi (fw19Doc): 5,000 kg ship to Houston under B/L
// FW-19-A, the rest (no quantity, 14 t) under FW-19-B; A is received for
// USSM, B for the smelter: at Houston the smelter's 14 t body and USSM's
// 5 t part (19 t). A weighbridge ticket at Houston naming no party
// weighs the body (custody.WeighedMass, ledger.HoldingOf), as capture
// judges it: 14,000 kg against 14 t, 0 t (0 %), valid. The preview read
// everything at Houston (StandingMass): "recorded
// 19 t, weighed 14 t: −5 t (−26.3 %), beyond the weighing
// tolerance", a line capture contradicts. The preview's line now reads
// 14 t and the row is valid, and proceeding stores it.
func TestImportPreviewJudgesTheWeighedHolding(t *testing.T) {
	const ussm, smelter = "urn:critmin:demo:party:ussm", "urn:critmin:demo:party:smelter"
	ts := fw19Split(t,
		fw19Ship("urn:t:fw19l3:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000), fw19Ship("urn:t:fw19l3:sb", "2025-11-03T10:00:00+05:00", "FW-19-B", 0),
		fw19ReceiveFor("urn:t:fw19l3:ra", "2025-11-20T10:00:00-06:00", "FW-19-A", 5000, ussm), fw19ReceiveFor("urn:t:fw19l3:rb", "2025-11-21T10:00:00-06:00", "FW-19-B", 14000, smelter))
	ctx := context.Background()
	const lot, houston = "urn:critmin:demo:lot:FW-19", "urn:critmin:demo:site:houston"
	const head = "Ticket,Lot No,Weighed at,Net (kg)\n"
	v := url.Values{"source": {"houston-weighbridge"}, "kind": {"weighbridge"}, "csv": {head + "H-1," + lot + ",2025-11-22 09:00,14000\n"}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {houston}, "def_tz": {"-06:00"}}
	before, _ := ts.Store.CountEvents(ctx)
	resp, page := postImport(t, ts, v)
	line := ""
	if m := regexp.MustCompile(`(?s)<p class="row-mass"[^>]*>(.*?)</p>`).FindStringSubmatch(page); m != nil {
		line = html.UnescapeString(visibleText(m[1]))
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(line, "14 t, weighed 14 t: 0 t (0 %)") || strings.Contains(line, "beyond") || !strings.Contains(html.UnescapeString(page), "<strong>1 valid</strong>") {
		t.Fatalf("preview of 14,000 kg for the smelter's 14 t body: %d\n%s", resp.StatusCode, excerpt(page, "Mass:"))
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Fatalf("%d events stored by the preview", after-before)
	}
	v.Set("step", "capture")
	resp, page = postImport(t, ts, v)
	if after, _ := ts.Store.CountEvents(ctx); resp.StatusCode >= 400 || after != before+1 {
		t.Errorf("import: %d, %d events stored, want the row's 1:\n%s", resp.StatusCode, after-before, excerpt(page, "rows"))
	}
}
