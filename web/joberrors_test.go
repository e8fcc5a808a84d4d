package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestJobPageCountsOmittedErrors (issue 14, fix14 item 4): a job whose
// error list was cut at 1,000 said "1000 errors". 1,003 events with one
// fault each, captured with proceed: the job page says 1,003 errors, the
// first 1,000 listed and 3 more not; the capture page's list 1,003 errors
// (thousands grouped, fix15s).
func TestJobPageCountsOmittedErrors(t *testing.T) {
	t.Parallel()
	ts := MustServe(t, false, nil)
	const bad = ledger.MaxReportedErrors + 3
	var evs []string
	for i := range bad {
		evs = append(evs, fmt.Sprintf(`{"type":"ObjectEvent","eventID":"urn:critmin:test:bad:%d","action":"OBSERVE","eventTime":"2025-13-45T00:00:00Z","eventTimeZoneOffset":"+00:00","epcList":["urn:critmin:test:c"]}`, i))
	}
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[` + strings.Join(evs, ",") + `]}}`
	job, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc), Behaviour: critmin.BehaviourProceed})
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Authorization": "Bearer " + viewerSecret, "Accept": "text/html"}
	resp, b := send(t, "GET", ts.URL+"/capture/"+job.CaptureID, nil, hdr)
	if want := "0 of 1,003 events stored; 1,003 errors (the first 1,000 are listed, 3 more are not)."; resp.StatusCode != 200 || !strings.Contains(string(b), want) {
		t.Errorf("job page: %d, want %q in\n%.600s", resp.StatusCode, want, b)
	}
	resp, b = send(t, "GET", ts.URL+"/capture", nil, hdr)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "1,003 errors") {
		t.Errorf("capture page: %d, want 1,003 errors", resp.StatusCode)
	}
}
