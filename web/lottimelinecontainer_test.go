package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestLotTimelineContainerMoves (issue 8 lot timeline, issue 15 §2):
// lot CT is packed into container C, and C is shipped and received by its
// SSCC alone — no lot line names CT. The lot's timeline lists both
// movements, each marked "via container C" with links to the event page,
// the container's page and the bill of lading's page, and the quantity C
// held of CT then (3,000 kg = 3 t packed of the 10 t lot); a second
// shipment of C declared in error is listed too, marked declared in
// error, as a lot-line event is. GET /api/v1/lots/{id}/events lists them
// with viaContainer. Before, the timeline held only the commissioning
// and the packing.
func TestLotTimelineContainerMoves(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c, mine, port = "urn:epc:id:sscc:0614141.5000000028", "urn:t:site:mine-PAK", "urn:t:site:port"
	doc := func(events ...string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	}
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:ct-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:CT", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:ct-p", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + c + `", "childQuantityList": [{"epcClass": "urn:t:lot:CT", "quantity": 3000, "uom": "KGM"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}}`
	ship := func(id, day, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "epcList": ["` + c + `"], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]}`
	}
	receive := `{"type": "ObjectEvent", "eventID": "urn:t:ev:ct-r", "eventTime": "2025-10-09T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	  "epcList": ["` + c + `"], "readPoint": {"id": "` + port + `"}, "bizLocation": {"id": "` + port + `"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:CT-1"}]}`
	// The first shipment, CT-0 on 10-03, is declared in error; C is
	// shipped again under CT-1 on 10-04 and received on 10-09.
	declared := strings.TrimSuffix(ship("ct-s0", "03", "CT-0"), "}") + `, "errorDeclaration": {"declarationTime": "2025-10-04T00:00:00Z", "reason": "incorrect_data"}}`
	for _, d := range []string{doc(commission, pack, ship("ct-s0", "03", "CT-0")), doc(declared), doc(ship("ct-s1", "04", "CT-1"), receive)} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(d)}); err != nil {
			t.Fatal(err)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:CT"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lot page: %d\n%s", resp.StatusCode, page)
	}
	tl := regexp.MustCompile(`(?s)<ul class="timeline" id="timeline">.*?</ul>`).FindString(page)
	items := regexp.MustCompile(`(?s)<li.*?</li>`).FindAllString(tl, -1)
	// Commissioning, packing, the declared shipment, the shipment, the
	// receipt: in event-time order.
	want := []struct {
		id, bol  string
		declared bool
	}{{"urn:t:ev:ct-c", "", false}, {"urn:t:ev:ct-p", "", false}, {"urn:t:ev:ct-s0", "urn:t:bol:CT-0", true}, {"urn:t:ev:ct-s1", "urn:t:bol:CT-1", false}, {"urn:t:ev:ct-r", "urn:t:bol:CT-1", false}}
	if len(items) != len(want) {
		t.Fatalf("timeline has %d entries, want %d:\n%s", len(items), len(want), visibleText(tl))
	}
	for i, w := range want {
		it := items[i]
		if !strings.Contains(it, `href="/events/`+url.PathEscape(w.id)) && !strings.Contains(it, w.id) {
			t.Errorf("entry %d: %q does not name event %s", i, visibleText(it), w.id)
			continue
		}
		if w.bol == "" {
			if strings.Contains(it, "via container") {
				t.Errorf("entry %d (%s) marked via a container: %q", i, w.id, visibleText(it))
			}
			continue
		}
		text := visibleText(it)
		if !strings.Contains(text, "via container") || !strings.Contains(it, `href="/shipments/`+url.PathEscape(c)+`"`) {
			t.Errorf("entry %d (%s) not marked via container C with a link to its page: %q", i, w.id, it)
		}
		if !strings.Contains(it, `href="/shipments/`+url.PathEscape(w.bol)+`"`) {
			t.Errorf("entry %d (%s) has no link to the shipment %s: %q", i, w.id, w.bol, it)
		}
		if !strings.Contains(it, `href="/events/`+url.PathEscape(w.id)+`"`) {
			t.Errorf("entry %d (%s) has no link to its event page: %q", i, w.id, it)
		}
		// C held 3,000 kg of CT: 3 t.
		if !strings.Contains(text, "3 t (3,000 kg)") {
			t.Errorf("entry %d (%s): %q does not give the 3 t C held of the lot", i, w.id, text)
		}
		if got := strings.Contains(text, "declared in error"); got != w.declared {
			t.Errorf("entry %d (%s): declared in error %v, want %v: %q", i, w.id, got, w.declared, text)
		}
	}
	// The API lists the same events, the container's marked.
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:CT")+"/events", viewerSecret, nil, nil)
	var got struct {
		Events []struct {
			EventID              string `json:"eventID"`
			ViaContainer         string `json:"viaContainer"`
			ViaContainerQuantity *struct {
				Quantity float64 `json:"quantity"`
				UOM      string  `json:"uom"`
			} `json:"viaContainerQuantity"`
		} `json:"events"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &got) != nil {
		t.Fatalf("lot events: %d %s", resp.StatusCode, b)
	}
	via := map[string]string{}
	for _, e := range got.Events {
		via[e.EventID] = e.ViaContainer
		// C held 3,000 kg of CT when it moved.
		if q := e.ViaContainerQuantity; e.ViaContainer != "" && (q == nil || q.Quantity != 3000 || q.UOM != "KGM") {
			t.Errorf("API: event %s viaContainerQuantity %+v, want 3000 KGM", e.EventID, q)
		}
	}
	for _, w := range want {
		v, ok := via[w.id]
		if !ok {
			t.Errorf("API: event %s not listed (%s)", w.id, b)
		} else if (w.bol != "") != (v == c) {
			t.Errorf("API: event %s viaContainer %q", w.id, v)
		}
	}
}
