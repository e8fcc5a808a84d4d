package web_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// fix13w item 2: the exposure page lists a lot shipped and not invoiced
// that two contracts could invoice as unallocated, naming both, with its
// contained metal (100 000 kg at 9 % = 91 dmt, Cu 24 %: 21 840 kg), and
// says how much is unallocated above the lots; the API answers the
// totals. Before, the lot was left out without a word.
func TestExposurePageListsUnallocatedLot(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../commercial/demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Trade().SaveContract(ctx, []byte(strings.Replace(string(b), `"FWO-USSM-CU-2025"`, `"T-CU-OTHER"`, 1))); err != nil {
		t.Fatal(err)
	}
	lot := "urn:critmin:test:lot:WEB-AMB"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "` + ledger.Namespace + `"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z", "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:uuid:7d3a0c10-0000-4000-8000-0000000000a1", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
   "action": "ADD", "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": 100000, "uom": "KGM"}],
   "destinationList": [{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}],
   "ilmd": {"cm:commodity": "copper_concentrate", "cm:moisture": 0.09, "cm:assay": [
     {"cm:analyte": "Cu", "cm:value": 24, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Au", "cm:value": 4, "cm:unit": "g/t", "cm:basis": "dry"}]}},
  {"type": "ObjectEvent", "eventID": "urn:uuid:7d3a0c10-0000-4000-8000-0000000000a2", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00",
   "action": "OBSERVE", "bizStep": "shipping", "quantityList": [{"epcClass": "` + lot + `", "quantity": 100000, "uom": "KGM"}],
   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:test:bol:WEB-AMB"}]}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, "GET", ts.URL+"/trade/exposure?as_of=2025-11-03", viewerSecret, nil, nil)
	page := string(body)
	if resp.StatusCode != 200 {
		t.Fatalf("exposure page: %d", resp.StatusCode)
	}
	if !strings.Contains(page, `id="exposure-unallocated"`) || !strings.Contains(page, "Unallocated: 1 lot") {
		t.Errorf("exposure page does not say how much is unallocated")
	}
	i := strings.Index(page, `class="exposure-unallocated-lot"`)
	if i < 0 {
		t.Fatalf("exposure page does not list lot %s, which two contracts could invoice", lot)
	}
	row := page[i:]
	row = row[:strings.Index(row, "</tr>")]
	for _, want := range []string{"unallocated — could be invoiced under contracts", "FWO-USSM-CU-2025", "T-CU-OTHER", "WEB-AMB", "Cu 21840"} {
		if !strings.Contains(row, want) {
			t.Errorf("unallocated row lacks %q: %s", want, row)
		}
	}
	resp, body = do(t, "GET", ts.URL+"/api/v1/trade/exposure?as_of=2025-11-03", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"unallocated_lots": 1`) && !strings.Contains(string(body), `"unallocated_lots":1`) {
		t.Errorf("API exposure: %d, want unallocated_lots 1: %.400s", resp.StatusCode, body)
	}
}
