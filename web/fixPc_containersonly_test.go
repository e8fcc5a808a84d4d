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

// fixPcDoc is a lot CO of 10,000 kg commissioned at the mine on Oct 1
// and packed whole into container C on Oct 2; sites mine and port.
func fixPcDoc(c, mine, port string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "` + mine + `", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "mine"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]},
	   {"id": "` + port + `", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "port"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"}]}]}]}},
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:co-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:CO", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "` + mine + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}},
	 {"type": "AggregationEvent", "eventID": "urn:t:ev:co-p", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + c + `", "childQuantityList": [{"epcClass": "urn:t:lot:CO", "quantity": 10000, "uom": "KGM"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}}]}}`
}

func fieldText(page, field string) string {
	return visibleText(regexp.MustCompile(`(?s)<div class="field[^"]*" id="f-` + field + `">.*?</div>`).FindString(page))
}

// TestShipAndReceiveContainerAlone (issue 15, new-user check n15 item 1):
// the API takes a shipping or receiving ObjectEvent whose epcList names
// containers and no quantityList; the Ship and Receive forms refused it
// ("Lots and masses: required"). Container C holds all 10,000 kg of CO:
//   - Ship with C alone, no lot line, from the mine to the port on Oct 3:
//     captured (303 to the event), the event's epcList [C] and no lot line;
//   - Receive C alone at the port under the same bill on Oct 5: captured;
//   - Ship with neither containers nor lots: refused 400, the Lots field
//     saying to give containers, lots or both (one sentence, no
//     "required" alone).
func TestShipAndReceiveContainerAlone(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c, mine, port = "urn:epc:id:sscc:0614141.5000000042", "urn:t:site:mine-PAK", "urn:t:site:port"
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPcDoc(c, mine, port))}); err != nil {
		t.Fatal(err)
	}
	ship := url.Values{"containers": {c}, "lots": {""}, "bol": {"PC-1"}, "destination": {port}, "time": {"2025-10-03T08:00"}, "tz": {"+00:00"}, "site": {mine},
		"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000004c1"}, "step": {"capture"}}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(ship.Encode()), formHeader)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("C shipped alone: %d %s", resp.StatusCode, fieldErrorText(string(b)))
	}
	recv := url.Values{"containers": {c}, "lots": {""}, "bol": {"PC-1"}, "time": {"2025-10-05T08:00"}, "tz": {"+00:00"}, "site": {port},
		"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000004c2"}, "step": {"capture"}}
	if resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(recv.Encode()), formHeader); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("C received alone: %d %s", resp.StatusCode, fieldErrorText(string(b)))
	}
	l, err := ts.Store.FindLot(context.Background(), "urn:t:lot:CO")
	if err != nil {
		t.Fatal(err)
	}
	if l.Location != port {
		t.Errorf("CO after C was shipped and received alone stands at %q; want the port", l.Location)
	}
	none := url.Values{"containers": {""}, "lots": {""}, "bol": {"PC-2"}, "destination": {port}, "time": {"2025-10-06T08:00"}, "tz": {"+00:00"}, "site": {port},
		"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000004c3"}, "step": {"preview"}}
	resp, b = do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(none.Encode()), formHeader)
	if got := fieldText(string(b), "lots"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(got, "give the containers shipped, the lots, or both") {
		t.Errorf("Ship with neither containers nor lots: %d, Lots field %q; want 400 saying to give containers, lots or both", resp.StatusCode, got)
	}
}
