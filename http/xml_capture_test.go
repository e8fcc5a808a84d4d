package http_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

const xmlHead = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://ex.example/epcis/" schemaVersion="2.0" creationDate="2025-10-01T00:00:00Z"><EPCISBody><EventList>`
const xmlTail = `</EventList></EPCISBody></epcis:EPCISDocument>`

func xmlObjectEvent(inner string) string {
	return `<ObjectEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>` + inner + `</ObjectEvent>`
}

// TestXMLCaptureErrors: each invalid XML document is refused with
// problem+json naming the element by its path and the reason, every
// independent problem at once, and nothing is stored.
func TestXMLCaptureErrors(t *testing.T) {
	srv := MustServe(t, false, nil)
	okEvent := `<epcList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></epcList><action>ADD</action>`
	cases := []struct {
		name string
		doc  string
		want []string // pointers that must be named
	}{
		{"not well-formed", xmlHead + `<ObjectEvent>` + xmlTail, []string{""}},
		{"wrong root", `<Foo/>`, []string{"/Foo"}},
		{"missing eventTime", xmlHead + `<ObjectEvent><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>` + okEvent + `</ObjectEvent>` + xmlTail,
			[]string{"/EPCISDocument/EPCISBody/EventList/ObjectEvent/eventTime"}},
		{"quantity not a number", xmlHead + xmlObjectEvent(`<action>ADD</action><quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.998877</epcClass><quantity>ten</quantity><uom>KGM</uom></quantityElement></quantityList>`) + xmlTail,
			[]string{"/EPCISDocument/EPCISBody/EventList/ObjectEvent/quantityList/quantityElement/quantity"}},
		{"unqualified extension", xmlHead + xmlObjectEvent(okEvent+`<myField>x</myField>`) + xmlTail,
			[]string{"/EPCISDocument/EPCISBody/EventList/ObjectEvent/myField"}},
		{"two bad events at once", xmlHead + xmlObjectEvent(`<action>MOVE</action>`) + xmlObjectEvent(okEvent+`<bizStep>not a step</bizStep>`) + xmlTail,
			[]string{"/EPCISDocument/EPCISBody/EventList/ObjectEvent[1]/action", "/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/bizStep"}},
		{"ILMD element in no namespace", xmlHead + xmlObjectEvent(okEvent+`<ilmd><lot>7</lot></ilmd>`) + xmlTail,
			[]string{"/EPCISDocument/EPCISBody/EventList/ObjectEvent/ilmd/lot"}},
		{"mixed content in an extension", xmlHead + xmlObjectEvent(okEvent+`<ex:note>text <ex:b>1</ex:b></ex:note>`) + xmlTail,
			[]string{"/EPCISDocument/EPCISBody/EventList/ObjectEvent/ex:note"}},
		{"bad timestamp", xmlHead + `<ObjectEvent><eventTime>yesterday</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>` + okEvent + `</ObjectEvent>` + xmlTail,
			[]string{"/EPCISDocument/EPCISBody/EventList/ObjectEvent/eventTime"}},
	}
	for _, c := range cases {
		resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(c.doc), xmlCT)
		p := mustProblem(t, resp, body, 400)
		named := map[string]bool{}
		for _, e := range p.Errors {
			named[e.Pointer] = true
			if e.Reason == "" {
				t.Errorf("%s: error at %s without a reason", c.name, e.Pointer)
			}
		}
		for _, w := range c.want {
			if !named[w] {
				t.Errorf("%s: no error at %q: %s", c.name, w, body)
			}
		}
	}
	if n := eventCount(t, srv.Store); n != 0 {
		t.Errorf("%d events stored from refused documents", n)
	}
	// A JSON body sent as XML, and XML sent as JSON, are refused too.
	resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(`{"type": "EPCISDocument"}`), xmlCT)
	mustProblem(t, resp, body, 400)
	resp, body = do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(xmlHead+xmlTail), nil)
	mustProblem(t, resp, body, 400)
}

// epcis12Doc is an EPCIS 1.2 document using every 1.2 wrapper the 2.0
// standard unwrapped: baseExtension (eventID, errorDeclaration), the
// event <extension> (quantityList, sourceList, destinationList, ilmd,
// childQuantityList) and EventList/extension (TransformationEvent).
const epcis12Doc = `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:ex="https://ex.example/epcis/" schemaVersion="1.2" creationDate="2019-01-01T00:00:00Z">
<EPCISBody><EventList>
 <ObjectEvent>
  <eventTime>2019-01-02T10:00:00.000+01:00</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
  <baseExtension><eventID>urn:uuid:12000000-0000-4000-8000-000000000001</eventID></baseExtension>
  <epcList/><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
  <bizLocation><id>urn:epc:id:sgln:4012345.00001.0</id></bizLocation>
  <extension>
   <quantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.LOT1</epcClass><quantity>250.5</quantity><uom>KGM</uom></quantityElement></quantityList>
   <sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:4012345.00000</source></sourceList>
   <destinationList><destination type="urn:epcglobal:cbv:sdt:location">urn:epc:id:sgln:4012345.00002.0</destination></destinationList>
   <ilmd><ex:grade>A</ex:grade><ex:moisture xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xsd:decimal">8.20</ex:moisture></ilmd>
  </extension>
  <ex:shift>night</ex:shift>
 </ObjectEvent>
 <AggregationEvent>
  <eventTime>2019-01-02T11:00:00.000+01:00</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
  <baseExtension>
   <eventID>urn:uuid:12000000-0000-4000-8000-000000000002</eventID>
   <errorDeclaration><declarationTime>2019-01-03T09:00:00.000+01:00</declarationTime><reason>urn:epcglobal:cbv:er:incorrect_data</reason>
    <correctiveEventIDs><correctiveEventID>urn:uuid:12000000-0000-4000-8000-000000000003</correctiveEventID></correctiveEventIDs></errorDeclaration>
  </baseExtension>
  <parentID>urn:epc:id:sscc:4012345.0000000001</parentID><childEPCs/><action>ADD</action>
  <extension><childQuantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.LOT1</epcClass><quantity>250.5</quantity><uom>KGM</uom></quantityElement></childQuantityList></extension>
 </AggregationEvent>
 <extension><TransformationEvent>
  <eventTime>2019-01-04T10:00:00.000+01:00</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
  <inputQuantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.LOT1</epcClass><quantity>250.5</quantity><uom>KGM</uom></quantityElement></inputQuantityList>
  <outputQuantityList><quantityElement><epcClass>urn:epc:class:lgtin:4012345.012345.LOT2</epcClass><quantity>240</quantity><uom>KGM</uom></quantityElement></outputQuantityList>
  <transformationID>urn:epc:id:gdti:4012345.00001.1</transformationID>
 </TransformationEvent></extension>
</EventList></EPCISBody></epcis:EPCISDocument>`

// epcis20Equivalent is the same content in the EPCIS 2.0 JSON-LD binding,
// written by hand after EPCIS 2.0 §9 and the JSON schema.
const epcis20Equivalent = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://ex.example/epcis/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2019-01-01T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventTime": "2019-01-02T10:00:00.000+01:00", "eventTimeZoneOffset": "+01:00", "eventID": "urn:uuid:12000000-0000-4000-8000-000000000001",
  "epcList": [], "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"},
  "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.LOT1", "quantity": 250.5, "uom": "KGM"}],
  "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00000"}],
  "destinationList": [{"type": "location", "destination": "urn:epc:id:sgln:4012345.00002.0"}],
  "ilmd": {"ex:grade": "A", "ex:moisture": 8.2}, "ex:shift": "night"},
 {"type": "AggregationEvent", "eventTime": "2019-01-02T11:00:00.000+01:00", "eventTimeZoneOffset": "+01:00", "eventID": "urn:uuid:12000000-0000-4000-8000-000000000002",
  "errorDeclaration": {"declarationTime": "2019-01-03T09:00:00.000+01:00", "reason": "incorrect_data", "correctiveEventIDs": ["urn:uuid:12000000-0000-4000-8000-000000000003"]},
  "parentID": "urn:epc:id:sscc:4012345.0000000001", "childEPCs": [], "action": "ADD",
  "childQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.LOT1", "quantity": 250.5, "uom": "KGM"}]},
 {"type": "TransformationEvent", "eventTime": "2019-01-04T10:00:00.000+01:00", "eventTimeZoneOffset": "+01:00",
  "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.LOT1", "quantity": 250.5, "uom": "KGM"}],
  "outputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.LOT2", "quantity": 240, "uom": "KGM"}],
  "transformationID": "urn:epc:id:gdti:4012345.00001.1"}]}}`

// queryAll returns the JSON query result of a server as a parsed document.
func queryAll(t *testing.T, base string) *epcis.Document {
	t.Helper()
	resp, body := do(t, "GET", base+"/epcis/events?perPage=100", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("query: %d %s", resp.StatusCode, body)
	}
	d, err := epcis.ParseDocument(body, false)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestXML12MappedTo20: an EPCIS 1.2 XML document is stored as its EPCIS
// 2.0 equivalent: the events captured from it and from the hand-written
// 2.0 JSON carry the same content (pre-hash), eventIDs, hash IDs and
// error declaration.
func TestXML12MappedTo20(t *testing.T) {
	a := MustServe(t, false, nil)
	b := MustServe(t, false, nil)
	resp, body := do(t, "POST", a.URL+"/epcis/capture", operatorSecret, []byte(epcis12Doc), map[string]string{"Content-Type": "text/xml"})
	if resp.StatusCode != 202 {
		t.Fatalf("1.2 capture: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "POST", b.URL+"/epcis/capture", operatorSecret, []byte(epcis20Equivalent), nil)
	if resp.StatusCode != 202 {
		t.Fatalf("2.0 capture: %d %s", resp.StatusCode, body)
	}
	da, db := queryAll(t, a.URL), queryAll(t, b.URL)
	if len(da.Events) != 3 || len(db.Events) != 3 {
		t.Fatalf("%d and %d events", len(da.Events), len(db.Events))
	}
	summary := func(d *epcis.Document) []string {
		var out []string
		for i, e := range d.Events {
			m := e.(map[string]any)
			ed, _ := json.Marshal(m["errorDeclaration"])
			out = append(out, m["type"].(string)+" "+m["eventID"].(string)+" "+string(ed)+" "+d.PreHash(i))
		}
		sort.Strings(out)
		return out
	}
	if sa, sb := summary(da), summary(db); !reflect.DeepEqual(sa, sb) {
		t.Fatalf("1.2 XML and 2.0 JSON differ:\n%q\n%q", sa, sb)
	}
	// The transformation has no eventID: both got the same hash ID.
	for _, d := range []*epcis.Document{da, db} {
		found := false
		for _, e := range d.Events {
			m := e.(map[string]any)
			if m["type"] == "TransformationEvent" {
				found = strings.HasPrefix(m["eventID"].(string), "ni:///sha-256;")
			}
		}
		if !found {
			t.Error("the TransformationEvent has no hash eventID")
		}
	}
	// The 1.2 ILMD and extension are queryable as in 2.0.
	resp, body = do(t, "GET", a.URL+"/epcis/events?EQ_ILMD_"+url.QueryEscape("https://ex.example/epcis/grade")+"=A", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "12000000-0000-4000-8000-000000000001") {
		t.Errorf("EQ_ILMD_ over a 1.2 ILMD: %d %s", resp.StatusCode, body)
	}
}

// TestXMLMasterDataDrivesQueries captures GS1's EPCISMasterDataDocument
// example (a location hierarchy with attributes) as XML, then events at
// its locations, and queries them with WD_, HASATTR_ and EQ_ATTR_.
func TestXMLMasterDataDrivesQueries(t *testing.T) {
	srv := MustServe(t, false, nil)
	md := readShared(t, "epcis/xml/XML/Mimasu/Example-masterData.xml")
	resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, md, xmlCT)
	if resp.StatusCode != 202 {
		t.Fatalf("master data: %d %s", resp.StatusCode, body)
	}
	var events string
	for i, loc := range []string{"0", "8201", "8202", "8203", "9999"} {
		events += `<ObjectEvent><eventTime>2025-10-01T0` + string(rune('1'+i)) + `:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
			<eventID>urn:uuid:3d000000-0000-4000-8000-00000000000` + string(rune('1'+i)) + `</eventID><epcList/><action>OBSERVE</action>
			<readPoint><id>urn:epc:id:sgln:0037000.00729.` + loc + `</id></readPoint><bizLocation><id>urn:epc:id:sgln:0037000.00729.` + loc + `</id></bizLocation></ObjectEvent>`
	}
	resp, body = do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(xmlHead+events+xmlTail), xmlCT)
	if resp.StatusCode != 202 {
		t.Fatalf("events: %d %s", resp.StatusCode, body)
	}
	h, err := srv.Store.MasterDataHistory(t.Context(), "urn:epcglobal:epcis:vtype:BusinessLocation", "urn:epc:id:sgln:0037000.00729.0")
	if err != nil || len(h) != 1 {
		t.Fatalf("history: %v %v", h, err)
	}
	if h[0].Attributes["http://epcis.example.com/mda/latitude"] != "+18.0000" || len(h[0].Children) != 3 {
		t.Errorf("stored element: %+v", h[0])
	}
	for q, want := range map[string][]string{
		// .0 → 8201, 8202, 8203 (and 8202 → 8203 again); 9999 is outside.
		"WD_bizLocation=urn:epc:id:sgln:0037000.00729.0":    {"1", "2", "3", "4"},
		"WD_bizLocation=urn:epc:id:sgln:0037000.00729.8202": {"3", "4"},
		"EQ_ATTR_bizLocation_urn:epcglobal:cbv:mda:sst=202": {"3", "4"},
		"HASATTR_bizLocation=urn:epcglobal:cbv:mda:ssa":     {"4"},
		"HASATTR_readPoint=urn:epcglobal:cbv:mda:site":      {"2", "3", "4"},
		// A read point's attributes come from the ReadPoint vocabulary,
		// where 8203 has sst 203 (202 as a BusinessLocation).
		"EQ_ATTR_readPoint_urn:epcglobal:cbv:mda:sst=202":   {"3"},
		"EQ_ATTR_readPoint_urn:epcglobal:cbv:mda:sst=203":   {"4"},
		"EQ_ATTR_bizLocation_urn:epcglobal:cbv:mda:sst=203": {},
		// .0 is described only as a BusinessLocation: as a read point too.
		"EQ_ATTR_readPoint_http://epcis.example.com/mda/latitude=%2B18.0000": {"1"},
	} {
		resp, body := do(t, "GET", srv.URL+"/epcis/events?"+q, viewerSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", q, resp.StatusCode, body)
		}
		d, err := epcis.ParseDocument(body, false)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, e := range d.Events {
			id := e.(map[string]any)["eventID"].(string)
			got = append(got, id[len(id)-1:])
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: events %v, want %v", q, got, want)
		}
	}
}

// TestXMLSingleEvent: POST /epcis/events takes one XML event element.
func TestXMLSingleEvent(t *testing.T) {
	srv := MustServe(t, false, nil)
	ev := `<ObjectEvent xmlns:ex="https://ex.example/epcis/"><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
		<eventID>urn:uuid:51000000-0000-4000-8000-000000000001</eventID><epcList><epc>urn:epc:id:sgtin:0614141.107346.9</epc></epcList><action>OBSERVE</action><ex:note>one</ex:note></ObjectEvent>`
	resp, body := do(t, "POST", srv.URL+"/epcis/events", operatorSecret, []byte(ev), xmlCT)
	if resp.StatusCode != 201 {
		t.Fatalf("single XML event: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, "GET", srv.URL+"/epcis/events/"+url.PathEscape("urn:uuid:51000000-0000-4000-8000-000000000001"), viewerSecret, nil, map[string]string{"Accept": "application/xml"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<ex:note>one</ex:note>") || !strings.Contains(string(body), `xmlns:ex="https://ex.example/epcis/"`) {
		t.Errorf("event as XML: %d %s", resp.StatusCode, body)
	}
	// A document sent to /events is refused.
	resp, body = do(t, "POST", srv.URL+"/epcis/events", operatorSecret, []byte(xmlHead+xmlTail), xmlCT)
	mustProblem(t, resp, body, 400)
}
