package web_test

import (
	"context"
	"html"
	"net/url"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportBackdatedTicketWhereBodyStoodAfterRejoin (issue 15, fix15r2
// item 1, the import's check of where a lot is, as capture's): lot
// RB-15, 30 t at Karachi; 10 t shipped to Houston and received there
// (r1, 5 Nov); the body (no quantity) shipped from Karachi on 10 Nov and
// received at Houston on 12 Nov, where the part rejoins it. A ticket at
// Karachi dated 7 Nov, where the body's 30 − 10 = 20 t stood then, is
// valid: the part's receipt r1 moved the part, not the lot (the check
// read the lot as at Houston since r1 once the part had rejoined).
func TestImportBackdatedTicketWhereBodyStoodAfterRejoin(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot, karachi, houston = "urn:critmin:demo:lot:RB-15", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:houston"
	ev := func(id, at, step, site, qty, extra string) string {
		q := `{"epcClass": "` + lot + `"}`
		if qty != "" {
			q = `{"epcClass": "` + lot + `", "quantity": ` + qty + `, "uom": "KGM"}`
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:rb15:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
  "quantityList": [` + q + `], "bizLocation": {"id": "` + site + `"}` + extra + `}`
	}
	toHouston := `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "` + houston + `"}]`
	bol := `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:RB-15-1"}]`
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:rb15:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
 ` + ev("s1", "2025-11-02T00:00:00Z", "shipping", karachi, "10000", toHouston+bol) + `, ` + ev("r1", "2025-11-05T00:00:00Z", "receiving", houston, "10000", bol) + `,
 ` + ev("s2", "2025-11-10T00:00:00Z", "shipping", karachi, "", toHouston) + `, ` + ev("r2", "2025-11-12T00:00:00Z", "receiving", houston, "", "") + `]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"source": {"karachi-wb-rb"}, "kind": {"weighbridge"}, "csv": {"Ticket,Lot No,Weighed at,Net (kg)\nK-1," + lot + ",2025-11-07 09:00,20000\n"}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {karachi}, "def_tz": {"+00:00"}}
	_, page := postImport(t, ts, v)
	if cells := rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "2"); len(cells) > 0 {
		t.Errorf("20 t ticket at Karachi on 7 Nov, where the body's 20 t stood, refused: %q", cells)
	}
}
