package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestAssayRowsNameTheirHolding (issue 15, fix15v; nu15f item 5): lot K6,
// 30 t at mine M of FWO; 10 t shipped to Q under B5 and received by
// USSM, 20 t under B6 received with no party named (FWO's still); then
// sampled at Q, As 1,500 ppm dry (0.15 %). That one reading is each
// holding's at Q. The lot page read "As (the part at …Q) 0.15" twice and
// "As reported: As 1,500 ppm; As 1,500 ppm", with nothing saying whose:
// each row and each note entry now names its part's owner. The shipment
// page of B6 (left M on 11-04, before the sampling of 11-06) listed the
// later reading twice: "As 0.15 % dry of 2025-11-06 at …Q; As 0.15 % …";
// it is one reading, listed once.
func TestAssayRowsNameTheirHolding(t *testing.T) {
	ts := MustServe(t, true, nil)
	const fwo, ussm = "urn:t:party:FWO", "urn:t:party:USSM"
	ship := func(id, at, bol string, kg int) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
		 "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": ` + strconv.Itoa(kg) + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:Q"}]}`
	}
	receive := func(id, at, bol string, kg int, parties string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:Q"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": ` + strconv.Itoa(kg) + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]` + parties + `}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:k0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K6", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "` + fwo + `"}, {"type": "possessing_party", "destination": "` + fwo + `"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0}},
		` + ship("k1", "2025-11-02T00:00:00Z", "B5", 10000) + `,
		` + receive("k2", "2025-11-03T00:00:00Z", "B5", 10000, `, "destinationList": [{"type": "owning_party", "destination": "`+ussm+`"}, {"type": "possessing_party", "destination": "`+ussm+`"}]`) + `,
		` + ship("k3", "2025-11-04T00:00:00Z", "B6", 20000) + `,
		` + receive("k4", "2025-11-05T00:00:00Z", "B6", 20000, "") + `,
		{"type": "ObjectEvent", "eventID": "urn:t:ev:k5", "eventTime": "2025-11-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
		 "bizLocation": {"id": "urn:t:site:Q"}, "quantityList": [{"epcClass": "urn:t:lot:K6"}],
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/As", "value": 1500, "uom": "59", "cm:basis": "dry"}]}]}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:K6"), "", nil, nil)
	page := string(b)
	for _, who := range []string{ussm, fwo} {
		if n := strings.Count(page, `<span class="part-assay">(the part at …:Q owned by `+who+`)</span>`); n != 1 {
			t.Errorf("lot page: %d assay rows of the part at Q owned by %s; want 1", n, who)
		}
	}
	note := visibleText(regexp.MustCompile(`(?s)<p class="note" id="assays-reported">.*?</p>`).FindString(page))
	for _, want := range []string{
		"As (the part at …:Q owned by " + ussm + ") 1,500 ppm",
		"As (the part at …:Q owned by " + fwo + ") 1,500 ppm",
	} {
		if !strings.Contains(note, want) {
			t.Errorf("as-reported note %q lacks %q", note, want)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:B6"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("shipment B6: %d", resp.StatusCode)
	}
	grades := visibleText(regexp.MustCompile(`(?s)<td data-label="Dry grades">.*?</td>`).FindString(string(b)))
	if n := strings.Count(grades, "As 0.15 % dry of 2025-11-06"); n != 1 {
		t.Errorf("shipment B6 dry grades %q list the As reading of 11-06 %d times; want once", grades, n)
	}
}
