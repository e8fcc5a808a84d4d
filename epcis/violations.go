package epcis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// schemaViolations turns a schema validation error into one field error per
// independent problem, each at its own JSON pointer (prefix + the instance
// location), its reason naming the field:
//   - allOf, properties and items failures are independent: each failing
//     part is reported;
//   - an anyOf/oneOf failure is one problem with alternatives: it is
//     reported once, at its location, with the reasons of the alternatives
//     joined by "or" — leaving out a branch that failed only on the JSON type
//     when another branch accepted the type (a string that is not a URI is
//     reported as not a URI, not as "want array");
//   - a disallowed key (propertyNames) is reported at the key itself.
//
// The result is sorted by pointer; a problem at one pointer is reported once.
func schemaViolations(err error, prefix string) []critmin.FieldError {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []critmin.FieldError{{Pointer: prefix, Reason: err.Error()}}
	}
	var out []critmin.FieldError
	seen := map[string]bool{}
	add := func(loc []string, reason string) {
		ptr := prefix + pointerOf(loc)
		if seen[ptr] {
			return
		}
		seen[ptr] = true
		out = append(out, critmin.FieldError{Pointer: ptr, Reason: fieldName(loc) + ": " + reason})
	}
	var walk func(e *jsonschema.ValidationError, loc []string)
	walk = func(e *jsonschema.ValidationError, loc []string) {
		switch k := e.ErrorKind.(type) {
		case *kind.PropertyNames:
			// The library reports this error's instance location wrongly;
			// the key lives in the object being walked.
			key := append(append([]string(nil), loc...), k.Property)
			add(key, fmt.Sprintf("field %q is not allowed here: %s", k.Property, alternatives(e)))
			return
		case *kind.AnyOf, *kind.OneOf:
			add(e.InstanceLocation, alternatives(e))
			return
		}
		if len(e.Causes) == 0 {
			add(e.InstanceLocation, e.ErrorKind.LocalizedString(printer))
			return
		}
		for _, c := range e.Causes {
			walk(c, e.InstanceLocation)
		}
	}
	walk(ve, ve.InstanceLocation)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out
}

// alternatives describes what an anyOf/oneOf (or a propertyNames check
// over one) wanted: the leaf reasons of its branches, joined by "or",
// without the branches that failed only on the JSON type when another
// branch took the value's type.
func alternatives(e *jsonschema.ValidationError) string {
	var branches [][]*jsonschema.ValidationError
	var collect func(e *jsonschema.ValidationError) []*jsonschema.ValidationError
	collect = func(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
		if len(e.Causes) == 0 {
			return []*jsonschema.ValidationError{e}
		}
		var l []*jsonschema.ValidationError
		for _, c := range e.Causes {
			l = append(l, collect(c)...)
		}
		return l
	}
	top := e
	// Descend through single-cause wrappers to the node with the branches.
	for len(top.Causes) == 1 {
		top = top.Causes[0]
	}
	for _, c := range top.Causes {
		branches = append(branches, collect(c))
	}
	if len(branches) == 0 {
		return top.ErrorKind.LocalizedString(printer)
	}
	onlyType := func(b []*jsonschema.ValidationError) bool {
		for _, l := range b {
			if _, ok := l.ErrorKind.(*kind.Type); !ok {
				return false
			}
		}
		return true
	}
	var kept [][]*jsonschema.ValidationError
	for _, b := range branches {
		if !onlyType(b) {
			kept = append(kept, b)
		}
	}
	if len(kept) == 0 {
		kept = branches
	}
	var reasons []string
	dup := map[string]bool{}
	for _, b := range kept {
		for _, l := range b {
			r := l.ErrorKind.LocalizedString(printer)
			if !dup[r] {
				dup[r] = true
				reasons = append(reasons, r)
			}
		}
	}
	return strings.Join(reasons, ", or ")
}

func pointerOf(loc []string) string {
	var b strings.Builder
	for _, tok := range loc {
		b.WriteByte('/')
		b.WriteString(pointerEscape.Replace(tok))
	}
	return b.String()
}

// fieldName names a location the way a reader writes it:
// "persistentDisposition.set[1]", "sensorElementList[0].type".
func fieldName(loc []string) string {
	if len(loc) == 0 {
		return "the event"
	}
	var b strings.Builder
	for i, tok := range loc {
		if isIndex(tok) && i > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
