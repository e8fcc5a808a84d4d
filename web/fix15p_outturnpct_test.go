package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestOutturnPercentRoundsHalfAway (issue 15, fix15p): lot O, 10 t at
// the mine (lot Z makes the port a known site); 8 t shipped under B/L O to the port; received at 7,990 kg.
// 7.99 − 8 = −0.01 t, −0.01 / 8 = −0.125 %, a decimal half: "−0.13 %
// loss" (half away from zero, as every figure, units.Fixed), within the
// 0.5 % tolerance. It printed "0.12 %" (float: −0.12499999999999734) in
// the Receive preview's note, the shipment page's row and total and the
// lot page's Shipped / received line.
func TestOutturnPercentRoundsHalfAway(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const mine, port = "urn:t:site:mine-PAK", "urn:t:site:port"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:c1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:O", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:z1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "` + port + `"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:s1", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:O", "quantity": 8, "uom": "TNE"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:O"}]}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	receive := func(step string) string {
		v := url.Values{"step": {step}, "lots": {"urn:t:lot:O 7990 KGM"}, "bol": {"urn:t:bol:O"},
			"time": {"2025-10-20T08:00"}, "tz": {"+00:00"}, "site": {port}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000f15a0"}}
		resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("receive %s: %d\n%s", step, resp.StatusCode, excerpt(string(b), "field-error"))
		}
		return string(b)
	}
	page := receive("preview")
	m := regexp.MustCompile(`(?s)<p class="note" id="preview-note">(.*?)</p>`).FindAllStringSubmatch(page, -1)
	var notes []string
	for _, x := range m {
		notes = append(notes, visibleText(x[1]))
	}
	if got := strings.Join(notes, " | "); !strings.Contains(got, "difference −0.01 t (−0.13 %)") {
		t.Errorf("Receive preview notes %q; want the difference −0.01 t (−0.13 %%)", got)
	}
	if page := receive("capture"); !strings.Contains(page, `id="event-id"`) {
		t.Fatalf("receipt at 7,990 kg not captured:\n%s", excerpt(page, "field-error"))
	}
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:O"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("shipment page: %d", resp.StatusCode)
	}
	if got, want := strings.Join(cells(string(b), "Loss or gain"), " | "), "−0.13 % loss | −0.13 % loss"; got != want {
		t.Errorf("shipment page loss %% (row | total) %q; want %q", got, want)
	}
	resp, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:O"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lot page: %d", resp.StatusCode)
	}
	line := regexp.MustCompile(`(?s)<dd class="outturn">(.*?)</dd>`).FindStringSubmatch(string(b))
	if line == nil || !strings.Contains(visibleText(line[1]), "(−0.13 %)") {
		t.Errorf("lot page Shipped / received line %v; want (−0.13 %%)", line)
	}
}
