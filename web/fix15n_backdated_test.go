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

// TestImportRefusedBackdatedRowDoesNotCount (issue 15, fix15n item 2):
// lot A1N, 20,000 kg at 8 % moisture at Karachi (1 Nov), has tickets T-1
// (2 Nov, 20,000 kg) and T-10 (6 Nov, 19,950 kg). A file with back-dated
// T-11 (5 Nov, 19,100 kg: (19.1 − 20) / 20 = −4.5 %, beyond the weighing
// tolerance: refused) then T-14 (3 Nov 12:00, 20,000 kg at 9 %) must judge
// T-14 on the record alone, as it would be judged without T-11: valid.
// Before, T-14 was refused on T-11's refused 19.1 t.
func TestImportRefusedBackdatedRowDoesNotCount(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:A1N"
	commission := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:a1n:c", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 20000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "TREO", "cm:value": 12, "cm:unit": "%", "cm:basis": "dry"}]}}
 ]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(commission)}); err != nil {
		t.Fatal(err)
	}
	const head = "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg),Moisture %\n"
	form := func(step, csv string) url.Values {
		return url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {step},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"}, "col_moisture_pct": {"Moisture %"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	}
	for _, row := range []string{"T-1," + lot + ",2025-11-02 10:00,35000,15000,20000,8\n", "T-10," + lot + ",2025-11-06 10:00,34950,15000,19950,\n"} {
		if resp, page := postImport(t, ts, form("capture", head+row)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d, want 303\n%s", row, resp.StatusCode, excerpt(page, "rows"))
		}
	}
	t14 := "T-14," + lot + ",2025-11-03 12:00,35000,15000,20000,9\n"
	t11 := "T-11," + lot + ",2025-11-05 10:00,34100,15000,19100,\n"
	// T-14 alone is valid.
	resp, page := postImport(t, ts, form("preview", head+t14))
	if page = html.UnescapeString(page); resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>1 valid</strong>") {
		t.Fatalf("T-14 alone: %d\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
	// T-11 then T-14: T-11 refused, T-14 valid (judged without T-11).
	resp, page = postImport(t, ts, form("preview", head+t11+t14))
	page = html.UnescapeString(page)
	if !strings.Contains(page, "<strong>1 valid</strong>") || strings.Contains(page, "T-14 recorded at 19.1 t") || strings.Count(page, "19.1 t") == 0 {
		t.Fatalf("T-11 then T-14: %d, want T-11 refused and T-14 valid\n%s", resp.StatusCode, visibleText(page))
	}
}
