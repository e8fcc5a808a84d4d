package web_test

import (
	"html"
	"net/url"
	"os"
	"testing"
)

func TestFixJjRepro3(t *testing.T) {
	ts := MustServe(t, false, nil)
	doc := func(evs string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [` + evs + `]}}`)
	}
	const C = "urn:epc:id:sscc:0614141.1234567890"
	ev := `{"type": "ObjectEvent", "eventID": "urn:t:j:c", "eventTime": "2025-11-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:khi"}, "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}},
 {"type": "AggregationEvent", "eventID": "urn:t:j:p", "eventTime": "2025-11-01T12:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing", "disposition": "in_progress",
  "parentID": "` + C + `", "childQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:khi"}},
 {"type": "ObjectEvent", "eventID": "urn:t:j:s", "eventTime": "2025-11-02T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "epcList": ["` + C + `"], "readPoint": {"id": "urn:t:site:khi"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:A"}],
  "sourceList": [{"type": "possessing_party", "source": "urn:t:party:shipper"}],
  "destinationList": [{"type": "location", "destination": "urn:t:site:hou"}, {"type": "possessing_party", "destination": "urn:t:party:carrier"}]}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(ev), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	dump := func(tag string) {
		for _, p := range []string{"/shipments/urn:t:bol:A", "/shipments/" + C, "/api/v1/lots/urn:t:lot:L", "/api/v1/transit"} {
			_, b := do(t, "GET", ts.URL+p, viewerSecret, nil, nil)
			os.WriteFile("/tmp/fixJj/"+tag+url.PathEscape(p)+".html", []byte(html.UnescapeString(string(b))), 0o644)
		}
	}
	dump("c1")
	rec := `{"type": "ObjectEvent", "eventID": "urn:t:j:r", "eventTime": "2025-11-20T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "epcList": ["` + C + `"], "bizLocation": {"id": "urn:t:site:hou"}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(rec), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	dump("c2")
	v := url.Values{"reason": {"incorrect_data"}, "step": {"capture"}}
	resp, _ := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:j:r")+"/declare", operatorSecret, []byte(v.Encode()), formHeader)
	t.Logf("declare %d", resp.StatusCode)
	dump("c3")
}
