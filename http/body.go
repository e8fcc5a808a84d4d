package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/critmin/critmin/units"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/jsonstrict"
)

// MaxJSONBody is the largest JSON request body of the /api/v1 routes
// (plans, risk what-ifs, stockpile inputs, tokens): 1 MiB. EPCIS capture
// has its own, larger limit (GS1-EPCIS-Capture-File-Size-Limit).
const MaxJSONBody = 1 << 20

// requireJSON refuses a body that is not declared as JSON. A browser can
// send text/plain, form or multipart bodies across origins without a
// preflight (Fetch standard, "CORS-safelisted request-header"), so an API
// that accepted them would be open to cross-site request forgery;
// application/json needs a preflight, which critmin never grants.
func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	// Only application/json: the API's bodies are plain JSON, not JSON-LD
	// or another +json type (issue 14: "JSON endpoints require
	// application/json"); EPCIS capture and queries read JSON-LD
	// themselves.
	if err == nil && mt == "application/ld+json" && strings.HasPrefix(r.URL.Path, "/api/v1/certificates/") {
		// A certificate is a JSON-LD verifiable credential: it may be
		// sent for verification or status as its own type.
		mt = "application/json"
	}
	if err == nil && mt == "application/json" && !utf8Charset(params) {
		e := critmin.FieldErrorf("Content-Type", "charset %q: send UTF-8 (charset=utf-8 or none); nothing else is read", params["charset"])
		e.Code = critmin.EUNSUPPORTEDMEDIA
		return e
	}
	if err != nil || mt != "application/json" {
		// 415 Unsupported Media Type (RFC 9110 §15.5.16), as capture and
		// the EPCIS queries answer: the body may be fine, its type is not.
		e := critmin.FieldErrorf("Content-Type", "must be application/json, not %q", ct)
		e.Code = critmin.EUNSUPPORTEDMEDIA
		return e
	}
	return nil
}

// utf8Charset says a media type's parameters declare UTF-8 or no charset:
// a body declared in another (UTF-16, Latin-1) would be read as UTF-8 and
// its text misread, so it is refused with a 415 instead.
func utf8Charset(params map[string]string) bool {
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "utf8")
}

// routeBodyLimits are the routes whose JSON bodies may exceed
// MaxJSONBody, with their own limit in bytes (limitBody applies it): a
// month of a large refinery flowsheet, a trade term sheet, a certificate
// with its evidence.
var routeBodyLimits = map[string]int64{
	"POST /api/v1/refinery/reconcile":  maxProblemBytes,
	"POST /api/v1/refinery/report":     maxProblemBytes,
	"POST /api/v1/refinery/close":      maxProblemBytes,
	"POST /api/v1/trade/contracts":     tradeBodyLimit,
	"POST /api/v1/trade/prices":        tradeBodyLimit,
	"POST /api/v1/trade/assays":        tradeBodyLimit,
	"POST /api/v1/trade/declarations":  tradeBodyLimit,
	"POST /api/v1/trade/invoices":      tradeBodyLimit,
	"POST /api/v1/trade/payments":      tradeBodyLimit,
	"POST /api/v1/certificates/status": maxCertificateBytes,
	"POST /import":                     MaxImportBody,
}

// MaxImportBody is the body limit of the CSV import page (POST /import):
// a weighbridge or laboratory file of some tens of thousands of rows, sent
// as a file and carried back in the page's form.
const MaxImportBody = 8 << 20

// readJSONBodyLimit returns a JSON body of at most limit bytes:
// EUNSUPPORTEDMEDIA (415, field Content-Type) unless it is declared
// application/json, ETOOLARGE (413) over the limit.
func readJSONBodyLimit(r *http.Request, limit int64) ([]byte, error) {
	if err := requireJSON(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "body is over the %s-byte limit of this route", units.Int(tooBig.Limit))
	}
	if err != nil {
		return nil, critmin.FieldErrorf("body", "could not be read: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "body is over the %s-byte limit of this route", units.Int(limit))
	}
	return body, nil
}

// decodeJSON reads a JSON body of at most MaxJSONBody bytes into v
// strictly (see decodeJSONLimit).
func decodeJSON(r *http.Request, v any) error { return decodeJSONLimit(r, v, MaxJSONBody) }

// decodeJSONLimit reads a JSON body of at most limit bytes into v
// strictly: the content type must be JSON, unknown fields are errors,
// and so is anything after the one JSON value (a second value or
// trailing garbage).
func decodeJSONLimit(r *http.Request, v any, limit int64) error {
	body, err := readJSONBodyLimit(r, limit)
	if err != nil {
		return err
	}
	if bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		// encoding/json leaves v untouched for null, which would pass an
		// empty request off as the client's.
		return critmin.FieldErrorf("body", "must be a JSON object, not null")
	}
	// A repeated member name, or one that is a field's name in another
	// case, is refused before encoding/json (which keeps the last and
	// matches names case-insensitively) can read it.
	if err := jsonstrict.Check(body, v); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err, body)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return critmin.FieldErrorf("body", "trailing data after the JSON value")
	}
	// A request type that must tell an absent field from one stated as 0
	// (a mass-balance declaration's conversionFactor) reads the body too.
	if n, ok := v.(interface{ NoteStated([]byte) }); ok {
		n.NoteStated(body)
	}
	return explicitDefaults(body, v)
}

// explicitDefaults refuses a field sent with its zero value (0, "",
// false) where the request type's field carries a default tag: the
// handler would read that zero as "left out" and put the default in its
// place, so the client's explicit value would be replaced silently. The
// tag says what leaving the field out means (`default:"the year after
// base_year"`), and the refusal names the field, its value and that
// default. Nested objects and lists are walked, with JSON Pointers
// (RFC 6901) to the field at fault.
func explicitDefaults(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil // decoded once already; nothing more to say
	}
	var errs []critmin.FieldError
	walkDefaults(raw, reflect.TypeOf(v), "", &errs)
	if len(errs) == 0 {
		return nil
	}
	return &critmin.Error{Code: critmin.EINVALID, Message: errs[0].Pointer + ": " + errs[0].Reason, Fields: errs}
}

func walkDefaults(raw any, t reflect.Type, ptr string, errs *[]critmin.FieldError) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if list, ok := raw.([]any); ok {
			for i, x := range list {
				walkDefaults(x, t.Elem(), fmt.Sprintf("%s/%d", ptr, i), errs)
			}
		}
	case reflect.Map:
		if obj, ok := raw.(map[string]any); ok {
			for k, x := range obj {
				walkDefaults(x, t.Elem(), ptr+"/"+escapePointer(k), errs)
			}
		}
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				walkDefaults(raw, f.Type, ptr, errs)
				continue
			}
			if name == "" {
				name = f.Name
			}
			x, present := obj[name]
			if !present {
				// encoding/json matches names case-insensitively.
				for k, y := range obj {
					if strings.EqualFold(k, name) {
						x, present = y, true
						break
					}
				}
			}
			if !present {
				continue
			}
			p := ptr + "/" + escapePointer(name)
			if def, ok := f.Tag.Lookup("default"); ok && jsonZero(x) {
				*errs = append(*errs, critmin.FieldError{Pointer: p,
					Reason: fmt.Sprintf("%s is not accepted: leave %s out for %s", jsonText(x), name, def)})
				continue
			}
			walkDefaults(x, f.Type, p, errs)
		}
	}
}

// jsonZero is true for a JSON value a Go field would hold as its zero:
// 0, "", false, and Go's zero time written as a date-time
// ("0001-01-01T00:00:00Z", in any offset) or a date ("0001-01-01"): a
// time.Time field reads it as IsZero, as if left out, and a string field
// parsed as a time does the same (null leaves the field as it was, as if
// left out).
func jsonZero(x any) bool {
	switch v := x.(type) {
	case json.Number:
		f, err := v.Float64()
		return err == nil && f == 0
	case string:
		return v == "" || zeroTime(v)
	case bool:
		return !v
	}
	return false
}

// zeroTime is true for Go's zero time, 0001-01-01 00:00:00 UTC, as an RFC
// 3339 date-time or a date.
func zeroTime(s string) bool {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.IsZero()
	}
	t, err := time.Parse(time.DateOnly, s)
	return err == nil && t.IsZero()
}

func jsonText(x any) string {
	b, _ := json.Marshal(x)
	return string(b)
}

func escapePointer(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

// checkJSONObject refuses a body that is not one JSON object, with the
// field errors of decodeJSONLimit (for handlers that read the body as
// bytes and hand it on whole, such as a certificate to verify).
func checkJSONObject(body []byte) error {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil {
		return decodeError(err, body)
	}
	if m == nil {
		return critmin.FieldErrorf("body", "must be a JSON object, not null")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return critmin.FieldErrorf("body", "trailing data after the JSON value")
	}
	return nil
}

// decodeError turns encoding/json's errors into a field error naming the
// request field (jsonstrict.DecodeError).
func decodeError(err error, body []byte) error { return jsonstrict.DecodeError(err, body) }
