package web_test

import (
	"context"
	"html"
	"net/url"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportTicketAtBodyAfterRejoin (issue 15, fix15u item 2): the
// import's check of where a lot is counts neither an onward part nor a
// part that rejoined the body as tonnes sent away, as capture does
// (custody TestRejoinedPartNotStillSent). Lot RJ-15, 30 000 kg at
// Karachi; 10 000 kg ship to Houston (s1), received there, and are
// shipped on back to Karachi (s2), received there, where they rejoin the
// body (30 t at Karachi again); then 20 000 kg ship to Houston (s3). The
// body stands 30 − 20 = 10 t at Karachi: a 10 000 kg ticket there is
// valid. Before, the check read 10 + 10 + 20 = 40 t sent of 30 t and
// refused the row as the lot being in transit.
func TestImportTicketAtBodyAfterRejoin(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot, karachi, houston = "urn:critmin:demo:lot:RJ-15", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:houston"
	ship := func(id, at, kg, from, to, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:rj15:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}], "bizLocation": {"id": "` + from + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "` + to + `"}]}`
	}
	recv := func(id, at, kg, site, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:rj15:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}], "bizLocation": {"id": "` + site + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:` + bol + `"}]}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:rj15:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
 ` + ship("s1", "2025-11-02T00:00:00Z", "10000", karachi, houston, "RJ-15-1") + `, ` + recv("r1", "2025-11-05T00:00:00Z", "10000", houston, "RJ-15-1") + `,
 ` + ship("s2", "2025-11-06T00:00:00Z", "10000", houston, karachi, "RJ-15-2") + `, ` + recv("r2", "2025-11-09T00:00:00Z", "10000", karachi, "RJ-15-2") + `,
 ` + ship("s3", "2025-11-10T00:00:00Z", "20000", karachi, houston, "RJ-15-3") + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"source": {"karachi-wb-rj"}, "kind": {"weighbridge"}, "csv": {"Ticket,Lot No,Weighed at,Net (kg)\nK-1," + lot + ",2025-11-12 09:00,10000\n"}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {karachi}, "def_tz": {"+00:00"}}
	_, page := postImport(t, ts, v)
	if cells := rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "2"); len(cells) > 0 {
		t.Errorf("10 t ticket at Karachi, where the body's 10 t stand, refused: %q", cells)
	}
}
