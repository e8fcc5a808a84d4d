// Package jsonstrict holds critmin's one rule for the member names of a
// JSON request or file: no object may give a member name twice (RFC 8259
// §4 leaves open which of two values counts; encoding/json keeps the last
// one silently), and where the value is decoded into a Go struct every
// member name must be exactly — case included — the json name of one of
// its fields (encoding/json matches names case-insensitively, so "Role"
// or "EXPIRES_IN" would otherwise set role or expires_in behind any check
// of the exact key). Every JSON decoder of the HTTP API, the CLI's --file
// readers and EPCIS capture calls Check before decoding.
package jsonstrict

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"github.com/go-json-experiment/json/jsontext"
)

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	shapedType          = reflect.TypeFor[Shaped]()
)

// Shaped is a type that decodes itself (a json.Unmarshaler) and, given a
// JSON object, reads the members of the struct JSONShape returns (a
// value or a pointer to it): Check holds the object to that struct's
// names as to any struct's — a repeated name, or one the struct does not
// have in that exact case ("Value" for "value"), is refused naming the
// member. A self-decoding type that is not Shaped has its names checked
// for repeats only.
type Shaped interface {
	JSONShape() any
}

// MaxDepth is how deeply arrays and objects may nest in a JSON body: the
// same limit as an EPCIS XML document's elements (64). No critmin body
// comes near it; without it a body of 10,000 nested brackets (20 KB)
// cost half a second of CPU and 100 MB per request here and in the
// decoders after. The top-level value is depth 1.
const MaxDepth = 64

// Check walks body and refuses (EINVALID) a body nested deeper than
// MaxDepth, and (EINVALID, with the JSON pointer of the
// member) a member name given twice in one object, at any depth, and, when
// target is not nil, a member name that is not exactly the json name of a
// field of the struct it would be decoded into (an unknown field). target
// is the value decoding will fill (a pointer) or its type. Syntax errors
// are left to the decoder that follows (Check returns nil for them), so
// that each caller keeps its own wording for them.
//
// Check also refuses (EINVALID, naming the member) a number that
// underflows: not 0, yet below the smallest 64-bit float, so that
// encoding/json would read it as 0 without an error ("1e-400" as a
// quantity, a price, a share). Overflow (1e400) is the decoder's error.
func Check(body []byte, target any) error {
	return check(body, target, true)
}

// CheckNames is Check without the number rule, for an EPCIS document,
// whose validator reports every number at fault — underflow included,
// with the same reason (critmin.UnderflowReason) — in one answer rather
// than the first only.
func CheckNames(body []byte) error {
	return check(body, nil, false)
}

func check(body []byte, target any, numbers bool) error {
	var t reflect.Type
	switch x := target.(type) {
	case nil:
	case reflect.Type:
		t = x
	default:
		t = reflect.TypeOf(target)
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	tok, err := dec.ReadToken()
	if err != nil {
		return nil
	}
	w := walker{dec: dec, numbers: numbers}
	err = w.walk(tok, t, nil, 1)
	if _, ok := err.(*critmin.Error); ok {
		return err
	}
	return nil
}

// Pointer escapes a member name for a JSON pointer (RFC 6901).
func Pointer(name string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
}

// path is where walk is: a member name or an array index under its
// parent. The JSON pointer is spelled out only for an error, so a walk
// costs the same at every depth.
type path struct {
	parent *path
	name   string
	index  int
	member bool
}

func (p *path) String() string {
	if p == nil {
		return ""
	}
	if p.member {
		return p.parent.String() + "/" + Pointer(p.name)
	}
	return p.parent.String() + "/" + strconv.Itoa(p.index)
}

// walker walks one body (check).
type walker struct {
	dec     *jsontext.Decoder
	numbers bool // refuse numbers that underflow
}

func (w *walker) walk(tok jsontext.Token, t reflect.Type, ptr *path, depth int) error {
	dec := w.dec
	t = deref(t)
	if k := tok.Kind(); (k == '{' || k == '[') && depth > MaxDepth {
		return critmin.FieldErrorf(ptr.String(), "JSON nested deeper than %d arrays and objects; critmin accepts at most %d", MaxDepth, MaxDepth)
	}
	switch tok.Kind() {
	case '0':
		if w.numbers {
			n := tok.String()
			if v, _ := strconv.ParseFloat(n, 64); critmin.Underflows(n, v) {
				return critmin.FieldErrorf(ptr.String(), critmin.UnderflowReason, n)
			}
		}
	case '{':
		fields := structFields(t)
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Map {
			elem = t.Elem()
		}
		seen := map[string]bool{}
		for {
			k, err := dec.ReadToken()
			if err != nil {
				return err
			}
			if k.Kind() == '}' {
				return nil
			}
			name := k.String()
			p := &path{parent: ptr, name: name, member: true}
			if seen[name] {
				return critmin.FieldErrorf(p.String(), "member %q is given twice in the same object; send it once", name)
			}
			seen[name] = true
			ft := elem
			if fields != nil {
				f, ok := fields[name]
				if !ok {
					if want := caseMatch(fields, name); want != "" {
						return critmin.FieldErrorf(p.String(), "unknown field %q: member names are case-sensitive, the field is %q", name, want)
					}
					return critmin.FieldErrorf(p.String(), "unknown field %q%s", name, takes(fields))
				}
				ft = f
			}
			v, err := dec.ReadToken()
			if err != nil {
				return err
			}
			if err := w.walk(v, ft, p, depth+1); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; ; i++ {
			v, err := dec.ReadToken()
			if err != nil {
				return err
			}
			if v.Kind() == ']' {
				return nil
			}
			if err := w.walk(v, elem, &path{parent: ptr, index: i}, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil
	}
	// A type that decodes itself sets its own rules; its names are still
	// checked for repeats (t nil), and against its shape where it states
	// one (Shaped).
	if t.Implements(shapedType) {
		return shape(reflect.Zero(t).Interface().(Shaped))
	}
	if reflect.PointerTo(t).Implements(shapedType) {
		return shape(reflect.New(t).Interface().(Shaped))
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) ||
		t.Implements(textUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return nil
	}
	return t
}

// shape is the struct type a Shaped value's objects are read into.
func shape(v Shaped) reflect.Type {
	t := reflect.TypeOf(v.JSONShape())
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// structFields maps the exact json names of t's fields (those of embedded
// structs included, as encoding/json promotes them) to their types; nil
// when t is not a struct.
// takes words the members an object accepts, for an unknown field's
// refusal — `: this object takes "expires_at", "expires_in", "name",
// "role"` — when there are at most 12 of them (a longer list is the
// documentation's to give); "" otherwise.
func takes(fields map[string]reflect.Type) string {
	if len(fields) == 0 || len(fields) > 12 {
		return ""
	}
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, strconv.Quote(n))
	}
	sort.Strings(names)
	return ": this object takes " + strings.Join(names, ", ")
}

func structFields(t reflect.Type) map[string]reflect.Type {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	out := map[string]reflect.Type{}
	addFields(t, out, 0)
	return out
}

func addFields(t reflect.Type, out map[string]reflect.Type, depth int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && depth < 8 {
				addFields(ft, out, depth+1)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, ok := out[name]; !ok {
			out[name] = f.Type
		}
	}
}

func caseMatch(fields map[string]reflect.Type, name string) string {
	for k := range fields {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return ""
}
