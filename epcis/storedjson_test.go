package epcis

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// stdStoredJSON is what DecodeStored read stored records with before:
// encoding/json with UseNumber.
func stdStoredJSON(raw []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&v)
	return v, err
}

// The jsontext decoder of stored records gives exactly encoding/json's
// values (UseNumber), on every JSON document of the repository's test
// data and on the cases where decoders differ: escapes, surrogate pairs,
// invalid UTF-8, repeated names, number literals kept as written, empty
// containers, nesting, trailing data; and refuses what encoding/json
// refuses.
func TestDecodeStoredJSONMatchesEncodingJSON(t *testing.T) {
	docs := map[string][]byte{
		"escapes":      []byte(`{"a":"x\"y\\z\/\b\f\n\r\tq\u00e9\u4e2d","b":"caf\u00E9"}`),
		"surrogates":   []byte(`{"s":"\ud83d\ude00 and lone \ud800 end","t":"\udc00x"}`),
		"invalidUTF8":  []byte("{\"s\":\"a\xffb\xc3\",\"k\xfe\":1}"),
		"duplicates":   []byte(`{"a":1,"b":{"c":2},"a":[3],"b":null}`),
		"numbers":      []byte(`{"n":[0,-0,1.50,1e3,1E+03,-2.5e-7,12345678901234567890123,0.1000]}`),
		"empties":      []byte(`{"o":{},"a":[],"s":"","z":[[],{}],"bools":[true,false,null]}`),
		"nested":       []byte(`{"a":{"b":{"c":[{"d":[1,{"e":"f"}]}]}}}`),
		"trailing":     []byte(`{"a":1} {"b":2}`),
		"whitespace":   []byte(" \n\t{ \"a\" : [ 1 , 2 ] }\n"),
		"array":        []byte(`[1,"a"]`),
		"null":         []byte(`null`),
		"string":       []byte(`"top"`),
		"bigDepth":     []byte(strings.Repeat("[", 200) + strings.Repeat("]", 200)),
		"unicodeNames": []byte(`{"ü":"ß","\u0041":"A"}`),
	}
	for _, dir := range []string{".."} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
				if b, err := os.ReadFile(p); err == nil {
					docs[p] = b
				}
			}
			return nil
		})
	}
	if len(docs) < 40 {
		t.Fatalf("only %d documents found", len(docs))
	}
	for name, raw := range docs {
		want, werr := stdStoredJSON(raw)
		got, gerr := decodeStoredJSON(raw)
		if (werr != nil) != (gerr != nil) {
			t.Errorf("%s: encoding/json error %v, jsontext error %v", name, werr, gerr)
			continue
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded differently:\n got  %#v\n want %#v", name, got, want)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":}`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":tru}`, `"\x"`, `{"a":"b`, `{1:2}`, `NaN`} {
		_, werr := stdStoredJSON([]byte(bad))
		_, gerr := decodeStoredJSON([]byte(bad))
		if werr == nil || gerr == nil {
			t.Errorf("%q: encoding/json error %v, jsontext error %v: both must refuse it", bad, werr, gerr)
		}
	}
}

// decodeJSONValue (each streamed event) gives exactly what
// jsonschema.UnmarshalJSON gave before it, and refuses what it refuses —
// trailing data included — on the same documents as above.
func TestDecodeJSONValueMatchesUnmarshalJSON(t *testing.T) {
	docs := map[string][]byte{
		"trailing":      []byte(`{"a":1} {"b":2}`),
		"trailingJunk":  []byte(`{"a":1}x`),
		"trailingSpace": []byte("{\"a\":1} \n\t"),
		"truncated":     []byte(`{"a":[1,2`),
		"duplicates":    []byte(`{"a":1,"b":{"c":2},"a":[3],"b":null}`),
		"numbers":       []byte(`{"n":[0,-0,1.50,1e3,1E+03,-2.5e-7,12345678901234567890123,0.1000]}`),
		"escapes":       []byte(`{"a":"x\"y\\z\/\b\f\n\r\tq\u00e9\u4e2d"}`),
		"empty":         []byte(``),
	}
	_ = filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".jsonld")) {
			if b, err := os.ReadFile(p); err == nil {
				docs[p] = b
			}
		}
		return nil
	})
	if len(docs) < 40 {
		t.Fatalf("only %d documents found", len(docs))
	}
	for name, raw := range docs {
		want, werr := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		got, gerr := decodeJSONValue(raw)
		if (werr != nil) != (gerr != nil) {
			t.Errorf("%s: jsonschema error %v, decodeJSONValue error %v", name, werr, gerr)
			continue
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded differently", name)
		}
	}
}
