package http_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// fix13v item 3: every refusal of the assay and payment APIs names its
// field as a JSON Pointer with the leading "/". An umpire's result on a
// lot with neither party's result was a 409 with no pointer and read
// "the seller's and the buyer's TREO result is not captured yet"; it now
// names /party — and since fix13y says the lot's contract has no
// assay_exchange clause (no rule calls an umpire). A buyer's Cu 0.2185 % on the
// demo copper lot (the seller's 22.05 % on record: 22.05 ÷ 0.2185 = 100.9,
// a unit slip) is a 409 at /results/0/value. A negative payment names
// /amount (before: "amount").
func TestTradeProblemPointers(t *testing.T) {
	ts := MustTradeDemo(t)
	type problem struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
		Errors []struct {
			Pointer string `json:"pointer"`
			Reason  string `json:"reason"`
		} `json:"errors"`
	}
	for _, tc := range []struct {
		name, path, body string
		status           int
		pointer, words   string
	}{
		{"umpire first", "/api/v1/trade/assays", `{"lot": "` + commercial.DemoREELot1 + `", "party": "umpire", "lab": "urn:lab:u", "at": "2025-10-20T00:00:00Z", "results": [{"analyte": "TREO", "value": 45, "unit": "%"}]}`,
			409, "/party", "under contract FWO-USSM-REE-2025, which has no assay_exchange clause"},
		{"unit slip against the seller", "/api/v1/trade/assays", `{"lot": "` + commercial.DemoCopperLot + `", "party": "buyer", "lab": "urn:lab:b", "at": "2025-10-30T00:00:00Z", "results": [{"analyte": "Cu", "value": 0.2185, "unit": "%"}]}`,
			409, "/results/0/value", "differ by a factor of 100.9"},
		{"negative payment", "/api/v1/trade/payments", `{"invoice": "` + commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final) + `", "amount": "-5", "paid_on": "2025-11-20"}`,
			400, "/amount", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := do(t, "POST", ts.URL+tc.path, operatorSecret, []byte(tc.body), nil)
			var p problem
			_ = json.Unmarshal(b, &p)
			if resp.StatusCode != tc.status || len(p.Errors) == 0 || p.Errors[0].Pointer != tc.pointer || !strings.Contains(p.Detail, tc.words) {
				t.Errorf("%d %s; want %d naming %s, %q", resp.StatusCode, b, tc.status, tc.pointer, tc.words)
			}
			for _, e := range p.Errors {
				if !strings.HasPrefix(e.Pointer, "/") {
					t.Errorf("pointer %q without the leading /", e.Pointer)
				}
			}
		})
	}
}
