// Package http serves critmin over HTTP: the EPCIS 2.0 REST binding under
// /epcis, the mineral-view REST API under /api/v1, authentication, health
// and metrics. The HTML pages are package web, which mounts them on the
// server (web.Mount) through the hooks of web.go. It is the only package
// that maps domain error codes to HTTP statuses.
package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// codeStatus maps domain error codes to HTTP statuses.
var codeStatus = map[string]int{
	critmin.EINVALID:  http.StatusBadRequest,
	critmin.ENOTFOUND: http.StatusNotFound,
	// A lot that existed and whose every event was declared in error
	// (WithdrawnLot; RFC 9110 §15.5.11).
	critmin.EGONE:         http.StatusGone,
	critmin.ECONFLICT:     http.StatusConflict,
	critmin.EUNAUTHORIZED: http.StatusUnauthorized,
	critmin.EFORBIDDEN:    http.StatusForbidden,
	critmin.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	// QueryTooLargeException: 413 in the REST binding
	// (components/responses/413QueryScopeOrSize).
	critmin.EQUERYTOOLARGE: http.StatusRequestEntityTooLarge,
	critmin.EINTERNAL:      http.StatusInternalServerError,
	critmin.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	critmin.EBUSY:          http.StatusTooManyRequests,
	// A JSON route sent another media type (RFC 9110 §15.5.16).
	critmin.EUNSUPPORTEDMEDIA: http.StatusUnsupportedMediaType,
	// The database does not answer (RFC 9110 §15.6.4), sent with
	// Retry-After (UnavailableRetryAfter).
	critmin.EUNAVAILABLE: http.StatusServiceUnavailable,
}

// epcisExceptions names the EPCIS 2.0 exception types (REST binding,
// components/responses) for statuses on /epcis routes.
var epcisExceptions = map[int]string{
	http.StatusBadRequest:            "epcisException:ValidationException",
	http.StatusNotFound:              "epcisException:NoSuchResourceException",
	http.StatusUnauthorized:          "epcisException:SecurityException",
	http.StatusForbidden:             "epcisException:SecurityException",
	http.StatusRequestEntityTooLarge: "epcisException:CaptureLimitExceededException",
	http.StatusConflict:              "epcisException:ValidationException",
	http.StatusInternalServerError:   "epcisException:ImplementationException",
	http.StatusUnsupportedMediaType:  "epcisException:ValidationException",
	http.StatusNotAcceptable:         "epcisException:NotAcceptableException",
	http.StatusServiceUnavailable:    "epcisException:ImplementationException",
}

// Problem is an RFC 9457 problem detail. Errors lists every field at
// fault, each with a JSON pointer (or parameter name) and a reason.
type Problem struct {
	Type     string               `json:"type"`
	Title    string               `json:"title"`
	Status   int                  `json:"status"`
	Detail   string               `json:"detail,omitempty"`
	Instance string               `json:"instance,omitempty"`
	Errors   []critmin.FieldError `json:"errors,omitempty"`
	// ErrorsNotListed counts the faults past MaxProblemErrors that Errors
	// leaves out.
	ErrorsNotListed int `json:"errorsNotListed,omitempty"`
}

// MaxProblemErrors is the most field errors one problem document lists,
// the same cap as a capture's (ledger.MaxReportedErrors): a body of
// 200,001 bad scenario names made a 51.6 MB document of 400,001 errors.
// The rest are counted (ErrorsNotListed) and the detail says how many.
const MaxProblemErrors = ledger.MaxReportedErrors

// Error writes err as problem+json. Internal errors are logged with their
// cause and shown only as "internal error".
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	err = routePointers(r, s.Unavailable(w, r, err))
	code := critmin.ErrorCode(err)
	status := codeStatus[code]
	var tooBig *http.MaxBytesError
	switch bs := BodyStatus(r); {
	case bs == StatusClientClosedRequest || clientGone(r, err):
		s.Logger.Info("client closed the request", slog.String("method", r.Method), slog.String("path", r.URL.Path))
		w.WriteHeader(StatusClientClosedRequest)
		return
	case errors.As(err, &tooBig):
		code, status = critmin.ETOOLARGE, http.StatusRequestEntityTooLarge
		err = critmin.Errorf(critmin.ETOOLARGE, "request body is over this route's limit of %s bytes", units.Int(tooBig.Limit))
	case bs == http.StatusRequestEntityTooLarge:
		code, status = critmin.ETOOLARGE, bs
		err = critmin.Errorf(critmin.ETOOLARGE, "request body is over this route's limit of %s bytes", units.Int(BodyLimit(r)))
	case bs == http.StatusRequestTimeout:
		s.Logger.Info("request body not received in time", slog.String("method", r.Method), slog.String("path", r.URL.Path))
		s.problem(w, r, bs, fmt.Sprintf("the request body did not arrive within the server's read timeout of %d seconds", int(ReadTimeout/time.Second)), nil)
		return
	}
	if code == critmin.EINTERNAL {
		s.Logger.Error("internal error", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	typ := ""
	if code == critmin.EQUERYTOOLARGE {
		typ = "epcisException:QueryTooLargeException"
	}
	detail, fields := critmin.ErrorMessage(err), critmin.ErrorFields(err)
	if text, ok := commercial.TermSheetErrorText(err); ok {
		// A term sheet's faults read alike everywhere (docs/trade.md):
		// `term sheet "ID": /pointer: reason`, and errors[] lists each.
		detail = text
	} else if status == http.StatusBadRequest && hasJSONBody(r) {
		detail, fields = bodyFieldWords(detail, fields)
	}
	s.problemTyped(w, r, status, typ, detail, fields)
}

// UnavailableRetryAfter is the Retry-After sent with a 503 when the
// database does not answer: a replica or primary restarting is usually
// back within seconds.
const UnavailableRetryAfter = 5 * time.Second

// storePingTimeout bounds the check Unavailable makes.
const storePingTimeout = 2 * time.Second

// Unavailable turns an internal error into EUNAVAILABLE, with a
// Retry-After header on w, when the database does not answer — the
// primary or, with --db-read, the replica (critmin.Store.Ping checks
// both). A read store stopped while the server runs is an outage the
// client may retry, not a fault of the server: every route answers 503
// problem+json (pages a 503 page), as /readyz does, never 500
// (docs/security.md, "Several servers"). Any other error is returned
// unchanged. It pings only after an internal error, so a healthy
// server pays nothing.
func (s *Server) Unavailable(w http.ResponseWriter, r *http.Request, err error) error {
	if critmin.ErrorCode(err) != critmin.EINTERNAL || clientGone(r, err) {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), storePingTimeout)
	defer cancel()
	perr := s.Store.Ping(ctx)
	if perr == nil {
		return err
	}
	s.Logger.Warn("database unavailable", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err), slog.Any("ping", perr))
	w.Header().Set("Retry-After", strconv.Itoa(int(UnavailableRetryAfter.Seconds())))
	return critmin.Errorf(critmin.EUNAVAILABLE, "the database does not answer (the primary, or the read replica given by --db-read); try again in %d s", int(UnavailableRetryAfter.Seconds()))
}

// hasJSONBody reports whether r is a request of the JSON API that carries
// a body (POST, PUT, PATCH under /api/).
func hasJSONBody(r *http.Request) bool {
	return (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) && strings.HasPrefix(r.URL.Path, "/api/")
}

// bodyFieldWords makes a JSON body's field errors readable by a person as
// well as a program (issue 14: "/foo: …" named the field only as a bare
// pointer). Each field keeps its JSON Pointer (RFC 6901) for programs,
// except the whole document ("" or "/"), which is named "body"; a field
// without a reason gets one. The detail then leads with the first field
// in words and its pointer — `field "categories[0].conversionFactor"
// (/categories/0/conversionFactor): must be a number…`, `the request body:
// must be a JSON object…` — and says how many more faults errors lists;
// a detail that did not name the field at all ("invalid token request")
// gains it.
func bodyFieldWords(detail string, fields []critmin.FieldError) (string, []critmin.FieldError) {
	if len(fields) == 0 {
		return detail, fields
	}
	out := make([]critmin.FieldError, len(fields))
	copy(out, fields)
	for i := range out {
		if out[i].Pointer == "" || out[i].Pointer == "/" {
			out[i].Pointer = "body"
		}
		if strings.TrimSpace(out[i].Reason) == "" {
			out[i].Reason = "not a valid value"
		}
	}
	orig, first := fields[0].Pointer, out[0]
	if !strings.HasPrefix(first.Pointer, "/") && first.Pointer != "body" {
		return detail, out // a query parameter or header, already a name
	}
	words := fieldInWords(first.Pointer)
	rest := ""
	if n := len(out) - 1; n == 1 {
		rest = " (and 1 more fault, listed in errors)"
	} else if n > 1 && len(out) <= MaxProblemErrors {
		rest = " (and " + units.Int(n) + " more faults, listed in errors)"
	} else if n > 1 {
		rest = " (and " + units.Int(n) + " more faults)" // problemTyped says how many errors lists
	}
	switch {
	case orig != "" && strings.HasPrefix(detail, orig+": "):
		return words + ": " + strings.TrimPrefix(detail, orig+": ") + rest, out
	case orig != "" && strings.Contains(detail, orig+": "):
		return strings.Replace(detail, orig+": ", words+": ", 1) + rest, out
	case orig == "" && detail == fields[0].Reason:
		return words + ": " + detail + rest, out
	case strings.HasPrefix(orig, "/") && strings.Contains(detail, orig[1:]+": "+fields[0].Reason):
		// The domain named the field bare ("stockpile: years: …") before
		// its pointer was made a JSON Pointer: name it in words there,
		// rather than say the fault twice.
		return strings.Replace(detail, orig[1:]+": "+fields[0].Reason, words+": "+fields[0].Reason, 1) + rest, out
	}
	return detail + ": " + words + ": " + first.Reason + rest, out
}

// fieldInWords names a body field for a person: "body" is the request
// body; "/a/b/0/c" is field "a.b[0].c" followed by its pointer.
func fieldInWords(ptr string) string {
	if ptr == "body" {
		return "the request body"
	}
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return fmt.Sprintf("field %q (%s)", b.String(), ptr)
}

// epcisError is Error with the EPCIS exception type given (for statuses
// the binding gives more than one type).
func (s *Server) epcisError(w http.ResponseWriter, r *http.Request, err error, typ string) {
	code := critmin.ErrorCode(err)
	if code == critmin.EINTERNAL || clientGone(r, err) || BodyStatus(r) != 0 {
		s.Error(w, r, err)
		return
	}
	s.problemTyped(w, r, codeStatus[code], typ, critmin.ErrorMessage(err), critmin.ErrorFields(err))
}

func (s *Server) problem(w http.ResponseWriter, r *http.Request, status int, detail string, fields []critmin.FieldError) {
	s.problemTyped(w, r, status, "", detail, fields)
}

// problemTyped writes a problem; typ, when set, is the EPCIS exception type
// on /epcis routes.
func (s *Server) problemTyped(w http.ResponseWriter, r *http.Request, status int, typ, detail string, fields []critmin.FieldError) {
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Instance: r.URL.Path, Errors: fields}
	if n := len(fields) - MaxProblemErrors; n > 0 {
		p.Errors, p.ErrorsNotListed = fields[:MaxProblemErrors], n
		p.Detail += fmt.Sprintf(" (%s faults in all; errors lists the first %s, %s more are not listed)", units.Int(len(fields)), units.Int(MaxProblemErrors), units.Int(n))
	}
	if isEPCIS(r) {
		if t, ok := epcisExceptions[status]; ok {
			p.Type = t
		}
		if status == http.StatusRequestEntityTooLarge && typ == "" && r.URL.Path != "/epcis/capture" && r.URL.Path != "/epcis/events" {
			// CaptureLimitExceededException is capture's (EPCIS 2.0 REST
			// binding, POST /capture and /events 413); another body over its
			// limit (a named query's, 64 KiB) is the plain HTTP 413.
			p.Type = "about:blank"
		}
		if typ != "" {
			p.Type = typ
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func isEPCIS(r *http.Request) bool {
	return len(r.URL.Path) >= 6 && r.URL.Path[:6] == "/epcis"
}

// writeFigures writes v as JSON like writeJSON, with every figure at the
// prove job's precision (custody.FigureDecimals, custody.RoundFigures):
// origin, statements, lots, rules.
func writeFigures(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		encodeFailed(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(custody.RoundFigures(b), '\n'))
}

// writeJSON writes v as indented JSON. It encodes to a buffer first: a
// value that cannot be encoded (a non-finite float, say) answers 500
// problem+json, never the status with an empty or cut body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONType(w, status, "application/json", "  ", v)
}

// writeJSONType is writeJSON with a content type and indent.
func writeJSONType(w http.ResponseWriter, status int, contentType, indent string, v any) {
	b, err := json.MarshalIndent(v, "", indent)
	if err != nil {
		encodeFailed(w, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// encodeFailed answers 500 problem+json for a response that could not be
// encoded; nothing of it has been written yet.
func encodeFailed(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusInternalServerError)
	_ = json.NewEncoder(w).Encode(Problem{Type: "about:blank", Title: http.StatusText(http.StatusInternalServerError),
		Status: http.StatusInternalServerError, Detail: "the response could not be encoded as JSON: " + err.Error()})
}
