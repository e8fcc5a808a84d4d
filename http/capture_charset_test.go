package http_test

import (
	"strings"
	"testing"
)

// A JSON body declared in a charset other than UTF-8 is a 415 naming
// Content-Type, on capture and on the other JSON routes: capture read a
// body declared UTF-16 as UTF-8. charset=utf-8 (any case) is accepted.
func TestCharsetOtherThanUTF8Refused(t *testing.T) {
	ts := MustServe(t, false, nil)
	doc := []byte(`{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[]}}`)
	for _, ct := range []string{"application/json; charset=utf-16", "application/ld+json; charset=ISO-8859-1", "application/xml; charset=utf-16"} {
		resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc, map[string]string{"Content-Type": ct})
		if p := mustProblem(t, resp, b, 415); len(p.Errors) == 0 || p.Errors[0].Pointer != "Content-Type" || !strings.Contains(string(b), "UTF-8") {
			t.Errorf("capture %s: %s; want 415 saying UTF-8", ct, b)
		}
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{}`), map[string]string{"Content-Type": "application/json; charset=utf-16"})
	if p := mustProblem(t, resp, b, 415); len(p.Errors) == 0 || p.Errors[0].Pointer != "Content-Type" {
		t.Errorf("plans utf-16: %s; want 415", b)
	}
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc, map[string]string{"Content-Type": "application/json; charset=UTF-8"})
	if resp.StatusCode != 202 {
		t.Errorf("capture charset=UTF-8: %d %s", resp.StatusCode, b)
	}
}
