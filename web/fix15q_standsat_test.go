package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestLotPageRemainingAtEverySite (issue 15, nu15 F8): FW-19 holds 19 t
// at Karachi (fw19Doc); 5,000 kg of it ship to Houston under B/L
// FW-19-P and are received there at 4,960 kg. The lot page's Remaining
// line names every site where the lot stands (ledger.StandsAt, the API's
// standsAt), not the body's alone:
//   - Karachi, the body: 19 − 5 = 14 wmt;
//   - Houston, the part received: 4.96 wmt;
//   - nothing in transit, which the line does not name (no "0 wmt in
//     transit", fix15s).
//
// The part's and the outturn's bill of lading read as the tail of its
// identifier, "FW-19-P", as the shipment page names it (docs/forms.md,
// "Messages name things as the pages do"), the URN in the title; the
// declare page's table of lots names FW-19 likewise.
func TestLotPageRemainingAtEverySite(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [`
	ship := head + `
 {"type": "ObjectEvent", "eventID": "urn:t:fw19:s", "eventTime": "2025-11-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-P"}], "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:houston"}]}]}}`
	receive := head + `
 {"type": "ObjectEvent", "eventID": "urn:t:fw19:r", "eventTime": "2025-11-20T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 4960, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:houston"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-P"}]}]}}`
	for _, doc := range []string{fw19Doc, ship, receive} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:FW-19"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lot page: %d", resp.StatusCode)
	}
	page := string(b)
	rem := visibleText(regexp.MustCompile(`(?s)<dd id="remaining">.*?</dd>`).FindString(page))
	for _, want := range []string{"14 wmt at Port of Karachi", "4.96 wmt at Port of Houston"} {
		if !strings.Contains(rem, want) {
			t.Errorf("Remaining reads %q; want it to say %q", rem, want)
		}
	}
	if strings.Contains(rem, "in transit") {
		t.Errorf("Remaining reads %q; want nothing in transit named", rem)
	}
	text := visibleText(page)
	if strings.Contains(text, "urn:critmin:demo:bol:FW-19-P") || !strings.Contains(text, "B/L FW-19-P") || !strings.Contains(text, "bill of lading FW-19-P") {
		t.Errorf("the lot page prints the bill of lading whole or not by its tail:\n%s", excerpt(text, "FW-19-P"))
	}
	if !strings.Contains(page, `title="urn:critmin:demo:bol:FW-19-P"`) {
		t.Error("the bill of lading's URN is not in a title")
	}
	_, b = do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:fw19:s")+"/declare", operatorSecret, []byte(url.Values{"reason": {"incorrect_data"}, "step": {"preview"}}.Encode()), formHeader)
	lots := visibleText(regexp.MustCompile(`(?s)<table id="declare-lots">.*?</table>`).FindString(string(b)))
	if !strings.Contains(lots, "FW-19") || strings.Contains(lots, "urn:critmin:demo:lot:FW-19") {
		t.Errorf("the declare page's lots read %q; want FW-19, not the URN", lots)
	}
}
