package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// Issue 13, new-user check (fix13p, 3): the settlement page answered 400
// where the API's invoice answered 409 for the same refusal (an Au assay
// of 4 captured in %, 40 000 g/t: recorded data that contradict each
// other). One status per class of refusal: the page, the API's settlement
// and the API's invoice all answer 409 — problem+json on the API, a
// readable page naming the assay on the page.
func TestSettlementPageAndAPIRefuseWithOneStatus(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../commercial/demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["id"] = "T-AUPCT"
	delete(m, "assay_exchange")
	body, _ := json.Marshal(m)
	if _, err := ts.Trade().SaveContract(ctx, body); err != nil {
		t.Fatal(err)
	}
	lot := "urn:critmin:test:lot:AU-PCT"
	qty := []any{map[string]any{"epcClass": lot, "quantity": 100000, "uom": "KGM"}}
	doc, _ := json.Marshal(map[string]any{"@context": []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"cm": ledger.Namespace}},
		"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-02T08:00:00Z", "epcisBody": map[string]any{"eventList": []any{
			map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-00000000a001", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
				"action": "ADD", "bizStep": "commissioning", "quantityList": qty,
				"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
				"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.08, "cm:assay": []any{
					map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
					map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "%", "cm:basis": "dry"}}}},
			map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-9000-00000000a001", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
				"quantityList": qty, "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:AUPCT-1"}}}}}})
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: doc, Token: "test"}); err != nil {
		t.Fatal(err)
	}
	q := "contract=T-AUPCT&lot=" + url.QueryEscape(lot)
	resp, b := do(t, "GET", ts.URL+"/trade/settlement?"+q, viewerSecret, nil, nil)
	if resp.StatusCode != 409 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "plausible 1000 g/t") {
		t.Errorf("settlement page: %d %s; want 409, a page naming the implausible assay", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/settlement?"+q, viewerSecret, nil, nil)
	if resp.StatusCode != 409 || !strings.Contains(resp.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(string(b), "lot/assays/Au") {
		t.Errorf("API settlement: %d %s %.300s; want 409 problem+json naming lot/assays/Au", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	in, _ := json.Marshal(map[string]string{"contract": "T-AUPCT", "lot": lot, "kind": "provisional"})
	resp, b = do(t, "POST", ts.URL+"/api/v1/trade/invoices", operatorSecret, in, map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 409 {
		t.Errorf("API invoice: %d %.300s; want 409", resp.StatusCode, b)
	}
}
