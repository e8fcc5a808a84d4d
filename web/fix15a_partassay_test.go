package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestLotPagePartAssay (issue 15, fix15a): lot K6, 20 t dry at mine M at
// Nd 5 %; 5 t shipped to K, received, assayed there at Nd 4 %. The lot
// page lists the 4 % as the part's — "(the part at …)" — and the lot's
// 5 % in effect: no row reads "superseded by" (the 5 % read superseded
// by the Karachi assay).
func TestLotPagePartAssay(t *testing.T) {
	ts := MustServe(t, true, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:a0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 20000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:a1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
		 "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 5000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K6"}], "destinationList": [{"type": "location", "destination": "urn:t:site:K"}]},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:a2", "eventTime": "2025-11-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:K"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 5000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:K6"}]},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:a3", "eventTime": "2025-11-04T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
		 "bizLocation": {"id": "urn:t:site:K"}, "quantityList": [{"epcClass": "urn:t:lot:K6"}],
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 4, "uom": "P1", "cm:basis": "dry"}]}]}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:K6"), "", nil, nil)
	page := string(b)
	if !strings.Contains(page, `<span class="part-assay">(the part at`) {
		t.Errorf("lot page names no assay as the part's")
	}
	if strings.Contains(page, "superseded by") {
		t.Errorf("lot page marks an assay superseded; the lot's Nd 5 %% and the part's 4 %% are each in effect")
	}
}
