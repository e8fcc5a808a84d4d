package http_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// GET /api/v1/trade/nsr with no as_of values at today's prices or, when
// they are stale (the demo's end on 2025-12-31), at the latest day with
// prices, saying so in as_of_note — as `critmin trade nsr` and the NSR
// page do (commercial.Service.NSRLatest). Before: 422, "no spot price …
// stale" for every sheet.
func TestNSRWithoutDateUsesLatestPrices(t *testing.T) {
	ts := MustTradeDemo(t)
	resp, b := do(t, "GET", ts.URL+"/api/v1/trade/nsr?grades=Cu:24%25,Au:4g/t&terms=FWO-USSM-CU-2025", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("nsr without as_of: %d %.600s", resp.StatusCode, b)
	}
	var v struct {
		Note string `json:"as_of_note"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.Note, "valued at the prices of 2025-") {
		t.Errorf("as_of_note %q, want the latest priced day named", v.Note)
	}
}
