package epcis

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestTypeNamesFirstSameVerdicts: the event schemas with propertyNames'
// alternatives reordered (typeNamesFirst) accept and refuse exactly what
// the schemas as published do, at the same places, in both bindings (with
// and without the XSD overlay): every event of the official JSON examples,
// and each of them with a member added — an unknown bare name, a name of
// another event type, a misspelt standard name, an extension CURIE, a full
// IRI, an empty name, "@id" — or its type's own name removed.
func TestTypeNamesFirstSameVerdicts(t *testing.T) {
	compile := func(overlay, reorder bool) map[string]*jsonschema.Schema {
		c, err := schemaCompiler(overlay, reorder)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*jsonschema.Schema{}
		if _, err := compileEvents(c, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var events []map[string]any
	files, _ := filepath.Glob("../testdata/epcis/examples/*.jsonld")
	more, _ := filepath.Glob("../testdata/epcis/examples/*/*.jsonld")
	for _, f := range append(files, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			continue
		}
		doc, _ := v.(map[string]any)
		body, _ := doc["epcisBody"].(map[string]any)
		list, _ := body["eventList"].([]any)
		if qr, ok := body["queryResults"].(map[string]any); ok {
			rb, _ := qr["resultsBody"].(map[string]any)
			list, _ = rb["eventList"].([]any)
		}
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				events = append(events, m)
			}
		}
	}
	if len(events) < 40 {
		t.Fatalf("only %d events in the examples", len(events))
	}
	var cases []map[string]any
	for _, e := range events {
		cases = append(cases, e)
		for _, k := range []string{"bogus", "childEPCs", "inputEPCList", "epcList", "bizstep", "ex:field", "https://ex.example/field", "", "@id", "persistentDisposition", "ilmd"} {
			c := clone(e)
			c[k] = "x"
			cases = append(cases, c)
		}
		for k := range e {
			c := clone(e)
			delete(c, k)
			cases = append(cases, c)
		}
	}
	for _, overlay := range []bool{false, true} {
		published, reordered := compile(overlay, false), compile(overlay, true)
		checked := 0
		for i, c := range cases {
			typ, _ := c["type"].(string)
			if published[typ] == nil {
				continue
			}
			checked++
			a, b := errorPlaces(published[typ].Validate(c)), errorPlaces(reordered[typ].Validate(c))
			if a != b {
				t.Errorf("overlay %v, case %d (%s): published schema %q, reordered %q", overlay, i, typ, a, b)
			}
		}
		if checked < 500 {
			t.Fatalf("only %d cases checked", checked)
		}
	}
}

func clone(m map[string]any) map[string]any {
	c := make(map[string]any, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}

// errorPlaces is "valid", or the sorted instance locations of a
// validation error's leaves.
func errorPlaces(err error) string {
	if err == nil {
		return "valid"
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return "error: " + err.Error()
	}
	var places []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			places = append(places, "/"+strings.Join(e.InstanceLocation, "/"))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Strings(places)
	return strings.Join(places, " ")
}
