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
//   - a disallowed key (propertyNames) is reported at the key itself;
//   - a missing required field is reported at the field's own pointer
//     (/schemaVersion), one error per missing field, saying whether the
//     document or the event (root) lacks it.
//
// The result is sorted by pointer; a problem at one pointer is reported once.
func schemaViolations(err error, prefix, root string) []critmin.FieldError {
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
		case *kind.Required:
			owner := root
			if len(e.InstanceLocation) > 0 {
				owner = fieldName(e.InstanceLocation)
			}
			for _, m := range k.Missing {
				field := append(append([]string(nil), e.InstanceLocation...), m)
				add(field, fmt.Sprintf("missing: %s must have %s", owner, m))
			}
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
	var want []string // an enum's values, for the CBV hint
	for _, b := range kept {
		for _, l := range b {
			if en, ok := l.ErrorKind.(*kind.Enum); ok {
				for _, w := range en.Want {
					if s, ok := w.(string); ok {
						want = append(want, s)
					}
				}
			}
		}
	}
	for _, b := range kept {
		for _, l := range b {
			if p, ok := l.ErrorKind.(*kind.Pattern); ok && strings.HasPrefix(p.Want, cbvLookahead) {
				return cbvURIReason(p.Got, want)
			}
		}
	}
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

// cbvLookahead begins the EPCIS 2.0 schema's pattern for a value outside
// the CBV namespace: a user vocabulary URI, which may not be a CBV URI.
const cbvLookahead = "^(?!(urn:epcglobal:cbv"

// cbvURIReason explains a CBV value written as a CBV 1.x URN or a GS1 web
// URI where the EPCIS 2.0 JSON binding wants it bare (the EPCIS 2.0 JSON
// schema allows a bare CBV value or a URI outside the CBV namespace:
// "urn:epcglobal:cbv:er:incorrect_data" is written "incorrect_data"),
// naming the bare value when it is one of want.
func cbvURIReason(got string, want []string) string {
	bare := got
	if i := strings.LastIndexAny(got, ":/-"); i >= 0 {
		bare = got[i+1:]
	}
	for _, w := range want {
		if w == bare {
			return fmt.Sprintf("%q is a CBV URI: the EPCIS 2.0 JSON binding writes CBV values bare — use %q", got, bare)
		}
	}
	return fmt.Sprintf("%q is a URI in the CBV namespace but not a CBV value here: use one of %s bare, or a URI of your own vocabulary outside the CBV namespace", got, strings.Join(want, ", "))
}
