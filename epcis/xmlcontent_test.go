package epcis_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// xmlEventDoc is an EPCIS 2.0 XML document holding one ObjectEvent whose
// start tag and content are given.
func xmlEventDoc(eventAttrs, body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://example.org/ex/" schemaVersion="2.0" creationDate="2025-06-01T00:00:00Z">
 <EPCISBody>
  <EventList>
   <ObjectEvent` + eventAttrs + `>
    <eventTime>2025-06-01T10:00:00Z</eventTime>
    <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
    <epcList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></epcList>
    <action>OBSERVE</action>
    ` + body + `
   </ObjectEvent>
  </EventList>
 </EPCISBody>
</epcis:EPCISDocument>`
}

// TestXMLContentTheSchemaRefuses: character data in an element whose XSD
// type has element-only content, and an attribute the EPCIS 2.0 XSD does
// not declare on an element without xsd:anyAttribute, are refused 400,
// each naming the element's path and the reason — in the whole-document
// reader and the streamed one alike. An unqualified attribute where the
// XSD has anyAttribute (an event) is refused too: the XSD admits it, but
// the JSON-LD binding keeps extensions only in a namespace (EPCIS 2.0
// §7.1.2). Whitespace between elements is fine. Before, all of these
// were dropped silently.
func TestXMLContentTheSchemaRefuses(t *testing.T) {
	cases := []struct {
		name, doc, path, reason string
	}{
		{"text in an event", xmlEventDoc("", "stray<bizStep>shipping</bizStep>"), "/EPCISDocument/EPCISBody/EventList/ObjectEvent", "text"},
		{"text in epcList", strings.Replace(xmlEventDoc("", ""), "<epcList><epc>", "<epcList>oops<epc>", 1), "/EPCISDocument/EPCISBody/EventList/ObjectEvent/epcList", "text"},
		{"text in readPoint", xmlEventDoc("", "<readPoint>x<id>urn:epc:id:sgln:0614141.00777.0</id></readPoint>"), "/EPCISDocument/EPCISBody/EventList/ObjectEvent/readPoint", "text"},
		{"text in EventList", strings.Replace(xmlEventDoc("", ""), "<EventList>", "<EventList>junk", 1), "/EPCISDocument/EPCISBody/EventList", "text"},
		{"text in EPCISBody", strings.Replace(xmlEventDoc("", ""), "<EPCISBody>", "<EPCISBody>junk", 1), "/EPCISDocument/EPCISBody", "text"},
		{"unqualified attribute on an event", xmlEventDoc(` grade="A"`, ""), "/EPCISDocument/EPCISBody/EventList/ObjectEvent/@grade", "namespace"},
		{"attribute on readPoint", xmlEventDoc("", `<readPoint ex:bay="7"><id>urn:epc:id:sgln:0614141.00777.0</id></readPoint>`), "/EPCISDocument/EPCISBody/EventList/ObjectEvent/readPoint/@ex:bay", "schema"},
		{"attribute on epc", strings.Replace(xmlEventDoc("", ""), "<epc>", `<epc kind="x">`, 1), "/EPCISDocument/EPCISBody/EventList/ObjectEvent/epcList/epc/@kind", "schema"},
		{"attribute on quantityElement", xmlEventDoc("", `<quantityList><quantityElement unit="x"><epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass><quantity>2</quantity><uom>KGM</uom></quantityElement></quantityList>`),
			"/EPCISDocument/EPCISBody/EventList/ObjectEvent/quantityList/quantityElement/@unit", "schema"},
		{"unqualified attribute on EPCISBody", strings.Replace(xmlEventDoc("", ""), "<EPCISBody>", `<EPCISBody note="x">`, 1), "/EPCISDocument/EPCISBody/@note", "namespace"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, stream := range []bool{false, true} {
				err := mapXML(t, c.doc, stream)
				if critmin.ErrorCode(err) != critmin.EINVALID {
					t.Fatalf("stream=%v: error %v, want EINVALID", stream, err)
				}
				var ce *critmin.Error
				if !asError(err, &ce) {
					t.Fatalf("stream=%v: %v", stream, err)
				}
				want := c.path
				if stream {
					// A streamed event's path always carries its position.
					want = strings.Replace(want, "/ObjectEvent", "/ObjectEvent[1]", 1)
				}
				found := false
				for _, f := range ce.Fields {
					if f.Pointer == want && strings.Contains(f.Reason, c.reason) {
						found = true
					}
				}
				if !found {
					t.Errorf("stream=%v: errors %+v do not name %s with %q", stream, ce.Fields, want, c.reason)
				}
			}
		})
	}
}

// TestXMLExtensionAttributesKept: a namespaced attribute where the XSD
// has xsd:anyAttribute — on an event, on ilmd, on errorDeclaration — is
// kept as an extension field of that object (its key prefix:local, as an
// element of that namespace would be), not dropped; xsi: attributes and
// whitespace are fine.
func TestXMLExtensionAttributesKept(t *testing.T) {
	doc := xmlEventDoc(` ex:shift="night" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`,
		"<bizStep>commissioning</bizStep>\n    <ilmd ex:lab=\"L1\"><ex:grade>A</ex:grade></ilmd>")
	doc = strings.Replace(doc, "<action>OBSERVE</action>", "<action>ADD</action>", 1)
	for _, stream := range []bool{false, true} {
		ev := mappedEvent(t, doc, stream)
		if ev["ex:shift"] != "night" {
			t.Errorf("stream=%v: event attribute ex:shift not kept: %v", stream, ev)
		}
		if ilmd, _ := ev["ilmd"].(map[string]any); ilmd["ex:lab"] != "L1" || ilmd["ex:grade"] != "A" {
			t.Errorf("stream=%v: ilmd attribute ex:lab not kept: %v", stream, ev["ilmd"])
		}
	}
}

func asError(err error, target **critmin.Error) bool {
	e, ok := err.(*critmin.Error)
	if ok {
		*target = e
	}
	return ok
}

// mapXML maps doc whole (FromXML) or streamed (StreamXML) and returns
// the mapping error.
func mapXML(t *testing.T, doc string, stream bool) error {
	t.Helper()
	if !stream {
		_, err := epcis.FromXML([]byte(doc), false)
		return err
	}
	_, err := epcis.StreamXML(strings.NewReader(doc), func(*epcis.Document, epcis.StreamEvent) error { return nil })
	return err
}

// mappedEvent maps doc and returns its one event as JSON-LD.
func mappedEvent(t *testing.T, doc string, stream bool) map[string]any {
	t.Helper()
	if !stream {
		x, err := epcis.FromXML([]byte(doc), false)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(x.JSON, &m); err != nil {
			t.Fatal(err)
		}
		return m["epcisBody"].(map[string]any)["eventList"].([]any)[0].(map[string]any)
	}
	var got map[string]any
	_, err := epcis.StreamXML(strings.NewReader(doc), func(_ *epcis.Document, ev epcis.StreamEvent) error { return json.Unmarshal(ev.Raw, &got) })
	if err != nil {
		t.Fatal(err)
	}
	return got
}
