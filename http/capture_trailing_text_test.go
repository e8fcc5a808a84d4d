package http_test

import (
	"strings"
	"testing"
)

// Text after a capture document is "data after the end of the document
// (at byte N)", as another JSON value after it is: a bare word was
// "invalid character 'a' in literal true". The document is 185 bytes;
// after one space the trailing data starts at byte 186 (0-based).
func TestCaptureTrailingWordSaysDataAfterDocument(t *testing.T) {
	ts := MustServe(t, false, nil)
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[]}}`
	if len(doc) != 185 {
		t.Fatalf("document is %d bytes", len(doc))
	}
	for _, tail := range []string{" trailing", " true", " {}", " tru"} {
		resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc+tail), jsonCT)
		p := mustProblem(t, resp, b, 400)
		if !strings.Contains(p.Detail, "data after the end of the document (at byte 186)") || len(p.Errors) != 1 || p.Errors[0].Pointer != "body" {
			t.Errorf("%q after the document: %s; want data after the end of the document (at byte 186)", tail, b)
		}
	}
}
