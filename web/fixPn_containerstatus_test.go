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

// fixPnLeg is a document of one event of container c after its voyage
// to the port: kind is "departing" (from the port, Oct 6), "receiving"
// (at the plant, Oct 8) or "unpacking" (at the plant, Oct 9: an
// AggregationEvent DELETE naming c alone, which takes every child out).
func fixPnLeg(c, port, plant, kind string) string {
	ev := ``
	switch kind {
	case "departing":
		ev = `{"type": "ObjectEvent", "eventID": "urn:t:ev:pn-d", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "departing", "disposition": "in_transit",
		  "epcList": ["` + c + `"], "readPoint": {"id": "` + port + `"}, "bizLocation": {"id": "` + port + `"}, "destinationList": [{"type": "location", "destination": "` + plant + `"}]}`
	case "receiving":
		ev = `{"type": "ObjectEvent", "eventID": "urn:t:ev:pn-r", "eventTime": "2025-10-08T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
		  "epcList": ["` + c + `"], "readPoint": {"id": "` + plant + `"}, "bizLocation": {"id": "` + plant + `"}}`
	case "unpacking":
		ev = `{"type": "AggregationEvent", "eventID": "urn:t:ev:pn-u", "eventTime": "2025-10-09T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "DELETE", "bizStep": "unpacking",
		  "parentID": "` + c + `", "readPoint": {"id": "` + plant + `"}, "bizLocation": {"id": "` + plant + `"}}`
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
	   {"id": "` + plant + `", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "plant"}, {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "USA"}]}]}]}},
	 "epcisBody": {"eventList": [` + ev + `]}}`
}

// TestContainerPageFollowsLatestEvent (issue 15, new-user check n15-3):
// a container's page listed its events only up to the receipt that
// ended the voyage of its last shipping event, and its status stayed
// "arrived at …" through the container's later departure, its receipt
// elsewhere and its unpacking. C holds all 10 t of CO (packed at the
// mine, Oct 2), is shipped alone to the port (Oct 3) and received there
// (Oct 5); then it departs the port (Oct 6), is received at the plant
// (Oct 8) and unpacked there (Oct 9). After each of the last three the
// page lists every event naming C in time order, and its status follows
// the latest: in transit from the port, received at the plant, then unpacked
// (empty: the unpacking names C alone and takes all 10 t out).
func TestContainerPageFollowsLatestEvent(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c, mine, port, plant = "urn:epc:id:sscc:0614141.5000000134", "urn:t:site:mine-PAK", "urn:t:site:port", "urn:t:site:plant"
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPcDoc(c, mine, port))}); err != nil {
		t.Fatal(err)
	}
	for i, f := range []struct{ path string }{{"/record/ship"}, {"/record/receive"}} {
		v := url.Values{"containers": {c}, "lots": {""}, "bol": {"PN-3"}, "destination": {port}, "time": {"2025-10-03T08:00"}, "tz": {"+00:00"}, "site": {mine},
			"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000005b1"}, "step": {"capture"}}
		if i == 1 {
			v = url.Values{"containers": {c}, "lots": {""}, "bol": {"PN-3"}, "time": {"2025-10-05T08:00"}, "tz": {"+00:00"}, "site": {port},
				"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000005b2"}, "step": {"capture"}}
		}
		resp, b := do(t, "POST", ts.URL+f.path, operatorSecret, []byte(v.Encode()), formHeader)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", f.path, resp.StatusCode, fieldErrorText(string(b)))
		}
	}
	steps := []string{"packing", "shipping", "receiving"}
	for _, leg := range []struct{ kind, status string }{
		{"departing", "in transit from port since 2025-10-06"},
		{"receiving", "received at plant on 2025-10-08"}, // uiQ2: a receipt reads "received at"
		{"unpacking", "unpacked at plant on 2025-10-09: empty"},
	} {
		if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPnLeg(c, port, plant, leg.kind))}); err != nil {
			t.Fatalf("%s: %v", leg.kind, err)
		}
		steps = append(steps, leg.kind)
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(c), operatorSecret, nil, nil)
		page := string(b)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("after %s: %d", leg.kind, resp.StatusCode)
		}
		if got := visibleText(regexp.MustCompile(`(?s)<div class="n" id="shipment-status">.*?</div>`).FindString(page)); got != leg.status {
			t.Errorf("after %s: status %q, want %q", leg.kind, got, leg.status)
		}
		// Every event naming C, in time order: the steps as listed.
		text := pageText(page[strings.Index(page, ">Events<"):])
		last, order := -1, true
		for _, st := range steps {
			i := strings.Index(text[max(last, 0):], "· "+st)
			if i < 0 {
				order = false
				break
			}
			last = max(last, 0) + i + 1
		}
		if !order {
			t.Errorf("after %s: events %v not all listed in time order: %q", leg.kind, steps, text)
		}
	}
}
