package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestSampleFormErrorsUnderTheirFields (issue 15, fix15q item 3): on the
// Sample form a bad offset (tz "+5") is said once, under the offset — no
// schema message about sensorMetadata.time under Moisture; and moisture 8
// with an "H2O 2 %" line in the results is refused with no raw JSON
// pointer on the page (the pointer is named by the field's label) and the
// moistures in the form's per cent (8 %, 2 %), not fractions (0.08, 0.02).
func TestSampleFormErrorsUnderTheirFields(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:REE-2025-003"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 12 %"},
		"moisture": {"8"}, "time": {"2025-11-21T10:00"}, "tz": {"+5"}, "site": {"urn:critmin:demo:site:port-qasim"}}
	_, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	page := html.UnescapeString(string(b))
	if m := fieldBlock(page, "moisture"); strings.Contains(m, "sensorMetadata") || strings.Contains(m, "date-time") {
		t.Errorf("tz +5: time error under Moisture: %q", m)
	}
	if !strings.Contains(fieldBlock(page, "tz"), "+05:00") {
		t.Errorf("tz +5: offset field shows %q", fieldBlock(page, "tz"))
	}
	v.Set("tz", "+05:00")
	v.Set("assays", "TREO 12 %\nH2O 2 %")
	_, b = do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	page = html.UnescapeString(visibleText(string(b)))
	if strings.Contains(page, "/epcisBody/eventList") || strings.Contains(page, "0.08 contradicts") || !strings.Contains(page, "moisture 8 % contradicts moisture 2 %") {
		t.Errorf("moisture 8 with H2O 2 %% in the results:\n%s", excerpt(page, "contradicts"))
	}
}
