package cli

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/critmin/critmin"
)

// serverProblem turns a server's error answer into the error the CLI
// reports: the status, what was asked (about), and the RFC 9457 problem's
// detail and field errors as the server gave them — a 409 says why (the
// evidence failing verification, the row at fault), not just "409". A
// body that is not a problem document is shown as text, cut at 300 bytes.
// The code follows the status, so the exit status and message agree with
// the server's.
func serverProblem(resp *http.Response, body []byte, about string) error {
	var p struct {
		Title  string               `json:"title"`
		Detail string               `json:"detail"`
		Errors []critmin.FieldError `json:"errors"`
	}
	msg := "server answered " + resp.Status
	if about != "" {
		msg += " for " + about
	}
	if err := json.Unmarshal(body, &p); err == nil && (p.Detail != "" || len(p.Errors) > 0) {
		if p.Detail != "" {
			msg += ": " + p.Detail
		}
	} else if text := strings.TrimSpace(string(body)); text != "" {
		if len(text) > 300 {
			text = text[:300] + "…"
		}
		msg += ": " + text
	}
	code := critmin.EINTERNAL
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		code = critmin.EINVALID
	case http.StatusUnauthorized:
		code = critmin.EUNAUTHORIZED
	case http.StatusForbidden:
		code = critmin.EFORBIDDEN
	case http.StatusNotFound:
		code = critmin.ENOTFOUND
	case http.StatusConflict:
		code = critmin.ECONFLICT
	case http.StatusRequestEntityTooLarge:
		code = critmin.ETOOLARGE
	}
	return &critmin.Error{Code: code, Message: msg, Fields: p.Errors}
}
