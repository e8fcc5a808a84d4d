package http_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

var xmlCT = map[string]string{"Content-Type": "application/xml"}

// xmlRefused are the official XML examples critmin refuses, each with the
// element path its error must name and why the refusal is right.
var xmlRefused = map[string]string{
	// Capture-job resources of the REST binding, not capture documents.
	"XML/CaptureJob/Example-CaptureJobRunning.xml":       "/EPCISCaptureJob",
	"XML/CaptureJob/Example-CaptureJobSuccess.xml":       "/EPCISCaptureJob",
	"XML/CaptureJob/Example-CaptureJobWithErrorFile.xml": "/EPCISCaptureJob",
	"XML/CaptureJob/Example-CaptureJobWithErrors.xml":    "/EPCISCaptureJob",
	// An unqualified myField in EPCIS 1.2's reserved nested <extension>: no
	// EPCIS 2.0 field, and EPCIS 2.0 §7.1.2 puts extensions in a namespace.
	"XSL/1.2/XML/ObjectEvent.xml": "/EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/extension/extension/myField",
	// "sensorMetaData" is misspelt (the XSD names it sensorMetadata).
	"XSL/1.2/XML/AssociationEvent.xml": "/EPCISDocument/EPCISBody/EventList/extension[6]/extension/AssociationEvent/sensorElementList/sensorElement/sensorMetaData",
}

// officialXML lists every XML document GS1 publishes with EPCIS 2.0
// (testdata/epcis/xml, copied from the standard's repository).
func officialXML(tb testing.TB) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir("../testdata/epcis/xml", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 30 {
		tb.Fatalf("official XML examples: %d found, err %v", len(files), err)
	}
	return files
}

// TestXMLRoundTripOfficialExamples captures every official XML example
// over HTTP, queries the events back as XML and as JSON-LD, and checks
// that the three carry the same events: equal pre-hash strings (every
// field, CBV 2.0 §8.9 canonical form), eventIDs, recordTimes and error
// declarations. The hash IDs of the captured events must equal those the
// independent XML hashing path (epcis.HashDocument over the original
// document) computes. The examples critmin must refuse are refused with
// the element's path.
func TestXMLRoundTripOfficialExamples(t *testing.T) {
	accepted := 0
	for _, file := range officialXML(t) {
		rel := strings.TrimPrefix(filepath.ToSlash(file), "../testdata/epcis/xml/")
		t.Run(rel, func(t *testing.T) {
			srv := MustServe(t, false, nil)
			orig, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, orig, xmlCT)
			if want, refused := xmlRefused[rel]; refused {
				p := mustProblem(t, resp, body, 400)
				for _, e := range p.Errors {
					if e.Pointer == want {
						return
					}
				}
				t.Fatalf("refusal does not name %s: %s", want, body)
			}
			if resp.StatusCode != 202 {
				t.Fatalf("capture: %d %s", resp.StatusCode, body)
			}
			accepted++
			x, err := epcis.FromXML(orig, false)
			if err != nil {
				t.Fatal(err)
			}
			in, err := epcis.ParseDocument(x.JSON, false)
			if err != nil {
				t.Fatal(err)
			}
			resp, xmlBody := do(t, "GET", srv.URL+"/epcis/events?perPage=1000", viewerSecret, nil, map[string]string{"Accept": "application/xml"})
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/xml" {
				t.Fatalf("XML query: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), xmlBody)
			}
			resp, jsonBody := do(t, "GET", srv.URL+"/epcis/events?perPage=1000", viewerSecret, nil, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("JSON query: %d %s", resp.StatusCode, jsonBody)
			}
			xr, err := epcis.FromXML(xmlBody, false)
			if err != nil {
				t.Fatalf("query XML does not read back: %v\n%s", err, xmlBody)
			}
			xdoc, err := epcis.ParseDocument(xr.JSON, false)
			if err != nil {
				t.Fatalf("query XML is not valid EPCIS: %v", xr.Translate(err))
			}
			jdoc, err := epcis.ParseDocument(jsonBody, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(xdoc.Events) != len(in.Events) || len(jdoc.Events) != len(in.Events) {
				t.Fatalf("%d events captured, %d in the XML result, %d in the JSON result", len(in.Events), len(xdoc.Events), len(jdoc.Events))
			}
			// The pre-hash covers every field but eventID, recordTime and
			// errorDeclaration, which are compared apart.
			var want, fromXML, fromJSON []string
			for i := range in.Events {
				want = append(want, in.PreHash(i))
				fromXML = append(fromXML, xdoc.PreHash(i))
				fromJSON = append(fromJSON, jdoc.PreHash(i))
			}
			sort.Strings(want)
			sort.Strings(fromXML)
			sort.Strings(fromJSON)
			if !reflect.DeepEqual(want, fromXML) || !reflect.DeepEqual(want, fromJSON) {
				t.Fatalf("pre-hashes differ\ncaptured %q\nXML      %q\nJSON     %q", want, fromXML, fromJSON)
			}
			for i := range jdoc.Events {
				je := jdoc.Events[i].(map[string]any)
				xe := xdoc.Events[i].(map[string]any)
				for _, k := range []string{"eventID", "recordTime", "errorDeclaration"} {
					jv, xv := normalise(je[k]), normalise(xe[k])
					if !reflect.DeepEqual(jv, xv) {
						t.Errorf("event %d %s: JSON %v, XML %v", i, k, jv, xv)
					}
				}
			}
			// Hash IDs: the independent XML hashing path over the original.
			if x.Version == "2.0" && len(in.Events) > 0 {
				_, origHashes, err := epcis.HashDocument(orig)
				if err != nil {
					t.Fatal(err)
				}
				var stored []string
				for i := range jdoc.Events {
					stored = append(stored, epcis.HashID(jdoc.PreHash(i)))
				}
				sort.Strings(origHashes)
				sort.Strings(stored)
				if !reflect.DeepEqual(origHashes, stored) {
					t.Errorf("hash IDs from the XML document %v, from the captured JSON %v", origHashes, stored)
				}
			}
			if len(in.Events) == 0 {
				return
			}
			// One event by its ID, as XML.
			je := jdoc.Events[0].(map[string]any)
			id, _ := je["eventID"].(string)
			resp, one := do(t, "GET", srv.URL+"/epcis/events/"+url.PathEscape(id), viewerSecret, nil, map[string]string{"Accept": "application/xml"})
			if resp.StatusCode != 200 {
				t.Fatalf("event %s as XML: %d %s", id, resp.StatusCode, one)
			}
			ox, err := epcis.FromXML(one, false)
			if err != nil {
				t.Fatal(err)
			}
			od, err := epcis.ParseDocument(ox.JSON, false)
			if err != nil || len(od.Events) != 1 || od.PreHash(0) != jdoc.PreHash(0) {
				t.Fatalf("event %s as XML differs: %v", id, err)
			}
		})
	}
	if accepted < 20 {
		t.Errorf("only %d official XML examples captured", accepted)
	}
}

// normalise renders a value as canonical JSON for comparison; an error
// reason in its bare CBV form.
func normalise(v any) any {
	if m, ok := v.(map[string]any); ok {
		if r, ok := m["reason"].(string); ok {
			m["reason"] = epcis.NormalizeErrorReason(r)
		}
	}
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// TestJSONExamplesAsXML captures every official JSON-LD example and checks
// that its events queried as XML carry the same content as queried as
// JSON: equal pre-hash strings (so equal hash IDs), eventIDs and
// recordTimes. Examples the JSON capture refuses are left to the JSON
// tests (storetest's OfficialExamplesRoundTrip).
func TestJSONExamplesAsXML(t *testing.T) {
	var files []string
	err := filepath.WalkDir("../testdata/epcis/examples", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonld") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 20 {
		t.Fatalf("examples: %d, %v", len(files), err)
	}
	srv := MustServe(t, false, nil)
	captured := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		resp, _ := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, b, nil)
		if resp.StatusCode == 202 {
			captured++
		}
	}
	if captured < 20 {
		t.Fatalf("only %d examples captured", captured)
	}
	_, jsonBody := do(t, "GET", srv.URL+"/epcis/events?perPage=1000", viewerSecret, nil, nil)
	resp, xmlBody := do(t, "GET", srv.URL+"/epcis/events?perPage=1000", viewerSecret, nil, map[string]string{"Accept": "application/xml;q=0.9, application/json;q=0.5"})
	if resp.Header.Get("Content-Type") != "application/xml" {
		t.Fatalf("Accept with q-values: %s", resp.Header.Get("Content-Type"))
	}
	jdoc, err := epcis.ParseDocument(jsonBody, false)
	if err != nil {
		t.Fatal(err)
	}
	xr, err := epcis.FromXML(xmlBody, false)
	if err != nil {
		t.Fatalf("XML result does not read back: %v", err)
	}
	xdoc, err := epcis.ParseDocument(xr.JSON, false)
	if err != nil {
		t.Fatalf("XML result is not valid EPCIS: %v", xr.Translate(err))
	}
	if len(jdoc.Events) != len(xdoc.Events) || len(jdoc.Events) < 40 {
		t.Fatalf("%d JSON events, %d XML events", len(jdoc.Events), len(xdoc.Events))
	}
	for i := range jdoc.Events {
		je, xe := jdoc.Events[i].(map[string]any), xdoc.Events[i].(map[string]any)
		if je["eventID"] != xe["eventID"] || je["recordTime"] != xe["recordTime"] {
			t.Errorf("event %d: %v/%v vs %v/%v", i, je["eventID"], je["recordTime"], xe["eventID"], xe["recordTime"])
		}
		if jp, xp := jdoc.PreHash(i), xdoc.PreHash(i); jp != xp {
			k := 0
			for k < len(jp) && k < len(xp) && jp[k] == xp[k] {
				k++
			}
			t.Errorf("event %d (%v) differs as XML from byte %d:\nJSON …%s\nXML  …%s", i, je["eventID"], k, jp[max(0, k-80):], xp[max(0, k-80):])
		}
	}
}

// TestXMLSensorTypeQName: a sensorReport type is written in XML as a
// QName in the GS1 Web Vocabulary (the gs1 prefix declared), the term kept
// as written: "Temperature" as type="gs1:Temperature" (GS1's examples),
// the CURIE gs1:MT-AbsoluteHumidity as type="gs1:MT-AbsoluteHumidity"; a
// user's own type IRI is written as given.
func TestXMLSensorTypeQName(t *testing.T) {
	srv := MustServe(t, false, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-06-01T10:00:00Z",
 "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"],
 "sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 26, "uom": "CEL"},
   {"type": "gs1:MT-AbsoluteHumidity", "value": 12.1, "uom": "A93"},
   {"type": "https://example.org/sensors/Radiation", "value": 1}]}]}]}}`
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "GET", srv.URL+"/epcis/events", viewerSecret, nil, map[string]string{"Accept": "application/xml"})
	if resp.StatusCode != 200 {
		t.Fatalf("query: %d %s", resp.StatusCode, b)
	}
	for _, want := range []string{`xmlns:gs1="https://gs1.org/voc/"`, `type="gs1:Temperature"`, `type="gs1:MT-AbsoluteHumidity"`, `type="https://example.org/sensors/Radiation"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("XML result lacks %s:\n%s", want, b)
		}
	}
}
