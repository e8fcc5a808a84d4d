package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestLotTransitIsTheBodys (nu15b finding 4): a lot's "in transit" line
// named the latest shipping event, even one that sent only a part away.
// FW-19, 19 t at Karachi (fw19Doc): 5,000 kg ship to Houston under B/L
// FW-19-A and are received there; the rest, the body (14 t), ships from
// Karachi with no quantity under FW-19-B; then 2,000 kg of the part at
// Houston ship on to Karachi under FW-19-C. The lot is in transit with
// its body under B — the lot page, GET /api/v1/lots/{id} and the lot
// list read B, never C (a part's).
func TestLotTransitIsTheBodys(t *testing.T) {
	onward := `{"type": "ObjectEvent", "eventID": "urn:t:nu15t:sc", "eventTime": "2025-12-01T10:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": ` + fw19Quantity(2000) + `, "bizLocation": {"id": "urn:critmin:demo:site:houston"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-C"}], "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:karachi"}]}`
	ts := fw19Split(t,
		fw19Ship("urn:t:nu15t:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000),
		fw19Receive("urn:t:nu15t:ra", "2025-11-20T08:00:00-06:00", "FW-19-A", 5000),
		fw19Ship("urn:t:nu15t:sb", "2025-11-21T10:00:00+05:00", "FW-19-B", 0),
		onward)
	const lot = "urn:critmin:demo:lot:FW-19"
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape(lot), viewerSecret, nil, nil)
	var v struct {
		Status  string `json:"status"`
		Transit *struct {
			BillOfLading string `json:"billOfLading"`
		} `json:"transit"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &v) != nil {
		t.Fatalf("lot API: %d %s", resp.StatusCode, b)
	}
	if v.Transit == nil || !strings.HasSuffix(v.Transit.BillOfLading, "FW-19-B") {
		t.Errorf("lot API: status %s, transit %+v; want the body's B/L FW-19-B, not the part's FW-19-C", v.Status, v.Transit)
	}
	_, page := do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), viewerSecret, nil, nil)
	loc := regexp.MustCompile(`(?s)<dd id="lot-location">.*?</dd>`).FindString(string(page))
	if !strings.Contains(loc, "FW-19-B") || strings.Contains(loc, "FW-19-C") {
		t.Errorf("lot page location %q; want in transit under FW-19-B (the body's), not FW-19-C (a part's)", loc)
	}
}
