package refinery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/jsonstrict"
)

// decodeStrict decodes one JSON value of data into v, refusing unknown
// fields. A fault is a critmin.EINVALID error whose field is the JSON
// pointer (RFC 6901) of the value at fault and whose reason says, in
// plain words, what was expected — never Go's type names.
func decodeStrict(data []byte, v any, what string) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return critmin.FieldErrorf("/", "not %s: a JSON object is needed, not null", what)
	}
	if ptr, lit := outOfRangeNumber(data); ptr != "" {
		return critmin.FieldErrorf(ptr, "the number %s is out of range: a number here is at most about ±1.8e308 (IEEE 754 double)", lit)
	}
	if err := jsonstrict.Check(data, v); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return critmin.FieldErrorf("/", "more than one JSON value")
		}
		if ptr, key := duplicateKey(data); ptr != "" {
			return critmin.FieldErrorf(ptr, "duplicate key %q: each key may appear once in an object (RFC 8259 §4: names SHOULD be unique; which one counts is not defined)", key)
		}
		if _, ok := v.(*Problem); ok {
			// "confidence": 0 is not "absent": refuse it rather than
			// silently take the default.
			var c struct {
				Confidence *float64 `json:"confidence"`
				TimeZone   *string  `json:"time_zone"`
				Period     *string  `json:"period"`
			}
			if json.Unmarshal(data, &c) == nil && c.Confidence != nil && *c.Confidence == 0 {
				return critmin.FieldErrorf("/confidence", "must be in [%s, %s], got 0 (leave it out for the default %s)", critmin.PlainNumber(MinConfidence), critmin.PlainNumber(MaxConfidence), critmin.PlainNumber(DefaultConfidence))
			}
			// "time_zone": "" is not "absent" either: refuse it rather
			// than silently read the month in UTC.
			if c.TimeZone != nil && strings.TrimSpace(*c.TimeZone) == "" {
				return critmin.FieldErrorf("/time_zone", "is empty: give %s, or leave it out for UTC", TimeZoneForm)
			}
			// "period": "" likewise: a problem without a period leaves
			// the member out.
			if c.Period != nil && strings.TrimSpace(*c.Period) == "" {
				return PeriodError("/period", *c.Period)
			}
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var qe *quantityError
	switch {
	case errors.As(err, &qe):
		// A quantity's own decoding failed (Quantity.UnmarshalJSON does
		// not know where it is): find the quantity that fails.
		if ptr, reason := failingQuantity(data); ptr != "" {
			return critmin.FieldErrorf(ptr, "%s", reason)
		}
		return critmin.FieldErrorf("/", "not %s: %s", what, qe.msg())
	case errors.As(err, &syn):
		return critmin.FieldErrorf("/", "not %s: invalid JSON at byte %d (%s)", what, syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		ptr := pointerEndingAt(data, typ.Offset)
		if ptr == "" {
			ptr = "/" + strings.ReplaceAll(typ.Field, ".", "/")
		}
		return critmin.FieldErrorf(ptr, "expected %s, got %s", kindName(typ.Type), jsonKind(typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		ptr := pointerOfKey(data, name)
		if ptr == "" {
			ptr = "/"
		}
		return critmin.FieldErrorf(ptr, "unknown field %q", name)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return critmin.FieldErrorf("/", "not %s: the JSON is empty or cut short (it ends inside a value)", what)
	}
	return critmin.FieldErrorf("/", "not %s: %s", what, strings.TrimPrefix(err.Error(), "json: "))
}

func kindName(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another value"
}

// jsonKind names the JSON kind encoding/json reports ("number", "string",
// "object", "array", "bool", "number 1.5" …).
func jsonKind(v string) string {
	switch {
	case v == "string", v == "object", v == "array":
		return map[string]string{"string": "a string", "object": "an object", "array": "an array"}[v]
	case strings.HasPrefix(v, "number"):
		return "a number"
	case v == "bool":
		return "true or false"
	case v == "":
		return "another value"
	}
	return "an " + strings.TrimPrefix(strings.TrimPrefix(v, "an "), "a ")
}

// frame is one level of the walk: an object (key) or an array (index).
type frame struct {
	array bool
	index int
	key   string
	isKey bool // in an object, the next string token is a key
}

func pointerOf(stack []frame) string {
	var b strings.Builder
	for _, f := range stack {
		b.WriteByte('/')
		if f.array {
			b.WriteString(strconv.Itoa(f.index))
		} else {
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(f.key))
		}
	}
	return b.String()
}

// walk calls visit for every value of data with its pointer and the
// input offset just after it (composite values: after the opening
// delimiter), and for every key with its pointer; visit returning true
// stops the walk.
func walk(data []byte, visit func(ptr string, end int64, key string) bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].isKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
				goto next
			}
			stack[n-1].key, stack[n-1].isKey = tok.(string), false
			if visit(pointerOf(stack), dec.InputOffset(), stack[n-1].key) {
				return
			}
			continue
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			goto next
		}
		if visit(pointerOf(stack), dec.InputOffset(), "") {
			return
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{array: d == '[', index: -1, isKey: d == '{'})
			if d == '[' {
				stack[len(stack)-1].index = 0
			}
			continue
		}
	next:
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].isKey = true
			}
		}
	}
}

// outOfRangeNumber returns the JSON pointer and text of the first number
// in data that a float64 cannot hold (1e400: encoding/json refuses it
// without saying where), "" when there is none.
func outOfRangeNumber(data []byte) (ptr, lit string) {
	walk(data, func(p string, end int64, key string) bool {
		if key != "" || end <= 0 || end > int64(len(data)) {
			return false
		}
		start := end
		for start > 0 && strings.IndexByte("0123456789+-.eE", data[start-1]) >= 0 {
			start--
		}
		if start == end {
			return false
		}
		if _, err := strconv.ParseFloat(string(data[start:end]), 64); errors.Is(err, strconv.ErrRange) {
			ptr, lit = p, string(data[start:end])
			if ptr == "" {
				ptr = "/"
			}
			return true
		}
		return false
	})
	return ptr, lit
}

// pointerEndingAt is the pointer of the value that ends at offset.
func pointerEndingAt(data []byte, offset int64) string {
	var at string
	walk(data, func(ptr string, end int64, key string) bool {
		if key == "" && end == offset {
			at = ptr
			return true
		}
		return false
	})
	return at
}

// pointerOfKey is the pointer of the first member named key.
func pointerOfKey(data []byte, name string) string {
	var at string
	walk(data, func(ptr string, _ int64, key string) bool {
		if key != "" && key == name {
			at = ptr
			return true
		}
		return false
	})
	return at
}

// quantityKeys are the members that hold a Quantity, directly or (grade
// maps) per element.
var quantityKeys = map[string]bool{"mass_t": false, "opening_t": false, "closing_t": false, "grade_pct": true, "opening_grade_pct": true, "closing_grade_pct": true}

// failingQuantity finds the first quantity that does not decode, and why.
func failingQuantity(data []byte) (string, string) {
	var tree any
	if json.Unmarshal(data, &tree) != nil {
		return "", ""
	}
	var ptr, reason string
	var visit func(v any, at string) bool
	try := func(v any, at string) bool {
		b, _ := json.Marshal(v)
		var q Quantity
		if err := q.UnmarshalJSON(b); err != nil {
			if qe, ok := err.(*quantityError); ok {
				err = qe.err
			}
			ptr, reason = at, err.Error()
			var typ *json.UnmarshalTypeError
			if errors.As(err, &typ) {
				ptr, reason = at+"/"+typ.Field, fmt.Sprintf("expected %s, got %s", kindName(typ.Type), jsonKind(typ.Value))
			} else if strings.HasPrefix(err.Error(), "json: unknown field ") {
				name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
				ptr, reason = at+"/"+name, fmt.Sprintf("unknown field %q", name)
			}
			return true
		}
		return false
	}
	visit = func(v any, at string) bool {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				p := at + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
				if perEl, ok := quantityKeys[k]; ok {
					if !perEl {
						if try(x[k], p) {
							return true
						}
						continue
					}
					if m, ok := x[k].(map[string]any); ok {
						for _, el := range sortedKeys(m) {
							if try(m[el], p+"/"+el) {
								return true
							}
						}
						continue
					}
				}
				if visit(x[k], p) {
					return true
				}
			}
		case []any:
			for i, e := range x {
				if visit(e, at+"/"+strconv.Itoa(i)) {
					return true
				}
			}
		}
		return false
	}
	visit(tree, "")
	return ptr, reason
}

// quantityError is an error of Quantity.UnmarshalJSON, kept apart from
// the errors of the enclosing decode (its offsets are the quantity's own).
type quantityError struct{ err error }

func (e *quantityError) Error() string { return "quantity: " + e.msg() }
func (e *quantityError) msg() string   { return strings.TrimPrefix(e.err.Error(), "json: ") }

// duplicateKey returns the JSON pointer of the first object in data that
// repeats a key, and the key; "" when there is none (or data is not
// JSON, which the decoder reports).
func duplicateKey(data []byte) (ptr, key string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj  bool
		keys map[string]bool
		path string
		idx  int
		key  string // the object's current key, awaiting its value
	}
	var stack []*frame
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	// child is the pointer of the value about to be read.
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.obj {
			return f.path + "/" + esc.Replace(f.key)
		}
		return f.path + "/" + strconv.Itoa(f.idx)
	}
	done := func() { // a value of the top frame is complete
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.obj {
			f.key = ""
		} else {
			f.idx++
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", ""
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &frame{obj: t == '{', keys: map[string]bool{}, path: child()})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		default:
			if len(stack) > 0 {
				f := stack[len(stack)-1]
				if f.obj && f.key == "" {
					k, _ := t.(string)
					if f.keys[k] {
						if f.path == "" {
							return "/", k
						}
						return f.path, k
					}
					f.keys[k], f.key = true, k
					continue
				}
			}
			done()
		}
		if len(stack) == 0 {
			return "", ""
		}
	}
}
