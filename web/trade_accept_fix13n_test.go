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

// fix13n (issue 13) on the settlement page: a copper lot loaded at H2O
// 0.8 % (a slip for 8 %) is not computable; the page names the refusal and
// offers to accept it (a checkbox and a reason, signed as the operator).
// Posting the form without the box is refused; with it the provisional
// invoice is issued and its page shows who accepted what and why.
func TestSettlementPageAcceptsRefusedMoisture(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	lot := "urn:critmin:test:lot:MOIST-WEB"
	q := []any{map[string]any{"epcClass": lot, "quantity": 100000, "uom": "KGM"}}
	body, _ := json.Marshal(map[string]any{"@context": []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"cm": ledger.Namespace}},
		"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z", "epcisBody": map[string]any{"eventList": []any{
			map[string]any{"type": "ObjectEvent", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "quantityList": q,
				"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
				"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.008, "cm:assay": []any{
					map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
					map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
			map[string]any{"type": "ObjectEvent", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "quantityList": q,
				"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:MOIST-WEB"}}}}}})
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
		t.Fatal(err)
	}
	page := "/trade/settlement?contract=FWO-USSM-CU-2025&lot=" + url.QueryEscape(lot)
	resp, b := do(t, "GET", ts.URL+page, operatorSecret, nil, nil)
	// 409, as the API refuses the settlement, with the form that
	// accepts the refusal (TestSettlementPageAndAPIRefuseWithOneStatus).
	if resp.StatusCode != 409 || !strings.Contains(string(b), `id="accept-form"`) || !strings.Contains(string(b), `value="moisture"`) || !strings.Contains(string(b), "0.8 %") {
		t.Fatalf("settlement page: %d, accept form offered %v", resp.StatusCode, strings.Contains(string(b), `id="accept-form"`))
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	base := "contract=FWO-USSM-CU-2025&kind=provisional&lot=" + url.QueryEscape(lot)
	if resp, b := do(t, "POST", ts.URL+"/trade/invoices", operatorSecret, []byte(base+"&accept_reason=dried"), form); resp.StatusCode == 200 && strings.Contains(string(b), "Provisional invoice") {
		t.Errorf("reason without the box: issued")
	}
	resp, b = do(t, "POST", ts.URL+"/trade/invoices", operatorSecret, []byte(base+"&accept=moisture&accept_reason="+url.QueryEscape("kiln-dried, lab report L-7")), form)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `id="invoice-accepted"`) || !strings.Contains(string(b), "by operator: kiln-dried, lab report L-7") {
		t.Errorf("issue accepting from the page: %d %.300s", resp.StatusCode, b)
	}
}
