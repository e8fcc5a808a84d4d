package jsonstrict

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
)

// Decode reads one JSON value from body into v strictly, as every JSON
// request of the API does: member names checked by Check, unknown fields
// refused, nothing after the value; any error is a field error naming the
// member at fault by JSON Pointer and saying what it must be (a string
// where a number is expected: "/categories/0/conversionFactor: must be a
// number, not a JSON string"), never encoding/json's raw text. The CLI's
// --file readers decode with it so that their errors read like the API's.
func Decode(body []byte, v any) error {
	if err := Check(body, v); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return DecodeError(err, body)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return critmin.FieldErrorf("body", "trailing data after the JSON value")
	}
	return nil
}

// DecodeError turns encoding/json's errors into a field error with a JSON
// Pointer (RFC 6901) to the request field and a plain reason: a value of
// the wrong JSON type (an object where a list is expected), an unknown
// field, or a syntax error with its offset.
func DecodeError(err error, body []byte) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		// te.Field is a dotted path without list indexes
		// ("categories.conversionFactor"); the pointer is found from the
		// offset instead, so that it names the list element at fault
		// (/categories/0/conversionFactor).
		ptr, ok := pointerAt(body, te.Offset)
		if !ok {
			ptr = "/" + strings.ReplaceAll(te.Field, ".", "/")
			if te.Field == "" {
				ptr = "/"
			}
		}
		if num, ok := strings.CutPrefix(te.Value, "number "); ok {
			// A JSON number that does not fit: beyond float64 (1e400)
			// or the integer type, or a fraction for an integer.
			if _, err := strconv.ParseFloat(num, 64); err != nil || !strings.ContainsAny(num, ".eE") {
				return critmin.FieldErrorf(ptr, "%s is out of range (must be %s)", num, jsonKind(te.Type))
			}
			return critmin.FieldErrorf(ptr, "must be %s, not %s", jsonKind(te.Type), num)
		}
		return critmin.FieldErrorf(ptr, "must be %s, not a JSON %s", jsonKind(te.Type), te.Value)
	case errors.As(err, &se):
		return critmin.FieldErrorf("body", "not JSON: %v (at byte %d)", se, se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return critmin.FieldErrorf("/"+f, "unknown field %q", f)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return critmin.FieldErrorf("body", "the body is empty or cut short")
	}
	return critmin.FieldErrorf("body", "not valid JSON for this request: %v", err)
}

// pointerAt returns the JSON Pointer (RFC 6901) of the value of body that
// ends at or after offset (a json.UnmarshalTypeError's Offset: just after
// the offending value, or just after the opening bracket of an offending
// object or list); ok is false if body holds no such value.
func pointerAt(body []byte, offset int64) (string, bool) {
	type frame struct {
		path   string
		list   bool
		index  int
		key    string
		awaits bool // an object awaiting its next key
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*frame
	// here is the pointer of the value about to be read.
	here := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.list {
			return f.path + "/" + strconv.Itoa(f.index)
		}
		return f.path + "/" + strings.ReplaceAll(strings.ReplaceAll(f.key, "~", "~0"), "/", "~1")
	}
	// next moves the innermost container past the value just read.
	next := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.list {
			f.index++
		} else {
			f.awaits = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if len(stack) > 0 {
			if f := stack[len(stack)-1]; !f.list && f.awaits {
				if k, ok := tok.(string); ok {
					f.key, f.awaits = k, false
					continue
				}
			}
		}
		switch tok {
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			next()
			continue
		}
		ptr := here()
		if ptr == "" {
			ptr = "/"
		}
		if dec.InputOffset() >= offset {
			return ptr, true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{path: here(), awaits: true})
		case json.Delim('['):
			stack = append(stack, &frame{path: here(), list: true})
		default:
			next()
		}
	}
}

// jsonKind names the JSON a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		if t.String() == "decimal.Decimal" || t.String() == "time.Time" {
			return "a " + map[string]string{"decimal.Decimal": "decimal number", "time.Time": "RFC 3339 time string"}[t.String()]
		}
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a " + t.String()
}
