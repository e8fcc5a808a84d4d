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

// TestMasterDataErrorsDoNotHideEventErrors: in every capture path — a JSON
// document (streamed), an XML document, an XML document whose header
// breaks the schema — the errors of the header's master data (a schema
// violation, or a mineral attribute out of range: cm:elementTolerance 5
// is 500 %) and of the events (a bad eventTime, a made-up disposition)
// are reported at once, each at its JSON pointer or XML element path,
// and nothing is stored.
func TestMasterDataErrorsDoNotHideEventErrors(t *testing.T) {
	srv := MustServe(t, false, nil)
	const tol = `https://ns.critmin.org/mineral/v1/elementTolerance`
	jsonDoc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-05T10:00:00Z",
"epcisHeader":{"epcisMasterData":{"vocabularyList":[{"type":"urn:epcglobal:epcis:vtype:BusinessLocation","vocabularyElementList":[
  {"id":"urn:x:site:a","attributes":[{"id":"` + tol + `","attribute":5}]}]}]}},
"epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2025-10-01T08:00:00Z","eventTimeZoneOffset":"+00:00","epcList":[],"action":"OBSERVE"},
  {"type":"ObjectEvent","eventTime":"bad","eventTimeZoneOffset":"+00:00","epcList":[],"action":"OBSERVE","disposition":"made_up"}]}}`
	xmlMaster := func(elements string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2025-10-01T00:00:00Z">
<EPCISHeader><extension><EPCISMasterData><VocabularyList><Vocabulary type="urn:epcglobal:epcis:vtype:BusinessLocation"><VocabularyElementList>` + elements + `</VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData></extension></EPCISHeader>
<EPCISBody><EventList><ObjectEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList/><action>OBSERVE</action></ObjectEvent>
<ObjectEvent><eventTime>bad</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList/><action>OBSERVE</action><disposition>made_up</disposition></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`
	}
	for _, c := range []struct {
		name, body string
		headers    map[string]string
		// want: pointer prefixes (header) and exact pointers (events).
		header string
		events []string
	}{
		{"JSON, mineral master data", jsonDoc, nil, "/epcisHeader/epcisMasterData (element urn:x:site:a, attribute " + tol + ")",
			[]string{"/epcisBody/eventList/1/eventTime", "/epcisBody/eventList/1/disposition"}},
		{"XML, mineral master data", xmlMaster(`<VocabularyElement id="urn:x:site:a"><attribute id="` + tol + `">5</attribute></VocabularyElement>`), xmlCT,
			"/EPCISDocument/EPCISHeader/extension/EPCISMasterData (element urn:x:site:a, attribute " + tol + ")",
			[]string{"/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/eventTime", "/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/disposition"}},
		{"XML, header schema", xmlMaster(`<VocabularyElement><attribute id="urn:x:attr">noid</attribute></VocabularyElement>`), xmlCT,
			"/EPCISDocument/EPCISHeader/extension/EPCISMasterData/VocabularyList/Vocabulary/VocabularyElementList/VocabularyElement/@id",
			[]string{"/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/eventTime", "/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/disposition"}},
	} {
		resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(c.body), c.headers)
		p := mustProblem(t, resp, body, 400)
		got := map[string]bool{}
		header := false
		for _, e := range p.Errors {
			got[e.Pointer] = true
			header = header || strings.HasPrefix(e.Pointer, c.header)
		}
		if !header {
			t.Errorf("%s: no error under %s: %s", c.name, c.header, body)
		}
		for _, ptr := range c.events {
			if !got[ptr] {
				t.Errorf("%s: no error at %s: %s", c.name, ptr, body)
			}
		}
		if len(p.Errors) != len(c.events)+1 && c.name != "XML, header schema" {
			t.Errorf("%s: %d errors, want %d: %s", c.name, len(p.Errors), len(c.events)+1, body)
		}
	}
	if n := eventCount(t, srv.Store); n != 0 {
		t.Errorf("%d events stored from refused documents", n)
	}
}
