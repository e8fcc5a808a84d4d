package ledger

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/critmin/critmin/country"
	"io"
	"math"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// Limits bound one capture request. They are advertised in the
// GS1-EPCIS-Capture-Limit and GS1-EPCIS-Capture-File-Size-Limit headers.
type Limits struct {
	MaxEvents int
	MaxBytes  int64
	// MaxXMLBytes bounds what of an XML body is mapped onto the JSON-LD
	// binding whole, as a tree (epcis.FromXML), which costs some 25 times
	// its size in heap: an XML document up to it is read whole; a longer
	// one is streamed event by event (epcis.StreamXML) within MaxBytes
	// and MaxEvents, the JSON binding's limits; a single event (POST
	// /epcis/events), which cannot be streamed, must fit in it (0:
	// MaxBytes).
	MaxXMLBytes int64
}

// DefaultLimits are generous enough for a month of corridor events in one
// document and small enough to validate and store in a few seconds.
var DefaultLimits = Limits{MaxEvents: 10000, MaxBytes: 32 << 20, MaxXMLBytes: DefaultMaxXMLBytes}

// DefaultMaxXMLBytes is the default size up to which an XML body is
// mapped whole, 4 MiB: at the measured expansion such a capture peaks near
// 100 MB of heap (BenchmarkXMLCaptureHeap; docs/security.md); longer
// documents are streamed.
const DefaultMaxXMLBytes = 4 << 20

// Service is the Track job: capture and the mineral view.
type Service struct {
	Store  critmin.Store
	Limits Limits
	// Now is the clock; tests inject a fixed one.
	Now func() time.Time
	// ClaimCheck, when set, checks the mass-balance claims of a document's
	// valid events before they are stored (custody.CaptureClaimCheck). An
	// EINVALID error whose fields all name events of the set ("event
	// {eventID}/{field}") refuses those events (claimRounds): under
	// proceed they become the job's errors, with the document's pointers,
	// and the others are stored; under rollback nothing is stored. Any
	// other error refuses the whole document. It runs
	// inside the capture transaction, after the store's writer lock is
	// taken, so that the stored state it reads cannot change before the
	// events are written (checkAndStore); it must never write, and it
	// reads with the context it is given, which routes its reads through
	// the capture's transaction (captureReads): a store that commits
	// queued captures together (sqldb's group commit) shows it the
	// captures before it in the group.
	ClaimCheck func(ctx context.Context, events []*critmin.Event) error
	// BatchEvents, when above 0, replaces StreamBatch as the most events
	// a streamed capture stages in one batch. Only tests set it: a
	// document of a dozen events then crosses a batch boundary that
	// otherwise takes a thousand (storetest's BatchBoundary).
	BatchEvents int
	// BatchBytes, when above 0, replaces StreamBatchBytes as the most
	// event text of one batch of a streamed capture; tests lower it to
	// cut a batch by its text before BatchEvents.
	BatchBytes int
}

// NewService returns a service over a store with default limits.
func NewService(s critmin.Store) *Service {
	return &Service{Store: s, Limits: DefaultLimits, Now: time.Now}
}

// CaptureRequest is one capture call.
type CaptureRequest struct {
	Body []byte
	// Reader, when Body is nil, is a document read as a stream: it is
	// never held whole in memory (StreamDocument), so a large document
	// costs memory in proportion to one batch of events.
	Reader      io.Reader
	SingleEvent bool
	Behaviour   string
	Token       string
	// XML marks an EPCIS 2.0 or 1.2 XML body (application/xml): it is
	// mapped onto the JSON-LD binding (epcis.FromXML) and validated by the
	// same code; errors name XML element paths.
	XML bool
	// Import, from a CSV import with proceed, is what it left out of the
	// document (critmin.CaptureJob.Import), stored with the job.
	Import *critmin.ImportRows
}

// Capture validates a document and stores its events as one capture job.
// Under rollback any invalid event rejects the whole request with an
// EINVALID error listing every field at fault, and nothing is stored.
// Under proceed the valid events are stored and the job lists the rest.
func (s *Service) Capture(ctx context.Context, req CaptureRequest) (*critmin.CaptureJob, error) {
	if req.Behaviour == "" {
		req.Behaviour = critmin.BehaviourRollback
	}
	if req.Behaviour != critmin.BehaviourRollback && req.Behaviour != critmin.BehaviourProceed {
		return nil, critmin.FieldErrorf("GS1-Capture-Error-Behaviour", "%q is not rollback or proceed", req.Behaviour)
	}
	if s.Limits.MaxBytes > 0 && int64(len(req.Body)) > s.Limits.MaxBytes {
		return nil, documentLimitError("", fmt.Sprintf("the document of %s bytes is over the capture file-size limit of %s bytes (GS1-EPCIS-Capture-File-Size-Limit)", units.Int(len(req.Body)), units.Int(s.Limits.MaxBytes)))
	}
	if max := s.XMLLimit(); req.XML && req.SingleEvent && max > 0 && int64(len(req.Body)) > max {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "XML event of %s bytes is over the XML event limit of %s bytes", units.Int(len(req.Body)), units.Int(max))
	}
	if !req.SingleEvent && !req.XML {
		return s.captureStream(ctx, req)
	}
	if req.XML && !req.SingleEvent {
		// Up to MaxXMLBytes an XML document is mapped whole (below); a
		// longer one is streamed event by event, within the JSON
		// binding's limits.
		whole, streamed, err := s.xmlHead(req)
		if err != nil {
			return nil, err
		}
		if streamed != nil {
			req.Body, req.Reader = nil, streamed
			return s.captureStream(ctx, req)
		}
		req.Body = whole
	}
	// A single event, or a short XML document (converted whole to the
	// JSON-LD binding by epcis.FromXML), is read into memory within the
	// limit.
	if req.Body == nil && req.Reader != nil {
		lr := s.limitReader(req.Reader)
		max := s.XMLLimit()
		if req.XML && max > 0 && (lr.left < 0 || max < lr.left) {
			lr.left = max
		}
		b, err := io.ReadAll(lr)
		if err != nil {
			if req.XML && errors.Is(err, errTooLarge) && lr.left == 0 && max > 0 && (s.Limits.MaxBytes <= 0 || max < s.Limits.MaxBytes) {
				return nil, critmin.Errorf(critmin.ETOOLARGE, "XML event is over the XML event limit of %s bytes", units.Int(max))
			}
			return nil, s.readError(lr, err)
		}
		req.Body = b
	}
	var xdoc *epcis.XMLDocument
	if req.XML {
		var err error
		if xdoc, err = epcis.FromXML(req.Body, req.SingleEvent); err != nil {
			return nil, s.xmlErrors(ctx, xdoc, req.SingleEvent, err)
		}
		req.Body = xdoc.JSON
	}
	if req.SingleEvent && len(req.Body) > epcis.MaxEventBytes {
		// One event (POST /epcis/events), as sent or mapped from XML:
		// the per-event limit, before it is parsed.
		return nil, epcis.EventBytesError("", -1, len(req.Body))
	}
	parse := epcis.ParseDocument
	if xdoc != nil {
		parse = epcis.ParseXMLDocument
	}
	doc, err := parse(req.Body, req.SingleEvent)
	if err != nil {
		return nil, s.withEventErrors(ctx, doc, xdoc, err)
	}
	if s.Limits.MaxEvents > 0 && len(doc.Events) > s.Limits.MaxEvents {
		ptr := doc.EventPointer
		if xdoc != nil && len(doc.Events) > 0 {
			ptr = parentPath(xdoc.Path(doc.Pointer(0)))
		}
		return nil, documentLimitError(ptr, fmt.Sprintf("the document has %s, over the capture limit of %s (GS1-EPCIS-Capture-Limit)", units.Count(len(doc.Events), "event"), units.Int(s.Limits.MaxEvents)))
	}
	now := s.Now()
	return s.capture(ctx, req, doc, now, xdoc)
}

// withEventErrors adds to err, a refusal of a document for its own
// structure or header (epcis.ParseDocument, which then still returns the
// document), the errors of its events and of its mineral master data, so
// that one submission reports every independent error. Any other error,
// or a document over the event limit, is returned as it is.
// Pointers are XML element paths when xdoc is the XML document the body
// was converted from.
func (s *Service) withEventErrors(ctx context.Context, doc *epcis.Document, xdoc *epcis.XMLDocument, err error) error {
	var e *critmin.Error
	if doc == nil || !errors.As(err, &e) || e.Code != critmin.EINVALID || (s.Limits.MaxEvents > 0 && len(doc.Events) > s.Limits.MaxEvents) {
		return xdoc.Translate(err)
	}
	out := *xdoc.Translate(e).(*critmin.Error)
	out.Fields = append(out.Fields, masterPaths(ValidateMasterData(doc.Master), xdoc)...)
	_, fieldErrs := s.decodeAll(ctx, doc, s.Now())
	for _, fe := range fieldErrs {
		for _, f := range fe {
			out.Fields = append(out.Fields, critmin.FieldError{Pointer: xdoc.Path(f.Pointer), Reason: f.Reason})
		}
	}
	return &out
}

// masterPaths gives the errors of ValidateMasterData, whose pointers read
// "/epcisHeader/epcisMasterData (element …, attribute …)", the XML
// element path of EPCISMasterData when the document was XML.
func masterPaths(fe []critmin.FieldError, xdoc *epcis.XMLDocument) []critmin.FieldError {
	const prefix = "/epcisHeader/epcisMasterData"
	if xdoc == nil {
		return fe
	}
	out := make([]critmin.FieldError, len(fe))
	for i, f := range fe {
		if rest, ok := strings.CutPrefix(f.Pointer, prefix); ok {
			f.Pointer = xdoc.Path(prefix) + rest
		}
		out[i] = f
	}
	return out
}

// xmlHead reads an XML document's first MaxXMLBytes and one byte more:
// a document that ends within them is returned whole; otherwise a reader
// of the whole document (those bytes, then the rest) to stream.
func (s *Service) xmlHead(req CaptureRequest) (whole []byte, streamed io.Reader, err error) {
	max := s.XMLLimit()
	if req.Body != nil || req.Reader == nil {
		if max <= 0 || int64(len(req.Body)) <= max {
			return req.Body, nil, nil
		}
		return nil, bytes.NewReader(req.Body), nil
	}
	if max <= 0 {
		lr := s.limitReader(req.Reader)
		b, err := io.ReadAll(lr)
		if err != nil {
			return nil, nil, s.readError(lr, err)
		}
		return b, nil, nil
	}
	rec := &readRecord{r: req.Reader}
	head, err := io.ReadAll(io.LimitReader(rec, max+1))
	if err != nil {
		return nil, nil, s.readError(&limitedReader{err: rec.err}, err)
	}
	if int64(len(head)) <= max {
		return head, nil, nil
	}
	return nil, io.MultiReader(bytes.NewReader(head), req.Reader), nil
}

// readRecord keeps a reader's error, for readError.
type readRecord struct {
	r   io.Reader
	err error
}

func (r *readRecord) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

// XMLLimit is the size up to which an XML body is mapped whole, and the
// limit of a single XML event (0: none).
func (s *Service) XMLLimit() int64 {
	max := s.Limits.MaxXMLBytes
	if max <= 0 || s.Limits.MaxBytes > 0 && s.Limits.MaxBytes < max {
		return s.Limits.MaxBytes
	}
	return max
}

// Validate checks a document exactly as Capture does — the GS1 schemas,
// critmin's rules and the mineral extension, event by event — and stores
// nothing. It returns the field errors of each event (nil for a valid
// event; pointers are the same JSON pointers Capture reports) or an error
// for a document that cannot be read at all. The operator forms and the
// CSV import preview through it, so a preview accepts exactly what the
// capture will.
func (s *Service) Validate(ctx context.Context, body []byte) ([][]critmin.FieldError, error) {
	if s.Limits.MaxBytes > 0 && int64(len(body)) > s.Limits.MaxBytes {
		return nil, documentLimitError("", fmt.Sprintf("the document of %s bytes is over the capture file-size limit of %s bytes (GS1-EPCIS-Capture-File-Size-Limit)", units.Int(len(body)), units.Int(s.Limits.MaxBytes)))
	}
	doc, err := epcis.ParseDocument(body, false)
	if err != nil {
		// A refused header still has its events' errors reported with
		// its own, as Capture does.
		return nil, s.withEventErrors(ctx, doc, nil, err)
	}
	if s.Limits.MaxEvents > 0 && len(doc.Events) > s.Limits.MaxEvents {
		return nil, documentLimitError(doc.EventPointer, fmt.Sprintf("the document has %s, over the capture limit of %s (GS1-EPCIS-Capture-Limit)", units.Count(len(doc.Events), "event"), units.Int(s.Limits.MaxEvents)))
	}
	// Master data that would move a site where events are recorded is
	// refused as the capture refuses it (409, checkSiteFixed).
	if len(ValidateMasterData(doc.Master)) == 0 {
		if err := s.checkSiteFixed(ctx, doc.Master); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	events, errs := s.decodeAll(ctx, doc, now)
	if err := declaredTwice(events, func(i int) string { return doc.Pointer(i) + "/errorDeclaration" }); err != nil {
		return nil, err
	}
	if err := repeatedEventIDs(events, func(i int) string { return doc.Pointer(i) + "/eventID" }); err != nil {
		return nil, err
	}
	if err := s.checkOriginMine(ctx, doc.Master, events, errs, doc.Pointer, nil); err != nil {
		return nil, err
	}
	if err := s.checkCommissioning(ctx, doc, events, errs); err != nil {
		return nil, err
	}
	if err := s.recordChecksOfRefused(ctx, doc, now, events, errs); err != nil {
		return nil, err
	}
	// The store-dependent checks capture makes in its transaction, on the
	// lots as stored, so that a preview that passes is not refused on
	// capture.
	if err := s.checkPackingStored(ctx, events, errs); err != nil {
		return nil, err
	}
	if err := s.checkRepackingStored(ctx, events, errs); err != nil {
		return nil, err
	}
	if s.ClaimCheck != nil {
		// The check's refusals are the refused events' errors, as a
		// proceed capture lists them (claimRounds).
		var valid []*critmin.Event
		var validAt []int
		for i, ev := range events {
			if errs[i] == nil {
				valid = append(valid, ev)
				validAt = append(validAt, i)
			}
		}
		CorrectivesInTimeOrder(valid, validAt)
		_, refused, err := s.claimRounds(WithMasterData(ctx, doc.Master), valid, func(k int, rest string) string { return doc.Pointer(validAt[k]) + rest })
		if err != nil && len(refused) == 0 && !wholeRefusalByEvent(err, errs, doc.Pointer) {
			return nil, err
		}
		for _, r := range refused {
			errs[validAt[r.k]] = r.fields
		}
	}
	for i := range errs {
		if errs[i] != nil {
			if c := s.storedClash(ctx, events[i]); c != nil {
				errs[i] = []critmin.FieldError{{Pointer: doc.Pointer(i) + "/eventID", Reason: c.Err.Fields[0].Reason, Conflict: true}}
			}
		}
	}
	if allValid(errs) && len(events) > 0 {
		if err := s.trialStore(ctx, doc, events, now); err != nil {
			return nil, err
		}
	}
	return errs, nil
}

// wholeRefusalByEvent adds the capture-time check's refusal of a
// document as a whole (err: a conflict with the record, 409) to errs,
// each field under the event it names (pointer(i) is event i's
// pointer), when an event of the document is refused already: the
// preview then names that event's own fault beside it, as Capture does
// (withWholeRefusal, fixSs). False, errs unchanged, when no event is
// refused yet, err names no field, or a field names no event.
func wholeRefusalByEvent(err error, errs [][]critmin.FieldError, pointer func(i int) string) bool {
	var e *critmin.Error
	if allValid(errs) || !errors.As(err, &e) || len(e.Fields) == 0 {
		return false
	}
	at := make([]int, len(e.Fields))
	for j, f := range e.Fields {
		if at[j] = eventOfPointer(f.Pointer, len(errs), pointer); at[j] < 0 {
			return false
		}
	}
	for j, f := range e.Fields {
		f.Conflict = f.Conflict || e.Code == critmin.ECONFLICT
		errs[at[j]] = append(errs[at[j]], f)
	}
	return true
}

// eventOfPointer is the index of the event, of n, whose pointer (pointer
// gives event i's) is p or begins p, -1 when none.
func eventOfPointer(p string, n int, pointer func(i int) string) int {
	for i := 0; i < n; i++ {
		if q := pointer(i); p == q || strings.HasPrefix(p, q+"/") {
			return i
		}
	}
	return -1
}

// allValid says whether no event of a document has a field error.
func allValid(errs [][]critmin.FieldError) bool {
	for _, e := range errs {
		if e != nil {
			return false
		}
	}
	return true
}

// trialStore adds a valid document's events to a capture transaction and
// rolls it back, so that the checks the store makes only as it writes —
// a back-dated weighing that would change how the lot's later events read
// (sqldb, retract.go), a second commissioning, a packing against the
// stored containers — refuse a preview as they would refuse the capture
// (issue 15: an import preview called a back-dated ticket valid that the
// capture then refused). Nothing is stored: the capture's savepoint is
// rolled back (sqldb group commit), and the transaction takes the
// writer's turn like a capture. The refusal is returned as Capture
// returns it (its pointers name events as "event {eventID}/{field}").
func (s *Service) trialStore(ctx context.Context, doc *epcis.Document, events []*critmin.Event, now time.Time) error {
	job := &critmin.CaptureJob{CaptureID: newCaptureID(), CreatedAt: now.UTC(), CaptureErrorBehaviour: critmin.BehaviourRollback,
		EventCount: len(events), Errors: []critmin.CaptureError{}}
	tx, err := s.Store.BeginCapture(ctx, job, doc.Master)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	err = tx.Add(events)
	if st, ok := tx.(interface{ Settle() error }); ok && err == nil {
		err = st.Settle()
	}
	if err != nil {
		return conflictPointer(err, events, func(i int) string { return doc.Pointer(i) + "/eventID" })
	}
	return nil
}

// recordChecksOfRefused runs the record checks (a mine that is a mine,
// a lot not commissioned twice) on the events the schema or the mineral
// profile refused, on what of them could be read, and adds what they
// find to those events' errors: a preview then lists every fault at
// once, not the schema's first and the record checks' after a fix
// (docs/forms.md). Each check runs on its own, so that a mine refused
// does not hide a lot commissioned twice; an error already reported
// word for word is not added again.
func (s *Service) recordChecksOfRefused(ctx context.Context, doc *epcis.Document, now time.Time, events []*critmin.Event, errs [][]critmin.FieldError) error {
	partial := make([]*critmin.Event, len(events))
	any := false
	for i := range events {
		if errs[i] == nil {
			continue
		}
		ev := events[i]
		if ev == nil {
			ev, _ = doc.Decode(i, now)
			if ev == nil {
				continue
			}
			if mf, _ := DecodeMineral(ev, doc.Pointer(i)); mf != nil {
				ev.Mineral = mf
			}
		}
		partial[i], any = ev, true
	}
	if !any {
		return nil
	}
	// Each check on its own: one's refusal does not hide the other's.
	mine := make([][]critmin.FieldError, len(events))
	if err := s.checkOriginMine(ctx, doc.Master, partial, mine, doc.Pointer, nil); err != nil {
		return err
	}
	lots := make([][]critmin.FieldError, len(events))
	if err := s.checkCommissioning(ctx, doc, partial, lots); err != nil {
		return err
	}
	probe := make([][]critmin.FieldError, len(events))
	for i := range probe {
		probe[i] = append(mine[i], lots[i]...)
	}
	for i, found := range probe {
		if partial[i] == nil {
			continue
		}
	next:
		for _, f := range found {
			for _, r := range errs[i] {
				if f == r {
					continue next
				}
			}
			errs[i] = append(errs[i], f)
		}
	}
	return nil
}

func (s *Service) capture(ctx context.Context, req CaptureRequest, doc *epcis.Document, now time.Time, xdoc *epcis.XMLDocument) (*critmin.CaptureJob, error) {
	job := &critmin.CaptureJob{
		CaptureID:             newCaptureID(),
		CreatedAt:             now.UTC(),
		CaptureErrorBehaviour: req.Behaviour,
		EventCount:            len(doc.Events),
		Errors:                []critmin.CaptureError{},
		Token:                 req.Token,
		Import:                req.Import,
	}
	masterErrs := masterPaths(ValidateMasterData(doc.Master), xdoc)
	if len(masterErrs) == 0 {
		if err := s.checkSiteFixed(ctx, doc.Master); err != nil {
			return nil, err
		}
	}
	events, fieldErrs := s.decodeAll(ctx, doc, now)
	if err := declaredTwice(events, func(i int) string {
		p := doc.Pointer(i) + "/errorDeclaration"
		if xdoc != nil {
			p = xdoc.Path(p)
		}
		return p
	}); err != nil {
		return nil, err
	}
	if err := repeatedEventIDs(events, func(i int) string {
		p := doc.Pointer(i) + "/eventID"
		if xdoc != nil {
			p = xdoc.Path(p)
		}
		return p
	}); err != nil {
		return nil, err
	}
	if err := s.checkOriginMine(ctx, doc.Master, events, fieldErrs, doc.Pointer, nil); err != nil {
		return nil, err
	}
	if err := s.checkCommissioning(ctx, doc, events, fieldErrs); err != nil {
		return nil, err
	}
	if xdoc != nil {
		for _, fe := range fieldErrs {
			for j := range fe {
				fe[j].Pointer = xdoc.Path(fe[j].Pointer)
			}
		}
	}
	if len(masterErrs) > 0 {
		// Refused master data refuses the document, under any
		// behaviour; its events' errors are reported with it.
		all := append([]critmin.FieldError(nil), masterErrs...)
		for _, fe := range fieldErrs {
			all = append(all, fe...)
		}
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("master data refused; nothing was stored: %s: %s", all[0].Pointer, all[0].Reason), Fields: all}
	}
	var valid []*critmin.Event
	var validAt []int // the document index of each valid event
	for i, ev := range events {
		if fieldErrs[i] == nil {
			ev.CaptureID = job.CaptureID
			valid = append(valid, ev)
			validAt = append(validAt, i)
		}
	}
	// The document's correctives are checked and stored in event-time
	// order (CorrectivesInTimeOrder).
	CorrectivesInTimeOrder(valid, validAt)
	pointer := func(i int) string {
		p := doc.Pointer(i) + "/eventID"
		if xdoc != nil {
			p = xdoc.Path(p)
		}
		return p
	}
	var all []critmin.FieldError
	bad, conflicts := 0, 0
	refuse := func(i int, fe []critmin.FieldError) {
		if c := s.storedClash(ctx, events[i]); c != nil {
			// Its eventID names another stored event: that is what is
			// wrong with it, whatever the record checks made of it.
			fe = []critmin.FieldError{{Pointer: pointer(i), Reason: c.Err.Fields[0].Reason, Conflict: true}}
		}
		bad++
		if critmin.AllConflicts(fe) {
			conflicts++
		}
		all = append(all, fe...)
		for _, f := range fe {
			job.ErrorCount++
			if len(job.Errors) >= MaxReportedErrors {
				job.ErrorsOmitted++
				continue
			}
			job.Errors = append(job.Errors, critmin.CaptureError{
				Type: "epcisException:ValidationException", Title: fieldTitle(i, f), Status: fieldStatus(f),
				Detail: f.Reason, Pointer: f.Pointer,
			})
		}
	}
	for i, fe := range fieldErrs {
		if fe != nil {
			refuse(i, fe)
		}
	}
	evPointer := func(i int) string {
		p := doc.Pointer(i)
		if xdoc != nil {
			p = xdoc.Path(p)
		}
		return p
	}
	// The capture-time check's refusals name the document's pointers.
	at := func(k int, rest string) string {
		p := doc.Pointer(validAt[k]) + rest
		if xdoc != nil {
			p = xdoc.Path(p)
		}
		return p
	}
	rollbackErr := func() error {
		if c := s.clashAmong(ctx, all, events, evPointer); c != nil {
			return conflictPointer(c, events, pointer)
		}
		return &critmin.Error{Code: refusalCode(all),
			Message: fmt.Sprintf("%s; nothing was stored (rollback). First: %s: %s", refusedEvents(bad, conflicts, len(events), all), all[0].Pointer, all[0].Reason),
			Fields:  all}
	}
	// withWholeRefusal adds the capture-time check's refusal of the
	// document as a whole (a conflict with the record, 409: a
	// declaration that would leave a later event standing on nothing) to
	// the errors of the events refused already, each field under the
	// event it names: an event refused 400 at its own field (a
	// declaration naming itself its corrective, fixSs) is then reported
	// with it, and the document refused 400 (refusalCode), not hidden
	// behind the other events' 409. False when there is nothing to add
	// it to, or err names no field.
	withWholeRefusal := func(err error) bool {
		var e *critmin.Error
		if len(all) == 0 || !errors.As(err, &e) || len(e.Fields) == 0 {
			return false
		}
		byEvent := map[int][]critmin.FieldError{}
		var order []int
		for _, f := range e.Fields {
			f.Conflict = f.Conflict || e.Code == critmin.ECONFLICT
			i := eventOfPointer(f.Pointer, len(events), evPointer)
			if i < 0 {
				all = append(all, f)
				continue
			}
			if byEvent[i] == nil {
				order = append(order, i)
			}
			byEvent[i] = append(byEvent[i], f)
		}
		for _, i := range order {
			refuse(i, byEvent[i])
		}
		return true
	}
	if len(all) > 0 && req.Behaviour == critmin.BehaviourRollback {
		if s.ClaimCheck != nil && len(valid) > 0 {
			// Nothing will be stored, but the business rules' errors of
			// the valid events are reported with the schema's: every
			// independent error at once.
			_, refused, err := s.claimRounds(WithMasterData(ctx, doc.Master), valid, at)
			for _, r := range refused {
				refuse(validAt[r.k], r.fields)
			}
			if err != nil && len(refused) == 0 && !withWholeRefusal(err) {
				return nil, err
			}
		}
		return nil, rollbackErr()
	}
	// Under proceed an event the capture-time check refuses is listed in
	// the job's errors and the others are stored (claimRounds); under
	// rollback any refusal refuses the document, with every error.
	check := func(ctx context.Context, valid []*critmin.Event) ([]*critmin.Event, error) {
		// A pair of the document's events is answered as a streamed
		// capture answers it (ledger.Staged.Proceed: under proceed the
		// later refused), whichever path reads the document (nu38b-3).
		kept, refused, err := s.claimRounds(WithStaged(ctx, Staged{Proceed: req.Behaviour == critmin.BehaviourProceed}), valid, at)
		for _, r := range refused {
			refuse(validAt[r.k], r.fields)
		}
		if len(refused) > 0 && req.Behaviour == critmin.BehaviourRollback {
			// A whole refusal after them is their consequence or one
			// more fault of a document refused already (claimRounds).
			return nil, rollbackErr()
		}
		if err != nil {
			if withWholeRefusal(err) {
				return nil, rollbackErr()
			}
			return nil, err
		}
		return kept, nil
	}
	prog := critmin.Progress(ctx)
	var skipped []string
	// The store's refusals name events by ID; the document's pointers
	// replace them (storePointers).
	// A declaration shares its eventID with the event it declares: a
	// refusal of a declaration (…/errorDeclaration, …/eventID of a
	// second declaration) names the declaration, where the document
	// holds both.
	byID := make(map[string]int, len(events))
	declByID := map[string]int{}
	for i, ev := range events {
		if ev == nil || ev.EventID == "" {
			continue
		}
		if _, seen := byID[ev.EventID]; !seen {
			byID[ev.EventID] = i
		}
		if _, seen := declByID[ev.EventID]; !seen && ev.ErrorDeclaration != nil {
			declByID[ev.EventID] = i
		}
	}
	docPointer := func(id, rest string) (string, bool) {
		i, ok := byID[id]
		if d, isDecl := declByID[id]; isDecl && (rest == "/eventID" || strings.HasPrefix(rest, "/errorDeclaration")) {
			i, ok = d, true
		}
		if !ok {
			return "", false
		}
		p := doc.Pointer(i) + rest
		if xdoc != nil {
			p = xdoc.Path(p)
		}
		return p, true
	}
	if s.ClaimCheck == nil && describesLocation(doc.Master) {
		// No claim check, but the check that a site does not move runs
		// in the transaction all the same (checkAndStore).
		check = func(_ context.Context, valid []*critmin.Event) ([]*critmin.Event, error) { return valid, nil }
	}
	if s.ClaimCheck != nil || describesLocation(doc.Master) {
		var err error
		if skipped, valid, err = s.checkAndStore(ctx, job, valid, doc.Master, check); err != nil {
			err = storePointers(err, docPointer)
			if c := s.clashAmong(ctx, critmin.ErrorFields(err), events, evPointer); c != nil {
				err = c
			}
			return nil, conflictPointer(err, events, pointer)
		}
	} else {
		prog("store", 0, int64(len(valid)))
		var err error
		if skipped, err = s.Store.CaptureEvents(ctx, job, valid, doc.Master); err != nil {
			err = storePointers(err, docPointer)
			if c := s.clashAmong(ctx, critmin.ErrorFields(err), events, evPointer); c != nil {
				err = c
			}
			return nil, conflictPointer(err, events, pointer)
		}
	}
	prog("store", int64(len(valid)), int64(len(valid)))
	fin := s.Now().UTC()
	job.FinishedAt = &fin
	job.Stored = len(valid) - len(skipped)
	job.Duplicates = skipped
	dup := make(map[string]bool, len(skipped))
	for _, id := range skipped {
		dup[id] = true
	}
	for _, ev := range valid {
		if !dup[ev.EventID] || ev.ErrorDeclaration != nil {
			job.EventIDs = append(job.EventIDs, ev.EventID)
		}
	}
	job.Success = len(job.Errors) == 0
	return job, nil
}

// checkAndStore runs the capture-time check (ClaimCheck) and stores the
// events as one critical section: the capture transaction is opened first
// — which serialises captures across processes (SQLite's one writer,
// BEGIN IMMEDIATE; PostgreSQL's transaction-level advisory lock, sqldb) —
// and the check then reads the stored state every earlier capture has
// committed. Checked before the lock, concurrent captures would each see
// the lot unconsumed or the account uncharged and all pass (issue 9: three
// runs each consuming all of one 100 t lot earned its credits three
// times). A refusal rolls the transaction back: nothing is stored.
//
// check runs ClaimCheck and returns the events to store (claimRounds: under
// proceed the events it refuses are dropped); stored are those events.
func (s *Service) checkAndStore(ctx context.Context, job *critmin.CaptureJob, valid []*critmin.Event, master []critmin.MasterDataElement,
	check func(context.Context, []*critmin.Event) ([]*critmin.Event, error)) (skipped []string, stored []*critmin.Event, err error) {
	tx, err := s.Store.BeginCapture(ctx, job, master)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback() // a no-op after Commit
	if err := s.siteFixedIn(ctx, tx, job, 0, master); err != nil {
		return nil, nil, err
	}
	if valid, err = check(WithMasterData(captureReads(ctx, tx), master), valid); err != nil {
		return nil, nil, err
	}
	prog := critmin.Progress(ctx)
	prog("store", 0, int64(len(valid)))
	if err := tx.Add(valid); err != nil {
		return nil, nil, err
	}
	if err := tx.Commit(master); err != nil {
		return nil, nil, err
	}
	return tx.Skipped(), valid, nil
}

// captureReads is the context the capture-time check reads with: one
// whose reads go through the capture's transaction when the store offers
// it (sqldb groups queued captures in one transaction, so the check must
// see the captures committed with it before it), else ctx.
func captureReads(ctx context.Context, tx critmin.CaptureTx) context.Context {
	if r, ok := tx.(interface {
		CaptureReads(context.Context) context.Context
	}); ok {
		return r.CaptureReads(ctx)
	}
	return ctx
}

// decodeAll decodes the events on every core; the order of the results is
// the document's.
// Progress is reported as stage "validate" (critmin.Progress).
func (s *Service) decodeAll(ctx context.Context, doc *epcis.Document, now time.Time) ([]*critmin.Event, [][]critmin.FieldError) {
	n := len(doc.Events)
	prog := critmin.Progress(ctx)
	var done atomic.Int64
	events := make([]*critmin.Event, n)
	errs := make([][]critmin.FieldError, n)
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				prog("validate", done.Add(1)-1, int64(n)) // events decoded before this one
				ev, verr := doc.Decode(i, now)
				if verr != nil {
					errs[i] = append(verr.Fields, independentMineralErrors(ev, doc.Pointer(i), verr.Fields)...)
					continue
				}
				mf, ferrs := DecodeMineral(ev, doc.Pointer(i))
				ferrs = append(ferrs, MissingBasis(mf, doc.Pointer(i))...)
				ferrs = append(ferrs, misplacedExtension(ev, doc.Pointer(i))...)
				ferrs = append(ferrs, repeatedLots(ev, doc.Pointer(i))...)
				ferrs = append(ferrs, zeroRunLines(ev, doc.Pointer(i))...)
				if len(ferrs) > 0 {
					errs[i] = ferrs
					continue
				}
				ev.Mineral = mf
				events[i] = ev
			}
		}()
	}
	wg.Wait()
	s.respellStored(ctx, events)
	prog("validate", int64(n), int64(n))
	return events, errs
}

func newCaptureID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "cap-" + hex.EncodeToString(b[:])
}

// xmlErrors adds to the mapping errors of a refused XML document (mapErr)
// the validation errors of what could be mapped, each named by its XML
// path, so that one submission reports every independent error (an
// undeclared namespace prefix and a bad bizStep, say); an error at or
// under an element the mapping already refused is not repeated.
func (s *Service) xmlErrors(ctx context.Context, xdoc *epcis.XMLDocument, single bool, mapErr error) error {
	var me *critmin.Error
	if xdoc == nil || len(xdoc.JSON) == 0 || !errors.As(mapErr, &me) {
		return mapErr
	}
	all := append([]critmin.FieldError(nil), me.Fields...)
	refused := func(p string) bool {
		for _, f := range me.Fields {
			if p == f.Pointer || strings.HasPrefix(p, f.Pointer+"/") {
				return true
			}
		}
		return false
	}
	add := func(fe []critmin.FieldError) {
		for _, f := range fe {
			f.Pointer = xdoc.Path(f.Pointer)
			if !refused(f.Pointer) {
				all = append(all, f)
			}
		}
	}
	doc, err := epcis.ParseXMLDocument(xdoc.JSON, single)
	var pe *critmin.Error
	switch {
	case err == nil:
		_, fieldErrs := s.decodeAll(ctx, doc, s.Now())
		for _, fe := range fieldErrs {
			add(fe)
		}
	case errors.As(err, &pe):
		add(pe.Fields)
		if doc != nil {
			_, fieldErrs := s.decodeAll(ctx, doc, s.Now())
			for _, fe := range fieldErrs {
				add(fe)
			}
		}
	}
	out := *me
	out.Fields = all
	return &out
}

// misplacedExtension refuses mineral-extension terms placed at the top
// level of an event, where nothing reads them (a silently ignored claim
// would let a buyer believe a claim was made): cm:originClaim and the lot
// facts belong in the ILMD (EPCIS 2.0 §7.3.6: instance/lot master data
// is carried in ilmd) of the event that makes the lot or of a later
// ObjectEvent ADD on it; assays travel in sensor reports.
func misplacedExtension(ev *critmin.Event, ptr string) []critmin.FieldError {
	if len(ev.Raw) == 0 {
		return nil
	}
	if !mayNameTerm(ev.Raw, ev.Context) {
		return nil
	}
	// The member names only, not their values (perf11x).
	names := epcis.TopLevelNames(ev.Raw)
	if names == nil {
		return nil
	}
	prefixes := epcis.ContextPrefixes(ev.Context)
	var out []critmin.FieldError
	for _, k := range names {
		iri := k
		if p, local, ok := strings.Cut(k, ":"); ok && prefixes[p] != "" {
			iri = prefixes[p] + local
		}
		switch iri {
		case TermOriginClaim:
			out = append(out, critmin.FieldError{Pointer: ptr + "/" + k, Reason: "a top-level " + k + " is not read: a mass-balance claim goes in the ILMD (ilmd/cm:originClaim) of the TransformationEvent that makes the lot, or of a later ObjectEvent with action ADD on the lot (docs/origin.md, \"Making a claim in a later event\")"})
		case TermCommodity, TermOriginCountry, TermOriginMine, TermMoisture, TermAssay:
			out = append(out, critmin.FieldError{Pointer: ptr + "/" + k, Reason: "a top-level " + k + " is not read: lot facts go in the ILMD (ilmd/" + k + ") of the event that makes the lot or of a later ObjectEvent ADD on it; later assays go in sensor reports"})
		}
	}
	return out
}

// misplacedTerms are the terms misplacedExtension refuses at the top
// level of an event.
var misplacedTerms = []string{TermOriginClaim, TermCommodity, TermOriginCountry, TermOriginMine, TermMoisture, TermAssay}

// mayNameTerm reports whether raw, an event as encoding/json writes it
// (epcis.Document.Decode re-encodes every captured event), can hold a
// member name that names one of misplacedTerms under the event's context
// (raw JSON): the term's IRI itself, or "p:local" where the context's
// prefix p expands local to the IRI. Every such name appears in raw as
// the JSON string encoding/json writes for it (same escaping), so false
// means no member names a term and raw need not be decoded; true means
// one may (anywhere, at any depth), and the caller decodes. This keeps
// the check off the capture's profile: decoding every event's members
// again cost 8 % of capture CPU (docs/benchmarks.md).
func mayNameTerm(raw, context []byte) bool {
	for _, name := range termSpellings(context) {
		if bytes.Contains(raw, name) {
			return true
		}
	}
	return false
}

// termSpellings returns the JSON strings that can name one of
// misplacedTerms under a context, remembered per context: the events of
// a document share theirs. At most 256 contexts are remembered at once.
func termSpellings(context []byte) [][]byte {
	spellings.mu.Lock()
	out, ok := spellings.m[string(context)]
	spellings.mu.Unlock()
	if ok {
		return out
	}
	prefixes := epcis.ContextPrefixes(context)
	for _, t := range misplacedTerms {
		names := []string{t}
		for p, ns := range prefixes {
			if local, ok := strings.CutPrefix(t, ns); ok {
				names = append(names, p+":"+local)
			}
		}
		for _, n := range names {
			b, _ := json.Marshal(n) // a string always encodes
			out = append(out, b)
		}
	}
	spellings.mu.Lock()
	if len(spellings.m) >= 256 {
		clear(spellings.m)
	}
	spellings.m[string(context)] = out
	spellings.mu.Unlock()
	return out
}

var spellings = struct {
	mu sync.Mutex
	m  map[string][][]byte
}{m: map[string][][]byte{}}

// CustodyModels are the values of cm:custodyModel (ISO 22095:2020 §5:
// identity preserved, segregated, controlled blending, mass balance).
// MaxElementTolerance bounds a site's declared cm:elementTolerance, the
// relative tolerance of a run's element balance (outputs against
// inputs): 10 %. A refinery's metal accounting closes far tighter
// (custody.DefaultElementTolerance is 0.5 %); a larger figure would let a
// run gain element unflagged (issue 9, fix9y).
const MaxElementTolerance = 0.10

var CustodyModels = []string{"identity_preserved", "segregated", "controlled_blending", "mass_balance"}

// ValidateMasterData checks the mineral extension's attributes of master
// data (attribute ids in its namespace, or with the cm: prefix): a value
// the projection would misread — a custody model typo read as none, a
// tolerance of 5 read as 500 % — is refused with the element and the
// attribute named, instead of silently changing verdicts.
func ValidateMasterData(master []critmin.MasterDataElement) []critmin.FieldError {
	var out []critmin.FieldError
	for _, m := range master {
		if _, conflict := critmin.SiteCountry(m.Attributes, m.AttributeValues); conflict != "" {
			// Two country attributes that disagree: the site is read as
			// in neither (critmin.SiteCountry), so it is refused here,
			// never stored to be read as the friendlier one (fixBb).
			out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("/epcisHeader/epcisMasterData (element %s, country attributes)", m.ID), Reason: critmin.SiteCountryConflict(m.ID, conflict)})
		}
		for _, aid := range sortedStringKeys(m.Attributes) {
			local, ok := strings.CutPrefix(aid, Namespace)
			if !ok {
				local, ok = strings.CutPrefix(aid, "cm:")
			}
			if !ok {
				continue
			}
			v := m.Attributes[aid]
			ptr := fmt.Sprintf("/epcisHeader/epcisMasterData (element %s, attribute %s)", m.ID, aid)
			fail := func(f string, a ...any) {
				out = append(out, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf(f, a...)})
			}
			switch local {
			case "custodyModel":
				if !slices.Contains(CustodyModels, v) {
					fail("cm:custodyModel %q is not a custody model: use one of %s", v, strings.Join(CustodyModels, ", "))
				}
			case "elementTolerance":
				f, err := strconv.ParseFloat(v, 64)
				switch {
				case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
					fail("cm:elementTolerance %q is not a number: give the relative tolerance of a run's element balance as a fraction (0.005 for 0.5 %%)", v)
				case f < 0 || f > MaxElementTolerance:
					fail("cm:elementTolerance %v is outside [0, 0.1]: it is a fraction (0.05 for 5 %%), not a percent, cannot be negative, and may not exceed 0.1 (10 %%), beyond which a run's outputs could hold more of an element than its inputs and pass unflagged", f)
				}
			case "country":
				if _, ok := country.Normalize(v); !ok {
					fail("cm:country %q is not an ISO 3166-1 country code (alpha-3 PAK, alpha-2 PK or numeric 586)", v)
				}
			case "unLocode":
				if !unlocode.MatchString(v) {
					fail("cm:unLocode %q is not a UN/LOCODE (two letters of country, three of place: PKKHI)", v)
				}
			}
		}
	}
	return out
}

var unlocode = regexp.MustCompile(`^[A-Z]{2}[A-Z2-9]{3}$`)

func sortedStringKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkPackingStored runs CheckPacking against the stored lots for each
// valid packing event, adding its errors to the event's.
func (s *Service) checkPackingStored(ctx context.Context, events []*critmin.Event, errs [][]critmin.FieldError) error {
	var ids []string
	for i, ev := range events {
		if errs[i] != nil || ev == nil || (ev.Type != critmin.AggregationEvent && ev.Type != critmin.AssociationEvent) {
			continue
		}
		for _, q := range ev.Quantities {
			if q.Role == critmin.RoleChild {
				ids = append(ids, q.EPCClass)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	stored, err := s.Store.FindLotsByID(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[string]*critmin.Lot{}
	for _, l := range stored {
		byID[epcis.Canonical(l.ID)] = l
	}
	for i, ev := range events {
		if errs[i] != nil || ev == nil {
			continue
		}
		for _, e := range CheckPacking(ev, func(id string) *critmin.Lot { return byID[epcis.Canonical(id)] }) {
			e.Pointer = fmt.Sprintf("/epcisBody/eventList/%d", i) + e.Pointer
			errs[i] = append(errs[i], e)
		}
	}
	return nil
}

// checkRepackingStored runs CheckRepacking on each valid AggregationEvent
// in document order, against where the stored events put its children
// (Store.PackedIn) and the document's earlier events, as capture does.
func (s *Service) checkRepackingStored(ctx context.Context, events []*critmin.Event, errs [][]critmin.FieldError) error {
	var ids []string
	for i, ev := range events {
		if errs[i] != nil || ev == nil || ev.Type != critmin.AggregationEvent {
			continue
		}
		for _, k := range Children(ev) {
			ids = append(ids, k.Child)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	packed, err := s.Store.PackedIn(ctx, ids, time.Time{})
	if err != nil {
		return err
	}
	stored, err := s.Store.FindLotsByID(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[string]*critmin.Lot{}
	for _, l := range stored {
		byID[epcis.Canonical(l.ID)] = l
	}
	c := NewContainment(packed)
	for _, id := range ids {
		c.Load(id, nil)
	}
	// One container at a time is judged at each event's own time
	// (CheckRepackingAt) where the store gives its packing events; the
	// cycle check against the containers as they are now.
	var hist []*critmin.Event
	ph, atTime := s.Store.(packingHistory)
	if atTime {
		if hist, err = ph.PackingEvents(ctx, ids); err != nil {
			return err
		}
	}
	for i, ev := range events {
		if errs[i] != nil || ev == nil || ev.Type != critmin.AggregationEvent {
			continue
		}
		lotOf := func(id string) *critmin.Lot { return byID[epcis.Canonical(id)] }
		var fe []critmin.FieldError
		if atTime {
			drawn, err := s.drawnOut(ctx, ev, hist, lotOf)
			if err != nil {
				return err
			}
			fe = CheckRepackingAt(ev, hist, lotOf, drawn...)
		} else {
			fe = CheckRepacking(ev, c, lotOf)
		}
		cycle, err := CheckPackingCycle(ev, c, func(ids []string) error {
			packed, err := s.Store.PackedIn(ctx, ids, time.Time{})
			if err != nil {
				return err
			}
			for _, id := range ids {
				c.Load(id, packed)
			}
			return nil
		})
		if err != nil {
			return err
		}
		fe = append(fe, cycle...)
		for _, e := range fe {
			e.Pointer = fmt.Sprintf("/epcisBody/eventList/%d", i) + e.Pointer
			errs[i] = append(errs[i], e)
		}
		if len(fe) == 0 {
			c.Apply(ev)
			hist = append(hist, ev)
		}
	}
	return nil
}

// packingHistory is a store that gives the stored AggregationEvents of
// children (sqldb.DB.PackingEvents), for the check of a packing at its
// own time (CheckRepackingAt).
type packingHistory interface {
	PackingEvents(ctx context.Context, children []string) ([]*critmin.Event, error)
}

// storedSpellings is a store that names, for canonical eventIDs, the
// spelling under which an older version stored each (sqldb).
type storedSpellings interface {
	StoredEventIDSpellings(ctx context.Context, ids []string) (map[string]string, error)
}

// respellStored gives each decoded event whose eventID the ledger holds
// in another spelling — stored before eventIDs were canonicalised, as
// URN:UUID:AB… — that spelling (epcis.RespellEventID), in one look-up for
// the batch, so that the event re-sent in any spelling is a duplicate and
// a declaration in any spelling finds the event it declares in error. A
// store that cannot say, or a failed look-up, leaves the canonical
// spelling, which every new event is stored under.
func (s *Service) respellStored(ctx context.Context, events []*critmin.Event) {
	st, ok := s.Store.(storedSpellings)
	if !ok {
		return
	}
	var ids []string
	for _, ev := range events {
		if ev != nil && ev.EventID != "" {
			ids = append(ids, ev.EventID)
		}
	}
	if len(ids) == 0 {
		return
	}
	stored, err := st.StoredEventIDSpellings(ctx, ids)
	if err != nil || len(stored) == 0 {
		return
	}
	for _, ev := range events {
		if ev == nil {
			continue
		}
		if sp, ok := stored[epcis.CanonicalEventID(ev.EventID)]; ok {
			_ = epcis.RespellEventID(ev, sp) // (canonically equal by construction)
		}
	}
}

// conflictPointer names, in a refusal of an event whose eventID is stored
// with other content (critmin.EventContentConflict), the refused event's
// eventID by its pointer in the document: the first event under that
// eventID whose content hashes as the refused one's. events are the
// document's decoded events by index (nil for an invalid one), pointer
// gives the pointer of event i's eventID.
func conflictPointer(err error, events []*critmin.Event, pointer func(i int) string) error {
	var c *critmin.EventContentConflict
	if !errors.As(err, &c) {
		return err
	}
	for i, ev := range events {
		if ev == nil || ev.EventID != c.EventID {
			continue
		}
		if h, herr := epcis.HashStored(ev.Raw, ev.Context); herr == nil && h == c.Sent {
			fields := append([]critmin.FieldError(nil), c.Err.Fields...)
			for j := range fields {
				fields[j].Pointer = pointer(i)
			}
			e := *c.Err
			e.Fields = fields
			return &critmin.EventContentConflict{EventID: c.EventID, Stored: c.Stored, Sent: c.Sent, Err: &e}
		}
	}
	return err
}

// clashAmong is the refusal of the first event a refusal's field errors
// point into (evPointer gives each event's pointer) whose eventID is
// already used by a stored event of other content (storedClash); nil
// when there is none.
func (s *Service) clashAmong(ctx context.Context, fields []critmin.FieldError, events []*critmin.Event, evPointer func(i int) string) error {
	for _, f := range fields {
		for i, ev := range events {
			if p := evPointer(i); ev != nil && (f.Pointer == p || strings.HasPrefix(f.Pointer, p+"/")) {
				if c := s.storedClash(ctx, ev); c != nil {
					return c
				}
			}
		}
	}
	return nil
}

// storedClash returns the refusal of ev when its eventID is already used
// by a stored event of other content (critmin.NewEventContentConflict;
// EPCIS 2.0 §7.4.1: an eventID names one event), nil otherwise. The
// capture and the preview call it on an event refused on other grounds:
// an event re-sent under a stored eventID with, say, more tonnes was
// refused by the record checks for shipping more than the lot holds,
// which hid that the eventID was taken (issue 15, fix15zm). An eventID
// critmin assigned (the event's hash, ni:///…) names its content and is
// not looked up; a failed look-up keeps the other refusal.
func (s *Service) storedClash(ctx context.Context, ev *critmin.Event) *critmin.EventContentConflict {
	if ev == nil || ev.EventID == "" || ev.ErrorDeclaration != nil || strings.HasPrefix(ev.EventID, "ni:") {
		return nil
	}
	stored, err := s.Store.FindEventsByID(ctx, ev.EventID)
	if err != nil {
		return nil
	}
	for _, st := range stored {
		if st.ErrorDeclaration != nil {
			continue
		}
		was, err := epcis.HashStored(st.Raw, st.Context)
		if err != nil {
			return nil
		}
		now, err := epcis.HashStored(ev.Raw, ev.Context)
		if err != nil || now == was {
			return nil
		}
		return critmin.NewEventContentConflict(ev.EventID, was, now, st.Raw, ev.Raw)
	}
	return nil
}

// zeroRunLines refuses a TransformationEvent's inputQuantityList or
// outputQuantityList line stating a quantity of 0 (fix9m, docs/origin.md
// "A run's line of 0"): EPCIS 2.0 allows a quantity of zero, but a run's
// input of 0 takes nothing — accepted and read as "no quantity", it
// left the product's origin unknown while the account credited the run
// — and an output of 0 makes nothing. The sender leaves
// the lot out. Checked at capture only: a stored event is replayed as it
// was accepted. ptr is the event's JSON pointer.
func zeroRunLines(ev *critmin.Event, ptr string) []critmin.FieldError {
	if ev == nil || ev.Type != critmin.TransformationEvent {
		return nil
	}
	var out []critmin.FieldError
	idx := map[string]int{}
	for _, q := range ev.Quantities {
		list := quantityListName(q.Role)
		i := idx[list]
		idx[list]++
		if q.Quantity == nil || *q.Quantity != 0 {
			continue
		}
		switch q.Role {
		case critmin.RoleInput:
			out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("%s/%s/%d/quantity", ptr, list, i), Reason: "a run's input of 0 takes nothing; leave the lot out"})
		case critmin.RoleOutput:
			out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("%s/%s/%d/quantity", ptr, list, i), Reason: "a run's output of 0 makes nothing; leave the lot out"})
		}
	}
	return out
}

// repeatedLots refuses an event that names one lot (class) or one
// instance twice in one list — quantityList, epcList, childEPCs,
// inputEPCList, outputEPCList (inputQuantityList and outputQuantityList
// are refused by DecodeMineral; a childQuantityList's lines of one lot
// are summed by packing, and stay allowed) — comparing canonical identifiers
// (epcis.Canonical: the URN and the Digital Link of one lot are one lot).
// The projections key a lot's part, mass and links by lot, so a second
// line would be kept as one with either line's figure, never their sum
// (issue 15: 10 t + 9.9 t shipped read as 10 t): the sender states one
// line per lot with its whole quantity. ptr is the event's JSON pointer.
func repeatedLots(ev *critmin.Event, ptr string) []critmin.FieldError {
	var out []critmin.FieldError
	first := map[[2]string]int{}
	idx := map[string]int{}
	for _, q := range ev.Quantities {
		list := quantityListName(q.Role)
		i := idx[list]
		idx[list]++
		if ev.Type == critmin.TransformationEvent && (q.Role == critmin.RoleInput || q.Role == critmin.RoleOutput) {
			continue // refused by DecodeMineral, which reports it with the event's other mineral errors
		}
		if q.Role == critmin.RoleChild {
			// Packing sums a lot's lines in one event (packing.go,
			// containment.go: 12,000 kg and 9,000 kg of a lot pack 21 t).
			continue
		}
		k := [2]string{list, epcis.Canonical(q.EPCClass)}
		if j, dup := first[k]; dup {
			out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("%s/%s/%d/epcClass", ptr, list, i), Reason: fmt.Sprintf("lot %s is listed twice in this event's %s (first at %s/%s/%d/epcClass, again at %s/%s/%d/epcClass): state one line per lot with its whole quantity", k[1], list, ptr, list, j, ptr, list, i)})
			continue
		}
		first[k] = i
	}
	for _, r := range ev.EPCs {
		list := epcListName(r.Role)
		if list == "" {
			continue
		}
		i := idx[list]
		idx[list]++
		k := [2]string{list, epcis.Canonical(r.EPC)}
		if j, dup := first[k]; dup {
			out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("%s/%s/%d", ptr, list, i), Reason: fmt.Sprintf("%s is listed twice in this event's %s (first at %s/%s/%d, again at %s/%s/%d): state each instance once", k[1], list, ptr, list, j, ptr, list, i)})
			continue
		}
		first[k] = i
	}
	return out
}

// epcListName is the JSON name of the EPC list holding role's
// identifiers; "" for parentID.
func epcListName(role string) string {
	switch role {
	case critmin.RoleEPC:
		return "epcList"
	case critmin.RoleChild:
		return "childEPCs"
	case critmin.RoleInput:
		return "inputEPCList"
	case critmin.RoleOutput:
		return "outputEPCList"
	}
	return ""
}

// documentLimitError is a capture limit the document as a whole is over
// (413): its one field error says so at the document's field — the event
// list for the event count, the whole document ("") for its size — and
// names no event, none being at fault.
func documentLimitError(pointer, reason string) error {
	return &critmin.Error{Code: critmin.ETOOLARGE, Message: reason, Fields: []critmin.FieldError{{Pointer: pointer, Reason: reason}}}
}

// parentPath is an XML element path without its last step: the
// EventList of an event's path.
func parentPath(p string) string {
	if i := strings.LastIndex(p, "/"); i > 0 {
		return p[:i]
	}
	return p
}

// refusalCode is the code of a document refused for fe: ECONFLICT (409)
// when every field conflicts with what the ledger holds — a movement
// taking more of a lot than remains where it stands (RFC 9110 §15.5.10:
// the request conflicts with the current state of the target resource) —
// else EINVALID.
func refusalCode(fe []critmin.FieldError) string { return critmin.RefusalCode(fe) }

// refusalWords says what the refused events of fe are: "conflict with
// the record" when every field is a conflict (refusalCode's ECONFLICT:
// well formed, but at odds with what the ledger holds), else "are
// invalid".
func refusalWords(fe []critmin.FieldError) string {
	if critmin.AllConflicts(fe) {
		return "conflict with the record"
	}
	return "are invalid"
}

// refusedEvents words how many of a document's total events were refused
// and why, as a proceed job counts them: "2 of 3 events are invalid",
// "1 of 2 events conflict with the record", or both kinds apart, "2 of 2
// events are refused: 1 invalid, 1 conflicts with the record". An event
// is a conflict when all its errors are (critmin.AllConflicts); fe, all
// the errors, words the count when every refused event is one kind.
func refusedEvents(bad, conflicts, total int, fe []critmin.FieldError) string {
	if conflicts == 0 || conflicts >= bad {
		return fmt.Sprintf("%s of %s events %s", units.Int(bad), units.Int(total), refusalWords(fe))
	}
	verb := "conflict"
	if conflicts == 1 {
		verb = "conflicts"
	}
	return fmt.Sprintf("%s of %s events are refused: %s invalid, %s %s with the record", units.Int(bad), units.Int(total), units.Int(bad-conflicts), units.Int(conflicts), verb)
}

// fieldTitle is a capture job error's title: "event i conflicts with
// the record" for a conflict with the ledger's state (409), else "event
// i is invalid" (400).
func fieldTitle(i int, f critmin.FieldError) string {
	if f.Conflict {
		return fmt.Sprintf("event %d conflicts with the record", i)
	}
	return fmt.Sprintf("event %d is invalid", i)
}

// fieldStatus is a capture job error's HTTP status: 409 for a conflict
// with the ledger's state (critmin.FieldError.Conflict), else 400.
func fieldStatus(f critmin.FieldError) int {
	if f.Conflict {
		return 409
	}
	return 400
}

// drawnOut is what the stored movements of ev's lots drew out of their
// containers by ev's time (DrawnBetween): the stored packings hist
// replayed to then, less where the store puts the lots then
// (Store.PackedIn, draws included), as capture judges it (sqldb
// drawnOut).
func (s *Service) drawnOut(ctx context.Context, ev *critmin.Event, hist []*critmin.Event, lotOf func(id string) *critmin.Lot) ([]Drawn, error) {
	var lots []string
	for _, k := range Children(ev) {
		if k.Class {
			lots = append(lots, k.Child)
		}
	}
	if len(lots) == 0 || ev.Action == "OBSERVE" {
		return nil, nil
	}
	drawn, err := s.Store.PackedIn(ctx, lots, ev.EventTime)
	if err != nil {
		return nil, err
	}
	c := NewContainment(nil)
	for _, id := range lots {
		c.Load(id, nil)
	}
	seq := append([]*critmin.Event(nil), hist...)
	sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
	for _, e := range seq {
		if !e.EventTime.After(ev.EventTime) && e.ErrorDeclaration == nil && e.EventID != ev.EventID {
			c.Apply(e)
		}
	}
	var plain []critmin.Packing
	for _, id := range lots {
		plain = append(plain, c.Of(id)...)
	}
	return DrawnBetween(plain, drawn, func(id string) float64 {
		if l := lotOf(id); l != nil && l.WetTonnes > 0 {
			return l.WetTonnes
		}
		return 0
	}), nil
}
