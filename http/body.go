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

// readJSONBody returns a JSON body of at most MaxJSONBody bytes, refusing
// other content types.
func readJSONBody(r *http.Request) ([]byte, error) { return readJSONBodyLimit(r, MaxJSONBody) }

// readJSONBodyLimit returns a JSON body of at most limit bytes: EINVALID
// (field Content-Type) unless it is declared application/json or
// +json, ETOOLARGE (413) over the limit.
func readJSONBodyLimit(r *http.Request, limit int64) ([]byte, error) {
	if err := requireJSON(r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "body is over the %d-byte limit of this route", tooBig.Limit)
	}
	if err != nil {
		return nil, critmin.FieldErrorf("body", "could not be read: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "body is over the %d-byte limit of this route", limit)
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
