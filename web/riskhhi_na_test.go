package web_test

import (
	"encoding/json"
	"html"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestRiskLedgerRowWithoutMetalHasNoHHI (issue 9, new-user check 3): in
// unassayedDoc, Z (NdPr oxide, no assay of its own) is the only lot of
// its row (ndpr_oxide · Nd, 2025-10): contained 0 t, lots 0, 1 lot not
// measured. Nothing about its origin is measured, so its HHI is null in
// the API and "n/a — no measured metal" on the page, never 0. P's row
// (0.4 t Nd, 100 % PAK) keeps HHI 100² = 10,000.
func TestRiskLedgerRowWithoutMetalHasNoHHI(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(unassayedDoc)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/risk/exposure?commodity=rare%20earths", viewerSecret, nil, map[string]string{"Accept": "application/json"})
	var exp struct {
		Ledger []struct {
			Commodity   string   `json:"commodity"`
			HHI         *float64 `json:"hhi"`
			Top1        *float64 `json:"top1_share"`
			NotMeasured int      `json:"not_measured_lots"`
		} `json:"ledger_sourcing"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &exp) != nil {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	seen := 0
	for _, r := range exp.Ledger {
		switch r.Commodity {
		case "ndpr_oxide":
			seen++
			if r.HHI != nil || r.Top1 != nil || r.NotMeasured != 1 {
				t.Errorf("Z's row: hhi %v top1 %v not measured %d, want null, null, 1", r.HHI, r.Top1, r.NotMeasured)
			}
		case "ree_concentrate":
			seen++
			if r.HHI == nil || *r.HHI != 10000 {
				t.Errorf("P's row: hhi %v, want 10000", r.HHI)
			}
		}
	}
	if seen != 2 {
		t.Errorf("rows %s", b)
	}
	if !strings.Contains(string(b), `"hhi":null`) && !strings.Contains(string(b), `"hhi": null`) {
		t.Errorf("hhi not null in JSON: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/risk?commodity=rare%20earths", viewerSecret, nil, map[string]string{"Accept": "text/html"})
	if body := html.UnescapeString(string(b)); resp.StatusCode != 200 || !strings.Contains(body, "n/a — no measured metal") {
		t.Errorf("risk page (%d) does not say n/a for Z's row:\n%s", resp.StatusCode, body)
	}
	// One lot not measured is "1 lot", never "1 lots" (nu37a).
	if body := html.UnescapeString(string(b)); !strings.Contains(body, "(1 lot: grade not measured)") || strings.Contains(body, "1 lots") {
		t.Errorf("risk page: want \"(1 lot: grade not measured)\", never \"1 lots\"")
	}
}
