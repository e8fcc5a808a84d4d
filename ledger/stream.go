package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"sync"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// Streamed capture (issue 14 §3): a document is read event by event and
// its valid events are staged in one store transaction a batch at a time,
// so the memory a capture takes is that of one batch, whatever the
// document's size. A batch is at most StreamBatch events or
// StreamBatchBytes of event text, whichever comes first.
const (
	StreamBatch      = 1000
	StreamBatchBytes = 2 << 20
	// MaxReportedErrors bounds the field errors one capture reports (and
	// keeps): past it the rest are counted, not listed.
	MaxReportedErrors = 1000
)

// errTooLarge is the reader's error past the file-size limit.
var errTooLarge = errors.New("capture: over the file-size limit")

type limitedReader struct {
	r    io.Reader
	left int64 // bytes that may still be read; -1: no limit
	err  error // the reader's own error, other than io.EOF
	over bool
}

func (l *limitedReader) Read(p []byte) (n int, err error) {
	defer func() {
		if err != nil && err != io.EOF && err != errTooLarge {
			l.err = err
		}
	}()
	if l.left < 0 {
		return l.r.Read(p)
	}
	if l.over {
		return 0, errTooLarge // sticky: a decoder may read again after an error
	}
	if l.left == 0 {
		// One byte more than the limit tells a document of exactly the
		// limit from a longer one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.over = true
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err = l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (s *Service) limitReader(r io.Reader) *limitedReader {
	if s.Limits.MaxBytes <= 0 {
		return &limitedReader{r: r, left: -1}
	}
	return &limitedReader{r: r, left: s.Limits.MaxBytes}
}

// readError maps the errors of reading a document: past the size limit,
// or a broken body (a client gone); any other error is returned as it is.
func (s *Service) readError(lr *limitedReader, err error) error {
	if errors.Is(err, errTooLarge) {
		return documentLimitError("", fmt.Sprintf("the document is over the capture file-size limit of %s bytes (GS1-EPCIS-Capture-File-Size-Limit)", units.Int(s.Limits.MaxBytes)))
	}
	if lr.err != nil && errors.Is(err, lr.err) {
		return critmin.Errorf(critmin.EINVALID, "cannot read the document: %v", err)
	}
	return err
}

// streamCapture is the state of one streamed capture.
type streamCapture struct {
	s   *Service
	ctx context.Context
	req CaptureRequest
	job *critmin.CaptureJob
	now time.Time
	tx  critmin.CaptureTx
	// decls are the errorDeclarations sent so far (declaredTwice).
	decls declarations
	// ids are the eventIDs sent so far (repeatedEventIDs).
	ids     eventIDs
	pending []epcis.StreamEvent
	bytes   int
	count   int
	// fields are the field errors reported, up to MaxReportedErrors;
	// badEvents counts the invalid events, dropped the errors not listed.
	fields    []critmin.FieldError
	badEvents int
	// conflicts counts the refused events whose every error is a
	// conflict with the record (refusedEvents).
	conflicts int
	dropped   int
	// stopped: under rollback an invalid event was found, so nothing more
	// is staged (the rest is only read for its errors).
	stopped bool
	// doc is the document the events were streamed with, kept to decode
	// the last batch when the document itself is refused at its end.
	doc *epcis.Document
	// origins are the staged events stating both cm:originCountry and
	// cm:originMine, checked again at the document's end against its
	// master data read whole (a header after the body).
	origins []stagedOrigin
	// staged is where in the document each staged event stands, by
	// eventID (the first event of the ID): the store's refusals name
	// events by ID, and are re-pointed to the document (storePointers).
	// Only the event's own pointer (or XML element path) is kept, not
	// its XML paths: the live heap stays that of one batch.
	staged map[string]string
}

// pointer is the document's pointer (or XML element path) of the staged
// event with eventID id, followed by rest; false for an event not staged.
func (c *streamCapture) pointer(id, rest string) (string, bool) {
	p, ok := c.staged[id]
	return p + rest, ok
}

// withStaged tells the capture-time check which events earlier batches
// of this capture staged (ledger.Staged): a pair of the document's events
// in two batches is judged as a pair within one.
func (c *streamCapture) withStaged(ctx context.Context) context.Context {
	return WithStaged(ctx, Staged{Proceed: c.req.Behaviour == critmin.BehaviourProceed, Has: func(id string) bool {
		_, ok := c.staged[id]
		return ok
	}})
}

// stagedOrigin is a staged event's stated origin, with the pointer of its
// ILMD country field.
type stagedOrigin struct{ pointer, country, mine string }

// captureStream captures a document read as a stream: every event is
// decoded and validated on its own, valid events are staged in one
// transaction batch by batch (CaptureTx), and the transaction commits
// only when the whole document has been read and found acceptable. Under
// rollback the first invalid event ends the staging (the transaction is
// abandoned, leaving nothing) while the rest of the document is still
// read so that every invalid event is reported at once.
func (s *Service) captureStream(ctx context.Context, req CaptureRequest) (*critmin.CaptureJob, error) {
	r := req.Reader
	if req.Body != nil || r == nil {
		r = bytes.NewReader(req.Body)
	}
	now := s.Now()
	c := &streamCapture{s: s, ctx: ctx, req: req, now: now, job: &critmin.CaptureJob{
		CaptureID:             newCaptureID(),
		CreatedAt:             now.UTC(),
		CaptureErrorBehaviour: req.Behaviour,
		Errors:                []critmin.CaptureError{},
		Token:                 req.Token,
		Import:                req.Import,
	}}
	defer func() {
		if c.tx != nil {
			c.tx.Rollback() // a no-op after Commit
		}
	}()
	lr := s.limitReader(r)
	stream := epcis.StreamDocument
	if req.XML {
		stream = epcis.StreamXML
	}
	doc, err := stream(lr, c.event)
	if err != nil {
		return nil, c.withEventErrors(s.readError(lr, err))
	}
	if err := c.process(doc); err != nil {
		return nil, err
	}
	c.job.EventCount = c.count
	// Refused master data refuses the document under any behaviour; the
	// events' errors are reported with it, and with them the master
	// data's: every independent error at once.
	masterErrs := ValidateMasterData(doc.Master)
	if len(masterErrs) == 0 {
		if err := c.s.checkSiteFixed(ctx, doc.Master); err != nil {
			return nil, err
		}
	}
	if len(masterErrs) > 0 || (c.badEvents > 0 && req.Behaviour == critmin.BehaviourRollback) {
		more := ""
		if c.dropped > 0 {
			more = OmittedNote(len(c.fields), c.dropped)
		}
		all := append(append([]critmin.FieldError(nil), masterErrs...), c.fields...)
		msg := fmt.Sprintf("%s; nothing was stored (rollback)%s. First: %s: %s", refusedEvents(c.badEvents, c.conflicts, c.count, all), more, all[0].Pointer, all[0].Reason)
		if len(masterErrs) > 0 {
			msg = fmt.Sprintf("master data refused; nothing was stored (%s of %s are invalid too%s): %s: %s", units.Int(c.badEvents), units.Count(c.count, "event"), more, all[0].Pointer, all[0].Reason)
		}
		return nil, &critmin.Error{Code: refusalCode(all), Message: msg, Fields: all, Omitted: c.dropped}
	}
	if fe := c.lateOriginConflicts(doc.Master); len(fe) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("%s are invalid; nothing was stored: %s: %s", units.Count(len(fe), "event"), fe[0].Pointer, fe[0].Reason), Fields: fe}
	}
	if err := c.begin(doc); err != nil {
		return nil, err
	}
	// Again in the transaction, on the whole master data: a capture
	// committed since the check above may have recorded an event at a
	// site this document moves, or given it the country this one
	// changes (checkSiteFixed). The events this capture staged are not
	// counted.
	if err := s.siteFixedIn(ctx, c.tx, c.job, c.count, doc.Master); err != nil {
		return nil, err
	}
	if s.ClaimCheck != nil && len(doc.Master) > 0 {
		// The document's master data, read whole, in the capture
		// transaction: a change that would overturn an accepted claim or
		// a final statement is refused (custody.CaptureClaimCheck).
		if err := s.ClaimCheck(WithMasterData(captureReads(ctx, c.tx), doc.Master), nil); err != nil {
			return nil, err
		}
	}
	if err := c.tx.Commit(doc.Master); err != nil {
		return nil, storePointers(err, c.pointer)
	}
	critmin.Progress(ctx)("stored", int64(c.count), int64(c.count))
	fin := s.Now().UTC()
	c.job.FinishedAt = &fin
	c.job.Success = len(c.job.Errors) == 0
	return c.job, nil
}

// withEventErrors adds to a refusal of the document itself (its header's
// master data, say, checked once the whole document is read) the errors
// of its events, so that one submission reports every independent error:
// the events not yet decoded are decoded first; nothing is stored, since
// the refused capture is never committed.
func (c *streamCapture) withEventErrors(err error) error {
	var e *critmin.Error
	if !errors.As(err, &e) || e.Code != critmin.EINVALID || len(e.Fields) == 0 || c.doc == nil {
		return err
	}
	if perr := c.process(c.doc); perr != nil {
		return err
	}
	if len(c.fields) == 0 {
		return err
	}
	out := *e
	out.Fields = append(append([]critmin.FieldError(nil), e.Fields...), c.fields...)
	return &out
}

// batchEvents is the most events of one batch: Service.BatchEvents, or
// StreamBatch.
func (s *Service) batchEvents() int {
	if s.BatchEvents > 0 {
		return s.BatchEvents
	}
	return StreamBatch
}

// batchBytes is the most event text of one batch: Service.BatchBytes,
// or StreamBatchBytes.
func (s *Service) batchBytes() int {
	if s.BatchBytes > 0 {
		return s.BatchBytes
	}
	return StreamBatchBytes
}

// event takes one event of the list; a full batch is processed.
func (c *streamCapture) event(doc *epcis.Document, e epcis.StreamEvent) error {
	c.doc = doc
	c.count++
	if max := c.s.Limits.MaxEvents; max > 0 && c.count > max {
		ptr := doc.EventPointer
		if e.Path != nil {
			ptr = parentPath(e.Path(doc.Pointer(e.Index)))
		}
		return documentLimitError(ptr, fmt.Sprintf("the document has more than %s, the capture limit (GS1-EPCIS-Capture-Limit)", units.Count(max, "event")))
	}
	if err := c.ctx.Err(); err != nil {
		return err
	}
	c.pending = append(c.pending, e)
	c.bytes += len(e.Raw)
	if len(c.pending) >= c.s.batchEvents() || c.bytes >= c.s.batchBytes() {
		return c.process(doc)
	}
	return nil
}

func (c *streamCapture) begin(doc *epcis.Document) error {
	if c.tx != nil {
		return nil
	}
	// The master data read so far (the header comes first in practice);
	// the whole is checked again before commit.
	if fe := ValidateMasterData(doc.Master); len(fe) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("master data refused; nothing was stored: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
	}
	if err := c.s.checkSiteFixed(c.ctx, doc.Master); err != nil {
		return err
	}
	tx, err := c.s.Store.BeginCapture(c.ctx, c.job, doc.Master)
	if err != nil {
		return err
	}
	c.tx = tx
	return nil
}

// process decodes the pending events on every core, records their
// problems and stages the valid ones.
func (c *streamCapture) process(doc *epcis.Document) error {
	if len(c.pending) == 0 {
		return nil
	}
	batch := c.pending
	c.pending, c.bytes = c.pending[:0], 0
	events, errs := decodeBatch(doc, batch, c.now)
	if c.decls == nil {
		c.decls, c.ids = declarations{}, eventIDs{}
	}
	for i, ev := range events {
		// An event declared in error twice in the document: refused
		// whole, naming both by their place (declaredTwice).
		b := batch[i]
		if err := c.decls.add(ev, b.Index, func(int) string {
			return xmlPaths(b, []critmin.FieldError{{Pointer: doc.Pointer(b.Index) + "/errorDeclaration"}})[0].Pointer
		}); err != nil {
			return err
		}
		if err := c.ids.add(ev, b.Index, func(k int) string {
			if k == b.Index {
				return xmlPaths(b, []critmin.FieldError{{Pointer: doc.Pointer(b.Index) + "/eventID"}})[0].Pointer
			}
			// An earlier event: by its member's path, where it was
			// staged (c.staged), else by its place.
			if p, ok := c.staged[ev.EventID]; ok && p != "" {
				return p + "/eventID"
			}
			for j := range i {
				if batch[j].Index == k {
					return xmlPaths(batch[j], []critmin.FieldError{{Pointer: doc.Pointer(k) + "/eventID"}})[0].Pointer
				}
			}
			return doc.Pointer(k) + "/eventID"
		}); err != nil {
			return err
		}
	}
	c.s.respellStored(c.ctx, events)
	// The master data read so far: the header, which comes first.
	if err := c.s.checkOriginMine(c.ctx, doc.Master, events, errs,
		func(i int) string { return doc.Pointer(batch[i].Index) },
		func(i int, fe []critmin.FieldError) []critmin.FieldError { return xmlPaths(batch[i], fe) }); err != nil {
		return err
	}
	// A streamed document's length is known at its end: the count so far.
	critmin.Progress(c.ctx)("validate", int64(c.count), 0)
	var valid []*critmin.Event
	var validAt []int // the batch index of each valid event
	for i, ev := range events {
		if errs[i] != nil {
			c.refuse(batch[i].Index, c.clashed(ev, doc, batch[i], errs[i]))
			continue
		}
		ev.CaptureID = c.job.CaptureID
		valid = append(valid, ev)
		validAt = append(validAt, i)
		if m := ev.Mineral; m != nil && m.OriginCountry != "" && m.OriginMine != "" {
			fe := xmlPaths(batch[i], []critmin.FieldError{{Pointer: doc.Pointer(batch[i].Index) + "/ilmd/cm:originCountry"}})
			c.origins = append(c.origins, stagedOrigin{pointer: fe[0].Pointer, country: m.OriginCountry, mine: m.OriginMine})
		}
	}
	// A batch's correctives are checked and stored in event-time order
	// (CorrectivesInTimeOrder).
	CorrectivesInTimeOrder(valid, validAt)
	// The capture-time check's refusals name the document's pointers.
	at := func(k int, rest string) string {
		b := batch[validAt[k]]
		return xmlPaths(b, []critmin.FieldError{{Pointer: doc.Pointer(b.Index) + rest}})[0].Pointer
	}
	if c.badEvents > 0 && c.req.Behaviour == critmin.BehaviourRollback {
		if !c.stopped && c.s.ClaimCheck != nil && len(valid) > 0 && len(ValidateMasterData(doc.Master)) == 0 {
			// Nothing will be stored, but the business rules' errors of
			// the batch's valid events are reported with the schema's:
			// every independent error at once. The check reads through
			// the transaction that holds the earlier batches, if any.
			rctx := WithMasterData(c.ctx, doc.Master)
			if c.tx != nil {
				rctx = WithMasterData(captureReads(c.ctx, c.tx), doc.Master)
			}
			_, refused, err := c.s.claimRounds(c.withStaged(rctx), valid, at)
			err = storePointers(err, c.pointer)
			for _, r := range refused {
				c.refuse(batch[validAt[r.k]].Index, c.clashed(valid[r.k], doc, batch[validAt[r.k]], r.fields))
			}
			if len(refused) > 0 {
				err = nil // its consequence, or one more fault (claimRounds)
			}
			// A refusal of the batch as a whole (a conflict with the
			// record) is reported with the events refused already, as
			// Capture does (withWholeRefusal, fixSs): an event's own
			// fault is not hidden behind the other events' 409.
			var e *critmin.Error
			if errors.As(err, &e) && len(e.Fields) > 0 {
				for _, f := range e.Fields {
					f.Conflict = f.Conflict || e.Code == critmin.ECONFLICT
					c.fields = append(c.fields, f)
				}
				c.job.ErrorCount += len(e.Fields)
			} else if err != nil {
				return err
			}
		}
		if !c.stopped && c.tx != nil {
			c.tx.Rollback()
			c.tx = nil
		}
		c.stopped = true
		return nil
	}
	if len(valid) == 0 {
		return nil
	}
	if c.tx == nil && len(ValidateMasterData(doc.Master)) > 0 {
		// The document will be refused at its end for its master data
		// (with every event error found by then): nothing is staged,
		// the rest is only read for its errors.
		c.stopped = true
		return nil
	}
	// The capture transaction is opened before the check, so that the
	// check and the write are one critical section (checkAndStore).
	if err := c.begin(doc); err != nil {
		return err
	}
	if c.s.ClaimCheck != nil {
		// Claims are checked against the stored accounts and this batch;
		// a document of one batch (up to StreamBatch events) is checked
		// as a whole.
		// Under proceed an event the check refuses is listed in the
		// job's errors and the others are stored (claimRounds); under
		// rollback any refusal refuses the document, with every error.
		// The document's master data goes with the batch, as in the
		// one-shot capture (checkAndStore): a refusal names the custody
		// model the document gives a site.
		kept, refused, err := c.s.claimRounds(c.withStaged(WithMasterData(captureReads(c.ctx, c.tx), doc.Master)), valid, at)
		// A refusal naming an event of an earlier batch names it by its
		// place in the document (c.staged).
		err = storePointers(err, c.pointer)
		for _, r := range refused {
			c.refuse(batch[validAt[r.k]].Index, c.clashed(valid[r.k], doc, batch[validAt[r.k]], r.fields))
		}
		if err != nil && (len(refused) == 0 || c.req.Behaviour != critmin.BehaviourRollback) {
			return c.withRefused(err)
		}
		if len(refused) > 0 && c.req.Behaviour == critmin.BehaviourRollback {
			c.tx.Rollback()
			c.tx = nil
			c.stopped = true
			return nil
		}
		valid = kept
	}
	if c.staged == nil {
		c.staged = map[string]string{}
	}
	inBatch := map[string]int{}
	for i, ev := range events {
		if ev == nil || errs[i] != nil || ev.EventID == "" {
			continue
		}
		if _, seen := inBatch[ev.EventID]; !seen {
			inBatch[ev.EventID] = i
		}
		if _, seen := c.staged[ev.EventID]; !seen {
			c.staged[ev.EventID] = xmlPaths(batch[i], []critmin.FieldError{{Pointer: doc.Pointer(batch[i].Index)}})[0].Pointer
		}
	}
	// An event of this batch is named with its member's own XML path;
	// one of an earlier batch, by its element's path and the member.
	pointer := func(id, rest string) (string, bool) {
		if i, ok := inBatch[id]; ok {
			return xmlPaths(batch[i], []critmin.FieldError{{Pointer: doc.Pointer(batch[i].Index) + rest}})[0].Pointer, true
		}
		return c.pointer(id, rest)
	}
	return conflictPointer(storePointers(c.tx.Add(valid), pointer), events, func(i int) string {
		return xmlPaths(batch[i], []critmin.FieldError{{Pointer: doc.Pointer(batch[i].Index) + "/eventID"}})[0].Pointer
	})
}

// decodeBatch decodes streamed events on every core; results are in the
// batch's order. An invalid event's errors include the mineral profile's
// independent problems.
func decodeBatch(doc *epcis.Document, batch []epcis.StreamEvent, now time.Time) ([]*critmin.Event, [][]critmin.FieldError) {
	n := len(batch)
	events := make([]*critmin.Event, n)
	errs := make([][]critmin.FieldError, n)
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	var next sync.Mutex
	i := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				k := i
				i++
				next.Unlock()
				if k >= n {
					return
				}
				ptr := doc.Pointer(batch[k].Index)
				ev, verr := doc.DecodeRaw(batch[k], now)
				if verr != nil {
					errs[k] = xmlPaths(batch[k], append(verr.Fields, independentMineralErrors(ev, ptr, verr.Fields)...))
					continue
				}
				mf, ferrs := DecodeMineral(ev, ptr)
				ferrs = append(ferrs, MissingBasis(mf, ptr)...)
				ferrs = append(ferrs, misplacedExtension(ev, ptr)...)
				ferrs = append(ferrs, repeatedLots(ev, ptr)...)
				ferrs = append(ferrs, zeroRunLines(ev, ptr)...)
				if len(ferrs) > 0 {
					errs[k] = xmlPaths(batch[k], ferrs)
					continue
				}
				ev.Mineral = mf
				events[k] = ev
			}
		}()
	}
	wg.Wait()
	return events, errs
}

// xmlPaths names an XML event's errors by XML element path
// (epcis.StreamXML); a JSON event's are returned as they are.
func xmlPaths(e epcis.StreamEvent, fields []critmin.FieldError) []critmin.FieldError {
	if e.Path == nil {
		return fields
	}
	for i := range fields {
		fields[i].Pointer = e.Path(fields[i].Pointer)
	}
	return fields
}

// lateOriginConflicts checks the staged events' stated origin against
// the document's master data read whole: a streamed document may carry
// its header after its body, so a mine it places in another country than
// an event states was not known when the event was staged
// (checkOriginMine). Any such event refuses the document, whatever the
// capture error behaviour, as refused master data does.
func (c *streamCapture) lateOriginConflicts(master []critmin.MasterDataElement) []critmin.FieldError {
	if len(master) == 0 {
		return nil
	}
	mc := &mineCountries{s: c.s, loaded: true, byID: map[string]string{}} // the document's own only
	var out []critmin.FieldError
	for _, o := range c.origins {
		mine, _ := mc.of(c.ctx, master, o.mine)
		if mine != "" && mine != o.country {
			out = append(out, critmin.FieldError{Pointer: o.pointer, Reason: originConflict(o.country, o.mine, mine)})
		}
	}
	return out
}

// clashed gives the errors of a refused event: when its eventID is
// already used by a stored event of other content (Service.storedClash),
// that alone, at its eventID — the record checks' refusal of an event
// that names another would mislead — else fields.
func (c *streamCapture) clashed(ev *critmin.Event, doc *epcis.Document, b epcis.StreamEvent, fields []critmin.FieldError) []critmin.FieldError {
	cl := c.s.storedClash(c.ctx, ev)
	if cl == nil {
		return fields
	}
	return xmlPaths(b, []critmin.FieldError{{Pointer: doc.Pointer(b.Index) + "/eventID", Reason: cl.Err.Fields[0].Reason, Conflict: true}})
}

// OmittedNote is how a refusal says that of its errors the first listed
// are listed (in its field errors, a problem's errors member) and omitted
// more are not: " (the first 1,000 problems are listed, 9,000 more are
// not)". A reader that lists fewer of them (the CLI prints 100) words
// the count itself (OmittedNoteRE).
func OmittedNote(listed, omitted int) string {
	return fmt.Sprintf(" (the first %s problems are listed, %s more are not)", units.Int(listed), units.Int(omitted))
}

// OmittedNoteRE matches OmittedNote's text in a message.
var OmittedNoteRE = regexp.MustCompile(` \(the first [0-9,]+ problems are listed, [0-9,]+ more are not\)`)

// refuse records the errors of the document's event number index: it
// counts as invalid, and its errors are listed up to MaxReportedErrors.
func (c *streamCapture) refuse(index int, fields []critmin.FieldError) {
	c.badEvents++
	if critmin.AllConflicts(fields) {
		c.conflicts++
	}
	for _, f := range fields {
		c.job.ErrorCount++
		if len(c.fields) >= MaxReportedErrors {
			c.dropped++
			c.job.ErrorsOmitted++
			continue
		}
		c.fields = append(c.fields, f)
		c.job.Errors = append(c.job.Errors, critmin.CaptureError{
			Type: "epcisException:ValidationException", Title: fieldTitle(index, f), Status: fieldStatus(f),
			Detail: f.Reason, Pointer: f.Pointer,
		})
	}
}

// withRefused is the check's refusal of the batch as a whole (err: a
// conflict with the record, 409), with the errors of the events refused
// already, when there are any: an event refused 400 at its own field (a
// declaration naming itself its corrective) is reported with it and the
// document refused 400 (refusalCode), as Capture does
// (withWholeRefusal, fixSs). Else err itself.
func (c *streamCapture) withRefused(err error) error {
	var e *critmin.Error
	if c.badEvents == 0 || !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	all := append([]critmin.FieldError(nil), c.fields...)
	for _, f := range e.Fields {
		f.Conflict = f.Conflict || e.Code == critmin.ECONFLICT
		all = append(all, f)
	}
	more := ""
	if c.dropped > 0 {
		more = OmittedNote(len(c.fields), c.dropped)
	}
	return &critmin.Error{Code: refusalCode(all), Omitted: c.dropped, Fields: all,
		Message: fmt.Sprintf("%s, and the others are refused as a whole; nothing was stored%s. First: %s: %s", refusedEvents(c.badEvents, c.conflicts, c.count, c.fields), more, all[0].Pointer, all[0].Reason)}
}
