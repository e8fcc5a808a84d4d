package epcis

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestMarshalStoredMatchesJSONMarshal: marshalStored writes what
// json.Marshal writes — for every event of the official JSON examples as
// capture decodes it, for every JSON document of the repository decoded
// as capture decodes events, and for strings holding every byte value
// alone, every escape json.Marshal makes (", \, \b, \f, \n, \r, \t, other
// control characters, <, >, &, U+2028, U+2029, invalid UTF-8) and
// characters it keeps (DEL, non-ASCII, emoji); json.Numbers valid and
// invalid (json.Marshal's error), nil maps and lists, and a type
// marshalStored leaves to json.Marshal (float64).
func TestMarshalStoredMatchesJSONMarshal(t *testing.T) {
	var values []any
	var files []string
	_ = filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".jsonld")) {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 40 {
		t.Fatalf("only %d documents found", len(files))
	}
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	stored := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := decodeJSONValue(b); err == nil {
			values = append(values, v)
		}
		if strings.HasSuffix(f, ".jsonld") {
			if d, err := ParseDocument(b, false); err == nil {
				for i := range d.Events {
					if ev, e := d.Decode(i, now); e == nil {
						// The stored form is marshalStored's output: it
						// must read back to the same bytes.
						v, _ := decodeJSONValue(ev.Raw)
						values = append(values, v)
						stored++
					}
				}
			}
		}
	}
	if stored < 40 {
		t.Fatalf("only %d events decoded from the examples", stored)
	}
	var all strings.Builder
	for b := 0; b < 256; b++ {
		values = append(values, string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"z")
		all.WriteByte(byte(b))
	}
	values = append(values, all.String(),
		"\"\\\b\f\n\r\t\x00\x1f <b>&amp; \u2028\u2029 \x7f é 中 🚢 \xff\xfe \xe2\x80 end",
		string(utf8.RuneError), "\xed\xa0\x80", // an encoded lone surrogate: invalid UTF-8
		map[string]any{"b": 1, "a": []any{}, "\u2028k<": map[string]any{}, "": nil, "é": "x", "Z": true, "z": false},
		map[string]any{"n": []any{json.Number("0"), json.Number("-0"), json.Number("1.50"), json.Number("1e3"), json.Number("1E+03"), json.Number("-2.5e-7"), json.Number("12345678901234567890123")}},
		map[string]any(nil), []any(nil), map[string]any{"m": map[string]any(nil), "l": []any(nil)},
		map[string]any{"f": 1.5}, // float64: left to json.Marshal
	)
	for i, v := range values {
		want, werr := json.Marshal(v)
		got, gerr := marshalStored(v)
		if werr != nil || gerr != nil {
			t.Errorf("value %d: json.Marshal error %v, marshalStored error %v", i, werr, gerr)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("value %d:\n got  %q\n want %q", i, got, want)
		}
	}
	for _, n := range []string{"", "01", "1.", ".5", "1e", "+1", "-", "1e+", "0x1", "NaN", "1 "} {
		_, werr := json.Marshal(map[string]any{"n": json.Number(n)})
		_, gerr := marshalStored(map[string]any{"n": json.Number(n)})
		if (werr == nil) != (gerr == nil) {
			t.Errorf("json.Number(%q): json.Marshal error %v, marshalStored error %v", n, werr, gerr)
		}
	}
}

// FuzzMarshalStored: for any JSON text decoded as capture decodes events,
// marshalStored writes what json.Marshal writes.
func FuzzMarshalStored(f *testing.F) {
	for _, s := range []string{`{"a":"<b>&\u2028","b":[1,2.5e3,null,true],"c":{"é":"\ud83d\udea2"}}`, `"\u0000\u001f\u007f"`, `[{},[],""]`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeJSONValue(b)
		if err != nil {
			return
		}
		want, werr := json.Marshal(v)
		got, gerr := marshalStored(v)
		if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("%q: got %q (%v), want %q (%v)", b, got, gerr, want, werr)
		}
	})
}
