package http_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// Issue 13 (fix13j, 2): the invoices API takes as_of as the CLI takes
// --as-of. The demo copper lot's provisional invoice is issued on
// 2025-09-03 and its final on 2025-11-05 (the antimony final on
// 2025-11-10): as of 2025-11-05 the list holds the copper final and not
// the antimony one; as of 2025-09-01 an invoice shown by id is
// not_issued; a bad date is 400 naming as_of, on both routes.
func TestTradeAPIInvoicesAsOf(t *testing.T) {
	ts := MustTradeDemo(t)
	cu := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	sb := commercial.InvoiceID("FWO-USSM-SB-2025", commercial.DemoAntimonyLot, commercial.Final)
	resp, b := do(t, "GET", ts.URL+"/api/v1/trade/invoices?as_of=2025-11-05", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("list: %d %s", resp.StatusCode, b)
	}
	var list struct {
		Invoices []map[string]any `json:"invoices"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, inv := range list.Invoices {
		ids[inv["id"].(string)] = true
		if inv["status_as_of"] != "2025-11-05" {
			t.Errorf("%s status_as_of %v; want 2025-11-05", inv["id"], inv["status_as_of"])
		}
	}
	if !ids[cu] || ids[sb] {
		t.Errorf("as of 2025-11-05: listed %v; want %s and not %s (issued 2025-11-10)", ids, cu, sb)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/invoices/"+cu+"?as_of=2025-09-01", viewerSecret, nil, nil)
	var inv map[string]any
	_ = json.Unmarshal(b, &inv)
	if resp.StatusCode != 200 || inv["status"] != "not_issued" || inv["issued_on"] != "2025-11-05" || inv["balance"] != nil {
		t.Errorf("final as of 2025-09-01: %d status %v issued_on %v balance %v; want not_issued, issued_on 2025-11-05, no balance", resp.StatusCode, inv["status"], inv["issued_on"], inv["balance"])
	}
	for _, u := range []string{"/api/v1/trade/invoices?as_of=2025-13-01", "/api/v1/trade/invoices/" + cu + "?as_of=yesterday"} {
		resp, b = do(t, "GET", ts.URL+u, viewerSecret, nil, nil)
		if resp.StatusCode != 400 || !strings.Contains(string(b), "as_of") {
			t.Errorf("%s: %d %s; want 400 naming as_of", u, resp.StatusCode, b)
		}
	}
}
