package epcis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/critmin/critmin/jsonstrict"
	"github.com/go-json-experiment/json/jsontext"
)

// decodeStoredJSON decodes the first JSON value of raw into the form
// encoding/json gives with UseNumber — objects as map[string]any, arrays
// as []any, numbers as json.Number (their literal text), strings, bools
// and nil — which the capture validator reads. It reads tokens with
// jsontext (github.com/go-json-experiment/json, the basis of Go's
// encoding/json/v2) instead of encoding/json's reflection: verify decodes
// every stored record, and this is several times cheaper. Like
// encoding/json, a repeated object name keeps its last value and invalid
// UTF-8 becomes U+FFFD; anything after the first value is ignored.
// TestDecodeStoredJSONMatchesEncodingJSON holds the two equal.
func decodeStoredJSON(raw []byte) (any, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	return decodeStoredValue(dec, tok, 0)
}

// decodeJSONValue is decodeStoredJSON of exactly one JSON value: text
// after it, other than whitespace, is an error, as for
// jsonschema.UnmarshalJSON (encoding/json with UseNumber), whose values it
// gives at a fraction of the cost (5 % of capture CPU, docs/benchmarks.md).
// Streamed capture decodes each event with it
// (TestDecodeJSONValueMatchesUnmarshalJSON).
func decodeJSONValue(raw []byte) (any, error) {
	return decodeOneJSONValue(jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)), 0)
}

// decodeJSONValueStrict is decodeJSONValue that also fails (with some
// error) where jsonstrict.CheckNames refuses the text: an object giving a
// member name twice (jsontext compares names unescaped, as CheckNames
// does) or an array or object nested deeper than jsonstrict.MaxDepth. So
// when it succeeds, CheckNames would have passed the text and
// decodeJSONValue would have given the same value, and the streamed
// capture skips CheckNames' walk of the event (perf11z); when it fails,
// the capture runs CheckNames and decodeJSONValue for their errors
// (TestDecodeJSONValueStrictFailsWhereCheckNamesRefuses).
func decodeJSONValueStrict(raw []byte) (any, error) {
	return decodeOneJSONValue(jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowInvalidUTF8(true)), jsonstrict.MaxDepth)
}

// decodeOneJSONValue decodes exactly one JSON value from dec, with
// arrays and objects nested at most limit deep (0: no limit).
func decodeOneJSONValue(dec *jsontext.Decoder, limit int) (any, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	v, err := decodeStoredValue(dec, tok, limit)
	if err != nil {
		return nil, err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("invalid character after top-level value at offset %d", dec.InputOffset())
		}
		return nil, err
	}
	return v, nil
}

// decodeStoredValue decodes the value whose first token is tok (read
// already) and the rest of it from dec, failing on an array or object
// nested deeper than limit (0: no limit; the top-level value is depth 1).
func decodeStoredValue(dec *jsontext.Decoder, tok jsontext.Token, limit int) (any, error) {
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case '"':
		return tok.String(), nil
	case '0':
		return json.Number(tok.String()), nil
	case '{', '[':
		if limit > 0 && dec.StackDepth() > limit {
			return nil, fmt.Errorf("JSON nested deeper than %d at offset %d", limit, dec.InputOffset())
		}
		if tok.Kind() == '{' {
			return decodeStoredObject(dec, limit)
		}
		return decodeStoredArray(dec, limit)
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok.Kind())
}

// decodeStoredNext decodes the next value of dec. Scalars are read as raw
// values (ReadValue, no Token), so that a string in storedStrings is
// given as the table's string rather than copied for every record.
func decodeStoredNext(dec *jsontext.Decoder, limit int) (any, error) {
	switch dec.PeekKind() {
	case '{', '[':
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		return decodeStoredValue(dec, tok, limit)
	}
	v, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	switch v.Kind() {
	case 'n':
		return nil, nil
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case '"':
		if body := v[1 : len(v)-1]; plainJSONString(body) {
			if w, ok := storedStrings[string(body)]; ok {
				return w.boxed, nil // (no new interface value either)
			}
			return string(body), nil
		}
		return storedString(v), nil
	case '0':
		return json.Number(string(v)), nil
	}
	return nil, fmt.Errorf("unexpected JSON value %v", v.Kind())
}

func decodeStoredObject(dec *jsontext.Decoder, limit int) (any, error) {
	obj := map[string]any{}
	for {
		if dec.PeekKind() == '}' {
			if _, err := dec.ReadToken(); err != nil {
				return nil, err
			}
			return obj, nil
		}
		n, err := dec.ReadValue() // the name (a string: the decoder checks)
		if err != nil {
			return nil, err
		}
		name := storedString(n)
		v, err := decodeStoredNext(dec, limit)
		if err != nil {
			return nil, err
		}
		obj[name] = v
	}
}

func decodeStoredArray(dec *jsontext.Decoder, limit int) (any, error) {
	arr := []any{}
	for {
		if dec.PeekKind() == ']' {
			if _, err := dec.ReadToken(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		v, err := decodeStoredNext(dec, limit)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
	}
}

// storedString is the string a raw JSON string literal (quotes included,
// checked by the decoder) stands for: the storedStrings entry when it is
// one (plain ASCII, no escape), else a new string, unescaped with invalid
// UTF-8 replaced by U+FFFD as Token.String and encoding/json do.
func storedString(v jsontext.Value) string {
	if body := v[1 : len(v)-1]; plainJSONString(body) {
		if w, ok := storedStrings[string(body)]; ok {
			return w.s
		}
		return string(body)
	}
	b, _ := jsontext.AppendUnquote(nil, v) // (only invalid UTF-8 can fail here: replaced)
	return string(b)
}

// plainJSONString reports whether the body of a JSON string literal is
// its own text: no escape and no byte outside ASCII.
func plainJSONString(body []byte) bool {
	for _, c := range body {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// storedWord is a string of storedStrings, and the same string as an
// interface value, made once.
type storedWord struct {
	s     string
	boxed any
}

// storedStrings holds the object names and vocabulary values that every
// stored event repeats — the EPCIS 2.0 JSON-LD field names, critmin's cm:
// extension names, CBV 2.0 actions, event types, business steps and
// dispositions, common units — each once: decoding a record gives these
// strings instead of a copy each (verify decodes every record of the
// log; docs/benchmarks.md). Read only after init.
var storedStrings = func() map[string]storedWord {
	words := []string{
		// EPCIS 2.0 event fields (JSON-LD binding)
		"@context", "type", "eventID", "eventTime", "eventTimeZoneOffset", "recordTime", "action", "bizStep", "disposition",
		"persistentDisposition", "set", "unset", "readPoint", "bizLocation", "id", "epcList", "quantityList", "epcClass", "quantity", "uom",
		"parentID", "childEPCs", "childQuantityList", "inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList",
		"transformationID", "bizTransactionList", "bizTransaction", "sourceList", "source", "destinationList", "destination", "ilmd",
		"sensorElementList", "sensorMetadata", "sensorReport", "certificationInfo", "errorDeclaration", "declarationTime", "reason",
		"correctiveEventIDs", "value", "time", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules",
		"chemicalSubstance", "microorganism", "stringValue", "booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue",
		"meanValue", "sDev", "percRank", "percValue", "component", "coordinateReferenceSystem", "exception", "startTime", "endTime",
		// critmin's extension names
		"cm:basis", "cm:commodity", "cm:assay", "cm:analyte", "cm:unit", "cm:value", "cm:moisture", "cm:originCountry", "cm:originMine",
		"cm:country", "cm:share", "cm:originClaim", "cm:massChangeReason", "cm:supplier", "cm:originComposition", "cm:custodyModel",
		"cm:siteKind", "cm:dryTonnes", "cm:assayParty",
		// values
		"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent", "ADD", "OBSERVE", "DELETE",
		"KGM", "TNE", "LBR", "GRM", "dry", "wet", "%", "active", "in_transit", "in_progress", "destroyed", "inactive", "completeness_verified",
		"commissioning", "shipping", "receiving", "departing", "arriving", "transforming", "inspecting", "storing", "loading", "unloading",
		"packing", "unpacking", "accepting", "collecting", "decommissioning", "destroying", "installing", "sampling", "weighing",
		"owning_party", "possessing_party", "location", "po", "inv", "desadv", "bol", "cert",
		"+00:00", "Z",
	}
	m := make(map[string]storedWord, len(words))
	for _, w := range words {
		m[w] = storedWord{s: w, boxed: w}
	}
	return m
}()

// TopLevelStrings returns, of the members of the JSON object raw (an
// event's stored JSON, critmin.Event.Raw), those named in names whose
// value is a string: name → the string. It gives what
// json.Unmarshal of raw into map[string]any gives for those names — a
// repeated name keeps its last value (and is left out when that value
// is not a string), invalid UTF-8 becomes U+FFFD — and nil when raw is
// not one JSON object, as Unmarshal fails then; the other members are
// skipped unread. Capture-time checks read one extension member of each
// event with it (cm:massChangeReason, cm:voyage…); decoding the whole
// event for it was a fifth of the capture check's CPU
// (docs/benchmarks.md, perf11x). TestTopLevelStringsMatchesUnmarshal
// holds it equal to json.Unmarshal.
func TopLevelStrings(raw []byte, names ...string) map[string]string {
	if !mayHoldName(raw, names) {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	tok, err := dec.ReadToken()
	if err != nil || tok.Kind() != '{' {
		return nil
	}
	var out map[string]string
	for dec.PeekKind() != '}' {
		n, err := dec.ReadValue() // the name (a string: the decoder checks)
		if err != nil {
			return nil
		}
		// The name is read before the value: a Value read from dec is
		// valid only until the next read.
		want, asked := "", false
		for _, w := range names {
			if nameIs(n, w) {
				want, asked = w, true
				break
			}
		}
		v, err := dec.ReadValue()
		if err != nil {
			return nil
		}
		if asked {
			if v.Kind() == '"' {
				if out == nil {
					out = map[string]string{}
				}
				out[want] = storedString(v)
			} else {
				delete(out, want)
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return nil // text after the object: Unmarshal refuses it
	}
	return out
}

// nameIs reports whether the JSON string literal n reads as name.
func nameIs(n jsontext.Value, name string) bool {
	if body := n[1 : len(n)-1]; plainJSONString(body) {
		return string(body) == name
	}
	return storedString(n) == name
}

// TopLevelNames returns the member names of the JSON object raw (an
// event's stored JSON), sorted and each once: the keys json.Unmarshal of
// raw into a map gives, and nil when raw is not one JSON object, as
// Unmarshal fails then. The values are skipped unread (capture's
// misplaced-extension rule, ledger, needs only the names; perf11x).
// TestTopLevelNamesMatchesUnmarshal holds it equal to json.Unmarshal.
func TopLevelNames(raw []byte) []string {
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	tok, err := dec.ReadToken()
	if err != nil || tok.Kind() != '{' {
		return nil
	}
	out := []string{}
	for dec.PeekKind() != '}' {
		n, err := dec.ReadValue() // the name (a string: the decoder checks)
		if err != nil {
			return nil
		}
		out = append(out, storedString(n))
		if err := dec.SkipValue(); err != nil {
			return nil
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return nil // text after the object: Unmarshal refuses it
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// mayHoldName reports whether raw can hold a member named one of names.
// A name of plain ASCII (no escape needed, plainJSONString) appears in
// raw's text as it is unless raw spells it with an escape: when no name
// appears and raw has no backslash, no member has any of the names, and
// raw need not be read (most events state no cm:massChangeReason).
func mayHoldName(raw []byte, names []string) bool {
	if bytes.IndexByte(raw, '\\') >= 0 {
		return true
	}
	for _, n := range names {
		if !plainJSONString([]byte(n)) || bytes.Contains(raw, []byte(n)) {
			return true
		}
	}
	return false
}
