package critmin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// CheckJSONKeys refuses what encoding/json lets through when it decodes
// body into a value of v's type: a key that matches a field only in
// another case ("conversionfactor" for conversionFactor — encoding/json
// matches keys case-insensitively, and the last spelling wins, so
// `"conversionfactor": 0.5` beside `"conversionFactor": 0.9` stored
// 0.5), a key that names no field, and a key stated twice in one object
// (RFC 8259 §4: names within an object should be unique; which value a
// reader keeps is unspecified). Every such key is named by its JSON
// Pointer (RFC 6901). Request bodies whose values decide stored figures
// (a mass-balance declaration) are checked with it, from the API and
// the CLI alike.
func CheckJSONKeys(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var errs []FieldError
	if err := walkKeys(dec, reflect.TypeOf(v), "", &errs); err != nil {
		return FieldErrorf("body", "is not JSON: %v", err)
	}
	if len(errs) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: errs[0].Pointer + ": " + errs[0].Reason, Fields: errs}
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// jsonFields are the JSON names of a struct's fields, embedded structs'
// promoted as encoding/json promotes them.
func jsonFields(t reflect.Type, out map[string]reflect.Type) {
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
			if ft.Kind() == reflect.Struct {
				jsonFields(ft, out)
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

func walkKeys(dec *json.Decoder, t reflect.Type, ptr string, errs *[]FieldError) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	custom := t != nil && (t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType))
	switch d {
	case '{':
		var fields map[string]reflect.Type
		if t != nil && t.Kind() == reflect.Struct && !custom {
			fields = map[string]reflect.Type{}
			jsonFields(t, fields)
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			at := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
			if seen[key] {
				*errs = append(*errs, FieldError{Pointer: at, Reason: fmt.Sprintf("key %q is stated twice in one object: state it once", key)})
			}
			seen[key] = true
			var ft reflect.Type
			switch {
			case fields != nil:
				if f, ok := fields[key]; ok {
					ft = f
					break
				}
				reason := fmt.Sprintf("unknown key %q", key)
				for name := range fields {
					if strings.EqualFold(name, key) {
						reason = fmt.Sprintf("unknown key %q: keys are case-sensitive; the field is %q", key, name)
						break
					}
				}
				*errs = append(*errs, FieldError{Pointer: at, Reason: reason})
			case t != nil && t.Kind() == reflect.Map && !custom:
				ft = t.Elem()
			}
			if err := walkKeys(dec, ft, at, errs); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	case '[':
		var et reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && !custom {
			et = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkKeys(dec, et, ptr+"/"+strconv.Itoa(i), errs); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	}
	return nil
}
