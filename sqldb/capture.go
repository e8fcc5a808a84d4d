package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// CaptureEvents stores a capture job, its events, their index rows, the
// master data and the lot projection in one transaction: either all of it
// is durable when it returns nil, or none of it is.
func (db *DB) CaptureEvents(ctx context.Context, job *critmin.CaptureJob, events []*critmin.Event, master []critmin.MasterDataElement) ([]string, error) {
	// Captures are serialised (SQLite's one writer, PostgreSQL's capture
	// lock), so two captures of one eventID should not both pass the
	// duplicate check; should a writer without the lock race one anyway, the
	// unique index stops the second and a retry skips the stored event,
	// which is the idempotent answer.
	for attempt := 1; ; attempt++ {
		skipped, err := db.captureOnce(ctx, job, events, master)
		if err != nil && attempt < 3 && isUniqueViolation(err) {
			continue
		}
		return skipped, err
	}
}

func isUniqueViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "UNIQUE constraint failed")
}

func (db *DB) captureOnce(ctx context.Context, job *critmin.CaptureJob, events []*critmin.Event, master []critmin.MasterDataElement) ([]string, error) {
	c, err := db.beginCapture(ctx, job, master)
	if err != nil {
		return nil, err
	}
	defer c.Rollback()
	if err := c.Add(events); err != nil {
		return nil, err
	}
	return c.skipped, c.Commit(master)
}

// BeginCapture opens a capture transaction that events are added to in
// batches (a streamed document); nothing of it is visible or durable
// until Commit returns nil, and Rollback leaves no trace. Captures are
// serialised as CaptureEvents' are.
func (db *DB) BeginCapture(ctx context.Context, job *critmin.CaptureJob, master []critmin.MasterDataElement) (critmin.CaptureTx, error) {
	return db.beginCapture(ctx, job, master)
}

// captureSession is one capture transaction. Across its batches it keeps
// only what the projection needs per lot and per transformationID (lots,
// transformation members, origin bookkeeping), the chain head and the
// error declarations; events and their index rows are written at the end
// of each batch and dropped.
type captureSession struct {
	w       *writer
	tx      *sql.Tx
	g       *captureGroup
	ctx     context.Context
	job     *critmin.CaptureJob
	audited bool
	seq     int64
	prev    string
	lg      *logAppender
	days    map[string]*critmin.ChainRoot
	decls   []*critmin.Event
	// declPending: the last event stored is a declaration not yet applied;
	// it is applied before the next event of the capture is projected, or
	// at the end of the batch (Add) when the batch ends with it.
	declPending bool
	skipped     []string
	// conflict: the capture is refused for an event whose eventID is
	// stored with other content (Rollback).
	conflict bool
	kept     int
	unit     int // stored events since the last settle
	// unflushed: stored events whose lots rows are not yet written (since
	// the last settle or flushLots); flushErr: a flush's failure, which
	// the capture returns at its next step.
	unflushed int
	flushErr  error
	evb       *batch
	epcs      *batch
	qty       *batch
	attrs     *batch
	done      bool
}

func (db *DB) beginCapture(ctx context.Context, job *critmin.CaptureJob, master []critmin.MasterDataElement) (*captureSession, error) {
	db.takeTurn()
	g, err := db.joinGroup(ctx)
	if err != nil {
		return nil, err
	}
	tx := g.tx
	// The capture's statements are not interrupted by its request's
	// cancellation: they run in a transaction other captures share.
	ctx = context.WithoutCancel(ctx)
	c := &captureSession{tx: tx, g: g, ctx: ctx, job: job, days: map[string]*critmin.ChainRoot{}}
	fail := func(err error) (*captureSession, error) {
		_ = db.leaveGroup(ctx, g, false, nil)
		return nil, err
	}
	w := &writer{db: db, tx: tx, reads: g.stmts, ctx: ctx, lots: map[string]*critmin.Lot{}, touched: map[string]bool{},
		xforms: map[string]*xform{}, existed: map[string]bool{}, factsChanged: map[string]bool{}, producedSeen: map[string]bool{}, declared: map[string]bool{}}
	c.w = w
	// The master data's audit entry precedes the events in the log, so a
	// replay applies it first; a streamed document whose header comes
	// after its events has it audited at Commit.
	if len(master) > 0 {
		if err := w.auditMaster(job, master); err != nil {
			return fail(err)
		}
		c.audited = true
	}
	// The chain continues from the last stored record; captures run one at
	// a time (SQLite's writer, PostgreSQL's capture lock), so no other
	// writer can slip a record in between.
	c.prev = custody.Genesis
	err = tx.QueryRowContext(ctx, `SELECT chain_seq, chain FROM events ORDER BY chain_seq DESC LIMIT 1`).Scan(&c.seq, &c.prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fail(fmt.Errorf("%s: chain head: %w", db.Dialect.Name, err))
	}
	if c.lg, err = db.newLogAppender(ctx, tx); err != nil {
		return fail(err)
	}
	c.epcs = &batch{head: "INSERT INTO event_epcs (event_pk, role, epc, canon) VALUES ", cols: 4}
	c.qty = &batch{head: "INSERT INTO event_quantities (event_pk, role, epc_class, quantity, uom, canon) VALUES ", cols: 6}
	c.attrs = &batch{head: "INSERT INTO event_attrs (event_pk, kind, name, val, canon) VALUES ", cols: 5}
	c.evb = &batch{head: "INSERT INTO events (pk, event_id, declaration, event_type, event_time, record_time, tz, action, biz_step, disposition, read_point, biz_location, transformation_id, capture_id, context_id, raw, chain_seq, prev_chain, chain, read_point_canon, biz_location_canon) VALUES ", cols: 21}
	w.links = &batch{head: "INSERT INTO lot_links (parent, child, event_id, kind, parent_qty, parent_uom, child_qty, child_uom, event_time, biz_location, replay, seal) VALUES ", cols: 12, tail: " ON CONFLICT (parent, child, event_id) DO NOTHING"}
	w.moves = &batch{head: "INSERT INTO lot_moves (lot, from_loc, to_loc, tonnes, event_id, seal) VALUES ", cols: 6}
	w.members = &batch{head: "INSERT INTO transformation_members (transformation_id, role, epc_class, quantity, uom, seal) VALUES ", cols: 6}
	w.contents = &batch{head: "INSERT INTO event_contents (event_id, container, canon, quantity, uom) VALUES ", cols: 5}
	return c, nil
}

// Add writes a batch of events in document order, skipping those whose
// eventID is stored already — before this capture or in an earlier batch
// of it — or repeated within the batch.
func (c *captureSession) Add(events []*critmin.Event) error {
	if c.done {
		return fmt.Errorf("%s: capture already finished", c.w.db.Dialect.Name)
	}
	if c.flushErr != nil {
		return c.flushErr
	}
	seen := map[string]bool{}
	kept := events[:0:0]
	ids := make([]string, 0, len(events))
	for _, ev := range events {
		if ev.ErrorDeclaration == nil {
			ids = append(ids, ev.EventID)
		}
	}
	c.w.declStored = map[string]bool{}
	stored, err := c.w.existingIDs(ids)
	if err != nil {
		return err
	}
	// A re-sent eventID is a duplicate only when its content is the same
	// (the CBV 2.0 §8.9 event hash of the stored event and of the one
	// sent); another event under a stored eventID refuses the capture.
	dupDecl, err := c.checkSameContent(events, stored)
	if err != nil {
		return err
	}
	for i, ev := range events {
		if ev.ErrorDeclaration == nil {
			if stored[ev.EventID] || seen[ev.EventID] {
				c.skipped = append(c.skipped, ev.EventID)
				continue
			}
			seen[ev.EventID] = true
		} else if dupDecl[i] {
			c.skipped = append(c.skipped, ev.EventID)
			continue
		} else {
			c.decls = append(c.decls, ev)
			if c.w.docDeclared == nil {
				c.w.docDeclared = map[string]bool{}
			}
			c.w.docDeclared[ev.EventID] = true
			for _, id := range ev.ErrorDeclaration.CorrectiveEventIDs {
				if c.w.docCorrective == nil {
					c.w.docCorrective = map[string]bool{}
				}
				c.w.docCorrective[id] = true
			}
			if c.w.docDeclaredLots == nil {
				c.w.docDeclaredLots = map[string]bool{}
			}
			for _, id := range canonLots(ev).LotIDs() {
				c.w.docDeclaredLots[id] = true
			}
		}
		kept = append(kept, ev)
	}
	// The record does not depend on where in the document a declaration
	// stands (EPCIS 2.0 §7.4.1.2; docs/epcis.md, Retractions): the
	// declarations are stored and take effect first, then the other
	// events in document order — a corrective listed before the
	// declaration it completes is judged as if after it (new-user check
	// nuq7-2: a corrective run fed a container whole was refused, naming
	// the run it corrects as having emptied the container).
	kept = declarationsFirst(kept)
	c.kept += len(kept)
	for len(kept) > 0 {
		// A declaration takes effect for the events after it in the same
		// capture, as it would had they come in a later capture: the
		// projection is settled after it (not counted as a unit's end, so
		// a replay settles at the same points).
		if c.declPending && kept[0].ErrorDeclaration == nil {
			// A declaration's corrective events later in the batch
			// complete it: the lots it leaves are judged whole
			// (ledger.CheckLotBalance) once they are projected, not
			// in between — a receipt declared with its corrective
			// receipt, declaration first, left the run that took of
			// it overdrawn until the corrective came (new-user check
			// n8e-3: refused "overdrawn by 3 t", taken corrective
			// first). Either order of a document is judged alike.
			c.w.deferBalance = correctivesAhead(c.decls, kept)
			err := c.settleDeclarations()
			c.w.deferBalance = false
			if err != nil {
				return err
			}
		}
		n := min(len(kept), c.w.db.projectEvery()-c.unit)
		for i := 0; i < n-1; i++ {
			if kept[i].ErrorDeclaration != nil && kept[i+1].ErrorDeclaration == nil {
				n = i + 1
				break
			}
		}
		// A receipt declared in error under a run fed its container
		// whole: the run is computed again once the receipt's
		// corrective events are projected (recontainReceipts).
		corrected := c.w.receiptCorrectivesIn(kept[:n])
		if corrected > 0 {
			n = corrected
		}
		if err := c.insertEvents(kept[:n]); err != nil {
			return err
		}
		c.w.noteCorrectivePacks(kept[:n])
		if c.w.recontainPending() && c.w.receiptCorrectivesIn(kept[n:]) == 0 {
			if err := c.w.recontainReceipts(); err != nil {
				return err
			}
		}
		c.declPending = kept[n-1].ErrorDeclaration != nil
		kept = kept[n:]
		c.unflushed += n
		if c.unit += n; c.unit == c.w.db.projectEvery() {
			if err := c.settle(); err != nil {
				return err
			}
		}
	}
	// A batch that ends with a declaration applies it before the next
	// batch's checks read the lots through the capture (CaptureReads):
	// they would otherwise read the lots rows flushed with the declared
	// event still counted, as would anything read before the next event
	// is projected (issue 8, fixPb item 3: 6 t of a lot shipped in the
	// batch after the declaration of its whole shipping was refused as a
	// −40 % weighing difference).
	if c.declPending {
		if err := c.settleDeclarations(); err != nil {
			return err
		}
	}
	return nil
}

// checkSameContent refuses (critmin.EventContentConflict) an event whose
// eventID is stored already, or was sent earlier in this capture, with
// content whose event hash differs from its own. A declaration counts as
// its event: EPCIS 2.0 §7.4.1.2 has it repeat the event it declares in
// error, and the CBV 2.0 §8.9 hash leaves errorDeclaration out, so a
// declaration whose content is not the stored event's — or an event sent
// after a declaration of other content under its eventID — is refused,
// never taken to retract (or to be) another event. It returns the indexes
// of declarations already stored (or sent earlier in this capture) with
// the same errorDeclaration: idempotent duplicates. A verify replay reads
// only its own log, whose eventIDs are unique, and skips the check.
func (c *captureSession) checkSameContent(events []*critmin.Event, stored map[string]bool) (map[int]bool, error) {
	if c.w.db.writes != replayFull {
		return nil, nil
	}
	// Only the eventIDs met again are hashed: those stored (before this
	// capture, or by an earlier batch of it, in its transaction), those
	// sent twice in this batch, and every declaration's.
	count := map[string]int{}
	declared := map[string]bool{}
	for _, ev := range events {
		count[ev.EventID]++
		if ev.ErrorDeclaration != nil {
			declared[ev.EventID] = true
		}
	}
	known := map[string]string{}
	raws := map[string]string{} // the first event under each eventID, stored or sent
	var storedDecls map[string]map[string]bool
	var again []string
	for id, n := range count {
		if stored[id] || declared[id] || c.w.declStored[id] {
			again = append(again, id)
		} else if n < 2 {
			delete(count, id)
		}
	}
	if len(again) > 0 {
		hashes, decls, stored, err := c.w.storedHashes(again)
		if err != nil {
			return nil, err
		}
		known, storedDecls, raws = hashes, decls, stored
	}
	dup := map[int]bool{}
	sentDecls := map[string]map[string]bool{}
	var againIDs, againBy []string // declarations of events already declared
	for i, ev := range events {
		if _, met := count[ev.EventID]; !met {
			continue
		}
		h, err := epcis.HashStored(ev.Raw, ev.Context)
		if err != nil {
			return nil, fmt.Errorf("%s: hash event %s: %w", c.w.db.Dialect.Name, ev.EventID, err)
		}
		if prev, ok := known[ev.EventID]; !ok {
			known[ev.EventID] = h
			raws[ev.EventID] = string(ev.Raw)
		} else if prev != h {
			c.conflict = true
			return nil, critmin.NewEventContentConflict(ev.EventID, prev, h, []byte(raws[ev.EventID]), ev.Raw)
		}
		if ev.ErrorDeclaration != nil {
			d := declarationKey(ev.Raw)
			if storedDecls[ev.EventID][d] || sentDecls[ev.EventID][d] {
				dup[i] = true
			} else if prev := firstKey(storedDecls[ev.EventID], sentDecls[ev.EventID]); prev != "" && !c.w.db.replayingLog {
				// Another declaration of an event already declared in
				// error: refused (critmin.NewDeclarationConflict), each
				// such declaration of the document named.
				againIDs, againBy = append(againIDs, ev.EventID), append(againBy, declarationWords(prev))
			}
			if sentDecls[ev.EventID] == nil {
				sentDecls[ev.EventID] = map[string]bool{}
			}
			sentDecls[ev.EventID][d] = true
		}
	}
	if len(againIDs) > 0 {
		return nil, critmin.DeclarationConflicts(againIDs, againBy)
	}
	return dup, nil
}

// firstKey returns the least key of the first non-empty set, "" when
// all are empty: the existing declaration a second one is refused for.
func firstKey(sets ...map[string]bool) string {
	for _, set := range sets {
		var least string
		for k := range set {
			if least == "" || k < least {
				least = k
			}
		}
		if least != "" {
			return least
		}
	}
	return ""
}

// declarationWords names a declaration by its key (declarationKey):
// "declared 2025-10-06T00:00:00Z, reason incorrect_data".
func declarationWords(key string) string {
	var d struct {
		DeclarationTime string `json:"declarationTime"`
		Reason          string `json:"reason"`
	}
	if json.Unmarshal([]byte(key), &d) != nil {
		return "declaration " + key
	}
	words := "declaration of " + d.DeclarationTime
	if d.Reason != "" {
		words += ", reason " + d.Reason
	}
	return words
}

// declarationKey is an event's errorDeclaration as canonical JSON (keys
// sorted), "" when raw has none or does not parse: two declarations of
// one event with the same key are the same declaration.
func declarationKey(raw []byte) string {
	var ev struct {
		ErrorDeclaration any `json:"errorDeclaration"`
	}
	if json.Unmarshal(raw, &ev) != nil || ev.ErrorDeclaration == nil {
		return ""
	}
	b, err := json.Marshal(ev.ErrorDeclaration)
	if err != nil {
		return ""
	}
	return string(b)
}

// storedHashes returns the CBV 2.0 event hash of the first stored record
// (event or declaration; the hash leaves errorDeclaration out) of each
// eventID among ids, the errorDeclaration keys (declarationKey) of
// the declarations stored under each, and the JSON of that first record
// (for the refusal's wording), read in the capture's transaction.
func (w *writer) storedHashes(ids []string) (map[string]string, map[string]map[string]bool, map[string]string, error) {
	out := map[string]string{}
	raws := map[string]string{}
	decls := map[string]map[string]bool{}
	err := inChunks(ids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q(`SELECT e.event_id, e.declaration, e.raw, c.body FROM events e LEFT JOIN contexts c ON c.id = e.context_id
			WHERE e.event_id IN (`+placeholders(len(part))+`) ORDER BY e.pk`), part...)
		if err != nil {
			return fmt.Errorf("%s: read stored events: %w", w.db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, raw string
			var decl int
			var ctx sql.NullString
			if err := rows.Scan(&id, &decl, &raw, &ctx); err != nil {
				return err
			}
			if decl != 0 {
				if decls[id] == nil {
					decls[id] = map[string]bool{}
				}
				decls[id][declarationKey([]byte(raw))] = true
			}
			if _, ok := out[id]; ok {
				continue // (the first stored, should an older store hold two)
			}
			h, err := epcis.HashStored([]byte(raw), []byte(ctx.String))
			if err != nil {
				return fmt.Errorf("%s: hash stored event %s: %w", w.db.Dialect.Name, id, err)
			}
			out[id] = h
			raws[id] = raw
		}
		return rows.Err()
	})
	return out, decls, raws, err
}

// ProjectEvery is the unit of projection of a capture: every so many
// stored events, the lots, origin mixes and declarations they touch are
// settled in the transaction and dropped from memory, so that a capture's
// memory stays bounded whatever its size. The unit counts stored events
// from the capture's first, so that a replay of the same events
// (Rebuild, whose groups are a multiple of it) settles at the same points
// and rebuilds identical rows.
const ProjectEvery = 1000

// projectEvery is the store's unit of projection: ProjectUnit, or
// ProjectEvery.
func (db *DB) projectEvery() int {
	if db.ProjectUnit > 0 {
		return db.ProjectUnit
	}
	return ProjectEvery
}

// settle finishes the projection of the events added since the last
// settle: declarations take effect, origin mixes are kept, lots are
// written; then the per-lot state is dropped (the next unit reads what it
// needs back from the transaction).
func (c *captureSession) settle() error {
	if err := c.settleDeclarations(); err != nil {
		return err
	}
	c.unit = 0
	return nil
}

// settleDeclarations settles the projection (settle) without ending the
// unit: after a declaration, before the events that follow it.
func (c *captureSession) settleDeclarations() error {
	w := c.w
	if err := w.applyDeclarations(c.decls); err != nil {
		return err
	}
	if err := w.recontainCorrectives(); err != nil {
		return err
	}
	if err := w.replayReordered(); err != nil {
		return err
	}
	if err := w.recontainReceipts(); err != nil {
		return err
	}
	if err := w.materialize(); err != nil {
		return err
	}
	if err := w.saveLots(); err != nil {
		return err
	}
	c.decls, c.declPending, c.unflushed = nil, false, 0
	w.totalsBase = nil
	w.lots, w.touched = map[string]*critmin.Lot{}, map[string]bool{}
	// (the unit's identifier uses are in the transaction now: loadKinds
	// reads them back)
	w.classUse, w.instanceUse = nil, nil
	w.xforms, w.existed, w.factsChanged, w.producedSeen = map[string]*xform{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	w.figures = nil
	w.produced, w.declared, w.xids = nil, map[string]bool{}, nil
	return nil
}

// Skipped lists the eventIDs skipped so far as already stored.
func (c *captureSession) Skipped() []string { return c.skipped }

// Commit finishes the projection, writes the job and the master data and
// commits.
func (c *captureSession) Commit(master []critmin.MasterDataElement) error {
	if c.done {
		return fmt.Errorf("%s: capture already finished", c.w.db.Dialect.Name)
	}
	if c.flushErr != nil {
		return c.flushErr
	}
	w := c.w
	if len(master) > 0 && !c.audited {
		if err := w.auditMaster(c.job, master); err != nil {
			return err
		}
	}
	if w.db.writes == replayFull { // (a replay for verify keeps no log)
		if err := c.lg.finish(w); err != nil {
			return err
		}
	}
	// The document's master data is applied before the last unit is
	// settled, so that the origin mixes kept for its runs read the sites
	// it describes (custody model, element tolerance, country) as a
	// replay does, which applies the master data's audit entry first
	// (issue 9, fixZc: a run captured with its site's first
	// cm:elementTolerance kept a mix judged at the default 0.5 %).
	if err := ApplyMasterData(w.ctx, w.tx, w.db.Dialect, c.job.CreatedAt, master); err != nil {
		return err
	}
	if err := c.settle(); err != nil {
		return err
	}
	for _, d := range c.days {
		if err := w.exec(`INSERT INTO chain_roots (day, last_seq, root, events) VALUES (?, ?, ?, ?)
			ON CONFLICT (day) DO UPDATE SET last_seq = excluded.last_seq, root = excluded.root, events = chain_roots.events + excluded.events`, d.Day, d.LastSeq, d.Root, d.Events); err != nil {
			return fmt.Errorf("%s: chain root: %w", w.db.Dialect.Name, err)
		}
	}
	c.job.Stored = c.kept
	c.job.Duplicates = c.skipped
	if err := w.insertJob(c.job); err != nil {
		return err
	}
	c.done = true
	// Released into the group; durable when the group commits, which
	// this waits for (group.go).
	if err := w.db.leaveGroup(c.ctx, c.g, true, w.newCtx); err != nil {
		return err
	}
	if w.db.writes != replayFull {
		if w.db.replayIDs == nil {
			w.db.replayIDs = newIDSet()
		}
		for _, id := range w.replayIDs {
			w.db.replayIDs.add(id)
		}
		w.db.replayDecls = w.db.replayDecls || w.replayDecls
	}
	return nil
}

// Settle completes the projection of the events added so far — running
// every check the store makes as it writes (a back-dated observation that
// would change how a lot's later events read, retract.go) — without
// committing. A dry run (ledger.Service.Validate) adds, settles and rolls
// back, so that a preview refuses what the capture would.
func (c *captureSession) Settle() error {
	if c.done {
		return fmt.Errorf("%s: capture already finished", c.w.db.Dialect.Name)
	}
	if c.flushErr != nil {
		return c.flushErr
	}
	return c.settle()
}

// Rollback abandons the capture; after Commit it does nothing.
//
// A capture refused for an event whose eventID another capture of its
// group stored with other content (critmin.EventContentConflict) waits
// for that group's commit before returning, so that its caller reads the
// stored event it conflicts with (commercial.Service.SubmitAssays names
// it): without the wait the refusal would come back before the event it
// names is visible outside the transaction.
func (c *captureSession) Rollback() {
	if !c.done {
		c.done = true
		_ = c.w.db.leaveGroup(c.ctx, c.g, false, nil)
		if c.conflict {
			<-c.g.done
		}
	}
}

// CaptureReads returns a context whose reads of this store, until the
// capture commits or rolls back, go through the capture's transaction:
// they see what the captures before it in its group wrote (and it wrote
// so far) as if committed. The capture-time checks read through it
// (ledger.Service.ClaimCheck), so that two captures in one group cannot
// both consume the same lot.
//
// The reads see every event the capture added, its lots included,
// whatever ended the batch that added it: the lots of a unit not yet
// settled (ProjectEvery) are written first (flushLots). A streamed
// capture's batch ends at its events or its text
// (ledger.StreamBatchBytes), or stores fewer events than it holds (an
// event refused under proceed), so it need not end where a unit does;
// the next batch's checks read here (issue 8, fixOf: an observation
// dated before its lot's commissioning in the batch before was stored).
// A failed flush fails the capture at its next step (Add, Commit).
func (c *captureSession) CaptureReads(ctx context.Context) context.Context {
	if c.unflushed > 0 && !c.done && c.flushErr == nil {
		c.unflushed = 0
		c.flushErr = c.w.flushLots()
	}
	return context.WithValue(context.WithoutCancel(ctx), groupReadsKey{}, &groupReads{write: c.w.db.Write, tx: c.tx, stmts: c.g.stmts})
}

// SaveCaptureJob stores a job that wrote no events.
func (db *DB) SaveCaptureJob(ctx context.Context, job *critmin.CaptureJob) error {
	w := &writer{db: db, ctx: ctx}
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	w.tx = tx
	if err := w.insertJob(job); err != nil {
		return err
	}
	return tx.Commit()
}

type writer struct {
	// containerReads, while insertEvents projects its events, holds the
	// stored events of each container read so far (readsMemo); nil
	// otherwise. Every flush clears it: a write may change what a read
	// returns.
	containerReads map[string][]*critmin.Event
	// declStored holds, for the batch being added, the eventIDs among
	// its events stored only as declarations (set by existingIDs): an
	// event sent under one is held to the declaration's content.
	declStored map[string]bool
	db         *DB
	tx         *sql.Tx
	// reads is tx with its hot queries kept prepared (txStmts), for a
	// capture in a group that keeps them; nil otherwise.
	reads   *txStmts
	ctx     context.Context
	lots    map[string]*critmin.Lot
	touched map[string]bool
	stmts   map[string]*sql.Stmt
	newCtx  map[string]int64
	xforms  map[string]*xform
	// Projection rows, written many per statement.
	links, moves, members *batch
	// counted holds, per lot, how many lot_links rows into it (0),
	// lot_moves rows of it (1) and lot_links rows out of it (2) this
	// transaction added less those it deleted since the lots were last
	// saved: saveLots adds them to the counts each lots row's seal covers
	// (migrations 0073, 0076).
	counted map[string]*[3]int64
	// linked are the lot_links keys (parent, child, event_id) this
	// transaction added: a lot on two lines of one event (a
	// childQuantityList naming it twice, summed) is one row, so it is
	// written and counted once (the insert does nothing on conflict).
	linked map[[3]string]bool
	// runCount holds, per transformationID this transaction loaded or
	// rebuilt, how many transformation_members rows critmin wrote for it
	// (migration 0077): the sealed count, plus the rows added since, or
	// the rows written again by a rebuild. saveLots writes the changed
	// ones (runChanged) with their seals.
	runCount   map[string]int64
	runChanged map[string]bool
	// For origin mixes: lots produced in this transaction (in order), lots
	// whose mineral facts changed, lots that existed before it.
	produced     []string
	producedSeen map[string]bool
	factsChanged map[string]bool
	existed      map[string]bool
	// figures holds, for each lot that existed, its massFigures as
	// loaded: a lot whose figures the transaction changed without a
	// mineral fact (a quantityList weighing, a receipt) moves the caps
	// of its runs' outputs as an assay does (materialize).
	figures map[string]string
	// totalsBase holds, for each lot a flushLots wrote since the unit's
	// last settle, its row as it stood before (nil: none): the record
	// checkTotals compares the unit's figures with, as without the flush.
	totalsBase map[string]*lotRow
	// deferBalance, while a settle after a declaration runs with the
	// declaration's corrective events still to come in the batch, defers
	// the lots' balance check (deferred: the lots written so), judged at
	// the next settle (checkDeferred).
	deferBalance bool
	// receiptBoxes are the containers of receipts declared in error
	// whose runs fed them whole are still to be computed again
	// (noteDeclaredReceipts, recontainReceipts).
	receiptBoxes map[string]bool
	// receiptCorrectives are the corrective eventIDs of those
	// declarations, which the capture projects before the runs are
	// computed again (receiptCorrectivesIn).
	receiptCorrectives map[string]bool
	// drawDeclared are the events declared in error that moved a lot by a
	// quantity line (line draws: a run's input line, a shipment by
	// line), as they stood, and drawCorrectives their declarations'
	// corrective eventIDs: the containers whose line draws they change
	// are computed again with the receipts' (drawBoxes,
	// recontainReceipts).
	drawDeclared    []*critmin.Event
	drawCorrectives map[string]bool
	deferred        map[string]bool
	// declared holds the eventIDs of this capture already declared in error.
	declared map[string]bool
	// reorder holds the lots an event reached out of event-time order
	// (older than the lot's latest): they are replayed in event-time
	// order when the unit settles (replayReordered).
	reorder map[string]bool
	// backdated holds the eventIDs of this unit's events that reached a
	// lot out of event-time order (replayReordered: only they may change
	// how the lot's stored events read).
	backdated map[string]bool
	// observedBack lists those of them that observe a lot (ObjectEvent
	// OBSERVE: a weighing, a movement): the ones checked against the
	// lot's later events. A backdated commissioning or run output (a
	// corrective, after a declaration) restates the lot instead.
	observedBack []string
	// docDeclared holds the eventIDs the capture's documents declare in
	// error, wherever in them: a capture-time check does not count the
	// facts of an event the same document retracts (checkCommissioning).
	docDeclared map[string]bool
	// docCorrective holds the eventIDs those declarations name as their
	// corrective events; correctivePacks, the packings among them stored
	// since the last settle, whose containers' moves and fed runs are
	// recomputed then (recontainCorrectives).
	docCorrective   map[string]bool
	correctivePacks []*critmin.Event
	// docDeclaredLots holds the lots (canonical) those declarations
	// name: a declaration changes how their stored events read, so a
	// backdated corrective of it is not held to the readings the
	// declaration left (replayReordered; fixNn item 2).
	docDeclaredLots map[string]bool
	// contain is where the children this capture's AggregationEvents
	// name are packed (checkRepacking); emptied the containers it
	// unpacked whole.
	contain *ledger.Containment
	emptied map[string]bool
	// packHist holds the stored AggregationEvents of each child this
	// capture packs or unpacks, and docPackings the capture's own that
	// passed (docOrder their order), for the check at each packing's
	// time (packingHistory).
	packHist    map[string][]*critmin.Event
	docPackings map[string][]*critmin.Event // by child; "" those naming none
	docOrder    map[*critmin.Event]int
	// xids holds the transformationID of each event of this capture that
	// carries one, so that kept mixes name runs by it.
	xids map[string]string
	// commissionedBy names, per lot commissioned in this capture, the
	// event that did it (for the refusal of a second commissioning).
	commissionedBy map[string]string
	// classUse and instanceUse name, per canonical identifier, an event
	// (stored, or of this capture) that used it as a class (a quantity
	// list) or as an instance (parentID, an EPC list): checkKinds.
	classUse, instanceUse map[string]string
	// replayIDs and replayDecls are, in a verify replay, the eventIDs and
	// whether a declaration this capture stored so far; Commit adds them
	// to the store's (DB.replayIDs).
	replayIDs   []string
	replayDecls bool
	// raised holds, per lot, the events of this capture that added to
	// its total (0) and to what runs took of it (1), and the line of the
	// latest (noteTotals): saveLots names them when a total goes past
	// the mass limit (checkTotals).
	raised map[string]*[2]raisedBy
	// contents queues event_contents rows; packs holds this capture's
	// AggregationEvents by canonical parent and forgotten the eventIDs it
	// declared in error (packingsOf).
	contents  *batch
	packs     map[string][]*critmin.Event
	forgotten map[string]bool
	// tripMoves holds this capture's dispatches of containers by canonical
	// container (movesOf).
	tripMoves map[string][]*critmin.Event
	// runFeeds holds this capture's runs fed a container whole that took
	// what it held, by canonical container (feedsOf).
	runFeeds map[string][]*critmin.Event
	// movedRows holds this capture's dispatches' contents rows by
	// eventID (recordedOf).
	movedRows map[string][]contentRow
	// lotEvents holds this capture's events by canonical lot, as
	// projected, and its DELETEs emptying a container under emptiesKey
	// (drawnEvents).
	lotEvents map[string][]*critmin.Event
}

// raisedBy is what of a capture added to one of a lot's summed figures.
type raisedBy struct {
	events []string
	last   string // "event {eventID}{pointer}" of the latest
}

// xform is what one transformationID has consumed and produced so far.
// EPCIS 2.0 §7.4.6: TransformationEvents that share a transformationID are
// one transformation, so every input of any of them is a parent of every
// output of any of them.
type xform struct {
	inputs, outputs []critmin.QuantityElement
}

func (w *writer) stmt(query string) (*sql.Stmt, error) {
	if s, ok := w.stmts[query]; ok {
		return s, nil
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	if w.db.reusesStatements() {
		// Kept across transactions as execRows keeps its INSERTs: a
		// statement prepared on the writer's one connection runs in
		// this transaction without being parsed again.
		key := stmtKey{head: query}
		w.db.stmtMu.Lock()
		kept, ok := w.db.stmts[key]
		if !ok && len(w.db.pending) < maxKeptStmts {
			w.db.pending[key] = w.db.q(query)
		}
		w.db.stmtMu.Unlock()
		if ok {
			s := w.tx.StmtContext(w.ctx, kept)
			w.stmts[query] = s
			return s, nil
		}
	}
	s, err := w.tx.PrepareContext(w.ctx, w.db.q(query))
	if err != nil {
		return nil, fmt.Errorf("%s: prepare: %w", w.db.Dialect.Name, err)
	}
	w.stmts[query] = s
	return s, nil
}

func (w *writer) exec(query string, args ...any) error {
	s, err := w.stmt(query)
	if err != nil {
		return err
	}
	_, err = s.ExecContext(w.ctx, args...)
	return err
}

// existingIDs returns which of ids are already stored as (non-declaration)
// events, in chunks that stay under every driver's parameter limit.
func (w *writer) existingIDs(ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if w.db.writes != replayFull {
		// A verify replay keeps the ids it stored in memory (DB.replayIDs,
		// and this capture's own earlier batches in w.replayIDs).
		for _, id := range ids {
			if w.db.replayIDs.has(id) {
				out[id] = true
			}
		}
		if len(w.replayIDs) > 0 {
			mine := make(map[string]bool, len(w.replayIDs))
			for _, id := range w.replayIDs {
				mine[id] = true
			}
			for _, id := range ids {
				if mine[id] {
					out[id] = true
				}
			}
		}
		return out, nil
	}
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := w.tx.QueryContext(w.ctx, w.db.q(`SELECT event_id, declaration FROM events WHERE event_id IN (`+placeholders(len(part))+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("%s: look up event ids: %w", w.db.Dialect.Name, err)
		}
		for rows.Next() {
			var id string
			var decl int
			if err := rows.Scan(&id, &decl); err != nil {
				rows.Close()
				return nil, err
			}
			if decl == 0 {
				out[id] = true
			} else if w.declStored != nil {
				w.declStored[id] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// placeholders is n comma-separated "?" for an IN list or a VALUES row.
// SQL has no empty IN list — SQLite reads "x IN ()" as false, PostgreSQL
// refuses it as a syntax error — so asking for none is a programmer error:
// a list that may be empty goes through inList, which says what an empty
// list means.
func placeholders(n int) string {
	if n < 1 {
		panic("sqldb: placeholders(0): an empty IN list; use inList")
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// inList is "col IN (?, …)" for n values, or "1 = 0" when n is 0: a list of
// no values matches nothing, the same on every backend. A caller for which
// an empty list means "no filter" leaves the condition out instead.
func inList(col string, n int) string {
	if n == 0 {
		return "1 = 0"
	}
	return col + " IN (" + placeholders(n) + ")"
}

func (w *writer) insertJob(job *critmin.CaptureJob) error {
	errs, _ := json.Marshal(job.Errors)
	dups, _ := json.Marshal(job.Duplicates)
	var fin any
	if job.FinishedAt != nil {
		fin = micros(*job.FinishedAt)
	} else {
		fin = micros(w.db.Now())
	}
	success := 0
	if len(job.Errors) == 0 {
		success = 1
	}
	// error_count and duplicate_count let lists show the job without
	// reading its lists (ListCaptureJobs).
	// import_rows and import_refused keep what a CSV import with proceed
	// left out of the job (critmin.CaptureJob.Import; 0 for none).
	var impRows, impRefused int
	if job.Import != nil {
		impRows, impRefused = job.Import.Rows, job.Import.Refused
	}
	err := w.exec(`INSERT INTO capture_jobs (capture_id, created_us, finished_us, running, success, behaviour, event_count, stored, errors, duplicates, token, errors_omitted, error_count, duplicate_count, import_rows, import_refused)
		VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		job.CaptureID, micros(job.CreatedAt), fin, success, job.CaptureErrorBehaviour, job.EventCount, job.Stored, string(errs), string(dups), job.Token, job.ErrorsOmitted,
		len(job.Errors)+job.ErrorsOmitted, len(job.Duplicates), impRows, impRefused)
	if err != nil {
		return fmt.Errorf("%s: insert capture job: %w", w.db.Dialect.Name, err)
	}
	return nil
}

// contextID returns the id of a stored @context, storing it once: a
// corridor's documents repeat the same context, so events refer to it. Ids
// created in this capture are shared with other writers only after its
// group commits (endGroup), so a rollback never leaves a cached id whose
// row is gone.
func (w *writer) contextID(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	sum := sha256.Sum256(raw)
	h := hex.EncodeToString(sum[:])
	if id, ok := w.newCtx[h]; ok {
		return id, nil
	}
	w.db.ctxMu.Lock()
	id, ok := w.db.ctxIDs[h]
	w.db.ctxMu.Unlock()
	if ok {
		return id, nil
	}
	if err := w.exec(`INSERT INTO contexts (hash, body) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING`, h, string(raw)); err != nil {
		return nil, fmt.Errorf("%s: store context: %w", w.db.Dialect.Name, err)
	}
	if err := w.tx.QueryRowContext(w.ctx, w.db.q(`SELECT id FROM contexts WHERE hash = ?`), h).Scan(&id); err != nil {
		return nil, fmt.Errorf("%s: read context id: %w", w.db.Dialect.Name, err)
	}
	if w.newCtx == nil {
		w.newCtx = map[string]int64{}
	}
	w.newCtx[h] = id
	return id, nil
}

// batch accumulates rows for one multi-row INSERT; index rows go in
// batches because one statement per row is what makes capture slow.
type batch struct {
	head string // "INSERT INTO t (a, b, c) VALUES "
	cols int
	tail string // " ON CONFLICT …", if any
	args []any
}

// maxBatchArgs keeps a statement under SQLite's and PostgreSQL's limits
// on bound parameters.
const maxBatchArgs = 30000

func (w *writer) add(b *batch, vals ...any) error {
	if len(vals) != b.cols {
		// A row of the wrong width would shift every later row's values.
		return fmt.Errorf("%s: %s: %d values for a row of %d columns", w.db.Dialect.Name, strings.TrimSpace(b.head[:strings.Index(b.head, "(")]), len(vals), b.cols)
	}
	b.args = append(b.args, vals...)
	if len(b.args)+b.cols > maxBatchArgs {
		return w.flush(b)
	}
	return nil
}

// addIndex adds an index row (eachIndexRow) of the event keyed pk to b,
// its values appended in place (no []any a row).
func (w *writer) addIndex(b *batch, pk int64, r *indexRow) error {
	if indexWidths[r.table] != b.cols {
		return fmt.Errorf("%s: %s: %d values for a row of %d columns", w.db.Dialect.Name, strings.TrimSpace(b.head[:strings.Index(b.head, "(")]), indexWidths[r.table], b.cols)
	}
	b.args = r.appendArgs(b.args, pk)
	if len(b.args)+b.cols > maxBatchArgs {
		return w.flush(b)
	}
	return nil
}

func (w *writer) flush(b *batch) error {
	if len(b.args) == 0 {
		return nil
	}
	clear(w.containerReads)
	args := b.args
	for n := len(args) / b.cols; n > 0; {
		k := n
		if w.db.reusesStatements() {
			// Rows go in chunks of a power of two up to stmtMaxRows, so a
			// table's inserts use at most nine statement texts, each
			// prepared once on the writer connection and reused.
			k = stmtMaxRows
			for k > n {
				k /= 2
			}
		}
		if err := w.db.execRows(w.ctx, w.tx, b, k, args[:k*b.cols]); err != nil {
			return fmt.Errorf("%s: %s: %w", w.db.Dialect.Name, strings.TrimSpace(b.head[:strings.Index(b.head, "(")]), err)
		}
		args, n = args[k*b.cols:], n-k
	}
	b.args = b.args[:0]
	return nil
}

// stmtMaxRows is the most rows one reused multi-row INSERT carries.
const stmtMaxRows = 256

// maxKeptStmts bounds the statements a writer keeps prepared (statements
// whose text depends on a count of arguments, as retraction's DELETE …
// IN (…), could otherwise add one per count).
const maxKeptStmts = 512

// reusesStatements reports whether the writer keeps its multi-row
// INSERTs prepared across transactions: only when the writer pool has one
// connection (SQLite), so that a statement prepared once is the one every
// later transaction runs; with a pool (PostgreSQL) each transaction could
// land on a connection where it is not prepared.
func (db *DB) reusesStatements() bool {
	return db.Write.Stats().MaxOpenConnections == 1
}

type stmtKey struct {
	head, tail string
	rows       int
}

// execRows runs the INSERT of b's head with rows rows and args in tx. On a
// one-connection writer the statement is kept prepared across
// transactions (SQLite's parser was 12 % of the CPU under mixed load with
// every statement parsed again; docs/benchmarks.md): database/sql runs a
// kept statement in a transaction on the connection it was prepared on
// without preparing it again, and prepares it afresh should the
// connection change. A statement not yet kept runs unprepared and is
// prepared by the next capture before its transaction begins
// (preparePending): preparing on the pool while a transaction holds its
// one connection would wait for ever.
func (db *DB) execRows(ctx context.Context, tx *sql.Tx, b *batch, rows int, args []any) error {
	build := func() string {
		row := "(" + placeholders(b.cols) + ")"
		var sb strings.Builder
		head := b.head
		if db.Dialect.InsertOrFail {
			head = strings.Replace(head, "INSERT INTO ", "INSERT OR FAIL INTO ", 1)
		}
		sb.Grow(len(head) + rows*(len(row)+1) + len(b.tail))
		sb.WriteString(head)
		for i := 0; i < rows; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(row)
		}
		sb.WriteString(b.tail)
		return db.q(sb.String())
	}
	if !db.reusesStatements() || rows > stmtMaxRows {
		_, err := tx.ExecContext(ctx, build(), args...)
		return err
	}
	key := stmtKey{b.head, b.tail, rows}
	db.stmtMu.Lock()
	st, ok := db.stmts[key]
	db.stmtMu.Unlock()
	if !ok {
		query := build()
		db.stmtMu.Lock()
		if len(db.pending) < maxKeptStmts {
			db.pending[key] = query
		}
		db.stmtMu.Unlock()
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	}
	_, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	return err
}

// preparePending prepares on the writer the statements execRows ran
// unprepared, to be kept. It must run outside any transaction of the
// caller's; a statement that fails to prepare is left to run unprepared.
func (db *DB) preparePending(ctx context.Context) {
	db.stmtMu.Lock()
	todo := db.pending
	db.pending = map[stmtKey]string{}
	db.stmtMu.Unlock()
	for key, query := range todo {
		st, err := db.Write.PrepareContext(ctx, query)
		if err != nil {
			continue
		}
		db.stmtMu.Lock()
		if _, dup := db.stmts[key]; dup || len(db.stmts) >= maxKeptStmts {
			st.Close()
		} else {
			db.stmts[key] = st
		}
		db.stmtMu.Unlock()
	}
}

func (c *captureSession) insertEvents(events []*critmin.Event) error {
	w, lg, days := c.w, c.lg, c.days
	evb := c.evb
	idx := [...]*batch{indexEPCs: c.epcs, indexQuantities: c.qty, indexAttrs: c.attrs}
	if err := w.preload(events); err != nil {
		return err
	}
	pks, err := w.db.Dialect.ReservePKs(w.ctx, w.tx, len(events))
	if err != nil {
		return fmt.Errorf("%s: reserve event keys: %w", w.db.Dialect.Name, err)
	}
	full := w.db.writes == replayFull
	seq, prev := c.seq, c.prev
	defer func() { c.seq, c.prev = seq, prev }()
	// The events are projected before their rows are written (flushed
	// below): a container's stored packings, dispatches and feeds read
	// for one event stand for the next until a flush (readsMemo).
	w.containerReads = map[string][]*critmin.Event{}
	defer func() { w.containerReads = nil }()
	for i, ev := range events {
		ev.PK = pks[i]
		seq++
		var ctxID any
		raw, chainPrev, chainHash := "", "", ""
		if w.db.writes != replayProjection {
			// (a projection-only replay reads no record back)
			raw = string(ev.Raw)
			if ctxID, err = w.contextID(ev.Context); err != nil {
				return err
			}
		}
		if full {
			rec := eventRecord(ev, seq, prev)
			prev, chainPrev, chainHash = rec.Chain, rec.PrevChain, rec.Chain
			if err := lg.add(w, rec); err != nil {
				return err
			}
			day := ev.RecordTime.UTC().Format(time.DateOnly)
			if d := days[day]; d != nil {
				d.LastSeq, d.Root, d.Events = seq, rec.Chain, d.Events+1
			} else {
				days[day] = &critmin.ChainRoot{Day: day, LastSeq: seq, Root: rec.Chain, Events: 1}
			}
		}
		// The event's row: the projection reads some back (event ids,
		// transformation ids of earlier runs, declarations).
		decl := 0
		if ev.ErrorDeclaration != nil {
			decl = 1
		}
		if !full {
			if decl == 0 {
				w.replayIDs = append(w.replayIDs, ev.EventID)
			} else {
				w.replayDecls = true
			}
		}
		// A projection-only replay reads back only the transformationIDs
		// (edgesOfRuns, transformationIDs, LotEdge.Run) and declarations;
		// its duplicate check reads replayIDs.
		if w.db.writes != replayProjection || decl == 1 || ev.TransformationID != "" {
			ix := eventIndexed(ev)
			row := append([]any{ev.PK, ev.EventID, decl, ev.Type, micros(ev.EventTime), micros(ev.RecordTime)}, ix[:7]...)
			row = append(row, ev.CaptureID, ctxID, raw, seq, chainPrev, chainHash)
			row = append(row, ix[7:]...)
			if err := w.add(evb, row...); err != nil {
				return err
			}
		}
		if w.db.writes != replayProjection {
			moves := ledger.ReadsContents(ev)
			err := eachIndexRow(ev, func(r *indexRow) error {
				// Only replayLots reads index rows back (event_quantities),
				// and recontain the epcList rows of an event moving a
				// container (a packing or unpacking declared in error
				// changes what it carried), and those of an ObjectEvent
				// ADD: a commissioning by instance (a bag by SGTIN with
				// its own ILMD) is the instance lot's first event, which
				// replayLots reads back by its epcList (builder decl).
				if !full && r.table != indexQuantities && !(r.table == indexEPCs && (moves || ev.Type == critmin.ObjectEvent && ev.Action == "ADD")) {
					return nil
				}
				return w.addIndex(idx[r.table], ev.PK, r)
			})
			if err != nil {
				return err
			}
		}
		if err := w.project(ev); err != nil {
			return err
		}
	}
	for _, b := range []*batch{evb, idx[indexEPCs], idx[indexQuantities], idx[indexAttrs], w.links, w.moves, w.members, w.contents, lg.rows} {
		if err := w.flush(b); err != nil {
			return err
		}
	}
	// The stored hashes are in the transaction now; the appender reads the
	// few it needs back rather than keeping every one.
	clear(lg.pending)
	return nil
}

// preload reads, in a few statements, every lot the events name and what
// is known of their transformationIDs, so that projecting needs no round
// trip per event.
func (w *writer) preload(events []*critmin.Event) error {
	var ids, xids, evIDs []string
	seen := map[string]bool{}
	// Lots and transformations an earlier batch of the same capture
	// loaded are already in memory, with that batch's events applied.
	for _, ev := range events {
		if ev.ErrorDeclaration != nil {
			continue
		}
		evIDs = append(evIDs, ev.EventID)
		for _, id := range canonLots(ev).LotIDs() {
			if _, have := w.lots[id]; !have && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if _, have := w.xforms[ev.TransformationID]; ev.TransformationID != "" && !have && !seen["x:"+ev.TransformationID] {
			seen["x:"+ev.TransformationID] = true
			xids = append(xids, ev.TransformationID)
		}
	}
	if w.db.writes == replayFull {
		if err := w.loadKinds(events); err != nil {
			return err
		}
	}
	declared := map[string]bool{}
	if w.db.writes != replayProjection || w.db.replayDecls || w.replayDecls {
		// (a projection-only replay of a log without declarations has
		// none to look up)
		var err error
		if declared, err = w.declaredAmong(evIDs); err != nil {
			return err
		}
	}
	for id := range declared {
		w.declared[id] = true
	}
	for _, id := range xids {
		w.xforms[id] = &xform{}
	}
	if err := w.loadProjected(ids); err != nil {
		return err
	}
	if err := w.flush(w.members); err != nil {
		return err
	}
	return inChunks(xids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT transformation_id, role, epc_class, quantity, uom, seal FROM transformation_members WHERE transformation_id IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: load transformations: %w", w.db.Dialect.Name, err)
		}
		defer rows.Close()
		live := map[string]int64{}
		for rows.Next() {
			var id, role string
			var q critmin.QuantityElement
			var v sql.NullFloat64
			var seal sql.NullString
			if err := rows.Scan(&id, &role, &q.EPCClass, &v, &q.UOM, &seal); err != nil {
				return err
			}
			// An earlier member edited by hand would be linked into
			// this capture's outputs (ledger.RunLinks) and sealed there
			// (migration 0075).
			if err := checkSeal("transformation_members", memberKey(id, role, q.EPCClass), q.EPCClass, seal, id, role, q.EPCClass, floatOrNil(v), q.UOM); err != nil {
				return err
			}
			q.Role = role
			if v.Valid {
				f := v.Float64
				q.Quantity = &f
			}
			x := w.xforms[id]
			if role == critmin.RoleInput {
				x.inputs = append(x.inputs, q)
			} else {
				x.outputs = append(x.outputs, q)
			}
			live[id]++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		// A member deleted by hand has no seal to check: the run's
		// sealed count betrays it (migration 0077). A verify replay
		// writes its own scratch store, which nobody else edits.
		sealed, err := runCounts(w.ctx, w.tx, w.db, part)
		if err != nil {
			return err
		}
		if w.runCount == nil {
			w.runCount = map[string]int64{}
		}
		// A run deleted whole (its count row and every member) leaves
		// nothing to count: the log's live events of the run name it
		// (sealedRunMembers), so no fresh count is sealed over it.
		var logged map[string]string
		if w.db.writes == replayFull && len(sealed) < len(part) {
			if logged, err = oneLiveRunEvent(w.ctx, w.tx, w.db, part); err != nil {
				return err
			}
		}
		for _, id := range part {
			xid := id.(string)
			if w.db.writes == replayFull {
				if err := checkCount("transformation_members", rowKey("transformation_id", xid), xid, sealed[xid], live[xid]); err != nil {
					return err
				}
				if _, ok := sealed[xid]; !ok && logged[xid] != "" {
					return missingRun(xid, logged[xid])
				}
			}
			w.runCount[xid] = sealed[xid]
		}
		return nil
	})
}

// oneLiveRunEvent returns, for each of the runs xids (at most one chunk)
// that has a live event in the log (not declared in error) and no
// transformation_runs row, one eventID of it.
func oneLiveRunEvent(ctx context.Context, q querier, db *DB, xids []any) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, db.q("SELECT e.transformation_id, MIN(e.event_id) FROM events e WHERE e.declaration = 0 AND e.transformation_id IN ("+placeholders(len(xids))+")"+
		" AND NOT EXISTS (SELECT 1 FROM events d WHERE d.declaration = 1 AND d.event_id = e.event_id)"+
		" AND NOT EXISTS (SELECT 1 FROM transformation_runs r WHERE r.transformation_id = e.transformation_id) GROUP BY e.transformation_id"), xids...)
	if err != nil {
		return nil, fmt.Errorf("%s: events of runs: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var xid, ev string
		if err := rows.Scan(&xid, &ev); err != nil {
			return nil, err
		}
		out[xid] = ev
	}
	return out, rows.Err()
}

// runCounts reads the sealed member counts of the runs of xids
// (transformation_runs, migration 0077), each checked against its seal;
// a run with no row has none.
func runCounts(ctx context.Context, q querier, db *DB, xids []any) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, db.q("SELECT transformation_id, member_count, seal FROM transformation_runs WHERE transformation_id IN ("+placeholders(len(xids))+")"), xids...)
	if err != nil {
		return nil, fmt.Errorf("%s: member counts of runs: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var xid string
		var n int64
		var seal sql.NullString
		if err := rows.Scan(&xid, &n, &seal); err != nil {
			return nil, err
		}
		if err := checkSeal("transformation_runs", rowKey("transformation_id", xid), xid, seal, xid, n); err != nil {
			return nil, err
		}
		out[xid] = n
	}
	return out, rows.Err()
}

// countMember adds n to the member rows of run xid this transaction
// wrote (writer.runCount).
func (w *writer) countMember(xid string, n int64) {
	if w.runCount == nil {
		w.runCount, w.runChanged = map[string]int64{}, map[string]bool{}
	}
	if w.runChanged == nil {
		w.runChanged = map[string]bool{}
	}
	w.runCount[xid] += n
	w.runChanged[xid] = true
}

// saveRuns writes the member count of each run this transaction changed,
// with its seal (migration 0077).
func (w *writer) saveRuns() error {
	if len(w.runChanged) == 0 {
		return nil
	}
	xids := make([]string, 0, len(w.runChanged))
	for xid := range w.runChanged {
		xids = append(xids, xid)
	}
	sort.Strings(xids)
	b := &batch{head: "INSERT INTO transformation_runs (transformation_id, member_count, seal) VALUES ", cols: 3,
		tail: " ON CONFLICT (transformation_id) DO UPDATE SET member_count = excluded.member_count, seal = excluded.seal"}
	for _, xid := range xids {
		n := w.runCount[xid]
		if n == 0 {
			// no members (a run whose every event was declared in
			// error): no row, as migration 0077 counts them
			if err := w.exec("DELETE FROM transformation_runs WHERE transformation_id = ?", xid); err != nil {
				return fmt.Errorf("%s: drop run %s: %w", w.db.Dialect.Name, xid, err)
			}
			continue
		}
		if err := w.add(b, xid, n, derivedSeal("transformation_runs", xid, n)); err != nil {
			return err
		}
	}
	w.runChanged = nil
	return w.flush(b)
}

// inChunks calls fn with ids in slices small enough for any driver.
func inChunks(ids []string, fn func(part []any) error) error {
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if err := fn(args); err != nil {
			return err
		}
	}
	return nil
}

// reader is what the writer's own reads go through: its transaction,
// with the hot queries prepared when the capture's group keeps them.
func (w *writer) reader() querier {
	if w.reads != nil {
		return w.reads
	}
	return w.tx
}

// project applies an event to the lot projection loaded by preload.
func (w *writer) project(ev *critmin.Event) error {
	if ev.ErrorDeclaration != nil || w.declared[ev.EventID] {
		// A declaration corrects the record; it does not move lots. An
		// event declared in error before it arrived never counts.
		if ev.ErrorDeclaration != nil {
			w.forgetPacking(ev.EventID)
			return nil
		}
		// It keeps what it carried, as an event declared after it
		// arrived does (recontainIn): the lot's timeline lists it,
		// marked declared, whichever came first (nuq7-4).
		held, err := w.contentsOf(ev)
		if err != nil {
			return err
		}
		return w.addContents(ev.EventID, held)
	}
	orig := ev
	// A container moved by its own identifier moves what it holds
	// (contents.go): the event is projected with a line of each lot
	// packed in it then, stored with it in event_contents.
	held, err := w.contentsOf(ev)
	if err != nil {
		return err
	}
	if err := w.addContents(ev.EventID, held); err != nil {
		return err
	}
	if w.db.writes == replayFull {
		// Live capture only: a replay re-applies what was accepted.
		if err := w.checkEmptied(ev, held); err != nil {
			return err
		}
	}
	w.noteFeed(ev, held)
	w.noteMoved(ev, held)
	ev = canonLots(ledger.WithContents(ev, contentLines(held), containersOf(held)...)) // one lot per canonical class identifier
	ids := ev.LotIDs()
	w.noteLotEvent(ev, ids)
	if len(held) > 0 {
		// The lots it holds were not named by the event (preload).
		var load []string
		for _, id := range ids {
			if _, ok := w.lots[id]; !ok {
				load = append(load, id)
			}
		}
		if err := w.loadProjected(load); err != nil {
			return err
		}
	}
	if w.db.writes == replayFull {
		// Live capture only: a replay re-applies what was accepted.
		if err := w.checkKinds(orig); err != nil {
			return err
		}
		if len(ids) > 0 {
			if err := w.checkCommissioning(ev); err != nil {
				return err
			}
			if err := w.checkPacking(ev); err != nil {
				return err
			}
		}
		// Instances packed with childEPCs are checked too, though they
		// name no lot; the reason names lots as the event spells them.
		if err := w.checkRepacking(orig); err != nil {
			return err
		}
	}
	w.notePacking(orig)
	w.noteMove(orig)
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		// An event older than the lot's latest cannot be folded onto the
		// lot's state: what a later event left unsaid (a location, an
		// owner, a disposition) is what this one says. The lot is
		// replayed from its live events in event-time order at settle.
		if l := w.lots[id]; l != nil && l.EventCount > 0 && ev.EventTime.Before(l.LastEventAt) {
			if w.reorder == nil {
				w.reorder = map[string]bool{}
			}
			w.reorder[id] = true
			if w.backdated == nil {
				w.backdated = map[string]bool{}
			}
			if !w.backdated[ev.EventID] && ev.Type == critmin.ObjectEvent && ev.Action == "OBSERVE" {
				w.observedBack = append(w.observedBack, ev.EventID)
			}
			w.backdated[ev.EventID] = true
		}
	}
	var before map[string][2]float64
	if w.db.writes == replayFull {
		before = make(map[string][2]float64, len(ids))
		for _, id := range ids {
			if l := w.lots[id]; l != nil {
				before[id] = [2]float64{l.WetTonnes, l.TakenTonnes}
			}
		}
	}
	fx := ledger.Project(w.lots, ev)
	for _, id := range ids {
		w.touched[id] = true
	}
	if before != nil {
		w.noteTotals(ev, ids, before)
	}
	if ev.TransformationID != "" {
		if w.xids == nil {
			w.xids = map[string]string{}
		}
		w.xids[ev.EventID] = ev.TransformationID
		links, err := w.transformationLinks(ev)
		if err != nil {
			return err
		}
		// The run's links replace the event's own (ledger.RunLinks: one
		// definition of what each input line of a run consumed).
		own := fx.Links[:0:0]
		for _, l := range fx.Links {
			if l.Kind != ledger.LinkTransformation {
				own = append(own, l)
			}
		}
		fx.Links = append(own, links...)
	}
	if ev.Mineral != nil {
		// Mineral facts describe the event's outputs and observed lots,
		// never its inputs (ledger.Project).
		for _, q := range ev.LotLines() {
			if q.Role != critmin.RoleInput {
				w.factsChanged[q.EPCClass] = true
			}
		}
	}
	for _, l := range fx.Links {
		if l.Kind == ledger.LinkTransformation && !w.producedSeen[l.Child] {
			w.producedSeen[l.Child] = true
			w.produced = append(w.produced, l.Child)
		}
		if err := w.addLink(l, ev); err != nil {
			return err
		}
	}
	for _, m := range fx.Moves {
		if err := w.addMove(m); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) saveLots() error {
	if err := w.writeLots(nil, false); err != nil {
		return err
	}
	return w.checkDeferred()
}

// checkDeferred judges the lots whose balance check a settle deferred
// (deferBalance) and that no write since has judged, as stored now:
// refused as writeLots refuses them.
func (w *writer) checkDeferred() error {
	if w.deferBalance || len(w.deferred) == 0 {
		return nil
	}
	ids := make([]string, 0, len(w.deferred))
	for id := range w.deferred {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	w.deferred = nil
	rows, err := w.storedLots(ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		r := rows[id]
		if r == nil {
			continue
		}
		l, err := r.lot()
		if err != nil {
			return err
		}
		if !l.Material {
			continue
		}
		if err := ledger.CheckLotBalance(l); err != nil {
			return lotBalanceRefusal(l, err)
		}
	}
	return nil
}

// correctivesAhead says whether events hold a corrective event
// (errorDeclaration correctiveEventIDs) of one of decls.
// declarationsFirst is evs with the error declarations first, each
// group in its own order.
func declarationsFirst(evs []*critmin.Event) []*critmin.Event {
	out := make([]*critmin.Event, 0, len(evs))
	for _, ev := range evs {
		if ev.ErrorDeclaration != nil {
			out = append(out, ev)
		}
	}
	if len(out) == 0 || len(out) == len(evs) {
		return evs
	}
	for _, ev := range evs {
		if ev.ErrorDeclaration == nil {
			out = append(out, ev)
		}
	}
	return out
}

func correctivesAhead(decls, events []*critmin.Event) bool {
	want := map[string]bool{}
	for _, d := range decls {
		if d.ErrorDeclaration != nil {
			for _, id := range d.ErrorDeclaration.CorrectiveEventIDs {
				want[id] = true
			}
		}
	}
	if len(want) == 0 {
		return false
	}
	for _, ev := range events {
		if ev.ErrorDeclaration == nil && want[ev.EventID] {
			return true
		}
	}
	return false
}

// flushLots writes the lots rows of the events added since the unit's
// last settle, as they stand, without settling the unit: the lots an
// event reached out of event-time order as replayed in event-time order
// (writing nothing else of the replay), and nothing of the origin mixes,
// the declarations or the per-lot state, which the unit's settle handles
// as if no flush had happened (so that the rows it leaves are the rows a
// replay rebuilds: Rebuild settles at the unit's ends only). It makes the
// events added so far readable by the capture-time checks of the next
// batch (captureSession.CaptureReads), whatever ended the batch.
func (w *writer) flushLots() error {
	var replayed map[string]*critmin.Lot
	if len(w.reorder) > 0 {
		ids := make([]string, 0, len(w.reorder))
		for id := range w.reorder {
			if w.lots[id] != nil {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		lots, _, err := w.replayedLots(ids)
		if err != nil {
			return err
		}
		replayed = make(map[string]*critmin.Lot, len(ids))
		for _, id := range ids {
			replayed[id] = nil // no live event: not written
			if l := lots[id]; l != nil && l.EventCount > 0 {
				replayed[id] = l
			}
		}
	}
	return w.writeLots(replayed, true)
}

// writeLots writes the touched lots rows (saveLots), a lot in replayed
// as given there (nil: not written). flushing: a flushLots, whose rows
// the unit's settle writes again; the rows as they stood before the
// first flush since the last settle stay the record checkTotals compares
// with (totalsBase).
func (w *writer) writeLots(replayed map[string]*critmin.Lot, flushing bool) error {
	lot := func(id string) *critmin.Lot {
		if l, ok := replayed[id]; ok {
			return l
		}
		return w.lots[id]
	}
	b := &batch{head: `INSERT INTO lots (id, commodity, quantity, uom, wet_t, dry_t, moisture, origin_country, origin_mine, supplier, location, read_point, status, disposition, owner, custodian, first_us, last_us, event_count, assays, claims, location_canon, taken_t, parts, seal, link_count, move_count, out_link_count) VALUES `,
		cols: 28, tail: ` ON CONFLICT (id) DO UPDATE SET claims = excluded.claims, location_canon = excluded.location_canon, commodity = excluded.commodity, quantity = excluded.quantity, uom = excluded.uom, wet_t = excluded.wet_t, dry_t = excluded.dry_t,
			moisture = excluded.moisture, origin_country = excluded.origin_country, origin_mine = excluded.origin_mine, supplier = excluded.supplier,
			location = excluded.location, read_point = excluded.read_point, status = excluded.status, disposition = excluded.disposition, owner = excluded.owner,
			custodian = excluded.custodian, first_us = excluded.first_us, last_us = excluded.last_us, event_count = excluded.event_count, assays = excluded.assays, taken_t = excluded.taken_t, parts = excluded.parts, seal = excluded.seal,
			link_count = excluded.link_count, move_count = excluded.move_count, out_link_count = excluded.out_link_count`}
	ids := make([]string, 0, len(w.touched))
	for id := range w.touched {
		ids = append(ids, id)
	}
	sort.Strings(ids) // a stable row order keeps lock order stable too
	// The counts each row's seal covers: as stored, plus the rows this
	// transaction added to or deleted from the lot's links and moves.
	var changed []string
	for id := range w.counted {
		changed = append(changed, id)
	}
	sort.Strings(changed)
	stored, err := w.storedLots(append(append([]string(nil), ids...), changed...))
	if err != nil {
		return err
	}
	if err := w.checkLotRows(append(append([]string(nil), ids...), changed...)); err != nil {
		return err
	}
	base := stored
	if flushing || len(w.totalsBase) > 0 {
		if w.totalsBase == nil {
			w.totalsBase = map[string]*lotRow{}
		}
		base = make(map[string]*lotRow, len(stored))
		for id, r := range stored {
			base[id] = r
		}
		for _, id := range ids {
			if was, ok := w.totalsBase[id]; ok {
				base[id] = was
			} else if flushing {
				w.totalsBase[id] = stored[id]
			}
		}
	}
	if err := w.checkTotals(ids, base, lot); err != nil {
		return err
	}
	counts := func(id string) (int64, int64, int64) {
		var links, moves, outLinks int64
		if r := stored[id]; r != nil {
			links, moves, outLinks = r.linkCount, r.moveCount, r.outLinkCount
		}
		if c := w.counted[id]; c != nil {
			links, moves, outLinks = links+c[0], moves+c[1], outLinks+c[2]
		}
		return links, moves, outLinks
	}
	for _, id := range ids {
		l := lot(id)
		if l == nil || !l.Material {
			continue // an instance that is no lot of its own (ledger.Project)
		}
		// Never write a lot whose tonnes are not conserved (what stands
		// at each site, what is in transit and what runs consumed add up
		// to its mass; no figure below zero; ledger.CheckLotBalance): the
		// capture is refused, 409, and nothing of it is stored — a wrong
		// refusal of a projection defect rather than a wrong figure
		// published (issue 15, fix15q; issue 8, n8b).
		if w.db.BeforeLotCheck != nil {
			w.db.BeforeLotCheck(l)
		}
		if w.deferBalance {
			// Judged once the declaration's corrective events are
			// projected (captureSession.Add; checkDeferred).
			if w.deferred == nil {
				w.deferred = map[string]bool{}
			}
			w.deferred[id] = true
		} else if err := ledger.CheckLotBalance(l); err != nil {
			return lotBalanceRefusal(l, err)
		} else {
			delete(w.deferred, id)
		}
		links, moves, outLinks := counts(id)
		assays, _ := json.Marshal(l.Assays)
		claims, _ := json.Marshal(l.OriginClaim)
		parts := []byte("[]")
		if len(l.Parts) > 0 {
			parts, _ = json.Marshal(l.Parts)
		}
		var moist any
		if l.Moisture != nil {
			moist = *l.Moisture
		}
		seal := derivedSeal("lots", lotSealValues(l.ID, l.Commodity, l.Quantity, l.UOM, l.WetTonnes, l.DryTonnes, moist, l.OriginCountry, l.OriginMine, l.Supplier, l.Location, l.ReadPoint,
			l.Status, l.Disposition, l.Owner, l.Custodian, micros(l.FirstEventAt), micros(l.LastEventAt), l.EventCount, string(assays), string(claims), l.TakenTonnes, string(parts), canon(l.Location), links, moves, outLinks)...)
		if err := w.add(b, l.ID, l.Commodity, l.Quantity, l.UOM, l.WetTonnes, l.DryTonnes, moist, l.OriginCountry, l.OriginMine, l.Supplier, l.Location, l.ReadPoint,
			l.Status, l.Disposition, l.Owner, l.Custodian, micros(l.FirstEventAt), micros(l.LastEventAt), l.EventCount, string(assays), string(claims), canon(l.Location), l.TakenTonnes, string(parts), seal, links, moves, outLinks); err != nil {
			return err
		}
	}
	if err := w.flush(b); err != nil {
		return err
	}
	// A lot whose links or moves changed but whose row was not written
	// (the earlier output of a run a later event extends, a lot
	// downstream of a retraction) keeps its values with the new counts.
	for _, id := range changed {
		r := stored[id]
		if r == nil || w.touched[id] && lot(id) != nil && lot(id).Material {
			continue // no row (an instance, or a lot not yet made), or written above
		}
		if c := w.counted[id]; c[0] == 0 && c[1] == 0 && c[2] == 0 {
			continue
		}
		r.linkCount, r.moveCount, r.outLinkCount = counts(id)
		if err := w.exec("UPDATE lots SET link_count = ?, move_count = ?, out_link_count = ?, seal = ? WHERE id = ?", r.linkCount, r.moveCount, r.outLinkCount, derivedSeal("lots", r.sealValues()...), id); err != nil {
			return fmt.Errorf("%s: reseal lot %s: %w", w.db.Dialect.Name, id, err)
		}
	}
	w.counted = nil
	w.linked = nil
	return w.saveRuns()
}

// transformationLinks returns every transformation link an event of a
// transformationID adds (ledger.RunLinks: its own inputs × outputs, its
// inputs × the run's earlier outputs, the run's earlier inputs × its
// outputs, the last marked Replay once the run has outputs) and records
// its lines as the run's members.
func (w *writer) transformationLinks(ev *critmin.Event) ([]ledger.Link, error) {
	x := w.xforms[ev.TransformationID]
	var in, out []critmin.QuantityElement
	for _, q := range ev.LotLines() { // instances in inputEPCList/outputEPCList too
		switch q.Role {
		case critmin.RoleInput:
			in = append(in, q)
		case critmin.RoleOutput:
			out = append(out, q)
		default:
			continue
		}
		if err := w.add(w.members, ev.TransformationID, q.Role, q.EPCClass, qty(q.Quantity), q.UOM,
			derivedSeal("transformation_members", ev.TransformationID, q.Role, q.EPCClass, qty(q.Quantity), q.UOM)); err != nil {
			return nil, err
		}
		w.countMember(ev.TransformationID, 1)
	}
	links := ledger.RunLinks(x.inputs, x.outputs, in, out, ev.EventID)
	x.inputs = append(x.inputs, in...)
	x.outputs = append(x.outputs, out...)
	return links, nil
}

// addLink adds a lot_links row of link l, which event ev made, with its
// seal (seal.go).
func (w *writer) addLink(l ledger.Link, ev *critmin.Event) error {
	key := [3]string{l.Parent, l.Child, l.EventID}
	if w.linked[key] {
		return nil
	}
	if w.linked == nil {
		w.linked = map[[3]string]bool{}
	}
	w.linked[key] = true
	vals := linkSealValues(l.Parent, l.Child, l.EventID, l.Kind, qty(l.ParentQty), l.ParentUOM, qty(l.ChildQty), l.ChildUOM, micros(ev.EventTime), ev.BizLocation, replayFlag(l.Replay, l.Carried))
	w.count(l.Child, 0, 1)
	w.count(l.Parent, 2, 1)
	return w.add(w.links, append(vals, derivedSeal("lot_links", vals...))...)
}

// addMove adds a lot_moves row of move m, with its seal (seal.go).
func (w *writer) addMove(m ledger.Move) error {
	w.count(m.Lot, 1, 1)
	return w.add(w.moves, m.Lot, m.From, m.To, m.Tonnes, m.EventID, derivedSeal("lot_moves", m.Lot, m.From, m.To, m.Tonnes, m.EventID))
}

// count adds n to the rows of kind k (0 lot_links into lot, 1 its
// lot_moves, 2 lot_links out of it) this transaction changed
// (writer.counted).
func (w *writer) count(lot string, k int, n int64) {
	if w.counted == nil {
		w.counted = map[string]*[3]int64{}
	}
	c := w.counted[lot]
	if c == nil {
		c = new([3]int64)
		w.counted[lot] = c
	}
	c[k] += n
}

// dropDerived deletes the rows of table (lot_links, keyed to their lots
// by child and by parent, or lot_moves, by lot) that cond selects,
// counting them by lot first so that the lots' sealed counts follow
// (writer.counted).
func (w *writer) dropDerived(table, cond string, args ...any) error {
	keys := []struct {
		col string
		k   int
	}{{"child", 0}, {"parent", 2}}
	if table == "lot_moves" {
		keys = keys[:1]
		keys[0].col, keys[0].k = "lot", 1
	}
	for _, key := range keys {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT "+key.col+", COUNT(*) FROM "+table+" WHERE "+cond+" GROUP BY "+key.col), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var lot string
			var n int64
			if err := rows.Scan(&lot, &n); err != nil {
				rows.Close()
				return err
			}
			w.count(lot, key.k, -n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return w.exec("DELETE FROM "+table+" WHERE "+cond, args...)
}

// storedLots reads the lots rows of ids as stored, each checked against
// its seal (a row edited by hand is refused, so that no seal is written
// over it).
func (w *writer) storedLots(ids []string) (map[string]*lotRow, error) {
	out := map[string]*lotRow{}
	err := inChunks(ids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT "+lotColumns+" FROM lots WHERE id IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r := new(lotRow)
			if err := rows.Scan(r.ptrs()...); err != nil {
				return err
			}
			if err := checkSeal("lots", rowKey("id", r.l.ID), r.l.ID, r.seal, r.sealValues()...); err != nil {
				return err
			}
			out[r.l.ID] = r
		}
		return rows.Err()
	})
	return out, err
}

// replayFlag is a link's lot_links.replay: 1 a Replay link (genealogy
// only), 2 a Carried one (consumption carrying an earlier event's output
// line again, migration 0103), 0 any other.
func replayFlag(replay, carried bool) int {
	switch {
	case replay:
		return 1
	case carried:
		return 2
	}
	return 0
}

func qty(q *float64) any {
	if q == nil {
		return nil
	}
	return *q
}

// checkLotRows refuses (ECONFLICT naming the table and the lot, a
// *sealError) a capture that would read or extend a lot of ids whose
// derived rows fail their seal: a lot_links row into it or a lot_moves
// row of it edited (its own seal), or deleted or inserted (the lot's
// sealed counts, migration 0073, plus what this transaction added or
// deleted since the lots were last saved, against the rows stored). The
// lots row's own seal is checked where it is read (scanLot, storedLots).
// Without it a capture would build on the tampered rows and seal the
// result with counts that hide the deletion. The rows this transaction
// still holds in its batches are written first, so that the stored rows
// are all of them. A verify replay writes its own scratch store, which
// nobody else edits, and is not checked.
func (w *writer) checkLotRows(ids []string) error {
	if len(ids) == 0 || w.db.writes != replayFull {
		return nil // a replay writes a scratch store of its own
	}
	if err := w.flush(w.links); err != nil {
		return err
	}
	if err := w.flush(w.moves); err != nil {
		return err
	}
	return inChunks(ids, func(part []any) error {
		marks := placeholders(len(part))
		rows, err := w.tx.QueryContext(w.ctx, w.db.q(`SELECT id, link_count, move_count, out_link_count, (SELECT COUNT(*) FROM lot_links ll WHERE ll.child = lots.id), (SELECT COUNT(*) FROM lot_moves lm WHERE lm.lot = lots.id),
			(SELECT COUNT(*) FROM lot_links lo WHERE lo.parent = lots.id)
			FROM lots WHERE id IN (`+marks+`)`), part...)
		if err != nil {
			return fmt.Errorf("%s: count the derived rows of lots: %w", w.db.Dialect.Name, err)
		}
		for rows.Next() {
			var id string
			var sealedLinks, sealedMoves, sealedOut, links, moves, outLinks int64
			if err := rows.Scan(&id, &sealedLinks, &sealedMoves, &sealedOut, &links, &moves, &outLinks); err != nil {
				rows.Close()
				return err
			}
			if c := w.counted[id]; c != nil {
				sealedLinks, sealedMoves, sealedOut = sealedLinks+c[0], sealedMoves+c[1], sealedOut+c[2]
			}
			if err := checkCount("lot_links", rowKey("parent", id), id, sealedOut, outLinks); err != nil {
				rows.Close()
				return err
			}
			if err := checkCount("lot_links", rowKey("child", id), id, sealedLinks, links); err != nil {
				rows.Close()
				return err
			}
			if err := checkCount("lot_moves", rowKey("lot", id), id, sealedMoves, moves); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = w.tx.QueryContext(w.ctx, w.db.q("SELECT "+edgeColumns+" FROM lot_links WHERE child IN ("+marks+") OR parent IN ("+marks+")"), append(append([]any(nil), part...), part...)...)
		if err != nil {
			return fmt.Errorf("%s: read the links into and out of lots: %w", w.db.Dialect.Name, err)
		}
		if _, err := scanEdges(rows); err != nil { // each row's seal checked
			return err
		}
		rows, err = w.tx.QueryContext(w.ctx, w.db.q("SELECT lot, from_loc, to_loc, tonnes, event_id, seal FROM lot_moves WHERE lot IN ("+marks+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: read the moves of lots: %w", w.db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var lot, from, to, ev string
			var tonnes float64
			var seal sql.NullString
			if err := rows.Scan(&lot, &from, &to, &tonnes, &ev, &seal); err != nil {
				return err
			}
			if err := checkSeal("lot_moves", rowKey("lot", lot)+", "+rowKey("event_id", ev), lot, seal, lot, from, to, tonnes, ev); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// lotBalanceRefusal is the refusal of a capture whose projection leaves
// lot l's tonnes not conserved (err, ledger.CheckLotBalance): ECONFLICT,
// naming the lot and its figures (LotBalanceError).
func lotBalanceRefusal(l *critmin.Lot, err error) error {
	return &LotBalanceError{Lot: l.ID, Err: &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("this capture would leave the tonnes of lot %s not conserved (what stands at each site, what is in transit and what runs consumed must add up to the lot's mass, none below zero), and nothing was stored: %v; critmin refuses what it cannot account for — report the document if the events are right", l.ID, err)},
		Detail: err.Error()}
}

// LotBalanceError is a projection that left lot Lot's tonnes not
// conserved (ledger.CheckLotBalance; Detail its violations): a capture
// refused (Err, ECONFLICT), or a replay of the log that verify reports
// (VerifyReport.LotBalanceProblem).
type LotBalanceError struct {
	Lot    string
	Detail string
	Err    *critmin.Error
}

func (e *LotBalanceError) Error() string { return e.Err.Error() }
func (e *LotBalanceError) Unwrap() error { return e.Err }
