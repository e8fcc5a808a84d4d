package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportWeighingOfAPartAtItsSite (issue 15, fix15w3 item 3): FW-19
// holds 19 t at Karachi (fw19Doc); 5,000 kg ship to Houston under B/L
// FW-19-Q and are received there at 4,960 kg: the lot's total is
// 19 − 5 + 4.96 = 18.96 t, 4.96 t of it at Houston. A weighbridge ticket
// at Houston weighs that part:
//
//   - 4,500 kg: (4.5 − 4.96) / 4.96 = −9.3 % → the preview's mass line
//     reads "recorded at …houston (of the lot's 18.96 t) 4.96 t, weighed
//     4.5 t: −0.46 t (−9.3 %), beyond the weighing tolerance" and the row
//     is refused naming the part at Houston (FW-19 at 5 % moisture: dry
//     4.96 × 0.95 = 4.712 t → 4.5 × 0.95 = 4.275 t) (before, the line and the
//     check used the whole lot: 18.96 → 18.5 t, −2.4 %, taken);
//   - 4,940 kg: −0.4 % → valid.
func TestImportWeighingOfAPartAtItsSite(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const houston = "urn:critmin:demo:site:houston"
	moves := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:fw19q:s", "eventTime": "2025-11-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-Q"}], "destinationList": [{"type": "location", "destination": "` + houston + `"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:fw19q:r", "eventTime": "2025-11-20T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 4960, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-Q"}]}]}}`
	for _, doc := range []string{fw19Doc, moves} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	const lot = "urn:critmin:demo:lot:FW-19"
	const head = "Ticket,Lot No,Weighed at,Net (kg)\n"
	form := func(csv string) url.Values {
		return url.Values{"source": {"houston-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {houston}, "def_tz": {"-06:00"}}
	}
	before, _ := ts.Store.CountEvents(ctx)
	resp, page := postImport(t, ts, form(head+"H-1,"+lot+",2025-11-21 09:00,4500\n"))
	plain := html.UnescapeString(visibleText(page))
	if resp.StatusCode != http.StatusOK || !strings.Contains(plain, "Mass: recorded at "+houston+" (of the lot's 18.96 t) 4.96 t, weighed 4.5 t: −0.46 t (−9.3 %), beyond the weighing tolerance") ||
		!strings.Contains(html.UnescapeString(page), "the lot (the part of it at "+houston+") is recorded at 4.96 t and weighed at 4.5 t (dry 4.712 t → 4.275 t), a difference of −9.3 %") {
		t.Fatalf("ticket of 4,500 kg for the 4.96 t part: %d\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
	resp, page = postImport(t, ts, form(head+"H-2,"+lot+",2025-11-21 10:00,4940\n"))
	if page = html.UnescapeString(page); resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>1 valid</strong>") {
		t.Fatalf("ticket of 4,940 kg for the 4.96 t part: %d\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Fatalf("%d events stored by the previews", after-before)
	}
}
