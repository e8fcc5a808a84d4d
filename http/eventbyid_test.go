package http_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestEventByIDIsQueryDocument: GET /epcis/events/{eventID} answers in
// JSON what the GS1 OpenAPI binding (testdata copy of openapi.yaml)
// specifies for that path — the 200EPCISQueryDocumentSinglePage response,
// an EPCISQueryDocument enclosing the one event — not a bare event.
func TestEventByIDIsQueryDocument(t *testing.T) {
	spec := string(readShared(t, "epcis/rest-bindings/openapi.yaml"))
	i := strings.Index(spec, "\n  /events/{eventID}:")
	if i < 0 {
		t.Fatal("openapi.yaml has no /events/{eventID} path")
	}
	path := spec[i+1:]
	if j := regexp.MustCompile(`\n  /[^\n]*:\n`).FindStringIndex(path[1:]); j != nil {
		path = path[:j[0]+1]
	}
	get := path[strings.Index(path, "\n    get:"):]
	if !regexp.MustCompile(`'200':\s*\n\s*\$ref: '#/components/responses/200EPCISQueryDocumentSinglePage'`).MatchString(get) {
		t.Fatalf("openapi.yaml's GET /events/{eventID} 200 response is not 200EPCISQueryDocumentSinglePage: %s", get)
	}
	srv := MustServe(t, false, nil)
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(remoteDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, body := do(t, "GET", srv.URL+"/epcis/events/"+url.PathEscape("urn:uuid:5e000000-0000-4000-8000-000000000001"), viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET event: %d %s", resp.StatusCode, body)
	}
	var doc struct {
		Type      string `json:"type"`
		Context   []any  `json:"@context"`
		EPCISBody struct {
			QueryResults struct {
				QueryName   string `json:"queryName"`
				ResultsBody struct {
					EventList []map[string]any `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	evs := doc.EPCISBody.QueryResults.ResultsBody.EventList
	if doc.Type != "EPCISQueryDocument" || len(evs) != 1 || evs[0]["eventID"] != "urn:uuid:5e000000-0000-4000-8000-000000000001" || evs[0]["de:qualityGrade"] != "A" {
		t.Fatalf("GET event is not a query document with the event: %s", body)
	}
	if !strings.Contains(string(body), "epcis-de-context.jsonld") {
		t.Errorf("query document lost the capture's remote context: %s", body)
	}
}
