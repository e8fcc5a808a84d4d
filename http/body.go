package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/critmin/critmin"
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
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !(mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
		return critmin.FieldErrorf("Content-Type", "must be application/json, not %q", ct)
	}
	return nil
}

// readJSONBody returns a JSON body of at most MaxJSONBody bytes, refusing
// other content types.
func readJSONBody(r *http.Request) ([]byte, error) {
	if err := requireJSON(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxJSONBody+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "body is over the %d-byte limit of this route", tooBig.Limit)
	}
	if err != nil {
		return nil, critmin.FieldErrorf("body", "could not be read: %v", err)
	}
	if len(body) > MaxJSONBody {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "body is over the %d-byte limit of this route", MaxJSONBody)
	}
	return body, nil
}

// decodeJSON reads a JSON body into v strictly: the content type must be
// JSON, unknown fields are errors, and so is anything after the one JSON
// value (a second value or trailing garbage).
func decodeJSON(r *http.Request, v any) error {
	body, err := readJSONBody(r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return critmin.FieldErrorf("body", "not valid JSON for this request: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return critmin.FieldErrorf("body", "trailing data after the JSON value")
	}
	return nil
}
