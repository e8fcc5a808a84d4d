package ledger_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestExtensionSchemaDescribesTheDemo validates every ILMD object of the
// demo corridor against the published schema, and a broken one against it.
func TestExtensionSchemaDescribesTheDemo(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ledger.ExtensionSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("mineral.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("mineral.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../demo/corridor/*.jsonld")
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			EpcisBody struct {
				EventList []map[string]json.RawMessage `json:"eventList"`
			} `json:"epcisBody"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		for i, ev := range d.EpcisBody.EventList {
			raw, ok := ev["ilmd"]
			if !ok {
				continue
			}
			v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err := sch.Validate(v); err != nil {
				t.Errorf("%s event %d: %v", filepath.Base(f), i, err)
			}
			n++
		}
	}
	if n < 8 {
		t.Errorf("only %d ILMD objects checked", n)
	}
	bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"cm:moisture": 8, "cm:assay": {"cm:analyte": "Cu", "cm:value": 2, "cm:unit": "kg", "cm:basis": "dry"}}`)))
	if sch.Validate(bad) == nil {
		t.Error("schema accepted moisture 8 and unit kg")
	}
}
