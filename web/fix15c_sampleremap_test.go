package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestFormSampleErrorsByWhatReportIs (issue 15, fix15c item 5): the
// Sample form puts a capture error on a sensor report under the field the
// report comes from — by what it is (an H2O report is the moisture, any
// other analyte a line of the results), not by the element's index. Lot
// REE-2025-900 commissioned at 20 000 kg, 8 %. A sample with moisture
// 8 % and two results, the second impossible (Nd2O3 150 %, above the
// whole): the refusal stands under Results as line 2, none under
// Moisture; with the moisture 0.08 % as well, the moisture's refusal
// stands under Moisture and the result's under Results line 2.
func TestFormSampleErrorsByWhatReportIs(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	c := commissionForm()
	c.Set("step", "capture")
	if resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(c.Encode()), formHeader); resp.StatusCode >= 400 {
		t.Fatalf("commission: %d\n%s", resp.StatusCode, b)
	}
	v := url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:REE-2025-900"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 12 %\nNd2O3 150 %"},
		"moisture": {"8"}, "time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}}
	resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	results, moisture := fieldBlock(string(b), "assays"), fieldBlock(string(b), "moisture")
	if resp.StatusCode == http.StatusOK || !strings.Contains(results, "line 2:") || strings.Contains(moisture, "field-error") {
		t.Errorf("Nd2O3 150 %%: %d; results %q, moisture %q", resp.StatusCode, results, moisture)
	}
}
