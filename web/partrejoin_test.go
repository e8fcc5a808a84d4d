package web_test

import (
	"encoding/json"
	"html"
	"math"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestLotPartRejoinedShown (issue 15, fix15p): lot K3, 30 t at 8 % at
// mine M; 5 t shipped to port P (D1) and received; the same 5 t shipped
// back to M (D3) and received there. The lot JSON reads 30 t wet,
// 30 × 0.92 = 27.6 t dry, 30 t remaining at M (nothing away: P's part
// counts 5 − 5 shipped on = 0), the returned part status "rejoined";
// the lot page lists it as rejoined the lot's body.
func TestLotPartRejoinedShown(t *testing.T) {
	ts := MustServe(t, true, nil)
	ev := func(id, day, step, loc, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": 5000, "uom": "KGM"}]` + extra + `}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:k0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}},
		` + ev("k1", "02", "shipping", "urn:t:site:M", `, "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:D1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:P"}]`) + `,
		` + ev("k2", "03", "receiving", "urn:t:site:P", `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:D1"}]`) + `,
		` + ev("k3", "04", "shipping", "urn:t:site:P", `, "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:D3"}], "destinationList": [{"type": "location", "destination": "urn:t:site:M"}]`) + `,
		` + ev("k4", "05", "receiving", "urn:t:site:M", `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:D3"}]`) + `]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	id := url.PathEscape("urn:t:lot:K3")
	_, b := do(t, "GET", ts.URL+"/api/v1/lots/"+id, "", nil, map[string]string{"Accept": "application/json"})
	var v struct {
		WetTonnes, DryTonnes, RemainingWetTonnes float64
		Parts                                    []struct{ Status, ReceiptEventID string }
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("lot JSON: %v\n%s", err, b)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(v.WetTonnes, 30) || !near(v.DryTonnes, 27.6) || !near(v.RemainingWetTonnes, 30) || len(v.Parts) != 2 || v.Parts[1].Status != "rejoined" || v.Parts[1].ReceiptEventID != "urn:t:ev:k4" {
		t.Fatalf("lot JSON %+v; want 30 t wet, 27.6 t dry, 30 t at M, the returned part rejoined by urn:t:ev:k4", v)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+id, "", nil, nil)
	text := regexp.MustCompile(`\s+`).ReplaceAllString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html.UnescapeString(string(b)), " "), " ")
	if !strings.Contains(text, "rejoined the lot's body where it stands: received 5") {
		t.Errorf("lot page lacks the rejoined part:\n%s", text)
	}
}
