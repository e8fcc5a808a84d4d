package commercial

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/critmin/critmin"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"github.com/shopspring/decimal"
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
// EINVALID error naming every field at fault, deepest first: a missing
// property is one error per property ("/id": required), an unexpected one
// "unknown field", a value of the wrong type says what was wanted.
func validateSchema(b []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return critmin.FieldErrorf("", "not JSON: empty or cut short (it ends inside a value)")
		}
		return critmin.FieldErrorf("", "not JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	err = compiled().Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return critmin.FieldErrorf("", "%v", err)
	}
	var leaves []*jsonschema.ValidationError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, e)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	// Deepest first (the most specific fault leads the message); stable,
	// so the schema's order is kept among equals.
	sort.SliceStable(leaves, func(i, j int) bool { return len(leaves[i].InstanceLocation) > len(leaves[j].InstanceLocation) })
	e := &critmin.Error{Code: critmin.EINVALID}
	seen := map[string]bool{}
	add := func(ptr, reason string) {
		if seen[ptr+"\x00"+reason] || len(e.Fields) >= maxSchemaErrors {
			return
		}
		seen[ptr+"\x00"+reason] = true
		e.Fields = append(e.Fields, critmin.FieldError{Pointer: ptr, Reason: reason})
	}
	for _, l := range leaves {
		ptr := pointerOf(l.InstanceLocation)
		switch k := l.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				add(ptr+"/"+escapePointer(m), "required")
			}
		case *kind.DependentRequired:
			for _, m := range k.Missing {
				add(ptr+"/"+escapePointer(m), fmt.Sprintf("required with %s (the unit of %s)", k.Prop, k.Prop))
			}
		case *kind.AdditionalProperties:
			for _, m := range k.Properties {
				add(ptr+"/"+escapePointer(m), fmt.Sprintf("unknown field %q", m))
			}
		case *kind.Type:
			add(ptr, fmt.Sprintf("must be %s, not %s", strings.Join(k.Want, " or "), jsonTypeName(k.Got)))
		case *kind.Maximum:
			add(ptr, outOfRange(ptr, k.Got, k.Want, "more than", "the largest allowed"))
		case *kind.Minimum:
			add(ptr, outOfRange(ptr, k.Got, k.Want, "less than", "the smallest allowed"))
		case *kind.ExclusiveMaximum:
			add(ptr, fmt.Sprintf("%s must be less than %s", ratText(k.Got), ratText(k.Want)))
		case *kind.ExclusiveMinimum:
			add(ptr, fmt.Sprintf("%s must be more than %s", ratText(k.Got), ratText(k.Want)))
		case *kind.Enum:
			want := make([]string, len(k.Want))
			for i, w := range k.Want {
				want[i] = fmt.Sprintf("%v", w)
			}
			add(ptr, fmt.Sprintf("%v is not one of %s", k.Got, strings.Join(want, ", ")))
		case *kind.Pattern:
			add(ptr, patternReason(ptr, k.Got, k.Want))
		case *kind.MinItems:
			add(ptr, fmt.Sprintf("needs at least %d item(s), has %d", k.Want, k.Got))
		case *kind.MinLength:
			add(ptr, fmt.Sprintf("needs at least %d character(s), has %d", k.Want, k.Got))
		default:
			add(ptr, strings.TrimSpace(l.ErrorKind.LocalizedString(message.NewPrinter(language.English))))
		}
	}
	if len(e.Fields) == 0 {
		return critmin.FieldErrorf("", "does not match the term-sheet schema")
	}
	e.Message = e.Fields[0].Pointer + ": " + e.Fields[0].Reason
	if e.Fields[0].Pointer == "" {
		e.Message = e.Fields[0].Reason
	}
	return e
}

// outOfRange is the reason a number breaks a schema bound, in the words
// TermSheet.Validate uses for the same fault given as a decimal string:
// a per-cent field (a pointer ending _pct) bounded by 0 and 100 is
// "101 % is outside 0–100 %", any other "5 is more than 4, the largest
// allowed".
func outOfRange(ptr string, got, want *big.Rat, than, which string) string {
	if strings.HasSuffix(ptr, "_pct") && (want.Cmp(big.NewRat(100, 1)) == 0 || want.Sign() == 0) {
		return fmt.Sprintf("%s %% is outside 0–100 %%", ratText(got))
	}
	return fmt.Sprintf("%s is %s %s, %s", ratText(got), than, ratText(want), which)
}

// Patterns of the term-sheet schema ($defs), matched by patternReason.
const (
	currencyPattern  = `^[A-Z]{3}$`
	priceUnitPattern = `^[A-Za-z]{3}/(t|kg|lb|ozt|g|mtu)$`
	datePattern      = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
)

// patternReason words a value that breaks a schema pattern, never the
// regular expression: a currency is an ISO 4217 code in capitals; a
// price unit is CUR/unit, with ParsePriceUnit's own reason (a per-dmt
// unit is per dry tonne of concentrate, as the price CSV says); a date is
// YYYY-MM-DD; a number is a decimal.
func patternReason(ptr, got, want string) string {
	switch want {
	case currencyPattern:
		return fmt.Sprintf("%q is not a currency code: write the ISO 4217 code in capitals (USD, EUR, CNY)", got)
	case priceUnitPattern:
		reason := "is not CUR/unit"
		if _, err := ParsePriceUnit(got, ptr); err != nil {
			reason = critmin.ErrorMessage(err)
			if i := strings.Index(reason, ": "); i >= 0 && strings.HasPrefix(reason, ptr) {
				reason = reason[i+2:]
			}
		}
		return fmt.Sprintf("%s — a price unit is CUR/unit: an ISO 4217 currency code (or USc, US cents) per t, kg, lb, ozt, g or mtu of the metal or oxide it prices (USD/t, USc/lb, USD/ozt)", reason)
	case datePattern:
		return fmt.Sprintf("%q is not a date: write YYYY-MM-DD", got)
	}
	if strings.Contains(want, "[0-9]+(") {
		return fmt.Sprintf("%q is not a decimal number (such as 96.5)", got)
	}
	return fmt.Sprintf("%q is not in the form this field takes (docs/trade.md)", got)
}

// ratText writes a schema bound or value as a decimal (101, 0.5).
func ratText(r *big.Rat) string { return decimal.NewFromBigRat(r, 12).String() }

// maxSchemaErrors bounds the faults one term sheet's answer lists.
const maxSchemaErrors = 50

// pointerOf is the JSON Pointer (RFC 6901) of an instance location; ""
// is the whole document.
func pointerOf(loc []string) string {
	var p strings.Builder
	for _, tok := range loc {
		p.WriteByte('/')
		p.WriteString(escapePointer(tok))
	}
	return p.String()
}

func escapePointer(tok string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok) }

// jsonTypeName names a JSON type with its article ("an object", "null").
func jsonTypeName(t string) string {
	switch t {
	case "null":
		return "null"
	case "object", "array", "integer":
		return "an " + t
	}
	return "a " + t
}

// TermSheetErrorText is a term-sheet error as docs/trade.md writes it,
// the CLI prints it and the API's problem detail reads (the API's
// errors[] lists each fault with its pointer and reason): `term sheet
// "ID": field "payables[0].price.unit" (/payables/0/price/unit): reason`,
// each further fault after "; ". ok is false for any other error (one
// not led by "term sheet", without field errors, or about the document
// as a whole).
func TermSheetErrorText(err error) (string, bool) {
	var e *critmin.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Message, "term sheet") {
		return "", false
	}
	fields := critmin.ErrorList(err)
	if len(fields) == 0 || !strings.HasPrefix(fields[0].Pointer, "/") || fields[0].Pointer == "/" {
		return "", false
	}
	head, ok := strings.CutSuffix(e.Message, ": "+fields[0].Pointer+": "+fields[0].Reason)
	if !ok || head == "" {
		return "", false
	}
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		if strings.HasPrefix(f.Pointer, "/") && f.Pointer != "/" {
			parts = append(parts, FieldInWords(f.Pointer)+": "+f.Reason)
		} else {
			parts = append(parts, f.Reason)
		}
	}
	return head + ": " + strings.Join(parts, "; "), true
}

// FieldInWords names a term-sheet field for a person, then its JSON
// Pointer: "/payables/0/price/unit" is `field "payables[0].price.unit"
// (/payables/0/price/unit)`, as the API names a body's fields.
func FieldInWords(ptr string) string {
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return fmt.Sprintf("field %q (%s)", b.String(), ptr)
}
