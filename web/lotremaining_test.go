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

// TestLotPageShowsRemainingAfterARun (fix15f item 6): the demo's
// LACE-2025-001 is 16.64 wmt at 12 % moisture (14.6432 dmt) at the
// Missouri refinery. A run there takes 5,000 kg of it: the lot page shows
// Remaining 16.64 − 5 = 11.64 wmt and 11.64 × 0.88 = 10.2432 ≈ 10.243 dmt,
// as the list and API give remainingDryTonnes.
func TestLotPageShowsRemainingAfterARun(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	run := url.Values{"step": {"capture"}, "run": {"urn:critmin:demo:run:MO-LACE-001"}, "inputs": {"urn:critmin:demo:lot:LACE-2025-001 5000 KGM"},
		"outputs": {"urn:critmin:demo:lot:LACE-OX-001 4000 KGM"}, "commodity": {"ndpr_oxide"}, "moisture": {"0"}, "assays": {"Nd2O3 74 %\nPr6O11 25 %"},
		"time": {"2025-12-20T08:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:refinery-mo"}}
	if resp, b := do(t, "POST", ts.URL+"/record/refine", operatorSecret, []byte(run.Encode()), formHeader); resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the run at the refinery: %d\n%s", resp.StatusCode, b)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:LACE-2025-001"), viewerSecret, nil, nil)
	page := html.UnescapeString(string(b))
	i := strings.Index(page, `id="remaining">`)
	if i < 0 {
		t.Fatalf("the lot page shows no Remaining row:\n%s", page)
	}
	row := page[i : i+strings.Index(page[i:], "</dd>")]
	for _, want := range []string{"11.64 wmt", "10.243 dmt", "after runs took 5 wmt of the lot's 16.64 wmt"} {
		if !strings.Contains(row, want) {
			t.Errorf("Remaining row %q lacks %q", row, want)
		}
	}
}
