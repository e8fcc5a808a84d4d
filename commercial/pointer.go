package commercial

import (
	"errors"
	"strings"

	"github.com/critmin/critmin"
)

// pointer makes a field path of the Trade job an RFC 6901 JSON Pointer,
// the form the HTTP API and the CLI name fields in alike (fix13x):
// "lot/assays/Cu" is "/lot/assays/Cu". The whole document (""), a path
// already rooted and a CSV location ("line 2/value", "series X/date":
// no JSON document, a space in it) stay as they are.
func pointer(p string) string {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, " \t") {
		return p
	}
	return "/" + p
}

// fieldErrorf is critmin.FieldErrorf naming the field by its JSON Pointer
// (pointer).
func fieldErrorf(p, format string, args ...any) *critmin.Error {
	return critmin.FieldErrorf(pointer(p), format, args...)
}

// toPointer is pointer, for a function whose parameter shadows it.
var toPointer = pointer

// escapeToken escapes one reference token of a JSON Pointer (RFC 6901
// §3: "~" as "~0", "/" as "~1"), for an id used as one.
func escapeToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// rooted is err with the fields a store names bare ("lot") named by
// their JSON Pointers ("/lot"), its message's leading one too; any other
// error as it is.
func rooted(err error) error {
	var e *critmin.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := &critmin.Error{Code: e.Code, Message: e.Message, Fields: append([]critmin.FieldError(nil), e.Fields...)}
	for i, f := range out.Fields {
		if p := pointer(f.Pointer); p != f.Pointer {
			out.Fields[i].Pointer = p
			if strings.HasPrefix(out.Message, f.Pointer+": ") {
				out.Message = p + out.Message[len(f.Pointer):]
			}
		}
	}
	return out
}
