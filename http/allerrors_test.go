package http_test

import (
	"strings"
	"testing"
)

// TestHeaderAndEventErrorsAtOnce: a document whose header master data and
// whose events are both invalid is refused with every error — the
// header's (an element without id, a children value that is no list)
// and the event's (a bad eventTime) — and nothing is stored.
func TestHeaderAndEventErrorsAtOnce(t *testing.T) {
	srv := MustServe(t, false, nil)
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-05T10:00:00Z",
"epcisHeader":{"epcisMasterData":{"vocabularyList":[{"type":"urn:epcglobal:epcis:vtype:BusinessLocation","vocabularyElementList":[
  {"id":"urn:x:site:region","attributes":[{"id":"urn:epcglobal:cbv:mda#name","attribute":"Region"}]},
  {"attributes":[{"id":"x","attribute":"noid"}]}]}]}},
"epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"bad","eventTimeZoneOffset":"+00:00","epcList":[],"action":"OBSERVE"}]}}`
	resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(doc), nil)
	p := mustProblem(t, resp, body, 400)
	var header, event bool
	for _, e := range p.Errors {
		header = header || strings.HasPrefix(e.Pointer, "/epcisHeader")
		event = event || strings.HasPrefix(e.Pointer, "/epcisBody/eventList/0/eventTime")
	}
	if !header || !event {
		t.Errorf("want the header's and the event's errors at once: %s", body)
	}
	if n := eventCount(t, srv.Store); n != 0 {
		t.Errorf("%d events stored from a refused document", n)
	}
}
