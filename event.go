package critmin

import (
	"context"
	"encoding/json"
	"time"
)

// The five EPCIS 2.0 event types (EPCIS 2.0 §7.4).
const (
	ObjectEvent         = "ObjectEvent"
	AggregationEvent    = "AggregationEvent"
	AssociationEvent    = "AssociationEvent"
	TransactionEvent    = "TransactionEvent"
	TransformationEvent = "TransformationEvent"
)

// Event is one captured EPCIS event. Raw is the event exactly as captured
// (plus the recordTime and eventID the server assigned), so that a query
// returns every field, user extension and ILMD element; the other fields
// are the parts the ledger indexes and projects, normalised: standard CBV
// vocabulary in its bare form ("shipping"), user vocabulary as the URI.
type Event struct {
	// PK is the store's sequence number; it orders records for paging.
	PK int64 `json:"-"`
	// EventID is the eventID as captured or assigned by capture.
	EventID             string
	Type                string
	EventTime           time.Time
	EventTimeZoneOffset string
	RecordTime          time.Time
	Action              string
	BizStep             string
	Disposition         string
	ReadPoint           string
	BizLocation         string
	ParentID            string
	TransformationID    string
	// EPCs lists instance-level identifiers by role.
	EPCs            []EPCRef
	Quantities      []QuantityElement
	Sources         []SourceDest
	Destinations    []SourceDest
	BizTransactions []BizTransaction
	// ILMD holds top-level ILMD fields whose value is a string or number,
	// keyed by expanded name ("https://ns.example.com/epcis/lotType").
	// (EQ_ILMD_ queries read the stored document, which also holds lists
	// and nested elements: epcis/eventmatch.go.)
	ILMD map[string]string
	// ILMDTree is the whole ILMD with every key expanded to its full IRI;
	// the mineral extension is decoded from it.
	ILMDTree map[string]any
	// Sensors lists the sensor reports flattened; assays travel here.
	Sensors []SensorReport
	// ErrorDeclaration is set on an event that declares an earlier one in error.
	ErrorDeclaration *ErrorDeclaration
	// DeclaredInError is set on an event that a stored declaration has
	// declared in error (EPCIS 2.0 §7.4.1.2): the first declaration's
	// content. Every projection and job ignores such an event and relies
	// on its corrective events instead.
	DeclaredInError *ErrorDeclaration
	// CaptureID is the capture job that stored the event.
	CaptureID string
	// Raw is the event's JSON as captured, with recordTime and eventID set.
	Raw json.RawMessage
	// Context is the JSON-LD @context the event was captured with (the
	// document's and the event's own), needed to read its extension fields.
	Context json.RawMessage
	// Mineral is the mineral-extension content of the event (ILMD at
	// commissioning, assays in sensor reports), decoded by capture.
	Mineral *MineralFacts
	// Carried are the quantityList lines an event moving containers by
	// their own identifiers was given for what they held then
	// (ledger.WithContents), which the captured event does not state:
	// they are among Quantities. Never stored nor sent.
	Carried []QuantityElement `json:"-"`
	// CarriedNamed are, for a receipt naming a lot by a line of its own
	// and containers that carried that lot, what those containers
	// carried of it (ledger.WithContents): the line weighs that share of
	// the trip, not the whole of it. Not among Quantities; never stored
	// nor sent.
	CarriedNamed []QuantityElement `json:"-"`
}

// EPC roles within an event.
const (
	RoleEPC    = "epc"    // epcList of Object and Transaction events
	RoleChild  = "child"  // childEPCs of Aggregation and Association events
	RoleInput  = "input"  // inputEPCList of Transformation events
	RoleOutput = "output" // outputEPCList of Transformation events
	RoleParent = "parent" // parentID
)

// EPCRef is one instance-level identifier with its role in the event.
type EPCRef struct {
	Role string
	EPC  string
}

// QuantityElement is a class-level identifier with a quantity (EPCIS
// quantityList, childQuantityList, inputQuantityList, outputQuantityList).
// Quantity is nil when the element gives none (a count-less class).
type QuantityElement struct {
	Role     string
	EPCClass string
	Quantity *float64
	UOM      string
}

// SourceDest is a source or destination with its CBV type.
type SourceDest struct {
	Type string
	ID   string
}

// BizTransaction is a business transaction reference with its CBV type.
type BizTransaction struct {
	Type string
	ID   string
}

// SensorReport is one sensor report with the metadata the ledger needs.
type SensorReport struct {
	Type              string
	ChemicalSubstance string
	Component         string
	Value             *float64
	// SDev is the report's sDev (EPCIS 2.0 §7.3.7.2: the standard
	// deviation of the value, in its uom); the refinery reads it as the
	// measurement's 1-sd precision. Nil when not given.
	SDev *float64
	UOM  string
	Time time.Time
	// Extensions holds the report's user-extension fields, keys expanded.
	Extensions map[string]any
	// Pointer is the report's JSON pointer under its event
	// ("/sensorElementList/0/sensorReport/1"), for errors that name it.
	Pointer string
}

// ErrorDeclaration marks an event as declared in error (EPCIS 2.0 §7.4.1.2).
// Reason is in the bare CBV form ("incorrect_data") for standard reasons
// (CBV 2.0 §7.5), the URI otherwise.
type ErrorDeclaration struct {
	DeclarationTime    time.Time
	Reason             string
	CorrectiveEventIDs []string
	// RecordTime is when the declaration was captured (set when read back
	// from a store).
	RecordTime time.Time
	// Raw is the errorDeclaration object as captured, extensions included.
	Raw json.RawMessage
}

// LotLines is the event's lot lines: its quantity elements, then the
// instances (EPCs) that count as lots of their own — every identifier in
// the inputEPCList or outputEPCList of a TransformationEvent (an input or
// output named by instance is material in or out of the run), and the
// epcList of an ObjectEvent ADD that states mineral facts (a bag
// commissioned with its own ILMD origin). An instance line has no
// quantity: its mass is unknown unless a later event states one.
// docs/identity.md, "Instances as lots".
func (e *Event) LotLines() []QuantityElement {
	out := e.Quantities
	copied := false
	add := func(role, epc string) {
		if !copied {
			out = append(make([]QuantityElement, 0, len(e.Quantities)+len(e.EPCs)), e.Quantities...)
			copied = true
		}
		out = append(out, QuantityElement{Role: role, EPCClass: epc})
	}
	m := e.Mineral
	states := m != nil && (m.Commodity != "" || m.OriginCountry != "" || m.OriginMine != "")
	for _, r := range e.EPCs {
		switch {
		case e.Type == TransformationEvent && (r.Role == RoleInput || r.Role == RoleOutput):
			add(r.Role, r.EPC)
		case e.Type == ObjectEvent && e.Action == "ADD" && states && r.Role == RoleEPC:
			add(RoleEPC, r.EPC)
		}
	}
	return out
}

// LotIDs returns every lot identifier the event names (LotLines), once each.
func (e *Event) LotIDs() []string {
	lines := e.LotLines()
	seen := make(map[string]bool, len(lines))
	var ids []string
	for _, q := range lines {
		if !seen[q.EPCClass] {
			seen[q.EPCClass] = true
			ids = append(ids, q.EPCClass)
		}
	}
	return ids
}

// EventFilter selects events, after the EPCIS 2.0 SimpleEventQuery
// parameters (EPCIS 2.0 §8.2.7.1). Empty fields do not constrain. Each
// list is an OR of values; the fields are ANDed.
type EventFilter struct {
	EventTypes        []string
	GEEventTime       *time.Time
	LTEventTime       *time.Time
	GERecordTime      *time.Time
	LTRecordTime      *time.Time
	Actions           []string
	BizSteps          []string
	Dispositions      []string
	ReadPoints        []string
	BizLocations      []string
	TransformationIDs []string
	EventIDs          []string
	// EPC matches: each pattern may end in "*" (a prefix match, EPC pattern
	// URIs) and is matched against the roles named.
	EPCMatches []EPCMatch
	// Class matches on quantity elements, by role ("" = any role).
	ClassMatches []EPCMatch
	// Quantity bounds apply to any quantity element of the event.
	QuantityBounds []QuantityBound
	// QuantityAnyOf: each group holds when one of its bounds does (an
	// EQ_quantity list).
	QuantityAnyOf [][]QuantityBound
	Sources       map[string][]string // type → ids
	Destinations  map[string][]string
	BizTxns       map[string][]string
	// Error declarations (EPCIS 2.0 §8.2.7.1): ErrorDeclarationExists keeps
	// only declaration records (EXISTS_errorDeclaration); ErrorReasons
	// (EQ_errorReason, bare CBV form or URI) and CorrectiveEventIDs
	// (EQ_correctiveEventID) keep declarations with one of the values.
	// EQ_eventID returns both an event and its declarations.
	ErrorDeclarationExists bool
	ErrorReasons           []string
	CorrectiveEventIDs     []string
	// Master-data conditions (EPCIS 2.0 §8.2.7.1): WDReadPoints and
	// WDBizLocations (WD_readPoint, WD_bizLocation) match a location or
	// any direct or indirect child of it in the master-data hierarchy;
	// MasterAttrs (HASATTR_, EQ_ATTR_) the master data of an event field's
	// value. Current master data (the latest version) is used.
	WDReadPoints   []string
	WDBizLocations []string
	MasterAttrs    []MasterAttrMatch

	// Residual holds the conditions the index tables cannot answer
	// (extension and ILMD fields, sensor data, persistentDisposition …):
	// the store applies it to each candidate event, in result order, so
	// paging and counts stay exact.
	Residual EventMatcher
	// AfterSeq and UpToSeq, when set, keep events whose ledger position
	// (chain sequence, which follows commit order) is in (AfterSeq,
	// UpToSeq]: how subscriptions find the events captured since their
	// last run.
	AfterSeq, UpToSeq int64
	// MaxEventCount (EPCIS 2.0 §8.2.7.1 maxEventCount): when more events
	// match, the query fails with EQUERYTOOLARGE instead of answering.
	MaxEventCount int

	OrderBy        string // "eventTime" or "recordTime"
	OrderAscending bool
	// OrderKey, when set, orders the result by an extension field
	// (EPCIS 2.0 §8.2.7.1 orderBy) in OrderAscending's direction, ties
	// by store key, events lacking the field last; OrderBy is then unused.
	OrderKey EventSortKey
	// Limit caps a page; EventCountLimit caps the whole result.
	Limit           int
	EventCountLimit int
	// After is the position of the last event of the previous page.
	After *PageCursor
}

// EPCMatch is one MATCH_ parameter: patterns matched against some roles.
type EPCMatch struct {
	Roles    []string
	Patterns []string
	// Exact makes every pattern match literally, "*" included.
	Exact bool
	// Suffix makes every pattern match the end of an identifier as
	// captured, literally and in its case: ":MSKU1234565" matches
	// urn:epc:id:bic:MSKU1234565 and urn:critmin:demo:container:MSKU1234565
	// (the forms' look-up of a container typed as its ISO 6346 number,
	// issue 15 fixPh). No EPCIS query parameter sets it.
	Suffix bool
}

// MasterAttrMatch is one HASATTR_fieldname (Values nil: the element has
// one of the attributes Attrs) or EQ_ATTR_fieldname_attrname (the element
// has attribute Attrs[0] with one of Values) parameter. Field is the event
// field whose value names the element: readPoint, bizLocation, bizStep or
// disposition. Attribute names are normalised (NormalizeAttrName).
type MasterAttrMatch struct {
	Field  string
	Attrs  []string
	Values []string
}

// QuantityBound is one EQ_/GT_/GE_/LT_/LE_quantity parameter.
type QuantityBound struct {
	Op    string // "=", ">", ">=", "<", "<="
	Value float64
	// UOM, when set (EQ_quantity_KGM …), keeps quantity elements in that
	// unit; bounds with one UOM apply to one quantity element together.
	UOM string
}

// EventMatcher decides whether a stored event matches conditions that are
// evaluated on the event document itself.
type EventMatcher interface {
	MatchEvent(ev *Event) bool
}

// EventSortKey gives an event's key under an orderBy on an extension
// field: a string whose byte order is the ascending order of the field's
// values; ok is false when the event lacks the field, or has no single
// sortable value for it.
type EventSortKey interface {
	SortKey(ev *Event) (key string, ok bool)
}

// PageCursor is a keyset position: the sort key value and the PK.
type PageCursor struct {
	Key string `json:"k"`
	PK  int64  `json:"p"`
	// Remaining is what is left of an eventCountLimit after this page.
	Remaining int `json:"r,omitempty"`
	// Query is the fingerprint of the query whose results the cursor
	// pages (epcis.QueryFingerprint): a token is refused on any other.
	Query string `json:"q,omitempty"`
}

// EventPage is one page of query results.
type EventPage struct {
	Events []*Event
	// Next is set when more events match.
	Next *PageCursor
}

// Vocabulary kinds listed by the top-level EPCIS resources.
const (
	VocabEventType   = "eventType"
	VocabBizStep     = "bizStep"
	VocabBizLocation = "bizLocation"
	VocabReadPoint   = "readPoint"
	VocabDisposition = "disposition"
	VocabEPC         = "epc"
)

// CaptureTx is an open capture transaction (EventStore.BeginCapture).
type CaptureTx interface {
	// Add stores a batch of events in document order, skipping eventIDs
	// already stored (before this capture or earlier in it).
	Add(events []*Event) error
	// Skipped lists the eventIDs skipped so far.
	Skipped() []string
	// Commit completes the projection, stores the job (its Stored and
	// Duplicates set from the batches) and the master data, and commits:
	// when it returns nil the whole document is durable.
	Commit(master []MasterDataElement) error
	// Rollback abandons the capture, leaving nothing stored; it is safe to
	// call after Commit.
	Rollback()
}

// EventStore persists captured events and answers queries over them.
type EventStore interface {
	// CaptureEvents stores a capture job and its events in one transaction,
	// skipping events whose eventID is already stored (idempotent capture)
	// and updating the lot projection. It returns the eventIDs skipped.
	CaptureEvents(ctx context.Context, job *CaptureJob, events []*Event, master []MasterDataElement) (skipped []string, err error)
	// BeginCapture opens the same transaction for a document whose events
	// arrive in batches (a streamed capture): memory stays proportional to
	// a batch, and the document is still stored whole or not at all.
	// master may be nil here and given to Commit instead.
	BeginCapture(ctx context.Context, job *CaptureJob, master []MasterDataElement) (CaptureTx, error)
	// SaveCaptureJob stores a capture job that wrote no events (a rejected one).
	SaveCaptureJob(ctx context.Context, job *CaptureJob) error
	FindCaptureJob(ctx context.Context, id string) (*CaptureJob, error)
	// ListCaptureJobs lists up to limit jobs, the newest first (ties by
	// captureID), after the cursor when one is given (PK: the last job's
	// creation time in microseconds, Key: its captureID), as summaries:
	// no job's error or duplicate list is read.
	ListCaptureJobs(ctx context.Context, after *PageCursor, limit int) ([]*CaptureJobSummary, error)
	FindEvents(ctx context.Context, f EventFilter) (*EventPage, error)
	// DeclaredPrefixes returns the namespace prefixes captured documents
	// declared in their @context, each with every IRI it was bound to.
	DeclaredPrefixes(ctx context.Context) (map[string][]string, error)
	// ServerKey returns the store's secret key of that name, the same for
	// every server of the store, made on first use (nextPageToken
	// signatures).
	ServerKey(ctx context.Context, name string) ([]byte, error)
	// MaxSeq returns the ledger position of the last stored record.
	MaxSeq(ctx context.Context) (int64, error)
	// FindEventsByID returns the event with that eventID and any error
	// declarations of it, oldest first; ENOTFOUND if there are none.
	FindEventsByID(ctx context.Context, eventID string) ([]*Event, error)
	// Vocabulary lists the distinct values of one kind seen in events.
	Vocabulary(ctx context.Context, kind string, after string, limit int) ([]string, error)
	CountEvents(ctx context.Context) (int64, error)
}
