package epcis

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unsafe"

	"github.com/critmin/critmin/jsonstrict"
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

// sjfxAddRepoDocs adds to docs, by path, every file of the repository
// (walked from "..") whose name ends in one of exts, and fails the test
// when docs then holds fewer than 40 documents.
func sjfxAddRepoDocs(t *testing.T, docs map[string][]byte, exts ...string) {
	t.Helper()
	_ = filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		for _, ext := range exts {
			if strings.HasSuffix(p, ext) {
				if b, err := os.ReadFile(p); err == nil {
					docs[p] = b
				}
				break
			}
		}
		return nil
	})
	if len(docs) < 40 {
		t.Fatalf("only %d documents found", len(docs))
	}
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
	sjfxAddRepoDocs(t, docs, ".json")
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
	sjfxAddRepoDocs(t, docs, ".json", ".jsonld")
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

// TestDecodeStoredJSONSharesNames: the object names and vocabulary values
// that every stored event repeats ("eventID", "quantityList", "ADD",
// "KGM", …) are not copied anew for each record (verify decodes every
// record of the log; docs/benchmarks.md): two decodes give the same
// string, not two equal copies. A name or value outside the table, or one
// that holds an escape, is decoded as before (and
// TestDecodeStoredJSONMatchesEncodingJSON holds the values equal).
func TestDecodeStoredJSONSharesNames(t *testing.T) {
	raw := []byte(`{"eventID":"e1","action":"ADD","quantityList":[{"epcClass":"urn:x:1","quantity":2,"uom":"KGM"}],"zz-own":"ADD","esc\u0041ped":"AD\u0044"}`)
	decode := func() map[string]any {
		v, err := decodeStoredJSON(append([]byte(nil), raw...))
		if err != nil {
			t.Fatal(err)
		}
		return v.(map[string]any)
	}
	a, b := decode(), decode()
	keyOf := func(m map[string]any, k string) string {
		for key := range m {
			if key == k {
				return key
			}
		}
		t.Fatalf("no key %q in %v", k, m)
		return ""
	}
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	for _, k := range []string{"eventID", "action", "quantityList"} {
		if !same(keyOf(a, k), keyOf(b, k)) {
			t.Errorf("name %q copied for each record", k)
		}
	}
	if !same(a["action"].(string), b["action"].(string)) {
		t.Errorf(`value "ADD" copied for each record`)
	}
	// Nor is it put in a new interface value (the data word of both is
	// the one made with the table).
	ia, ib := a["action"], b["action"]
	if (*[2]unsafe.Pointer)(unsafe.Pointer(&ia))[1] != (*[2]unsafe.Pointer)(unsafe.Pointer(&ib))[1] {
		t.Errorf(`value "ADD" boxed anew for each record`)
	}
	qa, qb := a["quantityList"].([]any)[0].(map[string]any), b["quantityList"].([]any)[0].(map[string]any)
	if !same(qa["uom"].(string), qb["uom"].(string)) || !same(keyOf(qa, "epcClass"), keyOf(qb, "epcClass")) {
		t.Errorf("names or values in a nested object copied for each record")
	}
	// Outside the table, or escaped: decoded, equal, each its own copy.
	if a["zz-own"] != "ADD" || a["escAped"] != "ADD" || a["eventID"] != "e1" {
		t.Errorf("decoded %v", a)
	}
	if same(a["eventID"].(string), b["eventID"].(string)) {
		t.Errorf("an event's own value %q shared between records", "e1")
	}
}

// TopLevelStrings gives, for every name asked, exactly the string that
// json.Unmarshal into map[string]any gives at the top level (absent when
// the value is not a string or the document does not decode), on the
// repository's JSON documents and on the cases where decoders differ:
// escapes in names and values, invalid UTF-8, a repeated name whose last
// value is or is not a string, non-objects and trailing data.
func TestTopLevelStringsMatchesUnmarshal(t *testing.T) {
	docs := map[string][]byte{
		"reason":        []byte(`{"type":"ObjectEvent","cm:massChangeReason":"re-weighed at the port","quantityList":[{"epcClass":"x"}]}`),
		"escapedName":   []byte(`{"cm:massChange\u0052eason":"caf\u00e9 \"dry\""}`),
		"invalidUTF8":   []byte("{\"cm:voyage\":\"a\xffb\"}"),
		"lastString":    []byte(`{"cm:voyage":1,"cm:voyage":"V2"}`),
		"lastNumber":    []byte(`{"cm:voyage":"V1","cm:voyage":2}`),
		"nested":        []byte(`{"ilmd":{"cm:voyage":"inner"},"cm:voyage":{"x":"y"}}`),
		"null":          []byte(`{"cm:voyage":null}`),
		"empty":         []byte(`{}`),
		"array":         []byte(`["cm:voyage","V1"]`),
		"trailing":      []byte(`{"cm:voyage":"V1"} {"b":2}`),
		"trailingSpace": []byte("{\"cm:voyage\":\"V1\"}\n "),
		"truncated":     []byte(`{"cm:voyage":"V1","a":[1,`),
		"notJSON":       []byte(`cm:voyage`),
		"escapedOnly":   []byte(`{"a":"b\\c","cm:voy\u0061ge":"V3"}`),
		"noBackslash":   []byte(`{"cm:voyagex":"V1","xcm:voyage":"V2"}`),
	}
	sjfxAddRepoDocs(t, docs, ".json")
	for name, raw := range docs {
		var top map[string]any
		uerr := json.Unmarshal(raw, &top)
		names := []string{"cm:massChangeReason", "https://ns.critmin.org/mineral/v1/massChangeReason", "cm:voyage", "type", "eventID", "@context", "absent"}
		for k := range top {
			names = append(names, k)
		}
		got := TopLevelStrings(raw, names...)
		for _, n := range names {
			want, wok := "", false
			if uerr == nil {
				want, wok = top[n].(string)
			}
			g, gok := got[n]
			if g != want || gok != wok {
				t.Errorf("%s: member %q: got %q (%v), json.Unmarshal gives %q (%v)", name, n, g, gok, want, wok)
			}
		}
	}
}

// TopLevelNames gives exactly the keys of json.Unmarshal into a map,
// sorted (nil where Unmarshal fails), on the repository's JSON documents
// and the cases where decoders differ.
func TestTopLevelNamesMatchesUnmarshal(t *testing.T) {
	docs := map[string][]byte{
		"repeated":    []byte(`{"b":1,"a":{"x":2},"b":[3]}`),
		"escaped":     []byte(`{"cm:origin\u0043laim":"x","\u00fc":1}`),
		"invalidUTF8": []byte("{\"k\xfe\":1}"),
		"empty":       []byte(`{}`),
		"array":       []byte(`["a"]`),
		"trailing":    []byte(`{"a":1} {"b":2}`),
		"truncated":   []byte(`{"a":1,"b":[`),
	}
	sjfxAddRepoDocs(t, docs, ".json")
	for name, raw := range docs {
		var top map[string]json.RawMessage
		var want []string
		if json.Unmarshal(raw, &top) == nil {
			want = []string{}
			for k := range top {
				want = append(want, k)
			}
			sort.Strings(want)
		}
		if got := TopLevelNames(raw); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, json.Unmarshal gives %q", name, got, want)
		}
	}
}

// TestDecodeJSONValueStrictFailsWhereCheckNamesRefuses: the streamed
// capture skips jsonstrict.CheckNames when decodeJSONValueStrict succeeds
// (perf11z), which is sound only if the strict decoding fails on every
// text CheckNames refuses — a name given twice in one object (compared
// unescaped: "a" and "\u0061" are one name) or arrays and objects nested
// deeper than jsonstrict.MaxDepth (64, the top-level value at depth 1) —
// and, where it succeeds, gives decodeJSONValue's value. Hand-made texts
// at each edge, and every JSON file of the repository.
func TestDecodeJSONValueStrictFailsWhereCheckNamesRefuses(t *testing.T) {
	nest := func(n int, open, close string) []byte {
		return []byte(strings.Repeat(open, n) + "1" + strings.Repeat(close, n))
	}
	docs := map[string][]byte{
		"duplicate":         []byte(`{"a":1,"b":2,"a":3}`),
		"duplicateEscaped":  []byte(`{"a":1,"\u0061":2}`),
		"duplicateNested":   []byte(`{"x":[{"k":1},{"k":2,"k":3}]}`),
		"duplicateNonASCII": []byte(`{"é":1,"\u00e9":2}`),
		"sameNameApart":     []byte(`{"a":{"a":1},"b":{"a":2}}`),
		"arrays64":          nest(64, "[", "]"),
		"arrays65":          nest(65, "[", "]"),
		"objects64":         []byte(strings.Repeat(`{"a":`, 64) + "1" + strings.Repeat("}", 64)),
		"objects65":         []byte(strings.Repeat(`{"a":`, 65) + "1" + strings.Repeat("}", 65)),
		"mixed65":           []byte(strings.Repeat(`[{"a":`, 32) + "[1]" + strings.Repeat("}]", 32)),
		"mixed64":           []byte(strings.Repeat(`[{"a":`, 32) + "1" + strings.Repeat("}]", 32)),
		"trailing":          []byte(`{"a":1} {"b":2}`),
		"truncated":         []byte(`{"a":[1,2`),
	}
	sjfxAddRepoDocs(t, docs, ".json", ".jsonld")
	refused := 0
	for name, raw := range docs {
		checkErr := jsonstrict.CheckNames(raw)
		got, serr := decodeJSONValueStrict(raw)
		want, derr := decodeJSONValue(raw)
		switch {
		case checkErr != nil:
			refused++
			if serr == nil {
				t.Errorf("%s: CheckNames refuses it (%v), decodeJSONValueStrict does not", name, checkErr)
			}
		case serr == nil:
			if derr != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: decodeJSONValueStrict gives another value than decodeJSONValue (error %v)", name, derr)
			}
		case derr == nil:
			// Legal but slower: the capture falls back to CheckNames and
			// decodeJSONValue. Every clean text should take the one pass.
			t.Errorf("%s: decodeJSONValueStrict fails (%v) on a text CheckNames passes and decodeJSONValue decodes", name, serr)
		}
	}
	// duplicate, duplicateEscaped, duplicateNested, duplicateNonASCII,
	// arrays65, objects65, mixed65: seven refused by hand at least.
	if refused < 7 {
		t.Errorf("CheckNames refused %d texts; the hand-made ones alone are 7", refused)
	}
}
