package http_test

import (
	"net/url"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestCertificateForALotAddedToTheDemo: a lot captured after the demo,
// with no master data of its own, gets a certificate. The evidence check
// replays only the lot's records; the master data that came with the demo's
// documents must still be in its scratch store, or every such lot would be
// refused with 409 ("master_data … rebuilt from the log absent").
func TestCertificateForALotAddedToTheDemo(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:U1", "eventTime": "2025-11-01T08:00:00Z", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:U1", "quantity": 1000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:houston"},
   "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:U1")+"/certificate", operatorSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("certificate of a lot added to the demo: %d %s", resp.StatusCode, b)
	}
}
