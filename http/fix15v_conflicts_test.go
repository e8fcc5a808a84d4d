package http_test

import (
	"strings"
	"testing"
)

// TestConflictsWithTheRecordAre409 (issue 15, fix15v item 1): a well-formed
// event that contradicts what the ledger already holds answers 409
// problem+json (RFC 9110 §15.5.10), naming the pointer and the existing
// record, and stores nothing. The record: lot ON1, 30,000 kg commissioned
// at Karachi on 2025-11-01 (event urn:t:on:c); 10,000 kg shipped to Houston
// on B/L 1 on 2025-11-02 (event urn:t:on:s1).
//   - commissioning ON1 again: the lot exists (event urn:t:on:c);
//   - receiving 12,000 kg at Houston: 12 t > 10 t × 1.005 = 10.05 t shipped;
//   - receiving 10,000 kg at Baltimore: B/L 1 ships to Houston;
//   - receiving at Houston on 2025-11-01T12:00, before the shipping of B/L 1;
//   - receiving under B/L 9, which ships nothing of ON1 while B/L 9 carries
//     another lot (ON2).
//
// A receipt whose destination is its own loading site, within one event, is
// malformed (400), not a conflict.
func TestConflictsWithTheRecordAre409(t *testing.T) {
	srv := MustServe(t, false, nil)
	commission := func(id, lot string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:on:` + id + `", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 30000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	on2ship := strings.ReplaceAll(onwardShip("s9", "2025-11-02T00:00:00Z", "karachi", "houston", "5000", "9"), "urn:t:lot:ON1", "urn:t:lot:ON2")
	body := onwardDoc(commission("c", "ON1"), commission("c2", "ON2"),
		onwardShip("s1", "2025-11-02T00:00:00Z", "karachi", "houston", "10000", "1"), on2ship)
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode >= 300 {
		t.Fatalf("the record: %d %s", resp.StatusCode, b)
	}
	receipt := func(when, site, kg, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:on:r", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	 "bizLocation": {"id": "urn:t:site:` + site + `"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": ` + kg + `, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]}`
	}
	for _, c := range []struct {
		name, event, pointer string
		words                []string
	}{
		{"a second commissioning", strings.Replace(commission("c1", "ON1"), "2025-11-01", "2025-11-03", 1), "/ilmd", []string{"already exists", "urn:t:on:c"}},
		{"a receipt heavier than its shipment", receipt("2025-11-20T00:00:00Z", "houston", "12000", "1"), "/quantity", []string{"12 t", "10 t", "urn:t:on:s1"}},
		{"a receipt away from the destination", receipt("2025-11-20T00:00:00Z", "baltimore", "10000", "1"), "/bizLocation", []string{"urn:t:site:houston", "urn:t:on:s1"}},
		{"a receipt before its shipment", receipt("2025-11-01T12:00:00Z", "houston", "10000", "1"), "/eventTime", []string{"before its shipping", "urn:t:on:s1"}},
		{"a receipt under a bill that did not carry the lot", receipt("2025-11-20T00:00:00Z", "houston", "5000", "9"), "/bizTransactionList", []string{"was not shipped on bill of lading urn:t:bol:9"}},
	} {
		before := eventCount(t, srv.Store)
		resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(c.event), nil)
		if resp.StatusCode != 409 {
			t.Errorf("%s: %d, want 409; %s", c.name, resp.StatusCode, b)
			continue
		}
		p := mustProblem(t, resp, b, 409)
		found := false
		for _, e := range p.Errors {
			ok := strings.Contains(e.Pointer, c.pointer)
			for _, w := range c.words {
				ok = ok && strings.Contains(e.Reason, w)
			}
			found = found || ok
		}
		if !found {
			t.Errorf("%s: no error at %s naming %q: %s", c.name, c.pointer, c.words, b)
		}
		if after := eventCount(t, srv.Store); after != before {
			t.Errorf("%s: %d events stored", c.name, after-before)
		}
	}
	// Malformed within the event: a shipment to its own loading site.
	resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(onwardShip("s5", "2025-11-03T00:00:00Z", "karachi", "karachi", "1000", "5")), nil)
	mustProblem(t, resp, b, 400)
}
