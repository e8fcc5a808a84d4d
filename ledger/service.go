package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// Limits bound one capture request. They are advertised in the
// GS1-EPCIS-Capture-Limit and GS1-EPCIS-Capture-File-Size-Limit headers.
type Limits struct {
	MaxEvents int
	MaxBytes  int64
	// MaxXMLBytes bounds an XML document (0: MaxBytes alone). An XML
	// document is read whole and mapped onto the JSON-LD binding as a tree
	// (epcis.FromXML) before it is validated, which costs some 70 times
	// its size in memory (a 31.7 MB document took a server from 52 MB to
	// 2.4 GB), so it gets a smaller limit than the streamed JSON binding;
	// larger XML documents are split by the sender or sent as JSON.
	MaxXMLBytes int64
}

// DefaultLimits are generous enough for a month of corridor events in one
// document and small enough to validate and store in a few seconds.
var DefaultLimits = Limits{MaxEvents: 10000, MaxBytes: 32 << 20, MaxXMLBytes: DefaultMaxXMLBytes}

// DefaultMaxXMLBytes is the default XML document limit, 4 MiB: at the
// measured expansion its capture peaks near 100 MB of heap
// (BenchmarkXMLCaptureHeap; docs/security.md).
const DefaultMaxXMLBytes = 4 << 20

// Service is the Track job: capture and the mineral view.
type Service struct {
	Store  critmin.Store
	Limits Limits
	// Now is the clock; tests inject a fixed one.
	Now func() time.Time
	// ClaimCheck, when set, checks the mass-balance claims of a document's
	// valid events before they are stored (custody.CaptureClaimCheck); an
	// error refuses the whole document and nothing is stored.
	ClaimCheck func(ctx context.Context, events []*critmin.Event) error
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
		return nil, critmin.Errorf(critmin.ETOOLARGE, "document of %d bytes is over the capture file-size limit of %d bytes", len(req.Body), s.Limits.MaxBytes)
	}
	if max := s.XMLLimit(); req.XML && max > 0 && int64(len(req.Body)) > max {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "XML document of %d bytes is over the XML capture limit of %d bytes; split it or send it as JSON (limit %d bytes)", len(req.Body), max, s.Limits.MaxBytes)
	}
	if !req.SingleEvent && !req.XML {
		return s.captureStream(ctx, req)
	}
	// A single event, or an XML document (converted whole to the JSON-LD
	// binding by epcis.FromXML), is read into memory within the limit.
	if req.Body == nil && req.Reader != nil {
		lr := s.limitReader(req.Reader)
		max := s.XMLLimit()
		if req.XML && max > 0 && (lr.left < 0 || max < lr.left) {
			lr.left = max
		}
		b, err := io.ReadAll(lr)
		if err != nil {
			if req.XML && errors.Is(err, errTooLarge) && lr.left == 0 && max > 0 && (s.Limits.MaxBytes <= 0 || max < s.Limits.MaxBytes) {
				return nil, critmin.Errorf(critmin.ETOOLARGE, "XML document is over the XML capture limit of %d bytes; split it or send it as JSON (limit %d bytes)", max, s.Limits.MaxBytes)
			}
			return nil, s.readError(lr, err)
		}
		req.Body = b
	}
	var xdoc *epcis.XMLDocument
	if req.XML {
		var err error
		if xdoc, err = epcis.FromXML(req.Body, req.SingleEvent); err != nil {
			return nil, err
		}
		req.Body = xdoc.JSON
	}
	doc, err := epcis.ParseDocument(req.Body, req.SingleEvent)
	if err != nil {
		return nil, xdoc.Translate(err)
	}
	if s.Limits.MaxEvents > 0 && len(doc.Events) > s.Limits.MaxEvents {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "document has %d events, over the capture limit of %d", len(doc.Events), s.Limits.MaxEvents)
	}
	now := s.Now()
	return s.capture(ctx, req, doc, now, xdoc)
}

// XMLLimit is the effective XML document limit (0: none).
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
		return nil, critmin.Errorf(critmin.ETOOLARGE, "document of %d bytes is over the capture file-size limit of %d bytes", len(body), s.Limits.MaxBytes)
	}
	doc, err := epcis.ParseDocument(body, false)
	if err != nil {
		return nil, err
	}
	if s.Limits.MaxEvents > 0 && len(doc.Events) > s.Limits.MaxEvents {
		return nil, critmin.Errorf(critmin.ETOOLARGE, "document has %d events, over the capture limit of %d", len(doc.Events), s.Limits.MaxEvents)
	}
	events, errs := s.decodeAll(ctx, doc, s.Now())
	if s.ClaimCheck != nil {
		var valid []*critmin.Event
		for i, ev := range events {
			if errs[i] == nil {
				valid = append(valid, ev)
			}
		}
		if err := s.ClaimCheck(ctx, valid); err != nil {
			return nil, err
		}
	}
	return errs, nil
}

func (s *Service) capture(ctx context.Context, req CaptureRequest, doc *epcis.Document, now time.Time, xdoc *epcis.XMLDocument) (*critmin.CaptureJob, error) {
	job := &critmin.CaptureJob{
		CaptureID:             newCaptureID(),
		CreatedAt:             now.UTC(),
		CaptureErrorBehaviour: req.Behaviour,
		EventCount:            len(doc.Events),
		Errors:                []critmin.CaptureError{},
		Token:                 req.Token,
	}
	events, fieldErrs := s.decodeAll(ctx, doc, now)
	if xdoc != nil {
		for _, fe := range fieldErrs {
			for j := range fe {
				fe[j].Pointer = xdoc.Path(fe[j].Pointer)
			}
		}
	}
	var valid []*critmin.Event
	for i, ev := range events {
		if fieldErrs[i] == nil {
			ev.CaptureID = job.CaptureID
			valid = append(valid, ev)
		}
	}
	var all []critmin.FieldError
	for i, fe := range fieldErrs {
		if fe == nil {
			continue
		}
		all = append(all, fe...)
		for _, f := range fe {
			job.Errors = append(job.Errors, critmin.CaptureError{
				Type: "epcisException:ValidationException", Title: fmt.Sprintf("event %d is invalid", i), Status: 400,
				Detail: f.Reason, Pointer: f.Pointer,
			})
		}
	}
	if len(all) > 0 && req.Behaviour == critmin.BehaviourRollback {
		return nil, &critmin.Error{Code: critmin.EINVALID,
			Message: fmt.Sprintf("%d of %d events are invalid; nothing was stored (rollback). First: %s: %s", countNonNil(fieldErrs), len(events), all[0].Pointer, all[0].Reason),
			Fields:  all}
	}
	if s.ClaimCheck != nil {
		if err := s.ClaimCheck(ctx, valid); err != nil {
			return nil, err
		}
	}
	prog := critmin.Progress(ctx)
	prog("store", 0, int64(len(valid)))
	skipped, err := s.Store.CaptureEvents(ctx, job, valid, doc.Master)
	if err != nil {
		return nil, err
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

func countNonNil(errs [][]critmin.FieldError) int {
	n := 0
	for _, e := range errs {
		if e != nil {
			n++
		}
	}
	return n
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
	prog("validate", int64(n), int64(n))
	return events, errs
}

func newCaptureID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "cap-" + hex.EncodeToString(b[:])
}
