package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestShipmentOfContainerBySSCC (issue 8 §2, issue 15 §2; nu32-7): a
// shipping event naming only container S (an SSCC) in its epcList, under
// bill of lading SS-1, ships what S held when it left. Lot SS, 10 t at
// the mine (Nd 5 % dry, moisture 0); 3,000 kg packed into S on 2
// October; S shipped on 3 October. The bill of lading's page and S's
// page list SS with 3,000 kg (3 t) and its grade Nd 5 %; the index
// counts 1 lot and 3 t (it listed no lot and 0 t, and the page was
// empty).
func TestShipmentOfContainerBySSCC(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c, mine, port = "urn:epc:id:sscc:0614141.5000000004", "urn:t:site:mine-PAK", "urn:t:site:port"
	doc := func(events ...string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	}
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:ss-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:SS", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "` + mine + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:ss-p", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + c + `", "childQuantityList": [{"epcClass": "urn:t:lot:SS", "quantity": 3000, "uom": "KGM"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}}`
	ship := `{"type": "ObjectEvent", "eventID": "urn:t:ev:ss-s", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "epcList": ["` + c + `"], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:SS-1"}]}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(commission, pack, ship))}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"urn:t:bol:SS-1", c} {
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(id), viewerSecret, nil, map[string]string{"Accept": "text/html"})
		p := html.UnescapeString(string(b))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", id, resp.StatusCode, p)
		}
		row := regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`).FindString(p)
		if !strings.Contains(row, "urn:t:lot:SS") || !regexp.MustCompile(`data-label="(Shipped|Packed)">(3,000 kg|3 t|3 t \(3,000 kg\))<`).MatchString(row) {
			t.Errorf("%s: contents row %q; want lot SS with the 3,000 kg S held when it left", id, visibleText(row))
		}
		grades := visibleText(regexp.MustCompile(`(?s)<td data-label="Dry grades">.*?</td>`).FindString(row))
		if !strings.HasPrefix(grades, "Nd 5 %") {
			t.Errorf("%s: dry grades %q; want Nd 5 %%", id, grades)
		}
	}
	// A lot packed whole (a childQuantityList line without a quantity)
	// into C2, shipped by its SSCC under SS-2: the shipment carried what
	// stood of lot SW, all 10 t of it (ledger.ShippedBy).
	const c2 = "urn:epc:id:sscc:0614141.5000000011"
	whole := strings.NewReplacer("urn:t:lot:SS", "urn:t:lot:SW", "ss-", "sw-").Replace(commission)
	packWhole := strings.NewReplacer("urn:t:lot:SS", "urn:t:lot:SW", "ss-", "sw-", c, c2, `, "quantity": 3000, "uom": "KGM"`, "").Replace(pack)
	shipWhole := strings.NewReplacer("ss-", "sw-", c, c2, "SS-1", "SS-2").Replace(ship)
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(whole, packWhole, shipWhole))}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:t:bol:SS-2"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	if row := regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`).FindString(html.UnescapeString(string(b))); resp.StatusCode != http.StatusOK || !strings.Contains(row, "urn:t:lot:SW") || !strings.Contains(row, `data-label="Shipped">10 t`) {
		t.Errorf("SS-2: %d, contents row %q; want lot SW with the 10 t that stood of it (packed whole)", resp.StatusCode, visibleText(row))
	}
	_, b = do(t, "GET", ts.URL+"/shipments", viewerSecret, nil, map[string]string{"Accept": "text/html"})
	row := regexp.MustCompile(`(?s)<tr><td><a href="/shipments/urn:t:bol:SS-1".*?</tr>`).FindString(string(b))
	if cells := regexp.MustCompile(`<td class="num">([^<]*)</td>`).FindAllStringSubmatch(row, -1); len(cells) != 2 || cells[0][1] != "1" || cells[1][1] != "3" {
		t.Errorf("shipments index row %q: cells %v; want 1 lot and 3 t", visibleText(row), cells)
	}
}
