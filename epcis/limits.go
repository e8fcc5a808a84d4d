package epcis

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// Limits on what a capture may store (docs/identity.md, "Limits"). They
// are the same on SQLite and PostgreSQL and keep every indexed row inside
// PostgreSQL's B-tree limit (an index row of at most 2,704 bytes on 8 KiB
// pages): the largest key, lot_links (parent, child, eventID), holds two
// identifiers and an eventID, 2 × 1,024 + 256 bytes plus headers.
const (
	// MaxIdentifierBytes bounds every identifier: EPCs, EPC classes,
	// parentID, readPoint and bizLocation ids, sources, destinations,
	// business transactions, transformationID, bizStep, disposition,
	// master-data element ids and top-level ILMD values (indexed).
	MaxIdentifierBytes = 1024
	// MaxNameBytes bounds eventIDs, correctiveEventIDs, the type of a
	// source, destination or business transaction, master-data vocabulary
	// types and (expanded) ILMD field names.
	MaxNameBytes = 256
	// MaxQuantity bounds a quantity element's quantity in a unit that is
	// not a mass, in that unit; a mass is bounded as a mass after
	// conversion to kilograms (units.MaxMassKg).
	MaxQuantity = 1e12
	// MaxSensorValue bounds the magnitude of a sensor report's value,
	// minValue, maxValue, meanValue, percValue and sDev, in the report's
	// unit: ±10^12, as a quantity in a unit not a mass (MaxQuantity).
	// No reading of a mineral supply chain comes near it (a weighbridge
	// in kilograms, a temperature, a concentration in ppm), and a value of
	// 1e308 — finite, but no measurement — would overflow every sum and
	// mean the reading enters (issue 8 §5, fixIi). A Mass report is
	// bounded as a mass besides (ledger.MaxTonnes).
	MaxSensorValue = 1e12
)

// checkText refuses a body that is not UTF-8 or whose JSON escapes name
// a lone UTF-16 surrogate: Go's JSON decoder would replace either with
// U+FFFD, so two different identifiers could become one. The error names
// the byte offset.
func checkText(body []byte) error {
	if !utf8.Valid(body) {
		off := 0
		for off < len(body) {
			r, n := utf8.DecodeRune(body[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return critmin.FieldErrorf("", "body is not valid UTF-8 (first bad byte at offset %d); it is refused rather than repaired, so that two different identifiers never become one", off)
	}
	if off, ok := loneSurrogate(body); ok {
		return critmin.FieldErrorf("", "body escapes a lone UTF-16 surrogate at offset %d (\\uD800–\\uDFFF without its pair); it is refused rather than repaired", off)
	}
	return nil
}

// loneSurrogate finds a \uD800–\uDFFF escape inside a JSON string that is
// not a high surrogate followed by a low one.
func loneSurrogate(b []byte) (int, bool) {
	hex4 := func(i int) (int, bool) {
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		v := 0
		for _, c := range b[i+2 : i+6] {
			switch {
			case c >= '0' && c <= '9':
				v = v*16 + int(c-'0')
			case c >= 'a' && c <= 'f':
				v = v*16 + int(c-'a'+10)
			case c >= 'A' && c <= 'F':
				v = v*16 + int(c-'A'+10)
			default:
				return 0, false
			}
		}
		return v, true
	}
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !inString {
			if c == '"' {
				inString = true
			}
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			v, ok := hex4(i)
			if !ok {
				i++ // skip the escaped character
				continue
			}
			switch {
			case v >= 0xD800 && v <= 0xDBFF:
				if w, ok := hex4(i + 6); ok && w >= 0xDC00 && w <= 0xDFFF {
					i += 11
					continue
				}
				return i, true
			case v >= 0xDC00 && v <= 0xDFFF:
				return i, true
			}
			i += 5
		}
	}
	return 0, false
}

// findNUL lists the JSON pointers of strings (values or keys) holding a
// NUL character, which PostgreSQL cannot store in text and which no
// identifier needs; at most max are listed. path holds the keys and
// indices down to v; a pointer is written only for a string at fault.
func findNUL(v any, path []any, out *[]critmin.FieldError, max int) {
	if len(*out) >= max {
		return
	}
	switch t := v.(type) {
	case string:
		if strings.IndexByte(t, 0) >= 0 {
			*out = append(*out, critmin.FieldError{Pointer: pointer(path), Reason: "contains a NUL character (U+0000), which no identifier or value may hold"})
		}
	case map[string]any:
		for k, e := range t {
			if strings.IndexByte(k, 0) >= 0 {
				*out = append(*out, critmin.FieldError{Pointer: pointer(append(path, k)), Reason: "field name contains a NUL character (U+0000)"})
				continue
			}
			findNUL(e, append(path, k), out, max)
		}
	case []any:
		for i, e := range t {
			findNUL(e, append(path, i), out, max)
		}
	}
}

// pointer writes a path of keys and indices as a JSON pointer.
func pointer(path []any) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		if k, ok := p.(string); ok {
			b.WriteString(escape(k))
		} else {
			fmt.Fprint(&b, p)
		}
	}
	return b.String()
}

// tooLong reports the length of s against a limit, for error texts.
func (v *validator) tooLong(field, s string, limit int) {
	if len(s) > limit {
		v.fail(field, "is %s bytes long; the limit is %s bytes (docs/identity.md)", units.Int(len(s)), units.Int(limit))
	}
}

// tooLongf is tooLong with the field named by a format, built only when
// s is over the limit: every list element of every event is checked.
func (v *validator) tooLongf(s string, limit int, format string, args ...any) {
	if len(s) > limit {
		v.tooLong(fmt.Sprintf(format, args...), s, limit)
	}
}

// limits checks the length of every identifier and name of one event
// against MaxIdentifierBytes and MaxNameBytes, naming each field.
func (v *validator) limits(obj map[string]any) {
	str := func(x any) string { s, _ := x.(string); return s }
	v.tooLong("eventID", str(obj["eventID"]), MaxNameBytes)
	for _, k := range []string{"parentID", "transformationID", "bizStep", "disposition"} {
		v.tooLong(k, str(obj[k]), MaxIdentifierBytes)
	}
	for _, k := range []string{"readPoint", "bizLocation"} {
		if m, ok := obj[k].(map[string]any); ok {
			v.tooLong(k+"/id", str(m["id"]), MaxIdentifierBytes)
		}
	}
	for _, k := range identifierLists {
		l, _ := obj[k].([]any)
		for i, e := range l {
			v.tooLongf(str(e), MaxIdentifierBytes, "%s/%d", k, i)
		}
	}
	for _, k := range quantityLists {
		l, _ := obj[k].([]any)
		for i, e := range l {
			m, _ := e.(map[string]any)
			v.tooLongf(str(m["epcClass"]), MaxIdentifierBytes, "%s/%d/epcClass", k, i)
		}
	}
	for k, field := range identifierEntries {
		l, _ := obj[k].([]any)
		for i, e := range l {
			m, _ := e.(map[string]any)
			v.tooLongf(str(m[field]), MaxIdentifierBytes, "%s/%d/%s", k, i, field)
			v.tooLongf(str(m["type"]), MaxNameBytes, "%s/%d/type", k, i)
		}
	}
	if ed, ok := obj["errorDeclaration"].(map[string]any); ok {
		l, _ := ed["correctiveEventIDs"].([]any)
		for i, e := range l {
			v.tooLongf(str(e), MaxNameBytes, "errorDeclaration/correctiveEventIDs/%d", i)
		}
		v.tooLong("errorDeclaration/reason", str(ed["reason"]), MaxIdentifierBytes)
	}
	if !allFinite(obj) {
		v.finiteNumbers(obj, "")
	}
	if m, ok := obj["ilmd"].(map[string]any); ok {
		for k, e := range m {
			iri, _ := v.ctx.Expand(k)
			v.tooLong("ilmd/"+escape(k), iri, MaxNameBytes)
			if s, ok := e.(string); ok {
				v.tooLong("ilmd/"+escape(k), s, MaxIdentifierBytes)
			}
		}
	}
}

// finiteNumbers refuses every JSON number of an event, wherever it is
// (an extension's nested value, an ILMD attribute, a sensor report's
// own extension), that is not a finite float64: 1e400 would be stored as
// text and read back as infinity or not at all. Each is named by its
// JSON pointer; a field a specific check already refused is not named
// twice.
func (v *validator) finiteNumbers(x any, ptr string) {
	switch t := x.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v.finiteNumbers(t[k], ptr+"/"+escape(k))
		}
	case []any:
		for i, e := range t {
			v.finiteNumbers(e, fmt.Sprintf("%s/%d", ptr, i))
		}
	case json.Number:
		f, err := t.Float64()
		under := finite(f, err) && critmin.Underflows(t.String(), f)
		if finite(f, err) && !under {
			return
		}
		field := strings.TrimPrefix(ptr, "/")
		for _, e := range v.errs {
			if e.Pointer == v.ptr+"/"+field {
				return
			}
		}
		if under {
			v.fail(field, underflowReason, t)
			return
		}
		v.fail(field, "%s is not a finite number (beyond the range of a 64-bit float, ±1.8e308): every number in an event must be finite", t)
	}
}

// allFinite reports whether every JSON number in x is one finiteNumbers
// accepts: a finite float64 that does not underflow to 0. It walks x
// without sorting keys or building pointers, so that the common event,
// whose numbers are all fine, pays no more; finiteNumbers names the
// faults of any other.
func allFinite(x any) bool {
	switch t := x.(type) {
	case map[string]any:
		for _, e := range t {
			if !allFinite(e) {
				return false
			}
		}
	case []any:
		for _, e := range t {
			if !allFinite(e) {
				return false
			}
		}
	case json.Number:
		f, err := t.Float64()
		return finite(f, err) && !critmin.Underflows(t.String(), f)
	}
	return true
}

// underflowReason refuses a non-zero numeral that a 64-bit float holds as
// 0 (critmin.Underflows): stored, it would read back as 0 while its text
// says otherwise. It is the reason every JSON body gives
// (jsonstrict.Check).
const underflowReason = critmin.UnderflowReason

// positiveZero returns 0 for a negative zero ("-0", "-0.0"): a quantity
// or value of -0 is read as 0, so that nothing shows or sums "-0".
func positiveZero(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// finite parses a JSON number and reports whether it is a finite float64
// (a literal such as 1e400 overflows).
func finite(f float64, err error) bool {
	return err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// checkMasterData bounds every indexed value of the header's master data
// (docs/identity.md, "Limits"): vocabulary types, element ids, attribute
// names and values (master_data_attrs (name, val) is indexed, a repeated
// attribute as the JSON array it is stored as) and children. Each error
// names its element by JSON pointer with indexes, and all are reported.
//
// It also reports masterDataErrors (values, attribute namespaces,
// hierarchy cycles) of ctx, the document's @context.
func checkMasterData(obj map[string]any, ctx *Context) error {
	hdr, _ := obj["epcisHeader"].(map[string]any)
	md, _ := hdr["epcisMasterData"].(map[string]any)
	vl, _ := md["vocabularyList"].([]any)
	var fields []critmin.FieldError
	check := func(ptr, what, s string, limit int) {
		if len(s) > limit {
			fields = append(fields, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf("%s %.40q… is %s bytes long; the limit is %s bytes (docs/identity.md)", what, s, units.Int(len(s)), units.Int(limit))})
		}
	}
	// key refuses an element or child id written as a GS1 key that names
	// none (GS1KeyFault), as the events' identifiers are.
	key := func(ptr, id string) {
		if msg := GS1KeyFault(id); msg != "" {
			fields = append(fields, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf("%q is not a valid GS1 key: %s", id, msg)})
		}
	}
	for j, v := range vl {
		voc, _ := v.(map[string]any)
		vp := fmt.Sprintf("/epcisHeader/epcisMasterData/vocabularyList/%d", j)
		typ, _ := voc["type"].(string)
		check(vp+"/type", "vocabulary type", typ, MaxNameBytes)
		els, _ := voc["vocabularyElementList"].([]any)
		for k, e := range els {
			el, _ := e.(map[string]any)
			ep := fmt.Sprintf("%s/vocabularyElementList/%d", vp, k)
			id, _ := el["id"].(string)
			check(ep+"/id", "element id", id, MaxIdentifierBytes)
			key(ep+"/id", id)
			attrs, _ := el["attributes"].([]any)
			seen := map[string][]any{}
			for a, x := range attrs {
				at, _ := x.(map[string]any)
				ap := fmt.Sprintf("%s/attributes/%d", ep, a)
				aid, _ := at["id"].(string)
				check(ap+"/id", "attribute name", aid, MaxNameBytes)
				val := scalarString(at["attribute"])
				if prev, dup := seen[aid]; dup {
					b, _ := json.Marshal(append(prev, at["attribute"]))
					val = string(b) // stored as the array of every value
				}
				seen[aid] = append(seen[aid], at["attribute"])
				check(ap+"/attribute", "attribute value", val, MaxIdentifierBytes)
			}
			children, _ := el["children"].([]any)
			for c, x := range children {
				cs, _ := x.(string)
				check(fmt.Sprintf("%s/children/%d", ep, c), "child id", cs, MaxIdentifierBytes)
				key(fmt.Sprintf("%s/children/%d", ep, c), cs)
			}
		}
	}
	fields = append(fields, masterDataErrors(obj, ctx)...)
	if len(fields) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fields[0].Pointer + ": " + fields[0].Reason, Fields: fields}
	}
	return nil
}
