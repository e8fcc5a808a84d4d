package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestContainerPageAfterFedWhole (new-user check n8e-7): the page of a
// container not shipped reads what the ledger counts it holds
// (critmin.ContainerHoldingsStore: the rule a run fed it whole reads),
// not a replay of its lots' own movements.
//
//	A (Pakistan, 10,000 kg) and B (China, 6,000 kg) at the refinery;
//	6,000 kg of A and 4,000 kg of B packed into C (A 4 t and B 2 t
//	loose). Run R1 takes "A 7,000 kg" by line: A's loose 4 t, then
//	7 − 4 = 3 t out of C, which holds A 3,000 kg + B 4,000 kg.
//	Run R2 fed C whole takes A 3 t + B 4 t: C holds nothing, and the
//	page says it is empty (it listed B 2,000 kg: R2's 4 t of B read as
//	B's loose 2 t first, then 2 t out of C).
func TestContainerPageAfterFedWhole(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c = "urn:epc:id:sscc:0614141.3400000001"
	const site = "urn:t:site:ref"
	lot := func(id, iso string, kg int) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %d, "uom": "KGM"}], "readPoint": {"id": "%s"}, "bizLocation": {"id": "%s"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "%s", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%%", "cm:basis": "dry"}]}}`, id, id, kg, site, site, iso)
	}
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:pk", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + c + `", "childQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 6000, "uom": "KGM"}, {"epcClass": "urn:t:lot:B", "quantity": 4000, "uom": "KGM"}],
	  "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}}`
	run := func(id string, day int, inputs string) string {
		return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "transformationID": "urn:t:run:%s", %s, "outputQuantityList": [{"epcClass": "urn:t:lot:O%s", "quantity": 100, "uom": "KGM"}], "readPoint": {"id": "%s"}, "bizLocation": {"id": "%s"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%%", "cm:basis": "dry"}]}}`, id, day, id, inputs, id, site, site)
	}
	capture := func(what string, events ...string) {
		t.Helper()
		doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
		if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	rowRE := regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`)
	page := func() string {
		t.Helper()
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(c), viewerSecret, nil, nil)
		p := html.UnescapeString(string(b))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("container page: %d\n%s", resp.StatusCode, p)
		}
		return p
	}
	packed := func(rows []string, lot, kg, tonnes string) bool {
		for _, r := range rows {
			if strings.Contains(r, "urn:t:lot:"+lot) && (strings.Contains(r, `data-label="Packed">`+kg+` kg`) || strings.Contains(r, `data-label="Packed">`+tonnes+` t`)) {
				return true
			}
		}
		return false
	}
	capture("lots, packing", lot("A", "PAK", 10000), lot("B", "CHN", 6000), pack)
	capture("R1 by line", run("R1", 3, `"inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 7000, "uom": "KGM"}]`))
	p := page()
	if rows := rowRE.FindAllString(p, -1); len(rows) != 2 || !packed(rows, "A", "3,000", "3") || !packed(rows, "B", "4,000", "4") {
		t.Errorf("after R1's line of A 7 t: rows %q; want A 3,000 kg (6 − (7 − 4)) and B 4,000 kg", rows)
	}
	capture("R2 fed C whole", run("R2", 5, `"inputEPCList": ["`+c+`"]`))
	p = page()
	if rows := rowRE.FindAllString(p, -1); len(rows) != 0 {
		t.Errorf("after R2 fed C whole: rows %q; want none (R2 took A 3 t + B 4 t)", rows)
	}
	if !strings.Contains(p, `id="container-emptied"`) {
		t.Errorf("after R2 fed C whole: the page does not say the container is empty")
	}
}
