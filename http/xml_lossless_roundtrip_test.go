package http_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// officialJSON lists every JSON-LD example GS1 publishes with EPCIS 2.0
// (testdata/epcis/examples).
func officialJSON(tb testing.TB) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir("../testdata/epcis/examples", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonld") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 20 {
		tb.Fatalf("examples: %d, %v", len(files), err)
	}
	return files
}

// queriedEvents returns the events of a JSON query result keyed by
// eventID, each without recordTime (the capturing server's own time) and
// with its @context as the context in effect for it: the remote contexts
// and the prefix definitions of the document's @context followed by the
// event's own, merged in order (JSON-LD 1.1 §4.1: [{"a": …}, {"b": …}]
// defines what {"a": …, "b": …} does).
func queriedEvents(tb testing.TB, body []byte) map[string]any {
	tb.Helper()
	var doc struct {
		Context   any `json:"@context"`
		EPCISBody struct {
			QueryResults struct {
				ResultsBody struct {
					EventList []map[string]any `json:"eventList"`
				} `json:"resultsBody"`
			} `json:"queryResults"`
		} `json:"epcisBody"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		tb.Fatalf("query result: %v\n%s", err, body)
	}
	out := map[string]any{}
	for _, e := range doc.EPCISBody.QueryResults.ResultsBody.EventList {
		id, _ := e["eventID"].(string)
		delete(e, "recordTime")
		e["@context"] = usedContext(e, effectiveContext(doc.Context, e["@context"]))
		out[id] = e
	}
	return out
}

// TestJSONXMLJSONLossless captures every official JSON-LD example, reads
// its events back as XML, captures that XML document into a second,
// empty server and reads the events back as JSON: each event must come
// back exactly as the first server gave it — the same JSON values with the
// same JSON types (numbers stay numbers, booleans booleans, strings
// strings), the same times with their offsets, the same extension, ILMD,
// sensor and certificationInfo content — but for recordTime, which each
// server sets. A second pass (XML of the second server captured into a
// third) checks that the XML itself is stable.
func TestJSONXMLJSONLossless(t *testing.T) {
	captured := 0
	for _, file := range officialJSON(t) {
		rel := strings.TrimPrefix(filepath.ToSlash(file), "../testdata/epcis/examples/")
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a := MustServe(t, false, nil)
			if resp, body := do(t, "POST", a.URL+"/epcis/capture", operatorSecret, b, nil); resp.StatusCode != 202 {
				t.Skipf("JSON capture refuses it (the JSON tests cover why): %d %s", resp.StatusCode, body)
			}
			captured++
			want := queryJSON(t, a.URL)
			prevXML := queryXML(t, a.URL)
			for pass := 1; pass <= 2; pass++ {
				next := MustServe(t, false, nil)
				if resp, body := do(t, "POST", next.URL+"/epcis/capture", operatorSecret, prevXML, xmlCT); resp.StatusCode != 202 {
					t.Fatalf("pass %d: the XML result is refused on capture: %d %s\n%s", pass, resp.StatusCode, body, prevXML)
				}
				got := queryJSON(t, next.URL)
				if len(got) != len(want) {
					t.Fatalf("pass %d: %d events, want %d", pass, len(got), len(want))
				}
				for id, w := range want {
					if diff := jsonDiff("", w, got[id]); diff != "" {
						t.Errorf("pass %d: event %s changed through XML: %s", pass, id, diff)
					}
				}
				prevXML = queryXML(t, next.URL)
			}
		})
	}
	if captured < 20 {
		t.Errorf("only %d examples captured", captured)
	}
}

// standardDefs are prefixes of the EPCIS 2.0 standard context; a
// document that defines one with its standard namespace says nothing the
// standard context does not.
var standardDefs = map[string]string{"gs1": "https://gs1.org/voc/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
	"cbvmda": "urn:epcglobal:cbv:mda:", "xsd": "http://www.w3.org/2001/XMLSchema#", "owl": "http://www.w3.org/2002/07/owl#",
	"dcterms": "http://purl.org/dc/terms/", "cbv": "https://ref.gs1.org/cbv/", "epcis": "https://ref.gs1.org/epcis/"}

// usedContext keeps, of an effective context, the prefix definitions the
// event's keys use that the standard context does not already make: the
// namespaces the keys are in. A term definition of a key (GS1's
// Example-TransactionEvents-2020_07_03y.jsonld types rail:vehiclePosition
// {"@type": "xsd:integer"}) is left out: the XML binding has no place for
// one, so it is not carried through XML; the value keeps its lexical form
// (docs/epcis.md).
func usedContext(ev map[string]any, ctx any) any {
	c := ctx.(map[string]any)
	defs := c["prefixes"].(map[string]any)
	used := map[string]any{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "@context" {
					continue
				}
				if p, _, ok := strings.Cut(k, ":"); ok {
					if d, ok := defs[p]; ok && standardDefs[p] != d {
						used[p] = d
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(ev)
	return map[string]any{"remote": c["remote"], "definitions": used}
}

func effectiveContext(ctxs ...any) any {
	remote := []any{}
	prefixes := map[string]any{}
	var add func(c any)
	add = func(c any) {
		switch c := c.(type) {
		case string:
			for _, r := range remote {
				if r == c {
					return
				}
			}
			remote = append(remote, c)
		case map[string]any:
			for k, v := range c {
				prefixes[k] = v
			}
		case []any:
			for _, x := range c {
				add(x)
			}
		}
	}
	for _, c := range ctxs {
		add(c)
	}
	return map[string]any{"remote": remote, "prefixes": prefixes}
}

func queryJSON(tb testing.TB, base string) map[string]any {
	tb.Helper()
	resp, body := do(tb, "GET", base+"/epcis/events?perPage=1000", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		tb.Fatalf("JSON query: %d %s", resp.StatusCode, body)
	}
	return queriedEvents(tb, body)
}

func queryXML(tb testing.TB, base string) []byte {
	tb.Helper()
	resp, body := do(tb, "GET", base+"/epcis/events?perPage=1000", viewerSecret, nil, map[string]string{"Accept": "application/xml"})
	if resp.StatusCode != 200 {
		tb.Fatalf("XML query: %d %s", resp.StatusCode, body)
	}
	return body
}

// jsonDiff names every difference between two decoded JSON values
// with its JSON pointer, types included ("" when equal).
func jsonDiff(ptr string, a, b any) string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %#v became %#v", ptr, a, b)
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		var diffs []string
		for _, k := range ks {
			if d := jsonDiff(ptr+"/"+k, av[k], bv[k]); d != "" {
				diffs = append(diffs, d)
			}
		}
		return strings.Join(diffs, "; ")
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return fmt.Sprintf("%s: %#v became %#v", ptr, a, b)
		}
		var diffs []string
		for i := range av {
			if d := jsonDiff(fmt.Sprintf("%s/%d", ptr, i), av[i], bv[i]); d != "" {
				diffs = append(diffs, d)
			}
		}
		return strings.Join(diffs, "; ")
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: %#v became %#v", ptr, a, b)
	}
	return ""
}

// typedDoc carries every kind of JSON value an EPCIS 2.0 event may hold
// in a field the XML binding writes as text: numbers (integer, decimal
// with trailing zeros, exponent, negative), booleans, null, numeric and
// boolean strings, JSON-LD value objects, nested objects and arrays, in
// extensions, ILMD, quantities and sensor reports, times with offsets,
// certificationInfo as a string and as a list. An extension of a
// sensorReport or sensorMetadata is a string here: the XSD gives them
// simple content, so an extension is an attribute, which has no xsi:type
// (docs/epcis.md).
const typedDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/ex/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-06-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:uuid:4b3c2a10-0000-4000-8000-000000000001",
   "eventTime": "2025-06-01T10:00:00.5+02:00", "eventTimeZoneOffset": "+02:00", "action": "ADD",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.1"],
   "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 2.50, "uom": "KGM"},
                    {"epcClass": "urn:epc:class:lgtin:4012345.012345.998878", "quantity": 1e3, "uom": "KGM"},
                    {"epcClass": "urn:epc:class:lgtin:4012345.012345.998879", "quantity": 7}],
   "bizStep": "commissioning", "disposition": "active",
   "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0", "ex:gate": 4},
   "certificationInfo": ["https://cert.example.org/a", "https://cert.example.org/b"],
   "ilmd": {"ex:grade": 3, "ex:purity": 99.50, "ex:organic": false, "ex:lot": "007", "ex:batch": {"ex:size": -12, "ex:ok": true},
            "ex:bestBefore": {"@value": "2026-01-01", "@type": "xsd:date"}},
   "sensorElementList": [{"sensorMetadata": {"time": "2025-06-01T09:00:00-05:00", "deviceID": "urn:epc:id:giai:4000001.111", "ex:calibrated": "yes"},
     "sensorReport": [{"type": "Temperature", "value": 26.0, "minValue": -3.25, "uom": "CEL", "time": "2025-06-01T09:30:00+05:30"},
                      {"type": "Temperature", "booleanValue": false, "stringValue": "cold", "uriValue": "https://example.org/x", "hexBinaryValue": "0AFF"},
                      {"type": "https://example.org/sensors/Radiation", "value": 1.5e2, "ex:note": "5"}]}],
   "ex:count": 12, "ex:ratio": 0.250, "ex:big": 12345678901234567890, "ex:exp": 6.02E23, "ex:neg": -4,
   "ex:yes": true, "ex:no": false, "ex:none": null, "ex:numText": "12", "ex:boolText": "true",
   "ex:typed": {"@value": "5", "@type": "xsd:integer"}, "ex:when": {"@value": "2025-06-01T10:00:00+02:00", "@type": "xsd:dateTime"},
   "ex:list": [1, "1", true, "true", 2.50, {"ex:inner": 0}], "ex:obj": {"ex:a": 1, "ex:b": {"ex:c": "x"}}},
  {"type": "ObjectEvent", "eventID": "urn:uuid:4b3c2a10-0000-4000-8000-000000000002",
   "eventTime": "2025-06-01T10:00:00-03:30", "eventTimeZoneOffset": "-03:30", "action": "OBSERVE",
   "epcList": ["urn:epc:id:sgtin:0614141.107346.2"], "certificationInfo": "https://cert.example.org/c",
   "persistentDisposition": {"set": ["completeness_verified"], "unset": ["completeness_inferred"]},
   "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epc:id:gdti:0614141.00001.1618034"}],
   "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00001"}],
   "errorDeclaration": {"declarationTime": "2025-06-02T08:00:00+09:00", "reason": "incorrect_data", "ex:by": 2}}
 ]}}`

// TestJSONXMLJSONLosslessTypedValues: typedDoc read back as XML and
// captured again comes back with every value as it was — the same JSON
// types, the same lexical numbers, the same times and offsets.
func TestJSONXMLJSONLosslessTypedValues(t *testing.T) {
	a := MustServe(t, false, nil)
	if resp, body := do(t, "POST", a.URL+"/epcis/capture", operatorSecret, []byte(typedDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, body)
	}
	want := queryJSON(t, a.URL)
	x := queryXML(t, a.URL)
	b := MustServe(t, false, nil)
	if resp, body := do(t, "POST", b.URL+"/epcis/capture", operatorSecret, x, xmlCT); resp.StatusCode != 202 {
		t.Fatalf("XML result refused on capture: %d %s\n%s", resp.StatusCode, body, x)
	}
	// A value object of a numeric or boolean datatype reads back as the
	// JSON number or boolean: the XML binding writes both as typed text
	// (xsi:type="xsd:integer"), and JSON-LD gives them the same RDF
	// literal ("5"^^xsd:integer, JSON-LD 1.1 Processing §8.6).
	want["urn:uuid:4b3c2a10-0000-4000-8000-000000000001"].(map[string]any)["ex:typed"] = float64(5)
	got := queryJSON(t, b.URL)
	if len(got) != 2 {
		t.Fatalf("%d events back, want 2", len(got))
	}
	for id, w := range want {
		if diff := jsonDiff("", w, got[id]); diff != "" {
			t.Errorf("event %s changed through XML: %s", id, diff)
		}
	}
}
