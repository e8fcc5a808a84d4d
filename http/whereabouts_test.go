package http_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestAPIWhereabouts (issue 15, fix15c items 1, 2 and 7), through POST
// /epcis/capture as critmin serve runs it (custody.CaptureClaimCheck).
// Lot L, 1,000 t commissioned at the mine on 1 Oct.
//
//   - a shipping of L from port-a on 2 Oct: L is at the mine (since its
//     commissioning) → 409 (a conflict with the record, fix15w) naming
//     the event's bizLocation; nothing stored,
//     L stays in stock at the mine;
//   - a shipping of L from the mine to port-b under B/L 1: 200. GET
//     /api/v1/lots/L reads location "in_transit" (not the mine it left),
//     lastLocation the mine, transit from the mine to port-b under B/L 1;
//   - a sampling of L at port-b on 5 Oct, before any receipt: 409 (L is
//     at sea); a receipt at port-b: 200, and L's location is port-b.
func TestAPIWhereabouts(t *testing.T) {
	ts := MustServe(t, false, nil)
	doc := func(evs ...string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
		 "epcisBody": {"eventList": [` + strings.Join(evs, ",") + `]}}`)
	}
	ship := func(id, from string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
		 "quantityList": [{"epcClass": "urn:t:lot:L"}], "bizLocation": {"id": "urn:t:site:` + from + `"}, "destinationList": [{"type": "location", "destination": "urn:t:site:port-b"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`
	}
	lot := func() (v struct {
		Status       string `json:"status"`
		Location     string `json:"location"`
		LastLocation string `json:"lastLocation"`
		Transit      *struct {
			From         string  `json:"from"`
			To           string  `json:"to"`
			BillOfLading string  `json:"billOfLading"`
			Tonnes       float64 `json:"tonnes"`
		} `json:"transit"`
	}) {
		t.Helper()
		resp, body := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:L"), viewerSecret, nil, nil)
		if resp.StatusCode != 200 || json.Unmarshal(body, &v) != nil {
			t.Fatalf("lot: %d %s", resp.StatusCode, body)
		}
		return v
	}
	resp, body := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:C", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	   "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 1000, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
	   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}`), nil)
	if resp.StatusCode >= 300 {
		t.Fatalf("commissioning: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(ship("S0", "port-a")), nil)
	p := mustProblem(t, resp, body, 409)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/epcisBody/eventList/0/bizLocation" || !strings.Contains(p.Errors[0].Reason, "lot urn:t:lot:L is at urn:t:site:mine") {
		t.Errorf("shipping from port-a a lot at the mine: %s", body)
	}
	if v := lot(); v.Status != "in_stock" || v.Location != "urn:t:site:mine" {
		t.Errorf("after the refused shipping: %+v, want in stock at the mine", v)
	}
	resp, body = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(ship("S1", "mine")), nil)
	if resp.StatusCode >= 300 {
		t.Fatalf("shipping from the mine: %d %s", resp.StatusCode, body)
	}
	if v := lot(); v.Status != "in_transit" || v.Location != "in_transit" || v.LastLocation != "urn:t:site:mine" || v.Transit == nil ||
		v.Transit.From != "urn:t:site:mine" || v.Transit.To != "urn:t:site:port-b" || v.Transit.BillOfLading != "urn:t:bol:1" ||
		v.Transit.Tonnes != 1000 { // the whole lot (1000 TNE commissioned, shipped without a quantity) moves
		t.Errorf("lot at sea: %+v (transit %+v), want location in_transit, last location the mine, transit mine → port-b under urn:t:bol:1", v, v.Transit)
	}
	resp, body = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:X", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
	   "quantityList": [{"epcClass": "urn:t:lot:L"}], "bizLocation": {"id": "urn:t:site:port-b"}}`), nil)
	p = mustProblem(t, resp, body, 409)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/epcisBody/eventList/0/bizLocation" || !strings.Contains(p.Errors[0].Reason, "is in transit") {
		t.Errorf("sampling at the destination before receipt: %s", body)
	}
	resp, body = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	   "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 999, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:port-b"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`), nil)
	if resp.StatusCode >= 300 {
		t.Fatalf("receipt: %d %s", resp.StatusCode, body)
	}
	if v := lot(); v.Location != "urn:t:site:port-b" || v.LastLocation != "urn:t:site:port-b" || v.Transit != nil {
		t.Errorf("lot received: %+v, want at port-b, no transit", v)
	}
}
