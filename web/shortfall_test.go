package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestReceiptShortfallShownOnLotAndCertificate (fix15c item 3): lot S
// shipped with 30,000 kg under B/L BS and received with 30 kg (0.1 % of
// it, 99.9 % short — beyond custody.ReceiptShortfallLimit, 5 %): the
// receipt is kept, and the lot page and its certificate page both show
// the anomaly transit_loss with both weights.
func TestReceiptShortfallShownOnLotAndCertificate(t *testing.T) {
	ts := MustServe(t, true, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:Sc", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mine"},
	   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 2, "cm:unit": "%", "cm:basis": "dry"}]}},
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:Ss", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mine"},
	   "destinationList": [{"type": "location", "destination": "urn:t:site:port"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BS"}]},
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:Sr", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 30, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:port"},
	   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BS"}]}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	want := "lot urn:t:lot:S was received with 0.03 t of the 30 t shipped under bill of lading urn:t:bol:BS (99.9 % short"
	issueCert(t, ts.URL, url.PathEscape("urn:t:lot:S")) // Issued by a POST (fix14p): a GET serves it and writes nothing.
	for _, path := range []string{"/lots/" + url.PathEscape("urn:t:lot:S"), "/lots/" + url.PathEscape("urn:t:lot:S") + "/certificate"} {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, map[string]string{"Accept": "text/html"})
		page := html.UnescapeString(withIDs(string(b)))
		if resp.StatusCode != 200 || !strings.Contains(page, "transit_loss") || !strings.Contains(page, want) {
			t.Errorf("%s: %d; lacks transit_loss with %q", path, resp.StatusCode, want)
		}
	}
}
