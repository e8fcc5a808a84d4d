package critmin

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Capture error behaviours (GS1-Capture-Error-Behaviour header, EPCIS 2.0
// REST binding): rollback stores nothing if any event fails; proceed stores
// the valid events and reports the others.
const (
	BehaviourRollback = "rollback"
	BehaviourProceed  = "proceed"
)

// CaptureJob is the state of one capture request, shaped after the
// CaptureJob schema of the EPCIS 2.0 OpenAPI document.
type CaptureJob struct {
	CaptureID             string     `json:"captureID"`
	CreatedAt             time.Time  `json:"createdAt"`
	FinishedAt            *time.Time `json:"finishedAt,omitempty"`
	Running               bool       `json:"running"`
	Success               bool       `json:"success"`
	CaptureErrorBehaviour string     `json:"captureErrorBehaviour"`
	// Errors lists the problems found, at most ledger.MaxReportedErrors;
	// ErrorCount is how many there were in all and ErrorsOmitted how many
	// of them Errors leaves out (ErrorCount = len(Errors) + ErrorsOmitted).
	Errors        []CaptureError `json:"errors"`
	ErrorCount    int            `json:"errorCount"`
	ErrorsOmitted int            `json:"errorsOmitted"`
	// EventCount is the number of events in the request, Stored the number
	// written, Duplicates the eventIDs that were already stored and skipped.
	EventCount int      `json:"eventCount"`
	Stored     int      `json:"stored"`
	Duplicates []string `json:"duplicates,omitempty"`
	// EventIDs lists the eventIDs stored, in document order.
	EventIDs []string `json:"-"`
	// Token names the API token that captured, for audit.
	Token string `json:"-"`
	// Import is what the CSV import that made this job with proceed left
	// out of it — the file's rows and those refused for their errors,
	// never sent —, stored with the job; nil for a job no such import
	// made. The job page reads it here, never from its address (issue 15,
	// fix15t2 item 5: ?rows=3&refused=2 put a false import note on any
	// 1-event job).
	Import *ImportRows `json:"-"`
}

// ImportRows is what an import with proceed left out of its capture job
// (CaptureJob.Import): Rows, the file's rows, and Refused, those with
// errors, never sent; the job's events are the rest (Rows − Refused).
type ImportRows struct{ Rows, Refused int }

// Sent is the rows the import sent: Rows − Refused.
func (r ImportRows) Sent() int { return r.Rows - r.Refused }

// CaptureJobSummary is a capture job as lists show it (Store.ListCaptureJobs):
// its errors and duplicate eventIDs counted, never loaded — a job may
// hold a thousand errors, so a list of jobs with their errors made a 13 MB
// answer. FindCaptureJob gives one job whole.
type CaptureJobSummary struct {
	CaptureID             string
	CreatedAt             time.Time
	FinishedAt            *time.Time
	Running               bool
	Success               bool
	CaptureErrorBehaviour string
	// EventCount is the number of events in the request, Stored the number
	// written.
	EventCount int
	Stored     int
	// ErrorCount is every error found (CaptureJob.ErrorCount),
	// ErrorsOmitted how many of them the job's own error list leaves out,
	// DuplicateCount how many eventIDs were skipped as already stored.
	ErrorCount     int
	ErrorsOmitted  int
	DuplicateCount int
}

// CaptureError is one problem found in a capture request, in the RFC 9457
// problem-detail shape the EPCIS REST binding uses for errors.
type CaptureError struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Pointer is the JSON pointer of the field at fault.
	Pointer string `json:"pointer,omitempty"`
}

// EventContentConflict is the refusal of an event whose eventID is stored
// already with other content (EPCIS 2.0 §7.4.1: an eventID names one
// event). Only an event whose content is the same — the same CBV 2.0 §8.9
// event hash, which leaves out recordTime, eventID, errorDeclaration and
// comments — is an idempotent duplicate. Code ECONFLICT (HTTP 409); the
// one field error names the eventID ("eventID", or the event's JSON
// pointer once the ledger knows it). Nothing of the capture is stored.
type EventContentConflict struct {
	// EventID is the eventID as stored; Stored and Sent are the event hash
	// IDs of the stored event and of the one refused.
	EventID, Stored, Sent string
	Err                   *Error
}

// NewEventContentConflict returns the refusal of an event sent under the
// stored eventID id whose content hashes to sent while the stored event's
// hashes to stored. storedRaw and sentRaw, when given (the events' JSON),
// name the stored event (its type, business step and time) and the
// top-level fields in which the two differ (EventDifferences), so that
// the sender sees which event holds the eventID and what changed (issue
// 15, fix15zm).
func NewEventContentConflict(id, stored, sent string, storedRaw, sentRaw []byte) *EventContentConflict {
	what := "a different stored event"
	if d := describeEvent(storedRaw); d != "" {
		what += " (" + d + ")"
	}
	differ := ""
	if f := EventDifferences(storedRaw, sentRaw); len(f) > 0 {
		differ = "; they differ in " + strings.Join(f, ", ")
	}
	reason := fmt.Sprintf("eventID %s is already used by %s, of other content (stored event hash %s; this event's %s%s): an eventID names one event, and only the same content again is a duplicate — send this event under a new eventID, or, to change the stored event, declare it in error (errorDeclaration, EPCIS 2.0 §7.4.1.2) and capture the correction under a new eventID", id, what, stored, sent, differ)
	return &EventContentConflict{EventID: id, Stored: stored, Sent: sent,
		Err: &Error{Code: ECONFLICT, Message: reason + "; nothing was stored", Fields: []FieldError{{Pointer: "eventID", Reason: reason}}}}
}

// eventIgnored are the fields the CBV 2.0 §8.9 event hash leaves out:
// they do not make two events differ.
var eventIgnored = map[string]bool{"eventID": true, "recordTime": true, "errorDeclaration": true, "@context": true, "rdfs:comment": true, "comment": true}

// EventDifferences lists, sorted, the top-level fields of two events'
// JSON whose values differ, leaving out those the event hash leaves out
// (eventIgnored); nil when either cannot be read.
//
// Values are compared as content, not as written: two spellings of one
// identifier (an EPC URN and the GS1 Digital Link a query result writes
// for it, CanonicalIdentifier) and a number and its text (20 and "20", as
// the XML binding carries it) are equal, so the list names only the
// fields that really differ.
func EventDifferences(a, b []byte) []string {
	var ma, mb map[string]any
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil || ma == nil || mb == nil {
		return nil
	}
	var out []string
	for k, va := range ma {
		if !eventIgnored[k] && !sameContent(va, mb[k]) {
			out = append(out, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok && !eventIgnored[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// CanonicalIdentifier gives one form of every spelling of an identifier
// (epcis.Canonical, set by package epcis: an EPC URN and its GS1 Digital
// Link are one key); the identity until then.
var CanonicalIdentifier = func(s string) string { return s }

// sameContent compares two JSON values as content (EventDifferences).
func sameContent(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameContent(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameContent(x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		switch y := b.(type) {
		case string:
			return x == y || CanonicalIdentifier(x) == CanonicalIdentifier(y)
		case float64:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			return err == nil && f == y
		}
		return false
	case float64:
		if y, ok := b.(string); ok {
			return sameContent(y, x)
		}
	}
	return reflect.DeepEqual(a, b)
}

// describeEvent is an event's type, business step and time in a few
// words, from its JSON; "" when it cannot be read.
func describeEvent(raw []byte) string {
	var m struct {
		Type      string `json:"type"`
		BizStep   string `json:"bizStep"`
		EventTime string `json:"eventTime"`
	}
	if json.Unmarshal(raw, &m) != nil || m.Type == "" {
		return ""
	}
	s := m.Type
	if m.BizStep != "" {
		s += " " + m.BizStep
	}
	if m.EventTime != "" {
		s += " at " + m.EventTime
	}
	return s
}

// NewDeclarationConflict refuses a second error declaration of event id
// (issue 9, fix9h): EPCIS 2.0 §7.4.1.2 declares an event in error by
// capturing it again under its eventID with an errorDeclaration, and the
// event so declared is withdrawn. A declaration carries the eventID of
// the event it declares, so it cannot itself be declared in error (a
// "declaration of the declaration" is only another declaration of the
// event): once made it stands, and a mistaken declaration is remedied by
// capturing the event again under a new eventID (a corrective event).
// Another declaration of an event already declared — stored, or earlier
// in the same document — is refused ECONFLICT (HTTP 409), naming the
// fields errorDeclaration and eventID, the event and the existing
// declaration (existing: its time and reason); the same declaration
// again is an idempotent duplicate, not refused.
//
// The fields' pointers name the declaration by its eventID ("event
// {eventID}/errorDeclaration", "event {eventID}/eventID"), which the
// ledger re-points to the declaration's place in the document
// (/epcisBody/eventList/N/…): a document of two such declarations names
// each at its own event (issue 8 §2, fixIi). More, each further
// declaration's fields (DeclarationConflicts).
func NewDeclarationConflict(id, existing string) *Error {
	reason := declarationConflictReason(id, existing)
	return &Error{Code: ECONFLICT, Message: reason + "; nothing was stored", Fields: declarationConflictFields(id, reason)}
}

// DeclarationConflicts is NewDeclarationConflict for several declarations
// of one document at once (ids[i] already declared by existing[i]): the
// message words the first and counts the rest; the fields name each.
func DeclarationConflicts(ids, existing []string) *Error {
	e := NewDeclarationConflict(ids[0], existing[0])
	for i := 1; i < len(ids); i++ {
		e.Fields = append(e.Fields, declarationConflictFields(ids[i], declarationConflictReason(ids[i], existing[i]))...)
	}
	if len(ids) > 1 {
		e.Message = fmt.Sprintf("%d declarations refused: %s; nothing was stored", len(ids), declarationConflictReason(ids[0], existing[0]))
	}
	return e
}

func declarationConflictReason(id, existing string) string {
	return fmt.Sprintf("event %s is already declared in error (%s): an event is declared in error once (EPCIS 2.0 §7.4.1.2), and a declaration cannot itself be withdrawn — to restore the event, capture it again under a new eventID (a corrective event)", id, existing)
}

func declarationConflictFields(id, reason string) []FieldError {
	return []FieldError{{Pointer: "event " + id + "/errorDeclaration", Reason: reason, Conflict: true}, {Pointer: "event " + id + "/eventID", Reason: "event " + id + " is already declared in error", Conflict: true}}
}

// Error implements the error interface.
func (e *EventContentConflict) Error() string { return e.Err.Error() }

// Unwrap gives the domain error (ErrorCode, ErrorMessage, ErrorFields).
func (e *EventContentConflict) Unwrap() error { return e.Err }
