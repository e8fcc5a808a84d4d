package commercial

import (
	"bytes"
	_ "embed"
	"strings"
	"sync"

	"github.com/critmin/critmin"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// TermSheetSchema is the JSON Schema of the term-sheet format, served at
// GET /api/v1/trade/schema.
//
//go:embed termsheet.schema.json
var TermSheetSchema []byte

var (
	schemaOnce     sync.Once
	compiledSchema *jsonschema.Schema
)

func compiled() *jsonschema.Schema {
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(TermSheetSchema))
		if err != nil {
			panic("commercial: term-sheet schema: " + err.Error())
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("termsheet.schema.json", doc); err != nil {
			panic("commercial: term-sheet schema: " + err.Error())
		}
		compiledSchema = c.MustCompile("termsheet.schema.json")
	})
	return compiledSchema
}

// validateSchema checks b against the term-sheet schema and returns an
// EINVALID error naming the deepest field at fault.
func validateSchema(b []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return critmin.FieldErrorf("/", "not JSON: %v", err)
	}
	err = compiled().Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return critmin.FieldErrorf("/", "%v", err)
	}
	best := ve
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			if len(e.InstanceLocation) > len(best.InstanceLocation) || len(best.Causes) > 0 {
				best = e
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	var p strings.Builder
	for _, tok := range best.InstanceLocation {
		p.WriteByte('/')
		p.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
	}
	ptr := p.String()
	if ptr == "" {
		ptr = "/"
	}
	return critmin.FieldErrorf(ptr, "%s", strings.TrimSpace(best.ErrorKind.LocalizedString(message.NewPrinter(language.English))))
}
