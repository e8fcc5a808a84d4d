// Package http serves critmin over HTTP: the EPCIS 2.0 REST binding under
// /epcis, the mineral-view REST API under /api/v1, authentication, health
// and metrics. The HTML pages are package web, which mounts them on the
// server (web.Mount) through the hooks of web.go. It is the only package
// that maps domain error codes to HTTP statuses.
package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/critmin/critmin/custody"
	"log/slog"
	"net/http"

	"github.com/critmin/critmin"
)

// codeStatus maps domain error codes to HTTP statuses.
var codeStatus = map[string]int{
	critmin.EINVALID:      http.StatusBadRequest,
	critmin.ENOTFOUND:     http.StatusNotFound,
	critmin.ECONFLICT:     http.StatusConflict,
	critmin.EUNAUTHORIZED: http.StatusUnauthorized,
	critmin.EFORBIDDEN:    http.StatusForbidden,
	critmin.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	// QueryTooLargeException: 413 in the REST binding
	// (components/responses/413QueryScopeOrSize).
	critmin.EQUERYTOOLARGE: http.StatusRequestEntityTooLarge,
	critmin.EINTERNAL:      http.StatusInternalServerError,
	critmin.EUNPROCESSABLE: http.StatusUnprocessableEntity,
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
}

// Error writes err as problem+json. Internal errors are logged with their
// cause and shown only as "internal error".
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
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
		err = critmin.Errorf(critmin.ETOOLARGE, "request body is over this route's limit of %d bytes", tooBig.Limit)
	case bs == http.StatusRequestEntityTooLarge:
		code, status = critmin.ETOOLARGE, bs
		err = critmin.Errorf(critmin.ETOOLARGE, "request body is over this route's limit of %d bytes", BodyLimit(r))
	case bs == http.StatusRequestTimeout:
		s.Logger.Info("request body not received in time", slog.String("method", r.Method), slog.String("path", r.URL.Path))
		s.problem(w, r, bs, fmt.Sprintf("the request body did not arrive within the server's read timeout of %s", ReadTimeout), nil)
		return
	}
	if code == critmin.EINTERNAL {
		s.Logger.Error("internal error", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	typ := ""
	if code == critmin.EQUERYTOOLARGE {
		typ = "epcisException:QueryTooLargeException"
	}
	s.problemTyped(w, r, status, typ, critmin.ErrorMessage(err), critmin.ErrorFields(err))
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
