package epcis_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// TestEveryQuerySchemaParameterKnown reads the REST binding's
// query-schema.json and checks that the parser knows every parameter it
// defines and an instance of every pattern family, given a valid value —
// apart from the HASATTR_ and EQ_ATTR_ samples, which name extension
// fields (see below). A parameter the standard adds to the schema and
// the parser lacks fails here.
func TestEveryQuerySchemaParameterKnown(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "epcis", "rest-bindings", "query-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Definitions map[string]struct {
			Properties        map[string]json.RawMessage `json:"properties"`
			PatternProperties map[string]json.RawMessage `json:"patternProperties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	q := schema.Definitions["EPCIS-Query"]
	names := map[string]string{} // parameter → value
	for name, def := range q.Properties {
		if name == "@context" {
			continue
		}
		names[name] = sample(name, string(def))
	}
	// A name of each pattern family: the CURIE part "ex:f", a unit "CEL",
	// a type "owning_party".
	fill := strings.NewReplacer(`[a-z][a-zA-Z0-9]*\:\w+`, "ex:f", `[A-Z0-9]{2,4}`, "CEL", `[a-z][a-zA-Z0-9_]+`, "owning_party", `\w+_\w+`, "x_y")
	for pattern, def := range q.PatternProperties {
		// The published schema escapes twice ("\\:\\w+"), so its
		// patterns ask for a literal backslash; the binding's examples
		// (EQ_example:myField) show the intent: prefix:name.
		pattern = strings.ReplaceAll(pattern, `\\`, `\`)
		name := fill.Replace(strings.TrimSuffix(strings.TrimPrefix(pattern, "^"), "$"))
		if !regexp.MustCompile(pattern).MatchString(name) {
			t.Fatalf("sample name %q does not match %s", name, pattern)
		}
		names[name] = sample(name, string(def))
	}
	prefixes := func() (map[string][]string, error) {
		return map[string][]string{"ex": {"https://example.org/ns/"}}, nil
	}
	var keys []string
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	checked := 0
	for _, name := range keys {
		if strings.HasPrefix(name, "HASATTR_") || strings.HasPrefix(name, "EQ_ATTR_") {
			// The schema's samples name extension fields (HASATTR_ex:f,
			// EQ_ATTR_x_y); critmin follows master data from the
			// vocabulary fields readPoint, bizLocation, bizStep and
			// disposition only, and refuses other fields with a 400
			// (storetest MasterDataQueries).
			continue
		}
		v := url.Values{name: {names[name]}}
		if name == "eventCountLimit" {
			v.Set("orderBy", "eventTime")
		}
		_, err := epcis.ParseQueryWith(v, prefixes)
		if err != nil {
			t.Errorf("%s=%s: %v", name, names[name], critmin.ErrorFields(err))
		}
		checked++
	}
	t.Logf("%d parameters of query-schema.json parsed", checked)
	// 61 properties (less @context) and 108 pattern families in the
	// schema, less the HASATTR_ and EQ_ATTR_ samples: 60 + 108 − 2 = 166.
	if checked != 166 {
		t.Errorf("checked only %d parameters", checked)
	}
}

// sample returns a valid value for a parameter of the given schema type.
func sample(name, def string) string {
	switch {
	case strings.HasPrefix(name, "EXISTS_"):
		return ""
	case strings.Contains(def, `"boolean"`):
		return "true"
	case strings.Contains(def, "definitions/time"):
		return "2025-01-01T00:00:00Z"
	case strings.Contains(def, "eventType"):
		return "ObjectEvent"
	case strings.Contains(def, "definitions/action"):
		return "OBSERVE"
	case strings.Contains(def, "definitions/bizStep"):
		return "shipping"
	case strings.Contains(def, "definitions/disposition"):
		return "in_transit"
	case strings.Contains(def, "error-reason"):
		return "incorrect_data"
	case strings.Contains(def, "measurementType"):
		return "Temperature"
	case name == "orderBy":
		return "eventTime"
	case name == "orderDirection":
		return "ASC"
	case strings.Contains(def, `"integer"`), strings.Contains(def, "decimal"), strings.Contains(def, `"number"`), strings.Contains(def, "date-string-or-number"):
		return "1"
	case name == "EQ_hexBinaryValue":
		return "0A1B"
	}
	return "urn:example:1"
}
