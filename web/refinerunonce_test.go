package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRefineFormFeedsLotsOncePerRun (b15d item 1): the Refine form said to
// submit once per product with the same run ID while "Lots fed" was
// required on each, so a run's second product fed its lots again. A run
// with recorded events now takes a product-only submission: run X7 feeds
// 5,000 kg of LACE-2025-001 (16.64 wmt) with its first product, then
// records a second product with no lots fed, and the lot keeps
// 16.64 − 5 = 11.64 wmt (not 16.64 − 10 = 6.64). Giving the lots again is
// previewed with the warning that they are fed again.
func TestRefineFormFeedsLotsOncePerRun(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/record/refine", operatorSecret, nil, nil)
	if page := html.UnescapeString(string(b)); !strings.Contains(page, "lots fed are given once per run") || !strings.Contains(page, "lots given again are fed again") {
		t.Errorf("the Refine form does not say the lots fed are given once per run")
	}
	form := func(step, inputs, output string) url.Values {
		return url.Values{"step": {step}, "run": {"urn:critmin:demo:run:X7"}, "inputs": {inputs},
			"outputs": {output}, "commodity": {"ndpr_oxide"}, "moisture": {"0"}, "assays": {"Nd2O3 74 %\nPr6O11 25 %"},
			"time": {"2025-12-20T08:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:refinery-mo"}}
	}
	// A new run: the lots fed are required.
	if resp, _ := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(form("capture", "", "urn:critmin:demo:lot:X7-A 2000 KGM").Encode()), formHeader); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a new run with no lots fed: %d, want 400", resp.StatusCode)
	}
	if resp, b := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(form("capture", "urn:critmin:demo:lot:LACE-2025-001 5000 KGM", "urn:critmin:demo:lot:X7-A 2000 KGM").Encode()), formHeader); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the run's first product: %d\n%s", resp.StatusCode, b)
	}
	if resp, b := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(form("preview", "urn:critmin:demo:lot:LACE-2025-001 5000 KGM", "urn:critmin:demo:lot:X7-B 500 KGM").Encode()), formHeader); resp.StatusCode != http.StatusOK || !strings.Contains(html.UnescapeString(string(b)), "fed again") {
		t.Errorf("lots given again for a recorded run are not previewed as fed again: %d\n%s", resp.StatusCode, b)
	}
	if resp, b := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(form("capture", "", "urn:critmin:demo:lot:X7-B 500 KGM").Encode()), formHeader); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the run's second product, no lots fed: %d\n%s", resp.StatusCode, b)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:LACE-2025-001"), viewerSecret, nil, nil)
	page := html.UnescapeString(string(b))
	i := strings.Index(page, `id="remaining">`)
	if i < 0 {
		t.Fatalf("the lot page shows no Remaining row")
	}
	if row := page[i : i+strings.Index(page[i:], "</dd>")]; !strings.Contains(row, "11.64 wmt") {
		t.Errorf("Remaining row %q, want 11.64 wmt (fed once)", row)
	}
}
