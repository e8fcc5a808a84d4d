package http_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// onwardDoc wraps events in an EPCIS document with the mineral context.
func onwardDoc(events ...string) []byte {
	return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
}

// onwardShip ships kg of lot ON1 from site from to to under B/L bol.
func onwardShip(id, when, from, to, kg, bol string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:on:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	 "bizLocation": {"id": "urn:t:site:` + from + `"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": ` + kg + `, "uom": "KGM"}],
	 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:` + to + `"}]}`
}

// TestOnwardShipmentBeyondWhatRemainsIs409 (issue 15, fix15p item 1):
// lot ON1, 30,000 kg at Karachi; 10,000 kg shipped to Houston (B/L 1)
// and received there; 6,000 kg shipped on from Houston (B/L 2). 6,000 kg
// more from Houston (B/L 3) take more than the 10 − 6 = 4 t left there
// (6 > 4 + 30 × 0.005 = 4.15 t): POST /epcis/capture answers 409
// problem+json naming the lot, the 6 t asked and the 4 t that remain,
// and stores nothing.
func TestOnwardShipmentBeyondWhatRemainsIs409(t *testing.T) {
	srv := MustServe(t, false, nil)
	body := onwardDoc(`{"type": "ObjectEvent", "eventID": "urn:t:on:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 30000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		onwardShip("s1", "2025-11-02T00:00:00Z", "karachi", "houston", "10000", "1"),
		`{"type": "ObjectEvent", "eventID": "urn:t:on:r1", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	 "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 10000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`,
		onwardShip("s2", "2025-11-21T00:00:00Z", "houston", "baltimore", "6000", "2"))
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode >= 300 {
		t.Fatalf("the lot, its receipt at Houston and 6 t shipped on: %d %s", resp.StatusCode, b)
	}
	before := eventCount(t, srv.Store)
	resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(onwardShip("s3", "2025-11-22T00:00:00Z", "houston", "baltimore", "6000", "3")), nil)
	p := mustProblem(t, resp, b, 409)
	if len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Reason, "urn:t:lot:ON1") || !strings.Contains(p.Errors[0].Reason, "takes 6 t") || !strings.Contains(p.Errors[0].Reason, "only 4 t") {
		t.Errorf("the refusal: %s; want the lot, 6 t asked and 4 t remaining", b)
	}
	if after := eventCount(t, srv.Store); after != before {
		t.Errorf("%d events stored by the refused shipment", after-before)
	}
}

// TestOnwardShipmentFromARetractedReceiptInTheAPI (item 5): after the
// receipt r1 at Houston is declared in error, the 6 t shipped on from
// Houston (B/L 2) take from nothing: GET /api/v1/lots/{id} lists that
// part flagged (parts[].fromRetracted, inTransit[].anomaly "ships from a
// receipt declared in error") and counts 10 t in transit — the part of
// B/L 1, at sea again — not 10 + 6 = 16 t.
func TestOnwardShipmentFromARetractedReceiptInTheAPI(t *testing.T) {
	srv := MustServe(t, false, nil)
	receipt := `{"type": "ObjectEvent", "eventID": "urn:t:on:r1", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	 "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 10000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`
	body := onwardDoc(`{"type": "ObjectEvent", "eventID": "urn:t:on:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 30000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		onwardShip("s1", "2025-11-02T00:00:00Z", "karachi", "houston", "10000", "1"), receipt,
		onwardShip("s2", "2025-11-21T00:00:00Z", "houston", "baltimore", "6000", "2"))
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	decl := strings.Replace(receipt, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1)
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(decl), nil); resp.StatusCode >= 300 {
		t.Fatalf("declaring the receipt in error: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "GET", srv.URL+"/api/v1/lots/urn:t:lot:ON1", operatorSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lot: %d %s", resp.StatusCode, b)
	}
	var v struct {
		InTransitTonnes float64 `json:"inTransitTonnes"`
		Parts           []struct {
			ShipEventID   string `json:"shipEventID"`
			FromRetracted bool   `json:"fromRetracted"`
		} `json:"parts"`
		InTransit []struct {
			EventID string  `json:"eventID"`
			Tonnes  float64 `json:"tonnes"`
			Anomaly string  `json:"anomaly"`
		} `json:"inTransit"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	flagged := false
	for _, c := range v.InTransit {
		flagged = flagged || c.EventID == "urn:t:on:s2" && c.Anomaly == "ships from a receipt declared in error"
	}
	if v.InTransitTonnes != 10 || !flagged {
		t.Errorf("lot ON1 after the retraction: %s; want 10 t in transit and the part of urn:t:on:s2 flagged", b)
	}
}
