package plan

import (
	"bytes"
	"encoding/json"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// validateAgainstSchema checks v against plan/network.schema.json, which
// refers to the scenario schema for measures.
func validateAgainstSchema(v any) error {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for name, path := range map[string]string{"https://ns.critmin.org/plan/v1/schema.json": "network.schema.json", "https://ns.critmin.org/scenario/v1/schema.json": "../scenario/scenario.schema.json"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		if err := c.AddResource(name, doc); err != nil {
			return err
		}
	}
	sch, err := c.Compile("https://ns.critmin.org/plan/v1/schema.json")
	if err != nil {
		return err
	}
	b, _ := json.Marshal(v)
	doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	return sch.Validate(doc)
}
