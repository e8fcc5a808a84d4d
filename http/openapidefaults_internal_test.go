package http

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/critmin/critmin/risk"
)

// TestOpenAPIDocumentsRefusedZeros: the OpenAPI document marks the
// corridor's base_year as required and describes every defaulted field
// of the corridor and plan bodies (default tag) as refusing an explicit
// 0 or "" — the behaviour of explicitDefaults — and the CorridorInput
// schema, compiled as JSON Schema 2020-12, agrees: it refuses
// "first_year": 0, "country": "" and a missing base_year, and accepts
// the body with those fields left out.
func TestOpenAPIDocumentsRefusedZeros(t *testing.T) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(openAPIDoc))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for name, typ := range map[string]reflect.Type{"CorridorInput": reflect.TypeOf(risk.CorridorInput{}), "PlanRequest": reflect.TypeOf(PlanRequest{})} {
		props := schemas[name].(map[string]any)["properties"].(map[string]any)
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if _, ok := f.Tag.Lookup("default"); !ok {
				continue
			}
			jn, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			p, _ := props[jn].(map[string]any)
			if d, _ := p["description"].(string); !strings.Contains(d, "refused") {
				t.Errorf("%s.%s: description %q does not say an explicit empty value is refused", name, jn, d)
			}
		}
	}
	req, _ := schemas["CorridorInput"].(map[string]any)["required"].([]any)
	if !strings.Contains(jsonText(req), `"base_year"`) {
		t.Errorf("CorridorInput.required = %v: base_year missing", req)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("https://critmin.invalid/openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("https://critmin.invalid/openapi.json#/components/schemas/CorridorInput")
	if err != nil {
		t.Fatal(err)
	}
	base := `"commodity": "antimony", "tonnes_per_year": [1000]`
	for body, ok := range map[string]bool{
		`{` + base + `, "base_year": 2024}`:                     true,
		`{` + base + `, "base_year": 2024, "first_year": 2030}`: true,
		`{` + base + `}`:                                     false,
		`{` + base + `, "base_year": 0}`:                     false,
		`{` + base + `, "base_year": 2024, "first_year": 0}`: false,
		`{` + base + `, "base_year": 2024, "country": ""}`:   false,
		`{` + base + `, "base_year": 2024, "stage": ""}`:     false,
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); (err == nil) != ok {
			t.Errorf("%s: valid %v, want %v (%v)", body, err == nil, ok, err)
		}
	}
}
