package http_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// TestTradeAPISettlementAsOf (fix13s item 3): GET
// /api/v1/trade/settlement takes as_of as the invoice routes do. The demo
// copper lot as of 2025-09-05 has its provisional invoice only (issued
// 2025-09-03, 113 938.96 USD; the final is issued 2025-11-05); a bad
// date, a day after today and a day before the lot's first weighing are
// 400 naming as_of, the last saying "no settlement as of".
func TestTradeAPISettlementAsOf(t *testing.T) {
	ts := MustTradeDemo(t)
	base := ts.URL + "/api/v1/trade/settlement?contract=FWO-USSM-CU-2025&lot=" + url.QueryEscape(commercial.DemoCopperLot)
	resp, b := do(t, "GET", base+"&as_of=2025-09-05", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("as of 2025-09-05: %d %s", resp.StatusCode, b)
	}
	var v struct {
		AsOf     string           `json:"as_of"`
		Invoices []map[string]any `json:"invoices"`
		Prov     json.Number      `json:"provisional_amount"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.AsOf != "2025-09-05" || len(v.Invoices) != 1 || v.Invoices[0]["kind"] != "provisional" || v.Prov.String() != "113938.96" {
		t.Errorf("as of 2025-09-05: as_of %q, %d invoices, provisional_amount %s; want 2025-09-05, the provisional only, 113938.96", v.AsOf, len(v.Invoices), v.Prov)
	}
	for _, c := range []struct{ asOf, want string }{
		{"2025-13-01", "not a date"},
		{"2999-01-01", "after today"},
		{"2020-01-01", "no settlement as of 2020-01-01"},
	} {
		resp, b := do(t, "GET", base+"&as_of="+c.asOf, viewerSecret, nil, nil)
		if resp.StatusCode != 400 || !strings.Contains(string(b), `"as_of"`) || !strings.Contains(string(b), c.want) {
			t.Errorf("as_of=%s: %d %s; want 400 naming as_of, saying %q", c.asOf, resp.StatusCode, b, c.want)
		}
	}
}
