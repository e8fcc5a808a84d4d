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

// TestErrorStringListsEachRefusalOnce (issue 15, fix15f item 3): a
// capture refused for several events quotes its first refusal in its
// message (". First: /p: reason", ledger.Service.Capture) and lists every
// refusal in Fields. Error() — the text a log line, or an error
// flattened into another with %v, carries — gave the message and then
// every field, so the first refusal read twice ("First: X; X; Y"), and
// a refusal the capture check and the schema both raised twice more.
// Each now appears once: X in the message's clause, Y after it.
func TestErrorStringListsEachRefusalOnce(t *testing.T) {
	x := critmin.FieldError{Pointer: "/epcisBody/eventList/0/quantityList", Reason: "lot urn:t:lot:L refused: the shipping event states 31 t of it, but the lot holds 19 t"}
	y := critmin.FieldError{Pointer: "/epcisBody/eventList/1/quantityList", Reason: "lot urn:t:lot:L refused: the shipping event states 32 t of it, but the lot holds 19 t"}
	err := &critmin.Error{Code: critmin.ECONFLICT, Message: "2 of 2 events conflict with the record; nothing was stored (rollback). First: " + x.Pointer + ": " + x.Reason,
		Fields: []critmin.FieldError{x, y, x}}
	want := "critmin error: code=conflict message=2 of 2 events conflict with the record; nothing was stored (rollback). First: " + x.Pointer + ": " + x.Reason + "; " + y.Pointer + ": " + y.Reason
	if got := err.Error(); got != want {
		t.Errorf("Error() =\n%q; want\n%q", got, want)
	}
	// A message that quotes none of its fields lists each of them once.
	plain := &critmin.Error{Code: critmin.EINVALID, Message: "event 0 is invalid", Fields: []critmin.FieldError{x, x, y}}
	if got, want := plain.Error(), "critmin error: code=invalid message=event 0 is invalid; "+x.Pointer+": "+x.Reason+"; "+y.Pointer+": "+y.Reason; got != want {
		t.Errorf("Error() =\n%q; want\n%q", got, want)
	}
}
