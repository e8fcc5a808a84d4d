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

// TestImportBackdatedMassLineCountsRowsBefore (issue 15, n15 finding 4,
// s38): lot OE-38, 10,000 kg commissioned at Karachi on 2025-10-01;
// 1,000 kg shipped on 2025-10-10, so tickets dated the 5th and 6th are
// back-dated. Row 2, 9,940 kg on the 5th: (9.94 − 10) / 10 = −0.6 %,
// valid. Row 3, 9,995 kg on the 6th, is judged after row 2, as capture
// replays the file: (9.995 − 9.94) / 9.94 = +0.553 % > +0.5 %, refused.
// Its card's Mass line says the same figures — "recorded 9.94 t …
// weighed 9.995 t: +0.055 t (+0.55 %), beyond" — not "recorded 10 t …
// −0.005 t (−0.1 %)".
func TestImportBackdatedMassLineCountsRowsBefore(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot, karachi, houston = "urn:critmin:demo:lot:OE-38", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:houston"
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(fixOeDoc(`{"type": "ObjectEvent", "eventID": "urn:t:oe38:c", "eventTime": "2025-10-01T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "`+lot+`", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "`+karachi+`"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:assay": [{"cm:analyte": "TREO", "cm:value": 12, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		`{"type": "ObjectEvent", "eventID": "urn:t:oe38:s", "eventTime": "2025-10-10T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "`+lot+`", "quantity": 1000, "uom": "KGM"}], "bizLocation": {"id": "`+karachi+`"}, "readPoint": {"id": "`+karachi+`"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:OE-38-1"}], "destinationList": [{"type": "location", "destination": "`+houston+`"}]}`))}); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg)\n" +
		"OE38-T1," + lot + ",2025-10-05 10:00,9940\n" +
		"OE38-T2," + lot + ",2025-10-06 10:00,9995\n"
	v := url.Values{"source": {"oe38-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {karachi}, "def_tz": {"+05:00"}}
	_, page := postImport(t, ts, v)
	plain := html.UnescapeString(page)
	if len(rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "3")) == 0 {
		t.Errorf("row 3 (9.995 t after 9.94 t, +0.55 %%) not refused:\n%s", excerpt(plain, "row-errors"))
	}
	line := excerpt(plain, `id="row-mass-3"`)
	for _, want := range []string{"recorded 9.94 t", "weighed 9.995 t: +0.055 t (+0.55 %)", "beyond the weighing tolerance"} {
		if !strings.Contains(line, want) {
			t.Errorf("row 3's Mass line %q\n does not say %q", line, want)
		}
	}
}
