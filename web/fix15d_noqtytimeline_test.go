package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestNoQuantityShipmentOnLotPage (issue 15, fix15d item 2): FW-19 holds
// 19 t at Karachi (fw19Doc); 5,000 kg ship to Houston under B/L
// FW-19-A, and the rest under B/L FW-19-B with no quantity: what stood
// at Karachi, 19 − 5 = 14 t. The lot page's timeline (it read "no
// quantity") and its genealogy table (its quantity cell was blank) give
// B's line as the shipment page does: "14 t (no quantity stated: what
// stood of the lot where it left)".
func TestNoQuantityShipmentOnLotPage(t *testing.T) {
	ts := fw19Split(t,
		fw19Ship("urn:t:fw19d2:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000),
		fw19Ship("urn:t:fw19d2:sb", "2025-11-03T10:00:00+05:00", "FW-19-B", 0))
	const lot = "urn:critmin:demo:lot:FW-19"
	const want = "14 t (no quantity stated: what stood of the lot where it left)"
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:critmin:demo:bol:FW-19-B"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK || !strings.Contains(visibleText(string(b)), want) {
		t.Fatalf("shipment page: %d; want %q", resp.StatusCode, want)
	}
	resp, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	page := string(b)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lot page: %d", resp.StatusCode)
	}
	tl := page[strings.Index(page, `id="timeline"`):]
	tl = tl[:strings.Index(tl, "</ul>")]
	if !strings.Contains(visibleText(tl), want) || strings.Contains(visibleText(tl), "no quantity ·") || strings.HasSuffix(strings.TrimSpace(visibleText(tl)), "no quantity") {
		t.Errorf("timeline: want %q\n%s", want, visibleText(tl))
	}
	g := page[strings.Index(page, `id="genealogy"`):]
	g = g[:strings.Index(g, `id="origin-shares"`)]
	row := ""
	for _, tr := range strings.Split(g, "<tr") {
		if strings.Contains(tr, "FW-19-B") {
			row = tr
		}
	}
	if !strings.Contains(visibleText(row), want) {
		t.Errorf("genealogy table row of FW-19-B %q; want %q", visibleText(row), want)
	}
}
