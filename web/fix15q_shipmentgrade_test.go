package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestShipmentGradeInEffectWhenItLeft (issue 15, nu15 F3): a shipment's
// grade is the grade in effect for what it carried when it left, not
// the lot's newest assay. Lot FW-19, 19 t of antimony ore at Karachi,
// commissioned at Sb 20 % dry (fw19Doc):
//   - 11-02: 5 t ship to Houston under B/L GR-1, received there 11-20;
//   - 11-21: the part at Houston is assayed Sb 18 % dry;
//   - 11-22: 5 t ship from Karachi to Port Qasim under B/L GR-2;
//   - 11-25: Karachi assays Sb 19 % dry, after both shipments.
//
// GR-1 carried Sb 20 %: the 18 % and 19 % assays came after it left, and
// are said apart as later. GR-2 carried Sb 20 % too: the 18 % assay,
// though before it, is of the part at Houston, not of what left Karachi;
// the 19 % is later. Before, both pages printed Sb 19 %, the lot's
// newest.
func TestShipmentGradeInEffectWhenItLeft(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-26T00:00:00Z", "epcisBody": {"eventList": [`
	ship := func(id, at, bol, to string) string {
		return head + fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:gr:%s", "eventTime": "%s", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:%s"}], "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:%s"}]}]}}`, id, at, bol, to)
	}
	sample := func(id, at, tz, site string, sb float64) string {
		return head + fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:gr:%s", "eventTime": "%s", "eventTimeZoneOffset": "%s", "action": "OBSERVE", "bizStep": "sampling",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19"}], "bizLocation": {"id": "urn:critmin:demo:site:%s"},
  "sensorElementList": [{"sensorMetadata": {"time": "%s"}, "sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Sb", "value": %v, "uom": "P1", "cm:basis": "dry"}]}]}]}}`, id, at, tz, site, at, sb)
	}
	receive := head + `{"type": "ObjectEvent", "eventID": "urn:t:gr:r1", "eventTime": "2025-11-20T08:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:houston"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:GR-1"}]}]}}`
	for i, doc := range []string{fw19Doc, ship("s1", "2025-11-02T10:00:00+05:00", "GR-1", "houston"), receive,
		sample("a1", "2025-11-21T09:00:00-06:00", "-06:00", "houston", 18),
		ship("s2", "2025-11-22T10:00:00+05:00", "GR-2", "port-qasim"),
		sample("a2", "2025-11-25T10:00:00+05:00", "+05:00", "karachi", 19)} {
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
	}
	for _, c := range []struct {
		bol, later string
	}{
		{"GR-1", "Sb 18 % dry of 2025-11-21 at Port of Houston; Sb 19 % dry of 2025-11-25 at Port of Karachi"},
		{"GR-2", "Sb 19 % dry of 2025-11-25 at Port of Karachi"},
	} {
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:critmin:demo:bol:"+c.bol), operatorSecret, nil, map[string]string{"Accept": "text/html"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", c.bol, resp.StatusCode)
		}
		row := regexp.MustCompile(`(?s)<td data-label="Dry grades">.*?</td>`).FindString(string(b))
		text := visibleText(row)
		if !strings.HasPrefix(text, "Sb 20 %") {
			t.Errorf("%s: dry grades read %q; want Sb 20 %%, the grade in effect when it left", c.bol, text)
		}
		if !strings.Contains(text, "assayed after it left, not its grade: "+c.later) {
			t.Errorf("%s: dry grades read %q; want the later assays said apart: %s", c.bol, text, c.later)
		}
	}
}
