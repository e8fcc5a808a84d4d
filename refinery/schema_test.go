package refinery_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/critmin/critmin/refinery"
)

// The demo month and the test problems validate against the published
// JSON Schema, and the schema refuses what DecodeProblem refuses by shape.
func TestFlowsheetSchema(t *testing.T) {
	raw, err := os.ReadFile("flowsheet.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("flowsheet.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("flowsheet.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	valid := func(b []byte) error {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		return sch.Validate(v)
	}
	flot, err := os.ReadFile("testdata/flotation.json")
	if err != nil {
		t.Fatal(err)
	}
	corridor, err := os.ReadFile("demo/refinery-mo.json")
	if err != nil {
		t.Fatal(err)
	}
	// A flowsheet with read points for sensor reports and stock surveys.
	sensors := []byte(`{"elements": ["Cu"], "nodes": [{"id": "pile", "read_point": "urn:critmin:test:rp:pile", "inventory": {}}, {"id": "leach"}],
 "streams": [{"id": "feed", "to": "pile", "read_point": "urn:critmin:test:rp:feed"}, {"id": "r", "from": "pile", "to": "leach"}, {"id": "out", "from": "leach"}]}`)
	for name, b := range map[string][]byte{"demo": refinery.DemoMonthJSON(), "flotation": flot, "corridor": corridor, "sensors": sensors} {
		if err := valid(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	gen, err := refinery.Generate(refinery.GenerateConfig{Units: 5, Streams: 12, Elements: 2, Inventories: 1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(gen)
	if err != nil {
		t.Fatal(err)
	}
	if err := valid(b); err != nil {
		t.Errorf("generated problem: %v", err)
	}
	for _, bad := range []string{
		`{"elements": [], "nodes": [{"id": "a"}], "streams": [{"id": "s", "to": "a", "mass_t": {"value": 1, "sd": 0}}]}`,
		`{"elements": [], "nodes": [{"id": "a"}], "streams": [{"id": "s", "to": "a", "massT": 1}]}`,
		`{"elements": [], "nodes": [{"id": "a"}], "streams": [{"id": "s", "to": "a", "read_point": "has a space"}]}`,
	} {
		if valid([]byte(bad)) == nil {
			t.Errorf("schema accepts %s", bad)
		}
	}
}
