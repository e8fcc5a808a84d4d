package critmin_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/critmin/critmin"
)

// TestErrorShownOnce: a message that quotes its first field error loses
// that clause when the list is shown under it; a message that is only a
// field error leaves the headline to the caller; identical field errors
// are listed once; ErrorText gives every error once in one line.
func TestErrorShownOnce(t *testing.T) {
	one := critmin.FieldError{Pointer: "/epcisBody/eventList/0/eventTime", Reason: "must be a date-time"}
	two := critmin.FieldError{Pointer: "/epcisBody/eventList/1/action", Reason: "must be ADD, OBSERVE or DELETE"}
	sameReason := critmin.FieldError{Pointer: "/epcisBody/eventList/2/action", Reason: "must be ADD, OBSERVE or DELETE"}
	for _, c := range []struct {
		name     string
		err      error
		headline string
		list     int
		text     string
	}{
		{"capture with one error",
			&critmin.Error{Code: critmin.EINVALID, Message: "1 of 1 events are invalid; nothing was stored (rollback). First: " + one.Pointer + ": " + one.Reason, Fields: []critmin.FieldError{one}},
			"1 of 1 events are invalid; nothing was stored (rollback).", 1,
			"1 of 1 events are invalid; nothing was stored (rollback) (/epcisBody/eventList/0/eventTime: must be a date-time)"},
		{"capture with three errors, one repeated",
			&critmin.Error{Code: critmin.EINVALID, Message: "2 of 3 events are invalid; nothing was stored (rollback). First: " + one.Pointer + ": " + one.Reason, Fields: []critmin.FieldError{one, two, one, sameReason}},
			"2 of 3 events are invalid; nothing was stored (rollback).", 3,
			"2 of 3 events are invalid; nothing was stored (rollback) (/epcisBody/eventList/0/eventTime: must be a date-time; /epcisBody/eventList/1/action: must be ADD, OBSERVE or DELETE; /epcisBody/eventList/2/action: must be ADD, OBSERVE or DELETE)"},
		{"master data, the clause after a colon",
			&critmin.Error{Code: critmin.EINVALID, Message: "master data refused; nothing was stored (0 of 1 events are invalid too): /epcisHeader/x: unknown", Fields: []critmin.FieldError{{Pointer: "/epcisHeader/x", Reason: "unknown"}}},
			"master data refused; nothing was stored (0 of 1 events are invalid too).", 1,
			"master data refused; nothing was stored (0 of 1 events are invalid too) (/epcisHeader/x: unknown)"},
		{"a field error alone", fmt.Errorf("wrapped: %w", critmin.FieldErrorf("lot", "no lot %q", "urn:x")), "", 1, `lot: no lot "urn:x"`},
		{"a message without fields", critmin.Errorf(critmin.ENOTFOUND, "no lot urn:x"), "no lot urn:x", 0, "no lot urn:x"},
		{"a message that does not quote its fields", &critmin.Error{Code: critmin.EINVALID, Message: "invalid token request", Fields: []critmin.FieldError{two}},
			"invalid token request", 1, "invalid token request (/epcisBody/eventList/1/action: must be ADD, OBSERVE or DELETE)"},
		{"not a domain error", errors.New("disk on fire"), "internal error", 0, "internal error"},
	} {
		if got := critmin.ErrorHeadline(c.err); got != c.headline {
			t.Errorf("%s: headline %q; want %q", c.name, got, c.headline)
		}
		if got := critmin.ErrorList(c.err); len(got) != c.list {
			t.Errorf("%s: %d listed; want %d: %v", c.name, len(got), c.list, got)
		}
		if got := critmin.ErrorText(c.err); got != c.text {
			t.Errorf("%s: text\n%q; want\n%q", c.name, got, c.text)
		}
	}
}

// TestErrorTextQuotedReasonOnce (fix1213 item 10): a client that quotes
// a server's problem detail — "server answered 409 Conflict: <reason>" —
// beside the problem's errors shows the reason once, with its pointer,
// not twice.
func TestErrorTextQuotedReasonOnce(t *testing.T) {
	err := &critmin.Error{Code: critmin.ECONFLICT, Message: "server answered 409 Conflict: event urn:uuid:1 is already captured with other content",
		Fields: []critmin.FieldError{{Pointer: "/epcisBody/eventList/0/eventID", Reason: "event urn:uuid:1 is already captured with other content"}}}
	want := "server answered 409 Conflict (/epcisBody/eventList/0/eventID: event urn:uuid:1 is already captured with other content)"
	if got := critmin.ErrorText(err); got != want {
		t.Errorf("ErrorText = %q, want %q", got, want)
	}
}
