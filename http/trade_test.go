package http_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// MustTradeDemo starts a server over the demo corridor and the Trade demo.
func MustTradeDemo(tb testing.TB) *testServer {
	tb.Helper()
	ts := MustServe(tb, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		tb.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		tb.Fatal(err)
	}
	return ts
}

// The demo REE lot goes from its provisional invoice (issued by the demo)
// to its final invoice through the API; the settlement reports the
// issue's headline fields, and bad requests are problems naming the field.
func TestTradeAPI(t *testing.T) {
	ts := MustTradeDemo(t)
	lot := url.QueryEscape(commercial.DemoREELot1)
	resp, b := do(t, "GET", ts.URL+"/api/v1/trade/settlement?contract=FWO-USSM-REE-2025&lot="+lot, viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("settlement: %d %s", resp.StatusCode, b)
	}
	var v map[string]any
	_ = json.Unmarshal(b, &v)
	for _, k := range []string{"dmt", "nsr_per_dmt", "lot_value", "provisional_amount", "final_balance", "lines"} {
		if _, ok := v[k]; !ok {
			t.Errorf("settlement lacks %s", k)
		}
	}
	if lines, _ := v["lines"].([]any); len(lines) == 0 || lines[0].(map[string]any)["formula"] == "" {
		t.Errorf("lines without formulas: %v", v["lines"])
	}

	body := `{"contract": "FWO-USSM-REE-2025", "lot": "` + commercial.DemoREELot1 + `", "kind": "final"}`
	resp, b = do(t, "POST", ts.URL+"/api/v1/trade/invoices", viewerSecret, []byte(body), nil)
	if resp.StatusCode != 403 {
		t.Errorf("viewer issuing: %d", resp.StatusCode)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/trade/invoices", operatorSecret, []byte(body), nil)
	if resp.StatusCode != 201 {
		t.Fatalf("issue final: %d %s", resp.StatusCode, b)
	}
	var inv commercial.Invoice
	if err := json.Unmarshal(b, &inv); err != nil || inv.Check() != nil {
		t.Fatalf("invoice: %v %v", err, inv.Check())
	}
	resp, _ = do(t, "POST", ts.URL+"/api/v1/trade/invoices", operatorSecret, []byte(body), nil)
	if resp.StatusCode != 409 {
		t.Errorf("second final invoice: %d, want 409", resp.StatusCode)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/invoices/"+inv.ID+"?format=xlsx", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "PK") {
		t.Errorf("xlsx: %d %.20q", resp.StatusCode, b)
	}

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"payable over 100 %", "POST", "/api/v1/trade/contracts", strings.Replace(mustRead(t, "../commercial/testdata/cu-conc.json"), `"payable_pct": 96.5`, `"payable_pct": 100.5`, 1), 400, "/payables/0/payable_pct"},
		{"assay with no party", "POST", "/api/v1/trade/assays", `{"lot": "` + commercial.DemoCopperLot + `", "lab": "urn:lab", "at": "2025-10-01T00:00:00Z", "results": [{"analyte": "Cu", "value": 22, "unit": "%"}]}`, 400, "/party"},
		{"assay of an unknown analyte", "POST", "/api/v1/trade/assays", `{"lot": "` + commercial.DemoCopperLot + `", "party": "buyer", "lab": "urn:lab", "at": "2025-10-01T00:00:00Z", "results": [{"analyte": "Qq", "value": 22, "unit": "%"}]}`, 400, "/results/0/analyte"},
		{"assay with a bad party", "POST", "/api/v1/trade/assays", `{"lot": "` + commercial.DemoCopperLot + `", "party": "broker", "lab": "urn:lab", "at": "2025-10-01T00:00:00Z", "results": [{"analyte": "Cu", "value": 22, "unit": "%"}]}`, 400, "/party"},
		// Grades over the whole sample or negative are refused naming the
		// request field (not the EPCIS event built from it); a list given
		// as an object names the field in plain words.
		{"assay with a bad time", "POST", "/api/v1/trade/assays", `{"lot": "` + commercial.DemoCopperLot + `", "party": "buyer", "lab": "urn:lab", "at": "2025-10-01 noon", "results": [{"analyte": "Cu", "value": 22, "unit": "%"}]}`, 400, "/at"},
		{"assay of 150 %", "POST", "/api/v1/trade/assays", `{"lot": "` + commercial.DemoCopperLot + `", "party": "buyer", "lab": "urn:lab", "at": "2025-10-01T00:00:00Z", "results": [{"analyte": "Cu", "value": 150, "unit": "%"}]}`, 400, "/results/0/value"},
		{"negative assay", "POST", "/api/v1/trade/assays", `{"lot": "` + commercial.DemoCopperLot + `", "party": "buyer", "lab": "urn:lab", "at": "2025-10-01T00:00:00Z", "results": [{"analyte": "Cu", "value": -1, "unit": "%"}]}`, 400, "/results/0/value"},
		{"results as an object", "POST", "/api/v1/trade/assays", `{"lot": "` + commercial.DemoCopperLot + `", "party": "buyer", "lab": "urn:lab", "at": "2025-10-01T00:00:00Z", "results": {"analyte": "Cu"}}`, 400, "/results"},
		{"nsr grade over 100 %", "GET", "/api/v1/trade/nsr?grades=Cu:120%25&terms=FWO-USSM-CU-2025&as_of=2025-11-28", "", 400, "grades"},
		{"nsr step 150", "GET", "/api/v1/trade/nsr?grades=Cu:24%25&terms=FWO-USSM-CU-2025&as_of=2025-11-28&step=150", "", 400, "step"},
		{"negative payment", "POST", "/api/v1/trade/payments", `{"invoice": "` + commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final) + `", "amount": "-5", "paid_on": "2025-11-20"}`, 400, "/amount"},
		{"backdated declaration", "POST", "/api/v1/trade/declarations", `{"contract": "FWO-USSM-CU-2025", "lot": "` + commercial.DemoCopperLot + `", "element": "Cu", "month": 1, "party": "buyer", "declared_at": "2025-09-01"}`, 400, "/declared_at"},
		{"unknown kind", "POST", "/api/v1/trade/invoices", `{"contract": "FWO-USSM-REE-2025", "lot": "x", "kind": "proforma"}`, 400, "/kind"},
		{"settlement without lot", "GET", "/api/v1/trade/settlement?contract=FWO-USSM-REE-2025", "", 400, "lot"},
		{"unknown contract", "GET", "/api/v1/trade/settlement?contract=NOPE&lot=x", "", 404, ""},
		{"bad as_of", "GET", "/api/v1/trade/exposure?as_of=yesterday", "", 400, "as_of"},
		{"bad price CSV", "POST", "/api/v1/trade/prices", "series,date,value,unit,source,frequency\nX,2025-10-01,abc,USD/t,s,daily\n", 400, "line 2/value"},
		{"price CSV row 3 bad after a good row", "POST", "/api/v1/trade/prices", "series,date,value,unit,source,frequency\nNEW-X,2025-10-01,1,USD/t,s,daily\nNEW-X,2025-10-02,abc,USD/t,s,daily\n", 400, "line 3/value"},
		{"price CSV dated after the import day", "POST", "/api/v1/trade/prices", "series,date,value,unit,source,frequency\nNEW-F,2099-01-02,1,USD/t,s,daily\n", 400, "line 2/date"},
		{"price file not text/csv", "POST", "/api/v1/trade/prices", "series,date,value,unit,source,frequency\nNEW-Y,2025-10-01,1,USD/t,s,daily\n", 415, "Content-Type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			var h map[string]string
			if strings.Contains(tc.name, "CSV") {
				h = map[string]string{"Content-Type": "text/csv; charset=utf-8"}
			}
			resp, b := do(t, tc.method, ts.URL+tc.path, operatorSecret, body, h)
			if resp.StatusCode != tc.status || !strings.Contains(string(b), `"pointer":"`+tc.field) && tc.field != "" {
				t.Errorf("%d %s; want %d naming %s", resp.StatusCode, b, tc.status, tc.field)
			}
			if strings.Contains(string(b), "epcisBody") || strings.Contains(string(b), "json: cannot unmarshal") {
				t.Errorf("the problem names internals: %s", b)
			}
		})
	}

	// Nothing of a refused file is stored.
	for _, id := range []string{"NEW-X", "NEW-Y"} {
		if resp, b := do(t, "GET", ts.URL+"/api/v1/trade/prices/"+id, viewerSecret, nil, nil); resp.StatusCode != 404 {
			t.Errorf("series %s from a refused file: %d %.200s", id, resp.StatusCode, b)
		}
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/trade/prices", operatorSecret, []byte("series,date,value,unit,source,frequency\nNEW-Z,2025-10-01,1,USD/t,s,daily\n"), map[string]string{"Content-Type": "text/csv"})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("good CSV: %d %s", resp.StatusCode, b)
	}

	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/agreements/"+commercial.DemoAgreement+"?as_of=2025-12-01", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"on_time"`) {
		t.Errorf("agreement: %d %.300s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/nsr?grades=Cu:24%25,Au:4g/t&terms=FWO-USSM-CU-2025&as_of=2025-11-28", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"price_sensitivity"`) {
		t.Errorf("nsr: %d %.300s", resp.StatusCode, b)
	}
	// A Cu-only feed: the REE sheet needs TREO, the copper sheet Au, so no
	// sheet values it: 422 problem+json, each sheet's reason a field. One
	// sheet that values it (the copper one with Au given, above) is 200.
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/nsr?grades=Cu:24%25&terms=FWO-USSM-REE-2025,FWO-USSM-CU-2025&as_of=2025-11-28", viewerSecret, nil, nil)
	if resp.StatusCode != 422 || !strings.Contains(resp.Header.Get("Content-Type"), "problem+json") ||
		!strings.Contains(string(b), `"pointer":"/terms/FWO-USSM-REE-2025","reason":"the feed has no TREO assay`) || !strings.Contains(string(b), `"pointer":"/terms/FWO-USSM-CU-2025","reason":"the feed has no Au assay`) {
		t.Errorf("nsr valued by no sheet: %d %s %.600s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}

func mustRead(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// Issue 13, second check: a price day inside the quotational period of the
// antimony lot's issued final invoice (October 2025, DEMO-AGENCY-SB) is
// 409 unless posted with correction=true; correction=maybe is 400 naming
// correction. The settlement still shows the issued final balance and
// flags the difference in current_differs.
func TestTradeAPIClosedQP(t *testing.T) {
	ts := MustTradeDemo(t)
	csv, err := os.ReadFile("../commercial/testdata/late-sb.csv")
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]string{"Content-Type": "text/csv"}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/trade/prices", operatorSecret, csv, h); resp.StatusCode != 409 {
		t.Errorf("late price: %d %s, want 409", resp.StatusCode, b)
	}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/trade/prices?correction=maybe", operatorSecret, csv, h); resp.StatusCode != 400 || !strings.Contains(string(b), `"correction"`) {
		t.Errorf("correction=maybe: %d %s", resp.StatusCode, b)
	}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/trade/prices?correction=true", operatorSecret, csv, h); resp.StatusCode/100 != 2 {
		t.Fatalf("correction: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/trade/settlement?contract=FWO-USSM-SB-2025&lot="+url.QueryEscape(commercial.DemoAntimonyLot), viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"current_differs"`) || !strings.Contains(string(b), "2025-10-31") || !strings.Contains(string(b), `"figures": "issued final invoice`) {
		t.Errorf("settlement after a correction: %d %.400s", resp.StatusCode, b)
	}
}
