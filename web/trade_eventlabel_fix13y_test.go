package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestTradeEventLinksReadable (fix13y, issue 13 r13 finding 3): the
// settlement and invoice pages link each figure to the events it rests
// on. A lot whose events carry IDs such as urn:nu13:ev:2 was linked as a
// bare "2" (the last segment); the link now reads "event urn:nu13:ev:2",
// the full ID in its title (demo events still read "event 015").
func TestTradeEventLinksReadable(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	lot := "urn:nu13:lot:CU-1"
	q := []any{map[string]any{"epcClass": lot, "quantity": 100000, "uom": "KGM"}}
	evs := []any{
		map[string]any{"type": "ObjectEvent", "eventID": "urn:nu13:ev:1", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": q,
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventID": "urn:nu13:ev:2", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": q, "sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-09-02T07:00:00Z"}, "sensorReport": []any{
				map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "H2O", "value": 9.0, "uom": "P1"}}}},
			"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:nu13:bol:1"}}},
	}
	body, _ := json.Marshal(map[string]any{
		"@context":      []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"cm": ledger.Namespace}},
		"type":          "EPCISDocument",
		"schemaVersion": "2.0",
		"creationDate":  "2025-12-01T00:00:00Z",
		"epcisBody":     map[string]any{"eventList": evs},
	})
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
		t.Fatal(err)
	}
	inv, err := ts.Trade().Issue(ctx, "FWO-USSM-CU-2025", lot, commercial.Provisional)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/trade/settlement?contract=FWO-USSM-CU-2025&lot=" + url.QueryEscape(lot), "/trade/invoices/" + inv.ID} {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, nil)
		page := string(b)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		for _, id := range []string{"urn:nu13:ev:1", "urn:nu13:ev:2"} {
			if !strings.Contains(page, `title="`+id+`">event `+id+`</a>`) {
				t.Errorf("%s: no link reading \"event %s\"", path, id)
			}
			if bare := `title="` + id + `">` + id[len(id)-1:] + `</a>`; strings.Contains(page, bare) {
				t.Errorf("%s: a link reads the bare last segment: %s", path, bare)
			}
		}
	}
}
