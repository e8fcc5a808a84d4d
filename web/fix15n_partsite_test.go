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

// TestImportTicketAtPartSiteKeepsRest (issue 15, fix15n item 1): FW-19
// holds 19 t at Karachi (fw19Doc); 5,000 kg ship to Houston under B/L
// FW-19-N and are received there at 4,960 kg. A weighbridge ticket at
// Houston (4,940 kg, the part) is captured; it concerns the part and
// leaves the rest, 19 − 5 = 14 t, at Karachi: a Karachi ticket of
// 14,000 kg afterwards is valid, not refused as "lot FW-19 was at
// Houston (since sensor_reporting …), not at Karachi".
func TestImportTicketAtPartSiteKeepsRest(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const houston, karachi = "urn:critmin:demo:site:houston", "urn:critmin:demo:site:karachi"
	moves := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:fw19n:s", "eventTime": "2025-11-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-N"}], "destinationList": [{"type": "location", "destination": "` + houston + `"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:fw19n:r", "eventTime": "2025-11-20T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 4960, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-N"}]}]}}`
	for _, doc := range []string{fw19Doc, moves} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	const lot = "urn:critmin:demo:lot:FW-19"
	const head = "Ticket,Lot No,Weighed at,Net (kg)\n"
	form := func(site, tz, step, csv string) url.Values {
		return url.Values{"source": {"wb"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {step},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {site}, "def_tz": {tz}}
	}
	if resp, page := postImport(t, ts, form(houston, "-06:00", "capture", head+"H-1,"+lot+",2025-11-21 09:00,4940\n")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Houston ticket of the part: %d, want 303\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
	resp, page := postImport(t, ts, form(karachi, "+05:00", "preview", head+"K-1,"+lot+",2025-11-22 09:00,14000\n"))
	if page = html.UnescapeString(page); resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>1 valid</strong>") {
		t.Fatalf("Karachi ticket of the rest after a Houston ticket of the part: %d\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
	if resp, page := postImport(t, ts, form(karachi, "+05:00", "capture", head+"K-1,"+lot+",2025-11-22 09:00,14000\n")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Karachi ticket capture: %d, want 303\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
}
