package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestDeclarePreviewNamesShipmentAtAnySite (issue 8 §2, fixWw item 1):
// lot WW-1, 20,000 kg commissioned with no mineral data at a site no
// master data describes (urn:t:site:ww-fresh), then shipped from there.
// Declaring the commissioning in error would leave the shipment shipping
// a lot no event makes. The preview said "No recorded shipment … depends
// on this event" and the capture took the declaration (202), where the
// same events at a site master data describes were refused: it now names
// the shipment as standing on the commissioning and answers 409, as the
// capture does.
func TestDeclarePreviewNamesShipmentAtAnySite(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot = "urn:t:lot:WW-1"
	doc := fix15zkDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ww1:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "bizLocation": {"id": "urn:t:site:ww-fresh"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}]}`,
		`{"type": "ObjectEvent", "eventID": "urn:t:ww1:s", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
	  "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:ww-fresh"}, "quantityList": [{"epcClass": "`+lot+`", "quantity": 20000, "uom": "KGM"}],
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:WW-1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]}`)
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	status, page, deps := fix15zkPreview(t, ts, "urn:t:ww1:c")
	list := regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(page)
	if strings.Contains(deps, "No recorded shipment") || !strings.Contains(list, "urn:t:ww1:s") || !strings.Contains(deps, "stands on this event") {
		t.Errorf("dependents %q; want the shipment urn:t:ww1:s named as standing on the commissioning", deps)
	}
	if status != http.StatusConflict {
		t.Errorf("preview status %d; want 409", status)
	}
	evs, err := ts.Store.FindEventsByID(context.Background(), "urn:t:ww1:c")
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.ErrorDeclaration != nil {
			t.Errorf("the refused declaration is stored")
		}
	}
}
