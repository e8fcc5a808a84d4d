package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportWeighingPercentOneRule (issue 15, fix15s item 1): a
// weighbridge row's error and its mass line print the weighing's
// percentage alike (custody.WeighingPercent). Lot S15-P, 5 000 kg at
// Karachi, no moisture:
//
//   - row 2, 5 027.56 kg: 27.56 / 5 000 = +0.5512 %, within 0.1 point of
//     the +0.5 % limit, two decimals: "+0.55 %" in both (the error read
//     "+0.6 %", the mass line "+0.55 %");
//   - row 3, 5 586.25 kg: 586.25 / 5 000 = +11.725 %: "+11.7 %" in both
//     (the mass line read "+11.73 %").
func TestImportWeighingPercentOneRule(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:S15-P"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:s15p", "eventTime": "2025-11-01T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "` + lot + `", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg)\n" +
		"P1," + lot + ",2025-11-02 10:00,5027.56\n" +
		"P2," + lot + ",2025-11-02 11:00,5586.25\n"
	v := url.Values{"source": {"s15-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	_, page := postImport(t, ts, v)
	plain := html.UnescapeString(page)
	for _, c := range []struct{ row, pct string }{{"2", "+0.55 %"}, {"3", "+11.7 %"}} {
		found := false
		for _, cell := range rowErrorCells(html.UnescapeString(rowErrorsTable(page)), c.row) {
			found = found || strings.Contains(cell[1], "a difference of "+c.pct+",")
		}
		if !found {
			t.Errorf("row %s's error does not print %s: %q", c.row, c.pct, rowErrorCells(html.UnescapeString(rowErrorsTable(page)), c.row))
		}
		line := regexp.MustCompile(`id="row-mass-` + c.row + `">Mass: [^<]*`).FindString(plain)
		if !strings.Contains(line, "("+c.pct+")") {
			t.Errorf("row %s's mass line %q does not print %s", c.row, line, c.pct)
		}
	}
}

// TestImportMassLineNothingStands (fix15s item 2): the mass line of a
// row at a site where nothing of the lot is left says so in words, not a
// percentage of a floating-point remainder. Lot S15-N, 30 000 kg at
// Karachi; 800 kg ship to Houston and are received there, then shipped
// on from Houston as 700 kg and 100 kg: 0.8 − (0.7 + 0.1) is
// 0.8 − 0.7999999999999999 = 1.1e-16 t in binary arithmetic, nothing
// (custody.NothingStands). A 800 kg ticket at Houston read "+0.8 t
// (+720,575,940,379,279,400 %)"; it reads "nothing of the lot stands at
// Houston", and the row is refused.
func TestImportMassLineNothingStands(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot, karachi, houston = "urn:critmin:demo:lot:S15-N", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:houston"
	ship := func(id, at, off, site, kg, bol, dest string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:s15n:` + id + `", "eventTime": "` + at + off + `", "eventTimeZoneOffset": "` + off + `", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}], "bizLocation": {"id": "` + site + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "` + bol + `"}], "destinationList": [{"type": "location", "destination": "` + dest + `"}]}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:s15n:c", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}},
 ` + ship("s1", "2025-11-02T10:00:00", "+05:00", karachi, "800", "urn:critmin:demo:bol:S15-N-1", houston) + `,
 {"type": "ObjectEvent", "eventID": "urn:t:s15n:r1", "eventTime": "2025-11-20T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 800, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:S15-N-1"}]},
 ` + ship("s2", "2025-11-21T08:00:00", "-06:00", houston, "700", "urn:critmin:demo:bol:S15-N-2", "urn:t:site:elsewhere") + `,
 ` + ship("s3", "2025-11-21T09:00:00", "-06:00", houston, "100", "urn:critmin:demo:bol:S15-N-3", "urn:t:site:elsewhere") + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"source": {"houston-wb-s15"}, "kind": {"weighbridge"}, "csv": {"Ticket,Lot No,Weighed at,Net (kg)\nH-1," + lot + ",2025-11-22 09:00,800\n"}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {houston}, "def_tz": {"-06:00"}}
	_, page := postImport(t, ts, v)
	plain := html.UnescapeString(page)
	line := regexp.MustCompile(`id="row-mass-2">Mass: [^<]*`).FindString(plain)
	if !strings.Contains(line, "nothing of the lot stands at "+houston) || strings.Contains(line, "%") {
		t.Errorf("mass line at Houston, where nothing is left: %q; want it to say nothing of the lot stands there, with no percentage", line)
	}
	if len(rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "2")) == 0 {
		t.Errorf("the 800 kg ticket at Houston, where nothing is left, is not refused")
	}
}
