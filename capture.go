package critmin

import "time"

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
