package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCase14AllErrors runs testdata/cases/14 as its .expect.md says: 400
// with three entries in errors, at /certificationInfo,
// /persistentDisposition/set/1 and /sensorElementList/0/type of the event,
// nothing stored.
func TestCase14AllErrors(t *testing.T) {
	ts := MustServe(t, false, nil)
	body := readShared(t, "cases/14-validation-reports-all-errors.jsonld")
	resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil)
	p := mustProblem(t, resp, rb, http.StatusBadRequest)
	want := map[string]string{
		"/epcisBody/eventList/0/certificationInfo":           "certificationInfo",
		"/epcisBody/eventList/0/persistentDisposition/set/1": "persistentDisposition.set[1]",
		"/epcisBody/eventList/0/sensorElementList/0/type":    `"type"`,
	}
	if len(p.Errors) != len(want) {
		t.Errorf("%d errors, want %d: %s", len(p.Errors), len(want), rb)
	}
	for _, e := range p.Errors {
		if name, ok := want[e.Pointer]; !ok || !strings.Contains(e.Reason, name) {
			t.Errorf("error %s: %q", e.Pointer, e.Reason)
		}
		delete(want, e.Pointer)
	}
	for ptr := range want {
		t.Errorf("no error at %s: %s", ptr, rb)
	}
	if n := eventCount(t, ts.Store); n != 0 {
		t.Errorf("%d events stored by a rejected document", n)
	}
}

// TestCase04NestedILMD runs testdata/cases/04: accepted, and the event is
// found again by its ILMD element's nested content kept as sent.
func TestCase04NestedILMD(t *testing.T) {
	ts := MustServe(t, true, nil)
	body := readShared(t, "cases/04-nested-ilmd-bare-children.jsonld")
	resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil)
	if resp.StatusCode != http.StatusAccepted || !strings.Contains(string(rb), `"success": true`) {
		t.Fatalf("capture: %d %s", resp.StatusCode, rb)
	}
	resp, qb := do(t, "GET", ts.URL+"/epcis/events?MATCH_epcClass="+url.QueryEscape("urn:epc:class:lgtin:4012345.011111.LOT-B"), "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(qb), `"grade": "1.2"`) && !strings.Contains(string(qb), `"grade":"1.2"`) {
		t.Errorf("query: %d %s", resp.StatusCode, qb)
	}
}
