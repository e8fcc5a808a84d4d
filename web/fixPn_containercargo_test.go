package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// fixPnDemoDoc commissions lot urn:t:lot:CO, 10,000 kg of rare-earth
// concentrate at the demo's Loe Shilman (moisture 0), and packs 4,000 kg
// of it into container c there on Oct 2 (fixPnDoc without master data:
// the demo's sites, with their coordinates, stand).
func fixPnDemoDoc(c string) string {
	const mine, port = "urn:critmin:demo:site:loe-shilman", "urn:critmin:demo:site:karachi"
	doc := fixPnDoc(c, mine, port)
	i, j := strings.Index(doc, `"epcisHeader"`), strings.Index(doc, `"epcisBody"`)
	return doc[:i] + doc[j:]
}

// TestContainerShippedAloneCarriesItsCargo (issue 15, new-user check
// n15-2): a container shipped alone, with no lot line, after 4 t of
// rare-earth concentrate was packed into it. The figures come from the
// ledger's container contents (what the container held as it left):
//   - the Ship preview names the 4 t of CO the container carries
//     ("Object C" alone, before);
//   - the overview map's lane in transit is rare-earth concentrate,
//     4 t ("commodity not stated", before);
//   - the shipping event's page lists CO 4,000 kg in its containers
//     ("No class-level quantities", before);
//   - the Receive preview of C alone with CO at 3,990 kg compares it
//     with the 4 t loaded: 3.99 − 4 = −0.01 t (no difference, before).
func TestContainerShippedAloneCarriesItsCargo(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	const c, mine, port = "urn:epc:id:sscc:0614141.5000000141", "urn:critmin:demo:site:loe-shilman", "urn:critmin:demo:site:karachi"
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPnDemoDoc(c))}); err != nil {
		t.Fatal(err)
	}
	ship := url.Values{"containers": {c}, "lots": {""}, "bol": {"PN-2"}, "destination": {port}, "time": {"2025-10-03T08:00"}, "tz": {"+00:00"}, "site": {mine},
		"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000005c1"}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(ship.Encode()), formHeader)
	preview := html.UnescapeString(pageText(string(b)))
	if resp.StatusCode != http.StatusOK || !strings.Contains(preview, "carries 4 t of lot CO") {
		t.Errorf("Ship preview: %d, no \"carries 4 t of lot CO\" in %q", resp.StatusCode, preview)
	}
	ship.Set("step", "capture")
	if resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(ship.Encode()), formHeader); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ship: %d %s", resp.StatusCode, fieldErrorText(string(b)))
	}
	// The map's table: the lane Loe Shilman → Karachi in transit.
	_, b = do(t, "GET", ts.URL+"/", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	table := regexp.MustCompile(`(?s)<table class="chart-table" id="corridor-map-table">.*?</table>`).FindString(string(b))
	lane := ""
	for _, row := range strings.Split(table, "<tr")[1:] {
		if txt := visibleText("<tr" + row); strings.Contains(txt, "in transit") && strings.Contains(txt, "Loe Shilman") {
			lane = txt
		}
	}
	if !strings.Contains(lane, "Rare-earth concentrate") || strings.Contains(lane, "not stated") || !regexp.MustCompile(`Rare-earth concentrate\s*4$`).MatchString(strings.TrimSpace(lane)) {
		t.Errorf("map lane in transit from Loe Shilman: %q; want rare-earth concentrate, 4 t", lane)
	}
	_, b = do(t, "GET", ts.URL+"/events/"+url.PathEscape("urn:uuid:5e0a1d2c-0000-4000-8000-0000000005c1"), operatorSecret, nil, nil)
	qs := visibleText(regexp.MustCompile(`(?s)<table id="event-quantities">.*?</table>`).FindString(string(b)))
	if !strings.Contains(qs, "in its containers") || !strings.Contains(qs, "CO") || !strings.Contains(qs, "4,000 kg") {
		t.Errorf("event page quantities: %q; want CO 4,000 kg in its containers", qs)
	}
	recv := url.Values{"containers": {c}, "lots": {"urn:t:lot:CO 3990 KGM"}, "bol": {"PN-2"}, "time": {"2025-10-05T08:00"}, "tz": {"+00:00"}, "site": {port}, "step": {"preview"}}
	resp, b = do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(recv.Encode()), formHeader)
	page := html.UnescapeString(pageText(string(b)))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Lot CO : 3.99 t received, 4 t loaded under bill of lading PN-2 (2025-10-03): difference −0.01 t") {
		t.Errorf("Receive preview: %d, no difference against the 4 t loaded in %q", resp.StatusCode, page)
	}
}
