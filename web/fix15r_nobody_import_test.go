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

// TestImportNoBodyTicketAgainstSite (issue 15, fix15r item 1): the
// import preview judges a ticket of a lot with no body against what
// stands at the ticket's site. Lot NB-15, 30 000 kg commissioned at
// Karachi, leaves whole as two 15 000 kg shipments to Houston, both
// received there: 15 + 15 = 30 t stand at Houston. A 29 800 kg ticket at
// Houston reads "recorded 30 t, weighed 29.8 t: −0.2 t" (−0.2 / 30 =
// −0.67 %, within −5 %) and is valid; before, the preview said nothing
// of the lot was recorded at Houston and capture read 29.8 + 30 = 59.8 t.
func TestImportNoBodyTicketAgainstSite(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot, karachi, houston = "urn:critmin:demo:lot:NB-15", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:houston"
	ship := func(id, at, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:nb15:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 15000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "` + houston + `"}]}`
	}
	recv := func(id, at, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:nb15:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 15000, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:` + bol + `"}]}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:nb15:c", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
 ` + ship("s1", "2025-11-02T10:00:00+05:00", "NB-15-1") + `, ` + ship("s2", "2025-11-02T12:00:00+05:00", "NB-15-2") + `,
 ` + recv("r1", "2025-11-20T08:00:00-06:00", "NB-15-1") + `, ` + recv("r2", "2025-11-20T09:00:00-06:00", "NB-15-2") + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"source": {"houston-wb-r"}, "kind": {"weighbridge"}, "csv": {"Ticket,Lot No,Weighed at,Net (kg)\nH-1," + lot + ",2025-11-22 09:00,29800\n"}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {houston}, "def_tz": {"-06:00"}}
	_, page := postImport(t, ts, v)
	text := html.UnescapeString(page)
	if !strings.Contains(text, "recorded 30 t, weighed 29.8 t") {
		t.Errorf("preview's mass line of the 29.8 t ticket at Houston: want \"recorded 30 t, weighed 29.8 t\"; page:\n%s", visibleText(page))
	}
	if cells := rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "2"); len(cells) > 0 {
		t.Errorf("29.8 t ticket at Houston refused: %q", cells)
	}
}

// TestImportTicketWhereNothingLeft (issue 15, fix15r item 2): the import
// preview refuses a ticket at a site where nothing of the lot is left.
// Lot NS-15, 30 000 kg at Karachi; 10 000 kg ship to Houston, received
// there, and are shipped on in full from Houston (10 − 10 = 0 t left
// there). A 9 900 kg ticket at Houston is a row error naming Houston and
// where the lot stands (20 t at Karachi, 10 t in transit); before, the
// row was valid and the lot read 30 + 9.9 = 39.9 t.
func TestImportTicketWhereNothingLeft(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot, karachi, houston = "urn:critmin:demo:lot:NS-15", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:houston"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:ns15:c", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
 {"type": "ObjectEvent", "eventID": "urn:t:ns15:s1", "eventTime": "2025-11-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:NS-15-1"}], "destinationList": [{"type": "location", "destination": "` + houston + `"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:ns15:r1", "eventTime": "2025-11-20T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:NS-15-1"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:ns15:s2", "eventTime": "2025-11-21T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:NS-15-2"}], "destinationList": [{"type": "location", "destination": "urn:t:site:elsewhere"}]}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"source": {"houston-wb-r"}, "kind": {"weighbridge"}, "csv": {"Ticket,Lot No,Weighed at,Net (kg)\nH-1," + lot + ",2025-11-22 09:00,9900\n"}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {houston}, "def_tz": {"-06:00"}}
	_, page := postImport(t, ts, v)
	cells := rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "2")
	found := false
	for _, c := range cells {
		found = found || (strings.Contains(c[1], "nothing of lot "+lot+" stands at "+houston) && strings.Contains(c[1], "20 t at "+karachi))
	}
	if !found {
		t.Errorf("9.9 t ticket at Houston, where nothing is left: row errors %q; want it refused naming Houston and 20 t at Karachi", cells)
	}
}
