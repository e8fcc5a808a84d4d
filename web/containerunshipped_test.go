package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestContainerPageUnshippedShowsContents (fix15c item 4): a container
// that has not been shipped had no Contents section. Container
// MSKU9999997 is packed at Port Qasim on 6 Nov 2025 with 12,000 kg of demo
// lot REE-2025-903 (20 t, there since its commissioning) and never
// shipped: its page shows status "not shipped" and the contents — the
// lot, 12,000 kg packed (12 t), its commodity and grades. An empty
// container named by no packing says that nothing is recorded in it.
// The lot is REE-2025-903, commissioned here with 20 t at Port Qasim
// (REE-2025-903's facts) and never shipped: the demo's REE-2025-903 is
// shipped whole (30 t) from Port Qasim on 12 November, which draws the
// 12 t out of the container (issue 15, fix15k: a shipment of a packed
// lot beyond its loose rest draws on its containers; the page reads
// what the container holds now, Store.PackedIn).
func TestContainerPageUnshippedShowsContents(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const c = "urn:critmin:demo:container:MSKU9999997"
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:commission-unshipped", "eventTime": "2025-11-05T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-903", "quantity": 20000, "uom": "KGM"}], "readPoint": {"id": "urn:critmin:demo:site:port-qasim"}, "bizLocation": {"id": "urn:critmin:demo:site:port-qasim"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "TREO", "cm:value": 45.5, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Nd2O3", "cm:value": 5.2, "cm:unit": "%", "cm:basis": "dry"}]}}`
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-06T10:00:00Z",
	 "epcisBody": {"eventList": [` + commission + `, {"type": "AggregationEvent", "eventID": "urn:t:ev:pack-unshipped", "eventTime": "2025-11-06T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD",
	  "bizStep": "packing", "parentID": "` + c + `", "childQuantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-903", "quantity": 12000, "uom": "KGM"}],
	  "readPoint": {"id": "urn:critmin:demo:site:port-qasim"}, "bizLocation": {"id": "urn:critmin:demo:site:port-qasim"}}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(c), viewerSecret, nil, nil)
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("container page: %d\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `id="shipment-status">not shipped<`) || !strings.Contains(page, "<h2>Contents</h2>") || !strings.Contains(page, "it has not been shipped") {
		t.Errorf("an unshipped container's page lacks its status or contents section:\n%s", page)
	}
	row := regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`).FindString(page)
	if !strings.Contains(row, "REE-2025-903") || !strings.Contains(row, `data-label="Packed">12,000 kg`) && !strings.Contains(row, `data-label="Packed">12 t`) || !strings.Contains(row, "TREO") {
		t.Errorf("contents row: %s; want REE-2025-903, 12,000 kg packed, its grades", row)
	}
}
