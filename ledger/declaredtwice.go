package ledger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// declaredTwice refuses (ECONFLICT, HTTP 409; nothing stored) a document
// that declares one event in error twice with different declarations
// (EPCIS 2.0 §7.4.1.2: an event is declared in error once). Unlike a
// second declaration of an event whose declaration is stored
// (critmin.NewDeclarationConflict), both are in this document, so the
// refusal names them by their place in it: "event E is declared in
// error twice in this document: events 1 and 2 (declaration of T1,
// reason R1; declaration of T2, reason R2)", with the JSON pointer of
// each declaration (pointer(i): /epcisBody/eventList/i/errorDeclaration).
// The same declaration twice is an idempotent duplicate, left to the
// store. events are the document's decoded events by index (nil for an
// invalid one).
func declaredTwice(events []*critmin.Event, pointer func(i int) string) error {
	seen := declarations{}
	for i, ev := range events {
		if err := seen.add(ev, i, pointer); err != nil {
			return err
		}
	}
	return nil
}

// declarations are the errorDeclarations a document has sent so far, by
// canonical eventID: the first of each, its document index and pointer.
// A streamed document keeps them across its batches.
type declarations map[string]sentDeclaration

type sentDeclaration struct {
	at  int
	ptr string
	d   *critmin.ErrorDeclaration
}

// add records event ev, at document index at, and refuses it as
// declaredTwice does when it declares an event the document declared
// before, differently.
func (m declarations) add(ev *critmin.Event, at int, pointer func(i int) string) error {
	if ev == nil || ev.ErrorDeclaration == nil {
		return nil
	}
	id := epcis.CanonicalEventID(ev.EventID)
	prev, ok := m[id]
	if !ok {
		m[id] = sentDeclaration{at: at, ptr: pointer(at), d: ev.ErrorDeclaration}
		return nil
	}
	if sameDeclaration(prev.d, ev.ErrorDeclaration) {
		return nil
	}
	reason := fmt.Sprintf("event %s is declared in error twice in this document: events %d and %d (%s; %s): an event is declared in error once (EPCIS 2.0 §7.4.1.2) — send one declaration", ev.EventID, prev.at, at, declWords(prev.d), declWords(ev.ErrorDeclaration))
	return &critmin.Error{Code: critmin.ECONFLICT, Message: reason + "; nothing was stored",
		Fields: []critmin.FieldError{{Pointer: prev.ptr, Reason: reason}, {Pointer: pointer(at), Reason: reason}}}
}

// sameDeclaration says whether two errorDeclarations are one: the same
// object as captured (compacted), else the same time, reason and
// corrective events.
func sameDeclaration(a, b *critmin.ErrorDeclaration) bool {
	if len(a.Raw) > 0 && len(b.Raw) > 0 {
		var ca, cb bytes.Buffer
		if json.Compact(&ca, a.Raw) == nil && json.Compact(&cb, b.Raw) == nil {
			return bytes.Equal(ca.Bytes(), cb.Bytes())
		}
	}
	if !a.DeclarationTime.Equal(b.DeclarationTime) || a.Reason != b.Reason || len(a.CorrectiveEventIDs) != len(b.CorrectiveEventIDs) {
		return false
	}
	for k := range a.CorrectiveEventIDs {
		if a.CorrectiveEventIDs[k] != b.CorrectiveEventIDs[k] {
			return false
		}
	}
	return true
}

// declWords names a declaration: "declaration of 2025-10-06T00:00:00Z,
// reason incorrect_data".
func declWords(d *critmin.ErrorDeclaration) string {
	w := "declaration of " + d.DeclarationTime.UTC().Format(time.RFC3339)
	if d.Reason != "" {
		w += ", reason " + d.Reason
	}
	return w
}

// repeatedEventIDs refuses (EINVALID, HTTP 400; nothing stored) a
// document that sends two events under one eventID: an eventID names one
// event (EPCIS 2.0 §7.4.1), and within one document a repeat is neither
// a re-send nor a correction, so it is not taken as a duplicate of the
// first ("already stored" misled: nothing was stored yet) but named by
// the two places, "eventID E is repeated in this document at events 0
// and 3", with each event's /eventID pointer (pointer(i) gives
// /epcisBody/eventList/i/eventID). An error declaration carries the
// eventID of the event it declares and is not counted; nor is an eventID
// critmin assigned (ni:///…, the event's hash: the same content twice).
// events are the document's decoded events by index (nil for an invalid
// one).
func repeatedEventIDs(events []*critmin.Event, pointer func(i int) string) error {
	seen := eventIDs{}
	for i, ev := range events {
		if err := seen.add(ev, i, pointer); err != nil {
			return err
		}
	}
	return nil
}

// eventIDs are the eventIDs a document has sent so far (canonical), with
// the first event's index; a streamed document keeps them across its
// batches (an int each: its memory stays small).
type eventIDs map[string]int

// add records event ev, at document index at, and refuses it as
// repeatedEventIDs does when the document sent its eventID before.
// pointer gives the /eventID pointer of an event by its index.
func (m eventIDs) add(ev *critmin.Event, at int, pointer func(i int) string) error {
	if ev == nil || ev.ErrorDeclaration != nil || ev.EventID == "" || strings.HasPrefix(ev.EventID, "ni:") {
		return nil
	}
	id := epcis.CanonicalEventID(ev.EventID)
	prev, ok := m[id]
	if !ok {
		m[id] = at
		return nil
	}
	reason := fmt.Sprintf("eventID %s is repeated in this document at events %d and %d (%s and %s): an eventID names one event (EPCIS 2.0 §7.4.1) — give each event its own eventID, or send the event once", ev.EventID, prev, at, pointer(prev), pointer(at))
	return &critmin.Error{Code: critmin.EINVALID, Message: reason + "; nothing was stored",
		Fields: []critmin.FieldError{{Pointer: pointer(prev), Reason: reason}, {Pointer: pointer(at), Reason: reason}}}
}
