package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestDeclarePreviewNamesDependentWeighing (issue 15, fix15u; nu15f
// finding 6): lot NU-W1, 30 t at mine M (dry basis: no moisture); 10 t
// shipped under B/L W-1 to H; then the 20 t left at M weighed 20 t
// (in tolerance). Declaring the shipment in error would leave that
// weighing against 30 t: 20 / 30 − 1 = −33.3 %, beyond −5 %, so the
// preview refuses — and it said "No recorded shipment or receipt of
// these lots depends on this event". It now names the weighing among
// the events that depend on the shipment.
func TestDeclarePreviewNamesDependentWeighing(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot = "urn:t:lot:NU-W1"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
	 "creationDate": "2025-11-22T00:00:00Z", "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:nuw:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "ilmd": {"cm:commodity": "antimony_ore"}},
	 {"type": "ObjectEvent", "eventID": "urn:t:nuw:s", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
	  "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "` + lot + `", "quantity": 10000, "uom": "KGM"}],
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:W-1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]},
	 {"type": "ObjectEvent", "eventID": "urn:t:nuw:w", "eventTime": "2025-11-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "` + lot + `", "quantity": 20000, "uom": "KGM"}]}]}}`
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"reason": {"incorrect_data"}, "step": {"preview"}}
	_, b := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:nuw:s")+"/declare", operatorSecret, []byte(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	page := string(b)
	if !strings.Contains(visibleText(page), "urn:t:nuw:w") && !strings.Contains(page, "urn:t:nuw:w") {
		t.Fatalf("the preview does not refuse for the weighing:\n%s", page)
	}
	deps := visibleText(regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(page))
	if strings.Contains(deps, "No recorded shipment") || !strings.Contains(deps, "The weighing") || !strings.Contains(regexp.MustCompile(`(?s)<ul id="declare-dependents">.*?</ul>`).FindString(page), "urn:t:nuw:w") {
		t.Errorf("dependents %q; want the weighing urn:t:nuw:w named, not \"no recorded shipment or receipt\"", deps)
	}
}
