package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestReceivePreviewWarnsOfFirstSighting: on the demo, the Receive form's
// preview of lot REE-2025-999, which no event recorded, under bill of
// lading OUTSIDE-1, which no recorded shipment carries, is accepted (200,
// not refused) and warns that the lot has no earlier event and will
// enter the record at Houston with its origin unknown; confirmed, it is
// captured and the lot is on record. A receipt of REE-2025-003 under the
// bill of lading it was shipped on warns of no first sighting.
func TestReceivePreviewWarnsOfFirstSighting(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	post := func(step, lot, bol string) (int, string) {
		v := url.Values{"step": {step}, "lots": {lot + " 30000 KGM"}, "bol": {bol},
			"time": {"2025-11-20T08:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}}
		resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
		return resp.StatusCode, string(b)
	}
	const outside = "urn:critmin:demo:lot:REE-2025-999"
	code, page := post("preview", outside, "urn:critmin:demo:bol:OUTSIDE-1")
	var warned []string
	for _, m := range regexp.MustCompile(`(?s)<p class="warn" id="preview-warning">(.*?)</p>`).FindAllStringSubmatch(page, -1) {
		warned = append(warned, visibleText(m[1]))
	}
	if code != http.StatusOK || len(warned) != 1 || !strings.Contains(warned[0], "REE-2025-999 has no earlier event") || !strings.Contains(warned[0], "its origin unknown") {
		t.Fatalf("preview of an unrecorded lot: %d, warnings %q; want 200 and one first-sighting warning", code, warned)
	}
	if code, _ := post("capture", outside, "urn:critmin:demo:bol:OUTSIDE-1"); code != http.StatusSeeOther && code != http.StatusOK {
		t.Fatalf("capture of the first sighting: %d", code)
	}
	if _, err := ts.Store.FindLot(context.Background(), outside); err != nil {
		t.Errorf("lot after its first sighting: %v, want on record", err)
	}
	if code, page := post("preview", "urn:critmin:demo:lot:REE-2025-003", "urn:critmin:demo:bol:BQM-HOU-2025-1112"); code != http.StatusOK || strings.Contains(page, "no earlier event") {
		t.Errorf("preview of a shipped lot: %d, first-sighting warning: %v", code, strings.Contains(page, "no earlier event"))
	}
}
