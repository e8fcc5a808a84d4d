package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestContainerReceiveAndShipForms (new-user findings on issue 15,
// nu36a-9): the Receive and Ship forms naming containers beside their
// lot lines, where a lot moves only in a container. Lots CF, CX and CD,
// 10,000 kg each at the mine; 6,000 kg of CF packed into C and all of CD
// into D on Oct 2; on Oct 3 C and D shipped under CF-1 with lines "CF
// 5,000 kg" and "CX 4,000 kg" (a line states what moved of its lot, C's
// share included: 5 t of CF leave; CD moves whole, 10 t, in D).
//   - Ship D and "CX 1,000 kg" from the mine under CF-2 on Oct 4: refused
//     409 under the site — CD is in transit under CF-1, nothing of it
//     stands at the mine;
//   - Receive C, D and "CX 4,000 kg" under CF-1 at the port on Oct 5:
//     taken — C brings the 5 t of CF the shipment carried (it was refused
//     as a 6 ÷ 5 − 1 = +20 % gain, pointing at a quantity line the form
//     had not filled);
//   - the same again on Oct 6: refused 409; CX's refusal shows under
//     Lots, line 1; CF's and CD's under Containers, lines 1 (C) and 2
//     (D), never as Lots lines 2 and 3, which the form does not have.
func TestContainerReceiveAndShipForms(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c, d, mine, port = "urn:epc:id:sscc:0614141.5000000028", "urn:epc:id:sscc:0614141.5000000035", "urn:t:site:mine-PAK", "urn:t:site:port"
	lotEv := func(lot string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + lot + `-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "` + mine + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	pack := func(box, lot, kg string) string {
		return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + lot + `-p", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + box + `", "childQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "` + mine + `", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "mine"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]},
	   {"id": "` + port + `", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "port"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]},
	   {"id": "urn:t:site:khi", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "khi"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]}]}]}},
	 "epcisBody": {"eventList": [` + lotEv("CF") + `,` + lotEv("CX") + `,` + lotEv("CD") + `,` + pack(c, "CF", "6000") + `,` + pack(d, "CD", "10000") + `,
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:cf-s", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "epcList": ["` + c + `", "` + d + `"], "quantityList": [{"epcClass": "urn:t:lot:CF", "quantity": 5000, "uom": "KGM"}, {"epcClass": "urn:t:lot:CX", "quantity": 4000, "uom": "KGM"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:CF-1"}]}]}}`
	// CF's 5 t line beside C's 6 t is refused now (custody heldBeside,
	// nuq9): the shipment is stored unchecked, as recorded before.
	if _, err := ledger.NewService(ts.Store).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	errorsOf := func(page, field string) string {
		return visibleText(regexp.MustCompile(`(?s)<div class="field[^"]*" id="f-` + field + `">.*?</div>`).FindString(page))
	}
	ship := url.Values{"containers": {d}, "lots": {"urn:t:lot:CX 1000 KGM"}, "bol": {"urn:t:bol:CF-2"}, "destination": {"urn:t:site:khi"}, "time": {"2025-10-04T08:00"}, "tz": {"+00:00"}, "site": {mine},
		"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000003a3"}, "step": {"capture"}}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(ship.Encode()), formHeader)
	// Since fixOg the refusal names the container on its trip: "container
	// … which holds lot CD, is in transit … under bill of lading CF-1
	// (… event cf-s …)".
	if got := errorsOf(string(b), "site"); resp.StatusCode != http.StatusConflict || !strings.Contains(got, "holds lot CD, is in transit") || !strings.Contains(got, "bill of lading CF-1") || !strings.Contains(got, "event cf-s") {
		t.Errorf("D shipped again from the mine while CD is in transit in it: %d, Site field %q; want 409 naming D holding CD in transit under CF-1 and its shipment cf-s", resp.StatusCode, got)
	}
	recv := url.Values{"containers": {c + "\n" + d}, "lots": {"urn:t:lot:CX 4000 KGM"}, "bol": {"urn:t:bol:CF-1"}, "time": {"2025-10-05T08:00"}, "tz": {"+00:00"}, "site": {port},
		"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000003a1"}, "step": {"capture"}}
	if resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(recv.Encode()), formHeader); resp.StatusCode != http.StatusOK {
		t.Fatalf("C, D and 4 t of CX received under CF-1: %d %s", resp.StatusCode, fieldErrorText(string(b)))
	}
	recv.Set("eventID", "urn:uuid:5e0a1d2c-0000-4000-8000-0000000003a2")
	recv.Set("time", "2025-10-06T08:00")
	resp, b = do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(recv.Encode()), formHeader)
	page := string(b)
	boxes, lots := errorsOf(page, "containers"), errorsOf(page, "lots")
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("received again under CF-1: %d; want 409", resp.StatusCode)
	}
	for _, want := range []string{"line 1: lot CF was already received", "line 2: lot CD was already received"} {
		if !strings.Contains(boxes, want) {
			t.Errorf("received again: Containers field %q; want %q", boxes, want)
		}
	}
	if !strings.Contains(lots, "line 1: lot CX was already received") || strings.Contains(lots, "line 2") || strings.Contains(lots, "line 3") {
		t.Errorf("received again: Lots field %q; want CX's refusal on line 1 and no line the form lacks", lots)
	}
}
