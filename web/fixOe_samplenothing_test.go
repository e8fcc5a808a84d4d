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

// TestSampleWhereNothingStandsRefused (issue 15, n15 finding 3, s27
// with the part shipped on): lot OE-27, 10,000 kg of FWO's at Karachi;
// 4,000 kg shipped to Houston, received there at 4,000 kg, and all
// 4,000 kg shipped on from Houston to the Missouri plant and received
// there. What stands: 10 − 4 = 6 t at Karachi, 4 − 4 = 0 t at Houston,
// 4 t at Missouri. A Sample at Houston (the form) and a laboratory row
// at Houston (the import) are refused under Site, naming Houston and
// where the lot stands (6 t at Karachi), as the weighbridge import
// refuses a ticket there; nothing is stored. The same Sample at
// Karachi, where the 6 t stand, previews valid. (A part a run took whole
// where it was received may still be assayed there: a later assay of a
// run's input, docs/origin.md "An input assayed after the run".)
func TestSampleWhereNothingStandsRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot, karachi, houston, refinery = "urn:critmin:demo:lot:OE-27", "urn:critmin:demo:site:karachi", "urn:critmin:demo:site:houston", "urn:critmin:demo:site:refinery-mo"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:oe27:c", "eventTime": "2025-10-01T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "TREO", "cm:value": 12, "cm:unit": "%", "cm:basis": "dry"}]}},
 {"type": "ObjectEvent", "eventID": "urn:t:oe27:s", "eventTime": "2025-10-03T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 4000, "uom": "KGM"}], "bizLocation": {"id": "` + karachi + `"}, "readPoint": {"id": "` + karachi + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:OE-27-1"}], "destinationList": [{"type": "location", "destination": "` + houston + `"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:oe27:r", "eventTime": "2025-10-30T09:00:00-05:00", "eventTimeZoneOffset": "-05:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 4000, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:OE-27-1"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:oe27:s2", "eventTime": "2025-10-31T09:00:00-05:00", "eventTimeZoneOffset": "-05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 4000, "uom": "KGM"}], "bizLocation": {"id": "` + houston + `"}, "readPoint": {"id": "` + houston + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:OE-27-2"}], "destinationList": [{"type": "location", "destination": "` + refinery + `"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:oe27:r2", "eventTime": "2025-11-01T09:00:00-05:00", "eventTimeZoneOffset": "-05:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "` + lot + `", "quantity": 4000, "uom": "KGM"}], "bizLocation": {"id": "` + refinery + `"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:OE-27-2"}]}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	wants := []string{"sampling of lot " + lot, "nothing of lot " + lot + " stands at " + houston, "shipped on from there", "6 t at " + karachi, "4 t at " + refinery}
	v := url.Values{"step": {"preview"}, "lot": {lot}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 12.5 %"},
		"time": {"2025-11-02T09:00"}, "tz": {"-06:00"}, "site": {houston}}
	resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	block := html.UnescapeString(fieldBlock(string(b), "site"))
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("sample form at Houston, where nothing of the lot stands: %d, want 409", resp.StatusCode)
	}
	for _, w := range wants {
		if !strings.Contains(block, w) {
			t.Errorf("sample form's Site shows %q\n not %q", block, w)
		}
	}
	v.Set("step", "capture")
	do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	v.Set("step", "preview")
	v.Set("site", karachi)
	v.Set("tz", "+05:00")
	if resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusOK || fieldBlock(string(b), "site") != "" && strings.Contains(fieldBlock(string(b), "site"), "nothing of lot") {
		t.Errorf("sample form at Karachi, where 6 t stand: %d, site %q; want 200, valid", resp.StatusCode, fieldBlock(string(b), "site"))
	}
	file := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\nL27," + lot + ",2025-11-02T09:00:00-06:00,TREO,12.5,%,dry\n"
	iv := url.Values{"source": {"houston-lab-oe"}, "kind": {"laboratory"}, "csv": {file}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {houston}}
	_, page := postImport(t, ts, iv)
	errs := rowErrorsOf(html.UnescapeString(page))
	found := false
	for _, e := range errs {
		if strings.Contains(e, "nothing of lot") {
			found = true
			if !strings.HasPrefix(e, "2|Site") {
				t.Errorf("laboratory import: the refusal is filed as %q, want row 2, column Site", e)
			}
			for _, w := range wants {
				if !strings.Contains(e, w) {
					t.Errorf("laboratory row error %q\n does not say %q", e, w)
				}
			}
		}
	}
	if !found {
		t.Errorf("laboratory row at Houston, where nothing of the lot stands: row errors %q, want a refusal", errs)
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused samples", after-before)
	}
}
