package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestPagesPrintPlainDecimals (issue 15, fix15z): a value typed as
// 2000000 is echoed in plain decimal, never as Go's %v "2e+06": in the
// Sample form's error (2,000,000 ppm is 200 %, over 100 %) and in a
// weighbridge ticket's (tare 30,000,000 kg over gross 25,000,000 kg).
func TestPagesPrintPlainDecimals(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ assay, want string }{
		{"TREO 2000000 ppm", "2,000,000 ppm is over 100 %"},
		{"Au 2000000 g/t", "2,000,000 g/t is over 100 %"},
	} {
		v := url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:REE-2025-003"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {c.assay},
			"time": {"2025-11-20T09:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}}
		_, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
		page := html.UnescapeString(string(b))
		if !strings.Contains(page, c.want) || strings.Contains(page, "e+06") {
			t.Errorf("%s: the page lacks %q or prints e+06", c.assay, c.want)
		}
	}
	csv := "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg),Moisture %\nKHI-WB-PLAIN-1,urn:critmin:demo:lot:REE-2025-001,2025-09-01 08:00,25000000,30000000,0,8\n"
	v := weighbridgeMapping("preview")
	v.Set("csv", csv)
	_, page := postImport(t, ts, v)
	page = html.UnescapeString(page)
	if !strings.Contains(page, "tare 30,000,000 kg is more than gross 25,000,000 kg") || strings.Contains(page, "e+07") {
		t.Errorf("the ticket's error is not in plain decimals:\n%s", page)
	}
}
