package http_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// remoteDoc uses prefix "de" declared only in a remote (national GS1
// extension) context, and a local term definition with a type coercion.
const remoteDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
  "https://ref.gs1.org/standards/epcis/extensions/de/epcis-de-context.jsonld",
  {"ex": "https://ex.example/epcis/", "ex:assayDate": {"@id": "https://ex.example/epcis/assayDate", "@type": "xsd:date"}}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:uuid:5e000000-0000-4000-8000-000000000001", "eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
   "action": "ADD", "bizStep": "commissioning", "epcList": ["urn:epc:id:sgtin:0614141.107346.3001"],
   "de:qualityGrade": "A", "ex:assayDate": "2025-09-30",
   "ilmd": {"de:lotClass": "K1", "ex:origin": {"mine": "M-7"}}}]}}`

// TestRemoteContextPrefix: a prefix declared only in a remote @context is
// accepted as the GS1 schema allows (a valid CURIE, kept as written, no
// fetch), queried through EQ_ILMD_, and the query results carry the
// capture's remote context and term definitions as captured. Without a
// remote context the same key is refused; a key that is no CURIE is
// refused even with one.
func TestRemoteContextPrefix(t *testing.T) {
	srv := MustServe(t, false, nil)
	resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(remoteDoc), nil)
	if resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "GET", srv.URL+"/epcis/events?EQ_ILMD_de:lotClass=K1", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("query: %d %s", resp.StatusCode, body)
	}
	var doc struct {
		Context   []json.RawMessage `json:"@context"`
		EPCISBody struct {
			QueryResults struct {
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
	if len(evs) != 1 || evs[0]["de:qualityGrade"] != "A" {
		t.Fatalf("EQ_ILMD_de:lotClass found %d events: %s", len(evs), body)
	}
	resp, other := do(t, "GET", srv.URL+"/epcis/events?EQ_ILMD_de:lotClass=K2", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || strings.Contains(string(other), "5e000000") {
		t.Errorf("EQ_ILMD_de:lotClass=K2 matched the K1 event: %d %s", resp.StatusCode, other)
	}
	ctx := string(body[:strings.Index(string(body), `"epcisBody"`)])
	for _, want := range []string{`"https://ref.gs1.org/standards/epcis/extensions/de/epcis-de-context.jsonld"`, `"ex":"https://ex.example/epcis/"`,
		`"ex:assayDate":{"@id":"https://ex.example/epcis/assayDate","@type":"xsd:date"}`} {
		if !strings.Contains(ctx, want) {
			t.Errorf("result @context lacks %s: %s", want, ctx)
		}
	}
	// The same key without the remote context: an undeclared prefix.
	noRemote := strings.Replace(remoteDoc, `"https://ref.gs1.org/standards/epcis/extensions/de/epcis-de-context.jsonld",`, "", 1)
	resp, body = do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(strings.ReplaceAll(noRemote, "5e000000", "5e000001")), nil)
	p := mustProblem(t, resp, body, 400)
	if !strings.Contains(string(body), "/epcisBody/eventList/0/de:qualityGrade") {
		t.Errorf("refusal does not name de:qualityGrade: %+v", p)
	}
	// Not a CURIE ("1de" is no NCName) even with the remote context.
	bad := strings.ReplaceAll(strings.ReplaceAll(remoteDoc, `"de:qualityGrade"`, `"1de:qualityGrade"`), "5e000000", "5e000002")
	resp, body = do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(bad), nil)
	mustProblem(t, resp, body, 400)
	if !strings.Contains(string(body), "1de:qualityGrade") {
		t.Errorf("refusal does not name 1de:qualityGrade: %s", body)
	}
}
