package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
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
	case http.StatusGone:
		code = critmin.EGONE
	case http.StatusConflict:
		code = critmin.ECONFLICT
	case http.StatusRequestEntityTooLarge:
		code = critmin.ETOOLARGE
	}
	return &critmin.Error{Code: code, Message: msg, Fields: p.Errors}
}

// inFile names the file a decoding error came from: "FILE: not a
// refinery problem: …". A field error of the whole document (pointer
// "/") reads without the pointer, which would look like a path; its
// reason already says what the document is not.
func inFile(name string, err error) error {
	var e *critmin.Error
	if errors.As(err, &e) {
		fields := critmin.ErrorList(e)
		if len(fields) == 1 && fields[0].Pointer == "/" {
			return critmin.Errorf(e.Code, "%s: %s", name, fields[0].Reason)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// flagFields words a domain error whose field is one of the command's
// flags as the flag: "--commodity: "unobtainium" has no mine production
// data; the commodities with data are …", not the service's field name.
func flagFields(fs *flag.FlagSet, err error) error {
	var e *critmin.Error
	if !errors.As(err, &e) {
		return err
	}
	fields := critmin.ErrorList(e)
	if len(fields) != 1 || fs.Lookup(strings.TrimPrefix(fields[0].Pointer, "/")) == nil {
		return err
	}
	// A flag's value at fault is a fault of the command line: a usage
	// error, exit 2, as a bad value the flag parser refuses (issue 15,
	// fix15s item 6: --commodity unobtainium exited 1).
	return usagef("--%s: %s", strings.TrimPrefix(fields[0].Pointer, "/"), fields[0].Reason)
}
