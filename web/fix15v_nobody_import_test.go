package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportNoBodyRowSaysWhereItStands (issue 15, fix15v D1): lot B1-15V,
// 20 t commissioned at Loe Shilman, leaves whole as 12 t to Karachi
// (received 11.9 t) and 8 t to Port Qasim (received 8 t): it stands as
// 11.9 t at Karachi and 8 t at Port Qasim (11.9 + 8 = 19.9 t). A
// weighbridge row at Houston, or back at Loe Shilman, days after both
// receipts, is refused saying where the lot stands — before, it read
// "in transit (shipping from Loe Shilman …)".
func TestImportNoBodyRowSaysWhereItStands(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot, mine, karachi, qasim, houston = "urn:critmin:demo:lot:B1-15V", "urn:critmin:demo:site:loe-shilman", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:port-qasim", "urn:critmin:demo:site:houston"
	ship := func(id, at, kg, to, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:b115v:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"}, "readPoint": {"id": "` + mine + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "` + to + `"}]}`
	}
	recv := func(id, at, kg, site, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:b115v:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}], "bizLocation": {"id": "` + site + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:` + bol + `"}]}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:b115v:c", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 20000, "uom": "KGM"}], "bizLocation": {"id": "` + mine + `"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.10, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
 ` + ship("s1", "2025-11-02T10:00:00+05:00", "12000", karachi, "B1-15V-1") + `, ` + ship("s2", "2025-11-02T12:00:00+05:00", "8000", qasim, "B1-15V-2") + `,
 ` + recv("r1", "2025-11-04T08:00:00+05:00", "11900", karachi, "B1-15V-1") + `, ` + recv("r2", "2025-11-04T09:00:00+05:00", "8000", qasim, "B1-15V-2") + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	for _, site := range []string{houston, mine} {
		v := url.Values{"source": {"wb-15v"}, "kind": {"weighbridge"}, "csv": {"Ticket,Lot No,Weighed at,Net (kg)\nT-1," + lot + ",2025-11-09 09:00,8000\n"}, "step": {"preview"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {site}, "def_tz": {"+05:00"}}
		_, page := postImport(t, ts, v)
		cells := rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "2")
		found := false
		for _, c := range cells {
			if strings.Contains(c[1], "in transit") {
				t.Errorf("row at %s: error says in transit, both parts were received days before: %q", site, c[1])
			}
			found = found || strings.Contains(c[1], "nothing of lot "+lot+" stands at ") && strings.Contains(c[1], "it stands as 11.9 t at Port of Karachi, 8 t at Port Qasim")
		}
		if !found {
			t.Errorf("row at %s, where nothing of the lot stands: row errors %q; want \"nothing of lot %s stands at …; it stands as 11.9 t at Port of Karachi, 8 t at Port Qasim\"", site, cells, lot)
		}
	}
}
