package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestCaptureJobTellsConflictsFromInvalidEvents (issue 15, fix15r item
// 2): a document captured with proceed holds a run feeding 31 t of
// REE-2025-003 where 30 t remain (31 > 30.15: a conflict with the
// record) and an ObjectEvent with no action (invalid). The job's errors
// are titled apart ("event 0 conflicts with the record", "event 1 is
// invalid") with statuses 409 and 400, and its page says "1 invalid, 1
// conflicts with the record".
func TestCaptureJobTellsConflictsFromInvalidEvents(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	receiveDemo003(t, ts)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T17:00:00Z",
	 "epcisBody": {"eventList": [{"type": "TransformationEvent", "eventID": "urn:t:ev:job-run", "eventTime": "2025-11-21T10:00:00-06:00", "eventTimeZoneOffset": "-06:00",
	  "bizStep": "commissioning", "disposition": "active", "transformationID": "urn:critmin:demo:run:MO-REE-016",
	  "inputQuantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-003", "quantity": 31000, "uom": "KGM"}],
	  "outputQuantityList": [{"epcClass": "urn:critmin:demo:lot:NDPR-2025-016", "quantity": 1000, "uom": "KGM"}],
	  "readPoint": {"id": "urn:critmin:demo:site:houston"}, "bizLocation": {"id": "urn:critmin:demo:site:houston"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 74, "cm:unit": "%", "cm:basis": "dry"}]}},
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:job-bad", "eventTime": "2025-11-21T10:00:00-06:00", "eventTimeZoneOffset": "-06:00", "bizStep": "inspecting",
	   "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-003"}], "readPoint": {"id": "urn:critmin:demo:site:houston"}}]}}`
	job, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc), Behaviour: critmin.BehaviourProceed})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, e := range job.Errors {
		titles = append(titles, e.Title)
		if strings.Contains(e.Title, "conflicts") != (e.Status == http.StatusConflict) {
			t.Errorf("error %q has status %d", e.Title, e.Status)
		}
	}
	all := strings.Join(titles, "; ")
	if !strings.Contains(all, "event 0 conflicts with the record") || !strings.Contains(all, "event 1 is invalid") {
		t.Errorf("job error titles: %s", all)
	}
	resp, b := do(t, "GET", ts.URL+"/capture/"+url.PathEscape(job.CaptureID), viewerSecret, nil, nil)
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "1 invalid, 1 conflicts with the record") {
		t.Errorf("job page: %d\n%s", resp.StatusCode, excerpt(page, "job-outcome"))
	}
}
