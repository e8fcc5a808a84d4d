package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// TestShipmentPageContainerReceipt (nu36-3, -4, -5): lot RW, 10 t at the
// mine; 3,000 kg packed into container C on 2 October; C shipped on 3
// October under bill of lading RW-1 naming C as an EPC URN, and received
// at the port on 5 October under RW-1 naming C as a GS1 Digital Link URI.
// The bill of lading's page lists C once (one row per canonical
// identifier) and RW received 3,000 kg: the receipt received what C held
// (3,000 kg shipped − 3,000 kg received = 0 difference); it read "—".
// Lot RX, 10 t, packed whole into C2 on 2 October and consumed whole by
// a run at the mine on 3 October: C2 shipped on 4 October under RX-1
// carries nothing, and RX is not listed on RX-1's page.
func TestShipmentPageContainerReceipt(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c, c2, mine, port = "urn:epc:id:sscc:0614141.5000000035", "urn:epc:id:sscc:0614141.5000000042", "urn:t:site:mine-PAK", "urn:t:site:port"
	dl := epcis.Canonical(c)
	doc := func(events ...string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	}
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:rw-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:RW", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "` + mine + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:rw-p", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + c + `", "childQuantityList": [{"epcClass": "urn:t:lot:RW", "quantity": 3000, "uom": "KGM"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}}`
	ship := `{"type": "ObjectEvent", "eventID": "urn:t:ev:rw-s", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "epcList": ["` + c + `"], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:RW-1"}]}`
	recv := `{"type": "ObjectEvent", "eventID": "urn:t:ev:rw-r", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	  "epcList": ["` + dl + `"], "readPoint": {"id": "` + port + `"}, "bizLocation": {"id": "` + port + `"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:RW-1"}]}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(commission, pack, ship, recv))}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:RW-1"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	p := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("RW-1: %d\n%s", resp.StatusCode, p)
	}
	note := regexp.MustCompile(`(?s)containers (.*?)</p>`).FindStringSubmatch(p)
	if note == nil || strings.Count(note[1], `href="/shipments/`) != 1 {
		t.Errorf("RW-1 containers %q; want C listed once (named as an EPC URN by the shipment, as a Digital Link URI by the receipt)", note)
	}
	row := regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`).FindString(p)
	got := regexp.MustCompile(`data-label="Received">([^<]*)<`).FindStringSubmatch(row)
	if !strings.Contains(row, "urn:t:lot:RW") || got == nil || got[1] != "3 t (3,000 kg)" {
		t.Errorf("RW-1 row %q: received %q; want the 3,000 kg C held when it was received", visibleText(row), got)
	}

	commissionX := strings.NewReplacer("urn:t:lot:RW", "urn:t:lot:RX", "rw-", "rx-").Replace(commission)
	packX := strings.NewReplacer("urn:t:lot:RW", "urn:t:lot:RX", "rw-", "rx-", c, c2, `, "quantity": 3000, "uom": "KGM"`, "").Replace(pack)
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:rx-run", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:RX", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:RY", "quantity": 9, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	shipX := strings.NewReplacer("rw-s", "rx-s", c, c2, "RW-1", "RX-1", "2025-10-03", "2025-10-04").Replace(ship)
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(commissionX, packX, run, shipX))}); err != nil {
		t.Fatal(err)
	}
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:RX-1"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	if p := html.UnescapeString(string(b)); strings.Contains(p, `<tr><td data-label="Lot"><a href="/lots/urn:t:lot:RX"`) || regexp.MustCompile(`(?s)<tr><td data-label="Lot">[^\n]*urn:t:lot:RX[^Y]`).MatchString(p) {
		t.Errorf("RX-1 lists lot RX, consumed by a run before C2 sailed: %s", visibleText(regexp.MustCompile(`(?s)<table id="shipment-lots".*?</table>`).FindString(p)))
	}
}
