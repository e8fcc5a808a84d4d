package epcis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

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
	return decodeStoredValue(dec, tok)
}

// decodeJSONValue is decodeStoredJSON of exactly one JSON value: text
// after it, other than whitespace, is an error, as for
// jsonschema.UnmarshalJSON (encoding/json with UseNumber), whose values it
// gives at a fraction of the cost (5 % of capture CPU, docs/benchmarks.md).
// Streamed capture decodes each event with it
// (TestDecodeJSONValueMatchesUnmarshalJSON).
func decodeJSONValue(raw []byte) (any, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(raw), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	v, err := decodeStoredValue(dec, tok)
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

func decodeStoredValue(dec *jsontext.Decoder, tok jsontext.Token) (any, error) {
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
	case '{':
		obj := map[string]any{}
		for {
			t, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			if t.Kind() == '}' {
				return obj, nil
			}
			name := t.String()
			t, err = dec.ReadToken()
			if err != nil {
				return nil, err
			}
			v, err := decodeStoredValue(dec, t)
			if err != nil {
				return nil, err
			}
			obj[name] = v
		}
	case '[':
		arr := []any{}
		for {
			t, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			if t.Kind() == ']' {
				return arr, nil
			}
			v, err := decodeStoredValue(dec, t)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok.Kind())
}
