// Package critmin holds the domain of the critmin platform: the types every
// job shares (events, lots, sites, capture jobs, tokens), the service and
// store contracts, and the one error type. It imports no adapter; the
// sqlite, postgres, http and cmd packages depend on it, never the reverse.
package critmin

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error codes. Only the HTTP layer turns them into statuses.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"
	// EQUERYTOOLARGE is a query whose result is larger than the client's
	// maxEventCount or the server allows (EPCIS 2.0 §8.2.7.1,
	// QueryTooLargeException).
	EQUERYTOOLARGE = "query_too_large"
	// EUNPROCESSABLE is a well-formed request whose subject cannot be
	// processed as asked (no term sheet can value a feed); Fields say why.
	EUNPROCESSABLE = "unprocessable"
	// EBUSY is a request refused because too much of its kind is already
	// running (plan jobs); it may succeed later.
	EBUSY = "busy"
	// EUNSUPPORTEDMEDIA is a request body in a media type the operation
	// does not take (a JSON route sent text/plain).
	EUNSUPPORTEDMEDIA = "unsupported_media_type"
	// EUNAVAILABLE is a request that failed because the database (the
	// primary or the --db-read replica) does not answer; it may succeed
	// when the database is back.
	EUNAVAILABLE = "unavailable"
	// EGONE is a subject that existed and was withdrawn: a lot all of
	// whose events were declared in error (EPCIS 2.0 §7.4.1.2).
	EGONE = "gone"
)

// FieldError names one input at fault: Pointer is a JSON pointer into a
// request body ("/epcisBody/eventList/3/eventTime") or the name of a query
// parameter or flag; Reason says what is wrong with it.
type FieldError struct {
	Pointer string `json:"pointer"`
	Reason  string `json:"reason"`
	// Conflict says the input is well formed but conflicts with what the
	// ledger holds: a movement taking more of a lot than remains where it
	// stands at its time. A refusal whose every field is a conflict is
	// ECONFLICT (409), not EINVALID (AllConflicts).
	Conflict bool `json:"-"`
}

// AllConflicts says whether fe is not empty and every field of it is a
// conflict with the ledger's state (FieldError.Conflict).
func AllConflicts(fe []FieldError) bool {
	for _, f := range fe {
		if !f.Conflict {
			return false
		}
	}
	return len(fe) > 0
}

// RefusalCode is the code of a request refused for fe: ECONFLICT (409)
// when every field conflicts with what the ledger holds (AllConflicts:
// more than a lot holds or has left, a lot consumed, a lot elsewhere),
// else EINVALID (400). The API's captures, the operator forms and the
// import all word a refusal's status through it.
func RefusalCode(fe []FieldError) string {
	if AllConflicts(fe) {
		return ECONFLICT
	}
	return EINVALID
}

// Error is the one domain error. Code is machine-readable, Message is safe
// to show a user, Fields lists every input at fault so that a client can fix
// all of them in one round trip.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Omitted is how many more field errors were found than Fields
	// lists (a capture keeps the first ledger.MaxReportedErrors): a
	// reader counting what is left unprinted adds it (issue 15, fix15zi:
	// the CLI said "and 900 more" of 10,000 errors, having printed 100
	// of the 1,000 kept).
	Omitted int
}

// Error implements the error interface.
//
// Each field error is written once (ErrorList: the same pointer and
// reason listed twice, as a refusal both a rule and the capture check
// raise, once), and not at all when the message already ends by quoting
// it (ErrorHeadline's first-clause rule: ". First: /p: reason"), so a
// capture refused for several events reads "First: X; Y", never
// "First: X; X; Y" (issue 15, fix15f item 3).
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "critmin error: code=%s message=%s", e.Code, e.Message)
	for _, f := range ErrorList(e) {
		if quotesField(e.Message, f) {
			continue
		}
		fmt.Fprintf(&b, "; %s: %s", f.Pointer, f.Reason)
	}
	return b.String()
}

// quotesField says whether msg is field error f, or ends with a clause
// quoting it (firstClauseSeps), as ErrorHeadline reads it.
func quotesField(msg string, f FieldError) bool {
	pair := f.Pointer + ": " + f.Reason
	if f.Pointer == "" {
		pair = f.Reason
	}
	if msg == pair {
		return true
	}
	for _, sep := range firstClauseSeps {
		if strings.HasSuffix(msg, sep+pair) {
			return true
		}
	}
	return false
}

// Errorf returns a domain error with a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error naming one field.
func FieldErrorf(pointer string, format string, args ...any) *Error {
	reason := fmt.Sprintf(format, args...)
	msg := pointer + ": " + reason
	if pointer == "" {
		// The whole document (RFC 6901's empty pointer): no ": " prefix.
		msg = reason
	}
	return &Error{Code: EINVALID, Message: msg, Fields: []FieldError{{Pointer: pointer, Reason: reason}}}
}

// ErrorCode returns the code of a domain error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of a domain error, and
// "internal error" for anything else so that no SQL or stack leaks out.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the field details of a domain error, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// firstClauseSeps introduce the clause a message ends with when it
// quotes its first field error: ". First: /p: reason", "; first: /p:
// reason" or ": /p: reason" (ErrorHeadline matches the pointer and reason
// literally, never by pattern).
var firstClauseSeps = []string{". First: ", "; first: ", ". first: ", " First: ", ": "}

// ErrorList returns the field errors of a domain error for a person to
// read: each (pointer, reason) once, in the order given.
func ErrorList(err error) []FieldError {
	var out []FieldError
	seen := map[FieldError]bool{}
	for _, f := range ErrorFields(err) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// ErrorHeadline returns the message of a domain error to show above its
// ErrorList, so that no field error is read twice: a message that ends
// by quoting a listed error ("… nothing was stored (rollback). First:
// /p: reason") loses that clause, and a message that is nothing but a
// listed error ("/p: reason", FieldErrorf) gives "" (the caller heads
// the list with its own words). Any other message is returned whole;
// "internal error" for an error that is not a domain error.
func ErrorHeadline(err error) string {
	msg := ErrorMessage(err)
	fields := ErrorList(err)
	for _, f := range fields {
		pair := f.Pointer + ": " + f.Reason
		if f.Pointer == "" {
			pair = f.Reason
		}
		if msg == pair || msg == f.Reason {
			return ""
		}
		for _, sep := range firstClauseSeps {
			if head, ok := strings.CutSuffix(msg, sep+pair); ok && head != "" {
				return strings.TrimRight(head, " .;:") + "."
			}
			// The reason alone after a prefix ("server answered 409
			// Conflict: <reason>", a problem's detail quoted by a
			// client): the list gives it with its pointer.
			if f.Pointer != "" {
				if head, ok := strings.CutSuffix(msg, sep+f.Reason); ok && head != "" {
					return strings.TrimRight(head, " .;:") + "."
				}
			}
		}
	}
	return msg
}

// ErrorText is a domain error as one piece of text for a person (a
// terminal, a page's sentence): ErrorHeadline, then every error of
// ErrorList in brackets, each once.
func ErrorText(err error) string {
	head, fields := ErrorHeadline(err), ErrorList(err)
	var parts []string
	for _, f := range fields {
		if f.Pointer == "" {
			parts = append(parts, f.Reason)
		} else {
			parts = append(parts, f.Pointer+": "+f.Reason)
		}
	}
	switch {
	case len(parts) == 0:
		return head
	case head == "":
		return strings.Join(parts, "; ")
	}
	return strings.TrimSuffix(head, ".") + " (" + strings.Join(parts, "; ") + ")"
}

// ExcerptRunes is how many characters of a value an error echoes.
const ExcerptRunes = 80

// Excerpt is a value as an error echoes it: whole up to ExcerptRunes
// characters, else its first ExcerptRunes followed by "…" and the full
// length (nu39c item 8: a 5,000-character analyte name was echoed whole).
func Excerpt(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= ExcerptRunes {
		return s
	}
	r := []rune(s)
	return fmt.Sprintf("%s… (%d characters)", string(r[:ExcerptRunes]), n)
}
