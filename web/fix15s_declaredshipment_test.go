package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestDeclaredShipmentPageSaysSo (issue 15, fix15s item 3): a shipment
// whose shipping event was declared in error (reason did_not_occur, on
// 2025-10-06) read "not shipped" with empty contents, only its timeline
// badge saying why. Its page now says it was declared in error — when
// and why — as its status, and lists what the declared event stated
// (lot TRK, 20 t), marked as counted by nothing: 20 t in the row, no
// "not shipped", no empty contents.
func TestDeclaredShipmentPageSaysSo(t *testing.T) {
	ts := MustServe(t, true, nil)
	const ship = `{"type": "ObjectEvent", "eventID": "urn:t:ev:TRK3", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:TRK", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"},
   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:TRK-3"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]`
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:TRK1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:TRK", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}},
  ` + ship + `}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	decl := strings.Replace(doc, ship+`}`, ship+`, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "did_not_occur"}}`, 1)
	decl = strings.Replace(decl, `{"type": "ObjectEvent", "eventID": "urn:t:ev:TRK1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:TRK", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}},
  `, "", 1)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(decl)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:TRK-3"), "", nil, map[string]string{"Accept": "text/html"})
	page := string(b)
	status := visibleText(regexp.MustCompile(`(?s)id="shipment-status">(.*?)</div>`).FindStringSubmatch(page + `id="shipment-status"></div>`)[1])
	if !strings.Contains(status, "declared in error on 2025-10-06") || !strings.Contains(status, "did not occur") {
		t.Errorf("status %q; want declared in error on 2025-10-06, did not occur", status)
	}
	lots := visibleText(regexp.MustCompile(`(?s)<table id="shipment-lots".*?</table>`).FindString(page))
	if !strings.Contains(lots, "TRK") || !strings.Contains(lots, "20 t") {
		t.Errorf("contents %q; want lot TRK, 20 t as the declared event stated", lots)
	}
	if strings.Contains(page, "not shipped") {
		t.Errorf("the page says not shipped:\n%s", excerpt(page, "not shipped"))
	}
}
