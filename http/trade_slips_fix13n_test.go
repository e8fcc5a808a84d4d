package http_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/ledger"
)

// captureMoistLot records a copper lot owned by the demo seller, shipped on
// 2 Sep 2025 at 100 000 kg with the B/L event's H2O h2o % (uom P1).
func captureMoistLot(t *testing.T, ts *testServer, lot string, h2o float64) {
	t.Helper()
	q := []any{map[string]any{"epcClass": lot, "quantity": 100000, "uom": "KGM"}}
	evs := []any{
		map[string]any{"type": "ObjectEvent", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "quantityList": q,
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "quantityList": q,
			"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-09-02T07:00:00Z"}, "sensorReport": []any{
				map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + "H2O", "value": h2o, "uom": "P1"}}}},
			"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:MOIST-API"}}},
	}
	body, _ := json.Marshal(map[string]any{"@context": []any{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", map[string]any{"cm": ledger.Namespace}},
		"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-01T00:00:00Z", "epcisBody": map[string]any{"eventList": evs}})
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: body, Token: "test"}); err != nil {
		t.Fatal(err)
	}
}

// fix13n (issue 13), through the API: a loading moisture of 0.8 % (a slip
// for 8 %: 100 × 0.992 = 99.2 dmt invoiced instead of 92) is refused 409
// naming lot/loading/moisture; accepted with a reason (accept
// [{check, reason}]) the invoice is issued and keeps who (the operator
// token) and why; the settlement is served on it. The exchange lists
// every unit slip of a submission in the problem's errors array. A price
// row in another unit (31.75 among 70s in a USD/kg series: per lb) is
// refused naming its line, imported with confirm_unit_jumps=true.
func TestTradeAPIAcceptsRefusedFiguresAndListsSlips(t *testing.T) {
	ts := MustTradeDemo(t)
	lot := "urn:critmin:test:lot:MOIST-API"
	captureMoistLot(t, ts, lot, 0.8)
	body := `{"contract": "FWO-USSM-CU-2025", "lot": "` + lot + `", "kind": "provisional"}`
	resp, b := do(t, "POST", ts.URL+"/api/v1/trade/invoices", operatorSecret, []byte(body), nil)
	p := mustProblem(t, resp, b, 409)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/lot/loading/moisture" || !strings.Contains(p.Errors[0].Reason, "0.8 %") {
		t.Fatalf("refusal %+v; want /lot/loading/moisture naming 0.8 %%", p)
	}
	body = `{"contract": "FWO-USSM-CU-2025", "lot": "` + lot + `", "kind": "provisional", "accept": [{"check": "moisture", "reason": "dried concentrate, lab report L-7"}]}`
	resp, b = do(t, "POST", ts.URL+"/api/v1/trade/invoices", operatorSecret, []byte(body), nil)
	if resp.StatusCode != 201 {
		t.Fatalf("accepted: %d %s", resp.StatusCode, b)
	}
	var inv commercial.Invoice
	if err := json.Unmarshal(b, &inv); err != nil {
		t.Fatal(err)
	}
	if a := inv.Settlement.Accepted; len(a) != 1 || a[0].By != "operator" || a[0].Reason != "dried concentrate, lab report L-7" || a[0].Check != "moisture" {
		t.Errorf("accepted %+v; want the operator's moisture acceptance with its reason", a)
	}
	if inv.Settlement.DMT.String() != "99.2" {
		t.Errorf("dmt %s; want 100 × (1 − 0.8 %%) = 99.2", inv.Settlement.DMT)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/settlement?contract=FWO-USSM-CU-2025&lot="+url.QueryEscape(lot), viewerSecret, nil, nil)
	if resp.StatusCode != 200 || strings.Contains(string(b), `"not_computable"`) {
		t.Errorf("settlement after the accepted invoice: %d %.300s", resp.StatusCode, b)
	}

	sub := `{"lot": "` + lot + `", "party": "seller", "lab": "urn:lab", "at": "2025-09-10T00:00:00Z", "results": [{"analyte": "Au", "value": 4.1, "unit": "%"}, {"analyte": "Cu", "value": 24, "unit": "%"}, {"analyte": "Ag", "value": 8, "unit": "%"}]}`
	resp, b = do(t, "POST", ts.URL+"/api/v1/trade/assays", operatorSecret, []byte(sub), nil)
	p = mustProblem(t, resp, b, 400)
	if len(p.Errors) != 2 || p.Errors[0].Pointer != "/results/0/value" || p.Errors[1].Pointer != "/results/2/value" || !strings.Contains(p.Errors[0].Reason, "41,000 g/t") {
		t.Errorf("exchange slips %+v; want /results/0/value (41,000 g/t) and /results/2/value", p.Errors)
	}

	var csv strings.Builder
	csv.WriteString("series,date,value,unit,source,frequency\n")
	for _, day := range []string{"2025-08-04", "2025-08-05", "2025-08-06", "2025-08-07", "2025-08-08"} {
		v := "70"
		if day == "2025-08-06" {
			v = "31.75"
		}
		csv.WriteString("T-ND-KG," + day + "," + v + ",USD/kg,test,daily\n")
	}
	ct := map[string]string{"Content-Type": "text/csv"}
	resp, b = do(t, "POST", ts.URL+"/api/v1/trade/prices", operatorSecret, []byte(csv.String()), ct)
	p = mustProblem(t, resp, b, 400)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "line 4/value" || !strings.Contains(p.Errors[0].Reason, "most likely in USD/lb") {
		t.Errorf("price slip %+v; want line 4/value, most likely USD/lb", p.Errors)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/trade/prices?confirm_unit_jumps=true", operatorSecret, []byte(csv.String()), ct)
	if resp.StatusCode != 200 {
		t.Errorf("confirmed: %d %s", resp.StatusCode, b)
	}
}
