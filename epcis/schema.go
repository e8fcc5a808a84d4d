package epcis

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaFS holds the official EPCIS 2.0 JSON Schemas, copied unchanged from
// the GS1 EPCIS repository (see schema/LICENSE-GS1 and schema/Disclaimer-GS1).
//
//go:embed schema
var schemaFS embed.FS

const schemaBase = "https://gs1.github.io/EPCIS/JSON-Schema/"

var (
	schemaOnce     sync.Once
	documentSchema *jsonschema.Schema
	// eventSchema and typeSchemas check the events of a JSON capture
	// against GS1's JSON Schema as published; typeSchemas validate the
	// five standard event types directly, which skips the root schema's
	// if/then dispatch on every event.
	eventSchema *jsonschema.Schema
	typeSchemas = map[string]*jsonschema.Schema{}
	// xmlEventSchema and xmlTypeSchemas check the events of an XML
	// capture (mapped to JSON by FromXML): the same schema widened where
	// it is narrower than the XSD (xsdOverlay).
	xmlEventSchema *jsonschema.Schema
	xmlTypeSchemas = map[string]*jsonschema.Schema{}
	schemaErr      error
	printer        = message.NewPrinter(language.English)
)

// loadSchemas compiles the embedded schemas once. A failure is a build
// defect (the files are embedded), so callers panic on it at start-up via
// MustLoadSchemas.
func loadSchemas() error {
	schemaOnce.Do(func() {
		var json *jsonschema.Compiler
		if json, schemaErr = schemaCompiler(false, true); schemaErr != nil {
			return
		}
		if documentSchema, schemaErr = json.Compile(schemaBase + "EPCIS-JSON-Schema-root.json"); schemaErr != nil {
			return
		}
		if eventSchema, schemaErr = compileEvents(json, typeSchemas); schemaErr != nil {
			return
		}
		var xml *jsonschema.Compiler
		if xml, schemaErr = schemaCompiler(true, true); schemaErr != nil {
			return
		}
		xmlEventSchema, schemaErr = compileEvents(xml, xmlTypeSchemas)
	})
	return schemaErr
}

// schemaCompiler loads the embedded schema files into a compiler, with
// the XSD overlay when overlay is set and the event types' propertyNames
// alternatives reordered (typeNamesFirst) when reorder is set.
func schemaCompiler(overlay, reorder bool) (*jsonschema.Compiler, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseRegexpEngine(compileECMARegexp)
	err := fs.WalkDir(schemaFS, "schema", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		b, err := schemaFS.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("epcis: schema %s: %w", p, err)
		}
		if overlay {
			if err := xsdOverlay(p, doc); err != nil {
				return err
			}
		}
		if reorder {
			if err := typeNamesFirst(p, doc); err != nil {
				return err
			}
		}
		return c.AddResource(schemaBase+strings.TrimPrefix(p, "schema/"), doc)
	})
	return c, err
}

// compileEvents compiles the event schema and, into types, the schema of
// each standard event type.
func compileEvents(c *jsonschema.Compiler, types map[string]*jsonschema.Schema) (*jsonschema.Schema, error) {
	ev, err := c.Compile(schemaBase + "EPCIS-Event-JSON-Schema.json#/definitions/EPCIS-Document-Event")
	if err != nil {
		return nil, err
	}
	for _, t := range []string{"ObjectEvent", "AggregationEvent", "AssociationEvent", "TransactionEvent", "TransformationEvent"} {
		if types[t], err = c.Compile(schemaBase + "schemas/" + t + "-JSON-Schema.json#/definitions/" + t); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

// MustLoadSchemas compiles the embedded JSON Schemas and panics if they do
// not compile; servers call it at start-up so that a broken build fails
// before it accepts a request.
func MustLoadSchemas() {
	if err := loadSchemas(); err != nil {
		panic(err)
	}
}

// negLookahead matches the one ECMAScript construct the GS1 schemas use
// that Go's RE2 lacks: a leading negative lookahead, "^(?!(A|B))".
var negLookahead = regexp.MustCompile(`^\^\(\?!\((.*)\)\)$`)

// compileECMARegexp compiles the schemas' ECMAScript patterns. A pattern
// "^(?!(X))" (must not start with X) becomes "not ^(X)"; everything else
// is valid RE2.
func compileECMARegexp(s string) (jsonschema.Regexp, error) {
	if m := negLookahead.FindStringSubmatch(s); m != nil {
		re, err := regexp.Compile("^(" + m[1] + ")")
		if err != nil {
			return nil, err
		}
		return notRegexp{re: re, src: s}, nil
	}
	return regexp.Compile(s)
}

type notRegexp struct {
	re  *regexp.Regexp
	src string
}

func (n notRegexp) MatchString(s string) bool { return !n.re.MatchString(s) }
func (n notRegexp) String() string            { return n.src }

// typeNamesFirst reorders, in each event type's schema, the two
// alternatives of propertyNames — anyOf [the common member names or an
// extension URI, the type's own member names] — so that the type's own
// names are tried first. anyOf does not depend on order, so the same
// member names are accepted and refused; but the validator stops at the
// first alternative that matches, and with the published order each of
// an event's own fields (epcList, action, bizStep, …: most of them) first
// failed the common names and the URI format, building two errors and
// parsing a URL, for every event captured (TestTypeNamesFirstSameVerdicts;
// docs/benchmarks.md). The files in schema/ stay as GS1 publishes them.
func typeNamesFirst(p string, doc any) error {
	name := strings.TrimSuffix(path.Base(p), "-JSON-Schema.json")
	switch name {
	case "ObjectEvent", "AggregationEvent", "AssociationEvent", "TransactionEvent", "TransformationEvent":
	default:
		return nil
	}
	m, _ := doc.(map[string]any)
	defs, _ := m["definitions"].(map[string]any)
	ev, _ := defs[name].(map[string]any)
	all, _ := ev["allOf"].([]any)
	if len(all) < 2 {
		return fmt.Errorf("epcis: schema %s: %s allOf not found", p, name)
	}
	body, _ := all[1].(map[string]any)
	names, _ := body["propertyNames"].(map[string]any)
	anyOf, _ := names["anyOf"].([]any)
	if len(anyOf) != 2 {
		return fmt.Errorf("epcis: schema %s: %s propertyNames anyOf not found", p, name)
	}
	if own, _ := anyOf[1].(map[string]any); own["enum"] == nil {
		return fmt.Errorf("epcis: schema %s: %s propertyNames: the second alternative is not the list of names", p, name)
	}
	names["anyOf"] = []any{anyOf[1], anyOf[0]}
	return nil
}

// xsdOverlay widens GS1's JSON Schema where it is narrower than GS1's
// EPCIS 2.0 XSD (EPCglobal-epcis-2_0.xsd), for XML captures only, so that
// every event the XSD admits is accepted in the XML binding (an XML
// capture is validated as its JSON equivalent):
//
//   - persistentDisposition is allowed on AggregationEvent and
//     TransactionEvent (XSD AggregationEventType and TransactionEventType
//     extensions, ~lines 625 and 712), not only on ObjectEvent and
//     TransformationEvent;
//   - a sensorReport's type is optional (XSD SensorReportType, line 490:
//     use="optional"), as in an exception-only report.
//
// A JSON capture is held to the JSON Schema as published, which forbids
// both (AggregationEvent-JSON-Schema.json and
// TransactionEvent-JSON-Schema.json list the allowed member names in
// propertyNames, without persistentDisposition; event-definitions
// sensorReport has required: ["type"]): the JSON binding is defined by
// that schema. The files in schema/ stay as GS1 publishes them; the change
// is made to the parsed copy. doc is the unmarshalled schema file at path
// p.
func xsdOverlay(p string, doc any) error {
	bad := func(what string) error { return fmt.Errorf("epcis: schema %s: xsd overlay: %s not found", p, what) }
	defs := func() map[string]any {
		m, _ := doc.(map[string]any)
		d, _ := m["definitions"].(map[string]any)
		return d
	}
	switch path.Base(p) {
	case "AggregationEvent-JSON-Schema.json", "TransactionEvent-JSON-Schema.json":
		name := strings.TrimSuffix(path.Base(p), "-JSON-Schema.json")
		ev, _ := defs()[name].(map[string]any)
		all, _ := ev["allOf"].([]any)
		if len(all) < 2 {
			return bad(name + " allOf")
		}
		body, _ := all[1].(map[string]any)
		props, _ := body["properties"].(map[string]any)
		names, _ := body["propertyNames"].(map[string]any)
		anyOf, _ := names["anyOf"].([]any)
		if props == nil || len(anyOf) < 2 {
			return bad(name + " properties")
		}
		props["persistentDisposition"] = map[string]any{"$ref": "event-definitions-JSON-Schema.json#/definitions/persistentDisposition"}
		enum, _ := anyOf[1].(map[string]any)
		list, ok := enum["enum"].([]any)
		if !ok {
			return bad(name + " propertyNames enum")
		}
		enum["enum"] = append(list, "persistentDisposition")
	case "event-definitions-JSON-Schema.json":
		rep, _ := defs()["sensorReport"].(map[string]any)
		req, ok := rep["required"].([]any)
		if !ok {
			return bad("sensorReport required")
		}
		keep := []any{}
		for _, r := range req {
			if r != "type" {
				keep = append(keep, r)
			}
		}
		if len(keep) == 0 {
			delete(rep, "required")
		} else {
			rep["required"] = keep
		}
	}
	return nil
}
