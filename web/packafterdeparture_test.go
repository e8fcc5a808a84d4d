package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// afterSailingDoc: lots X (20,000 kg) and Y (10,000 kg) at Karachi on
// 2025-11-01; 10,000 kg of X packed into container CZ on 2025-11-02; CZ
// shipped to Houston on 2025-11-03 under B/L 020 with those 10,000 kg.
const afterSailingDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-04T00:00:00Z",
 "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:sail:cx", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:t:lot:SX", "quantity": 20000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:karachi"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
 {"type": "ObjectEvent", "eventID": "urn:t:sail:cy", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:t:lot:SY", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:karachi"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
 {"type": "AggregationEvent", "eventID": "urn:t:sail:px", "eventTime": "2025-11-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "packing",
  "parentID": "urn:t:container:CZ", "childQuantityList": [{"epcClass": "urn:t:lot:SX", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:karachi"}},
 {"type": "ObjectEvent", "eventID": "urn:t:sail:s", "eventTime": "2025-11-03T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "epcList": ["urn:t:container:CZ"], "quantityList": [{"epcClass": "urn:t:lot:SX", "quantity": 10000, "uom": "KGM"}], "readPoint": {"id": "urn:t:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:020"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]}
 ]}}`

// packInto packs 5,000 kg of lot SY into container CZ at Karachi at when.
func packInto(id, when string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-06T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "AggregationEvent", "eventID": "urn:t:sail:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "packing",
  "parentID": "urn:t:container:CZ", "childQuantityList": [{"epcClass": "urn:t:lot:SY", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:karachi"}}]}}`
}

// TestPackingIntoASailedContainerIsRefused (fix15p item 4): container CZ
// left Karachi on 2025-11-03 (its shipping event, B/L 020, 10 t of SX).
// Packing 5,000 kg of SY into it on 2025-11-05, at sea, is refused
// naming the container and its shipping event, nothing stored; the
// container page and the B/L's page then agree: 10 t (10,000 kg of SX),
// not 10 + 5 = 15 t. Received at Houston, it may be packed there again.
func TestPackingIntoASailedContainerIsRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(afterSailingDoc)}); err != nil {
		t.Fatal(err)
	}
	_, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(packInto("py", "2025-11-05T10:00:00+05:00"))})
	t.Log(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:container:CZ") || !strings.Contains(err.Error(), "urn:t:sail:s") {
		t.Errorf("5 t packed into CZ two days after it sailed: %v; want refused naming CZ and its shipping event", err)
	}
	if _, err := ts.Store.FindEventsByID(ctx, "urn:t:sail:py"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused packing was stored: %v", err)
	}
	// Once CZ is received at Houston (2025-11-20) and unpacked there
	// (2025-11-20 12:00), packing into it there is accepted: 5,000 kg of
	// SX, of the 10 t that came in it. Without the unpacking the 10 t of
	// SX at Houston are all still in CZ and nothing of SX stands unpacked
	// to pack (fixNb: a packing takes at most what stands unpacked there).
	receipt := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-22T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:sail:r", "eventTime": "2025-11-20T10:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "epcList": ["urn:t:container:CZ"], "quantityList": [{"epcClass": "urn:t:lot:SX", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:houston"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:020"}]},
 {"type": "AggregationEvent", "eventID": "urn:t:sail:ur", "eventTime": "2025-11-20T12:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "DELETE", "bizStep": "unpacking",
  "parentID": "urn:t:container:CZ", "childQuantityList": [{"epcClass": "urn:t:lot:SX", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:houston"}},
 {"type": "AggregationEvent", "eventID": "urn:t:sail:pr", "eventTime": "2025-11-21T10:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "ADD", "bizStep": "packing",
  "parentID": "urn:t:container:CZ", "childQuantityList": [{"epcClass": "urn:t:lot:SX", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:houston"}}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(receipt)}); err != nil {
		t.Errorf("packing CZ at Houston after its receipt there: %v", err)
	}
	total := regexp.MustCompile(`(?s)Total.{0,400}`)
	for _, id := range []string{"urn:t:container:CZ", "urn:t:bol:020"} {
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(id), viewerSecret, nil, nil)
		page := html.UnescapeString(string(b))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s page: %d", id, resp.StatusCode)
		}
		if strings.Contains(page, "SY") || strings.Contains(page, "15 t") || strings.Contains(page, "15,000") {
			t.Errorf("%s page shows SY or 15 t: %s", id, total.FindString(page))
		}
	}
}

// TestBackdatedSailingBeforeARecordedPackingIsRefused (item 4, judged at
// event time both ways): container CW is packed with 5,000 kg of SY at
// Karachi on 2025-11-05 (recorded). A shipping of CW dated 2025-11-04,
// entered after, would have the packing of 2025-11-05 pack a container
// at sea: refused, naming the packing; dated 2025-11-06 it is accepted.
// In one document the order of the events does not matter: a packing
// listed before a shipping dated earlier than it is refused too.
func TestBackdatedSailingBeforeARecordedPackingIsRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(afterSailingDoc)}); err != nil {
		t.Fatal(err)
	}
	cw := strings.ReplaceAll(packInto("pw", "2025-11-05T10:00:00+05:00"), "urn:t:container:CZ", "urn:t:container:CW")
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(cw)}); err != nil {
		t.Fatal(err)
	}
	sail := func(id, when string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:sail:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "epcList": ["urn:t:container:CW"], "quantityList": [{"epcClass": "urn:t:lot:SY", "quantity": 5000, "uom": "KGM"}], "readPoint": {"id": "urn:t:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + id + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]}`
	}
	doc := func(events ...string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-07T00:00:00Z",
 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
	}
	_, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: doc(sail("w1", "2025-11-04T10:00:00+05:00"))})
	t.Log(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:sail:pw") {
		t.Errorf("CW shipped on 2025-11-04, before its recorded packing of 2025-11-05: %v; want refused naming the packing", err)
	}
	// One document, the packing of CV listed before its earlier sailing.
	cv := func(s string) string { return strings.ReplaceAll(s, "urn:t:container:CW", "urn:t:container:CV") }
	pv := `{"type": "AggregationEvent", "eventID": "urn:t:sail:pv", "eventTime": "2025-11-05T12:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "packing",
  "parentID": "urn:t:container:CV", "childQuantityList": [{"epcClass": "urn:t:lot:SX", "quantity": 1000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:karachi"}}`
	_, err = ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: doc(pv, cv(sail("v1", "2025-11-05T11:00:00+05:00")))})
	t.Log(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:container:CV") {
		t.Errorf("CV packed an hour after it sailed, listed first: %v; want refused", err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: doc(sail("w2", "2025-11-06T10:00:00+05:00"))}); err != nil {
		t.Errorf("CW shipped on 2025-11-06, after its packing: %v", err)
	}
}
