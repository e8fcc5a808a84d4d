package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// notDeclared keeps events (alias e) that no error declaration names.
const notDeclared = ` e.declaration = 0 AND NOT EXISTS (SELECT 1 FROM events d WHERE d.event_id = e.event_id AND d.declaration = 1)`

// PackedIn returns the containers each of children is packed in at time
// at, now when at is zero (ledger.Containment over the stored
// AggregationEvents not declared in error and dated at or before at).
//
// What a container holds of a lot is read by the rule the unpacking
// check uses (custody.ContainedAt; issue 15, fix15k): a lot packed by a
// childQuantityList line is replayed from its live events and the
// DELETEs emptying its containers, so that a shipment or a run's input
// of the lot stating a quantity, beyond its loose rest at the site, is
// drawn out of its containers there, oldest packing first
// (Packing.Unpacked): 3 t of a 10 t lot packed into C, then 8 t shipped
// from the site, leave 2 t in C. Both reads are made in one read
// transaction, or in the capture's (or snapshot's) when ctx has one.
func (db *DB) PackedIn(ctx context.Context, children []string, at time.Time) ([]critmin.Packing, error) {
	q := db.reader(ctx)
	_, inGroup := ctx.Value(groupReadsKey{}).(*groupReads)
	_, inSnapshot := ctx.Value(snapshotKey{}).(*snapshotReads)
	if !inGroup && !inSnapshot {
		tx, release, err := db.readTx(ctx, "packings")
		if err != nil {
			return nil, err
		}
		defer release()
		q = tx
	}
	_, drawn, err := db.packedDrawn(ctx, q, children, at)
	return drawn, err
}

// readTx begins a read transaction with one snapshot for every read
// (PostgreSQL: repeatable read; SQLite: a deferred transaction, its
// snapshot fixed by its first read); release rolls it back. what names
// the read in an error.
func (db *DB) readTx(ctx context.Context, what string) (*sql.Tx, func(), error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect.Dollar {
		opts.Isolation = sql.LevelRepeatableRead
	} else {
		opts = nil
	}
	tx, err := db.Read.BeginTx(ctx, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %s: begin a read transaction: %w", db.Dialect.Name, what, err)
	}
	return tx, func() { _ = tx.Rollback() }, nil
}

// packedDrawn is PackedIn read through q: plain, the packings less the
// unpackings (contained), and drawn, less what the lots' movements drew
// out as well (custody.ContainedAt).
func (db *DB) packedDrawn(ctx context.Context, q querier, children []string, at time.Time) (plain, drawn []critmin.Packing, err error) {
	ids, evs, err := db.packingEvents(ctx, q, children)
	if err != nil {
		return nil, nil, err
	}
	plain = db.contained(ids, evs, at)
	// The lots packed by a childQuantityList line.
	lots := map[string]bool{}
	var lotIDs []string
	for _, ev := range evs {
		for _, k := range ledger.Children(ev) {
			if k.Class && !lots[k.Child] {
				lots[k.Child] = true
				lotIDs = append(lotIDs, k.Child)
			}
		}
	}
	if len(lotIDs) == 0 {
		return plain, plain, nil
	}
	live, err := db.liveEventsOfLots(ctx, q, lotIDs)
	if err != nil {
		return nil, nil, err
	}
	// The DELETEs emptying a container name no child: they count for
	// every lot packed into it.
	var empties []*critmin.Event
	spelt := map[string]string{}
	for _, ev := range evs {
		spelt[ev.EventID] = ev.ParentID
	}
	for _, ev := range evs {
		if ev.Action == "DELETE" && len(ledger.Children(ev)) == 0 {
			empties = append(empties, ev)
		}
	}
	byLot := map[string][]*critmin.Event{}
	for _, ev := range live {
		for _, id := range ev.LotIDs() {
			if c := canon(id); lots[c] {
				byLot[c] = append(byLot[c], ev)
			}
		}
	}
	// The containers each stored run was fed whole, from its stored
	// contents (its inputEPCList leaves them out: ledger.WithContents).
	var runIDs []string
	for _, ev := range live {
		if ev.Type == critmin.TransformationEvent {
			runIDs = append(runIDs, ev.EventID)
		}
	}
	var fed map[string]map[string][]critmin.QuantityElement
	if len(runIDs) > 0 {
		rows, err := db.eventContentRows(ctx, q, runIDs)
		if err != nil {
			return nil, nil, err
		}
		fed = make(map[string]map[string][]critmin.QuantityElement, len(rows))
		for id, rs := range rows {
			m := map[string][]critmin.QuantityElement{}
			for _, r := range rs {
				m[r.container] = append(m[r.container], r.line)
			}
			fed[id] = m
		}
	}
	var out []critmin.Packing
	for _, id := range ids {
		if !lots[id] {
			for _, p := range plain {
				if p.Child == id {
					out = append(out, p)
				}
			}
			continue
		}
		seq := append(append([]*critmin.Event(nil), byLot[id]...), empties...)
		// Capture order for equal event times (custody.ContainedAt
		// sorts by event time, stably).
		sort.SliceStable(seq, func(i, j int) bool { return seq[i].PK < seq[j].PK })
		for _, p := range custody.ContainedAtFed(id, seq, at, fed) {
			// The container as the packing event spelt it (the
			// decoded events name it canonically).
			if c, ok := spelt[p.EventID]; ok {
				p.Container = c
			}
			out = append(out, p)
		}
	}
	return plain, out, nil
}

// contained replays the packing events evs (packingEvents) of ids up to
// at (every event when at is zero) into a ledger.Containment: packings
// less unpackings, without the drawdowns of movements.
func (db *DB) contained(ids []string, evs []*critmin.Event, at time.Time) []critmin.Packing {
	c := ledger.NewContainment(nil)
	for _, id := range ids {
		c.Load(id, nil)
	}
	for _, ev := range evs {
		if !at.IsZero() && ev.EventTime.After(at) {
			break // sorted by event time: the rest came later
		}
		c.Apply(ev)
	}
	var out []critmin.Packing
	for _, id := range ids {
		out = append(out, c.Of(id)...)
	}
	return out
}

// packedIn replays, for the children (canonicalised), the stored
// AggregationEvents that name them as children, and the DELETEs without
// children (everything out) of the containers those events name, in
// event-time order, up to at (every event when at is zero).
func (db *DB) packedIn(ctx context.Context, q querier, children []string, at time.Time) ([]critmin.Packing, error) {
	ids, evs, err := db.packingEvents(ctx, q, children)
	if err != nil {
		return nil, err
	}
	return db.contained(ids, evs, at), nil
}

// PackingEvents returns the stored AggregationEvents not declared in
// error that name any of children (canonicalised) as a child, and the
// DELETEs without children (everything out) of the containers those
// events name, in event-time order (then storage order), each with its
// parent and its lines naming those children only: what a packing is
// judged against at its own time (ledger.CheckRepackingAt).
func (db *DB) PackingEvents(ctx context.Context, children []string) ([]*critmin.Event, error) {
	_, evs, err := db.packingEvents(ctx, db.reader(ctx), children)
	return evs, err
}

// packingEvents is PackingEvents read through q, with the canonical
// children.
func (db *DB) packingEvents(ctx context.Context, q querier, children []string) ([]string, []*critmin.Event, error) {
	ids := make([]string, 0, len(children))
	seen := map[string]bool{}
	for _, c := range children {
		if c = canon(c); !seen[c] {
			seen[c] = true
			ids = append(ids, c)
		}
	}
	byPK := map[int64]*critmin.Event{}
	var evs []*critmin.Event
	var order []int64
	event := func(pk int64, id string, us int64, action, parent string) *critmin.Event {
		ev := byPK[pk]
		if ev == nil {
			ev = &critmin.Event{PK: pk, Type: critmin.AggregationEvent, EventID: id, EventTime: time.UnixMicro(us).UTC(), Action: action, ParentID: parent}
			byPK[pk] = ev
			evs = append(evs, ev)
			order = append(order, pk)
		}
		return ev
	}
	parents := map[string]bool{}
	err := inChunks(ids, func(part []any) error {
		in := placeholders(len(part))
		rows, release, err := rowsOf(ctx, q, db.q(`SELECT e.pk, e.event_id, e.event_time, e.action, p.epc, c.canon, c.quantity, COALESCE(c.uom, ''), 1
			FROM event_quantities c JOIN events e ON e.pk = c.event_pk JOIN event_epcs p ON p.event_pk = e.pk AND p.role = 'parent'
			WHERE c.canon IN (`+in+`) AND c.role = 'child' AND e.event_type = 'AggregationEvent' AND`+notDeclared+`
			UNION ALL
			SELECT e.pk, e.event_id, e.event_time, e.action, p.epc, c.canon, NULL, '', 0
			FROM event_epcs c JOIN events e ON e.pk = c.event_pk JOIN event_epcs p ON p.event_pk = e.pk AND p.role = 'parent'
			WHERE c.canon IN (`+in+`) AND c.role = 'child' AND e.event_type = 'AggregationEvent' AND`+notDeclared), append(part, part...)...)
		if err != nil {
			return fmt.Errorf("%s: packings: %w", db.Dialect.Name, err)
		}
		defer release()
		defer rows.Close()
		for rows.Next() {
			var pk, us int64
			var id, action, parent, child, uom string
			var qty sql.NullFloat64
			var class int
			if err := rows.Scan(&pk, &id, &us, &action, &parent, &child, &qty, &uom, &class); err != nil {
				return err
			}
			ev := event(pk, id, us, action, parent)
			parents[canon(parent)] = true
			if class == 1 {
				ql := critmin.QuantityElement{Role: critmin.RoleChild, EPCClass: child, UOM: uom}
				if qty.Valid {
					f := qty.Float64
					ql.Quantity = &f
				}
				ev.Quantities = append(ev.Quantities, ql)
			} else {
				ev.EPCs = append(ev.EPCs, critmin.EPCRef{Role: critmin.RoleChild, EPC: child})
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	ps := make([]string, 0, len(parents))
	for p := range parents {
		ps = append(ps, p)
	}
	err = inChunks(ps, func(part []any) error {
		rows, release, err := rowsOf(ctx, q, db.q(`SELECT e.pk, e.event_id, e.event_time, p.epc
			FROM event_epcs p JOIN events e ON e.pk = p.event_pk
			WHERE p.canon IN (`+placeholders(len(part))+`) AND p.role = 'parent' AND e.event_type = 'AggregationEvent' AND e.action = 'DELETE' AND`+notDeclared+`
			AND NOT EXISTS (SELECT 1 FROM event_quantities c WHERE c.event_pk = e.pk AND c.role = 'child')
			AND NOT EXISTS (SELECT 1 FROM event_epcs c WHERE c.event_pk = e.pk AND c.role = 'child')`), part...)
		if err != nil {
			return fmt.Errorf("%s: unpackings: %w", db.Dialect.Name, err)
		}
		defer release()
		defer rows.Close()
		for rows.Next() {
			var pk, us int64
			var id, parent string
			if err := rows.Scan(&pk, &id, &us, &parent); err != nil {
				return err
			}
			event(pk, id, us, "DELETE", parent)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	ledger.SortPackingEvents(evs, order)
	return ids, evs, nil
}

// checkRepacking refuses packing a child that is packed elsewhere and not
// unpacked (ledger.CheckRepacking), against the stored packings and those
// of the capture so far; every AggregationEvent the capture projects is
// applied to w.contain after it passes.
func (w *writer) checkRepacking(ev *critmin.Event) error {
	if ev.Type != critmin.AggregationEvent || ev.ParentID == "" {
		return nil
	}
	if w.contain == nil {
		w.contain = ledger.NewContainment(nil)
	}
	var load []string
	for _, k := range ledger.Children(ev) {
		if !w.contain.Known(k.Child) {
			load = append(load, k.Child)
		}
	}
	if err := w.loadPackings(load); err != nil {
		return err
	}
	// One container at a time is judged at the event's own time
	// (ledger.CheckRepackingAt), against the stored packings of its
	// children and this capture's earlier ones; the cycle check, against
	// the containers as they are now (w.contain).
	hist, err := w.packingHistory(ev)
	if err != nil {
		return err
	}
	drawn, err := w.drawnOut(ev)
	if err != nil {
		return err
	}
	// An unpacking is judged by its packings' own figures and by what
	// the container holds (checkUnpackHeld: the one rule,
	// ledger.Holdings.HeldAt); the latter speaks when the former passes,
	// or when a receipt weighed the lot in the container (its figure is
	// then the one the container holds, and its words name the receipt).
	errs := ledger.CheckRepackingAt(ev, hist, func(id string) *critmin.Lot { return w.lots[id] }, drawn...)
	held, err := w.checkUnpackHeld(ev)
	if err != nil {
		return err
	}
	if len(held) > 0 && (len(errs) == 0 || strings.Contains(held[0].Reason, weighedByWords)) {
		errs = held
	}
	cycle, err := ledger.CheckPackingCycle(ev, w.contain, w.loadPackings)
	if err != nil {
		return err
	}
	errs = append(errs, cycle...)
	if len(errs) > 0 {
		for i := range errs {
			errs[i].Pointer = "event " + ev.EventID + errs[i].Pointer
		}
		return &critmin.Error{Code: critmin.RefusalCode(errs), Message: errs[0].Reason + "; nothing was stored", Fields: errs}
	}
	w.contain.Apply(ev)
	if ev.ErrorDeclaration == nil {
		// Indexed by child, so that a capture of many packings reads
		// only each packing's own history (packingHistory).
		if w.docPackings == nil {
			w.docPackings = map[string][]*critmin.Event{}
		}
		if w.docOrder == nil {
			w.docOrder = map[*critmin.Event]int{}
		}
		w.docOrder[ev] = len(w.docOrder)
		kids := ledger.Children(ev)
		if len(kids) == 0 {
			w.docPackings[""] = append(w.docPackings[""], ev) // everything out
		}
		for _, k := range kids {
			w.docPackings[k.Child] = append(w.docPackings[k.Child], ev)
		}
	}
	if ev.Action == "DELETE" && len(ledger.Children(ev)) == 0 {
		if w.emptied == nil {
			w.emptied = map[string]bool{}
		}
		w.emptied[canon(ev.ParentID)] = true
	}
	return nil
}

// loadPackings loads into w.contain where the stored events (read in the
// capture's transaction) put each of ids now.
func (w *writer) loadPackings(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	stored, err := w.db.packedIn(w.ctx, w.reader(), ids, time.Time{})
	if err != nil {
		return err
	}
	for _, id := range ids {
		var mine []critmin.Packing
		for _, p := range stored {
			// A container this capture emptied (a DELETE without
			// children, perhaps not written yet) holds nothing.
			if p.Child == id && !w.emptied[canon(p.Container)] {
				mine = append(mine, p)
			}
		}
		w.contain.Load(id, mine)
	}
	return nil
}

// packingHistory is what ev, an AggregationEvent, is judged against at
// its time (ledger.CheckRepackingAt): the stored packings of its children
// (DB.PackingEvents, read in the capture's transaction once per child)
// less those this capture's documents declare in error, then this
// capture's earlier AggregationEvents.
func (w *writer) packingHistory(ev *critmin.Event) ([]*critmin.Event, error) {
	if w.packHist == nil {
		w.packHist = map[string][]*critmin.Event{}
	}
	var load []string
	for _, k := range ledger.Children(ev) {
		if _, ok := w.packHist[k.Child]; !ok {
			load = append(load, k.Child)
		}
	}
	if len(load) > 0 {
		_, evs, err := w.db.packingEvents(w.ctx, w.reader(), load)
		if err != nil {
			return nil, err
		}
		for _, id := range load {
			w.packHist[id] = []*critmin.Event{}
		}
		for _, e := range evs {
			named := map[string]bool{}
			for _, k := range ledger.Children(e) {
				named[k.Child] = true
			}
			for _, id := range load {
				// A DELETE emptying a container names no child: it is
				// kept for every child loaded with it.
				if named[id] || len(named) == 0 {
					w.packHist[id] = append(w.packHist[id], e)
				}
			}
		}
	}
	var out []*critmin.Event
	seen := map[*critmin.Event]bool{}
	for _, k := range ledger.Children(ev) {
		for _, e := range w.packHist[k.Child] {
			if !seen[e] && !w.docDeclared[e.EventID] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	// This capture's, in capture order (CheckRepackingAt keeps it for
	// equal times): those naming ev's children and those emptying a
	// container.
	var doc []*critmin.Event
	for _, k := range ledger.Children(ev) {
		for _, e := range w.docPackings[k.Child] {
			if !seen[e] {
				seen[e] = true
				doc = append(doc, e)
			}
		}
	}
	doc = append(doc, w.docPackings[""]...)
	sort.SliceStable(doc, func(i, j int) bool { return w.docOrder[doc[i]] < w.docOrder[doc[j]] })
	return append(out, doc...), nil
}

// drawnOut is what the stored movements of ev's children (lots packed by
// a childQuantityList line) drew out of their containers by ev's time,
// beyond their loose rest (custody.ContainedAt; PackedIn): the packing
// and unpacking checks read what a container holds as PackedIn does —
// 6 t of L packed into E1, 8 t of the 10 t lot shipped from the site
// by a line (4 t loose, 4 t out of E1): E1 holds 2 t, so 8 t more of L
// may be packed elsewhere and at most 2 t unpacked from E1.
func (w *writer) drawnOut(ev *critmin.Event) ([]ledger.Drawn, error) {
	var lots []string
	for _, k := range ledger.Children(ev) {
		if k.Class {
			lots = append(lots, k.Child)
		}
	}
	if len(lots) == 0 || ev.Action == "OBSERVE" {
		return nil, nil
	}
	plain, drawn, err := w.db.packedDrawn(w.ctx, w.reader(), lots, ev.EventTime)
	if err != nil {
		return nil, err
	}
	return ledger.DrawnBetween(plain, drawn, func(id string) float64 {
		if l := w.lots[id]; l != nil && l.WetTonnes > 0 {
			return l.WetTonnes
		}
		return 0
	}), nil
}

// checkUnpackHeld refuses an AggregationEvent DELETE whose
// childQuantityList takes out of the parent more of a lot than the
// parent holds by the one holdings rule (ledger.Holdings.HeldAt: its
// packings less what its trips left behind, at the share a receipt
// weighed it at — the rule a run fed the container whole reads), beyond
// ledger.UnpackTolerance (0.5 %, a weighbridge's error): 6 t of A packed
// into C1, [C1] received weighing "A 5.7 t", C1 holds 5.7 t and at most
// 5.7 × 1.005 = 5.7285 t of A may be unpacked (new-user check nuq1
// s21/s23: "A 6 t" and "A 5.8 t" were taken, the event stating 6 t
// while the lot read 5.7 t released). The packings' own figure, less
// what the lot's line draws took out, is ledger.CheckRepackingAt's. The
// lines of one event are summed per lot; the reason names the container,
// the held figure and the receipts that weighed it.
func (w *writer) checkUnpackHeld(ev *critmin.Event) ([]critmin.FieldError, error) {
	if ev.Type != critmin.AggregationEvent || ev.Action != "DELETE" || ev.ParentID == "" || ev.ErrorDeclaration != nil {
		return nil, nil
	}
	parent := canon(ev.ParentID)
	var held []critmin.QuantityElement
	read := false
	taking := map[string]float64{}
	done := map[string]bool{}
	var errs []critmin.FieldError
	nq := -1
	for _, k := range ledger.Children(ev) {
		if !k.Class {
			continue
		}
		nq++
		if k.Quantity == nil || !units.IsMass(k.UOM) || done[k.Child] {
			continue
		}
		t, err := units.ToTonnes(*k.Quantity, k.UOM)
		if err != nil {
			continue
		}
		if !read {
			if held, err = w.heldAt(parent, ev.EventTime, ev); err != nil {
				return nil, err
			}
			read = true
		}
		in, ok := ledger.HeldTonnes(held, k.Child)
		if !ok {
			continue // none of it held by a mass line: the packings' check judges it
		}
		taking[k.Child] += t
		if taking[k.Child] <= in*(1+ledger.UnpackTolerance)+1e-9 {
			continue
		}
		done[k.Child] = true
		by, err := w.holdings().WeighedBy(parent, k.Child, ev.EventTime, ev)
		if err != nil {
			return nil, err
		}
		why := "its trips counted"
		if len(by) > 0 {
			var ids []string
			for _, r := range by {
				ids = append(ids, r.EventID)
			}
			why = weighedByWords + strings.Join(ids, ", ")
		}
		errs = append(errs, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("/childQuantityList/%d/quantity", nq), Reason: fmt.Sprintf(
			"at its eventTime %s, unpacks %s t of lot %s from %s, but %s holds %s t of it (%s; ledger.Holdings.HeldAt, the figure a run fed it whole takes): an unpacking takes out at most what the container holds, %s t with the %s %% weighing tolerance (EPCIS 2.0 §7.3.5.3)",
			ev.EventTime.Format(time.RFC3339), heldFigure(taking[k.Child]), k.Child, ev.ParentID, ev.ParentID, heldFigure(in), why, heldFigure(in*(1+ledger.UnpackTolerance)), units.Fixed(ledger.UnpackTolerance*100, 1))})
	}
	return errs, nil
}

// weighedByWords opens checkUnpackHeld's words for a lot a receipt
// weighed in the container.
const weighedByWords = "weighed by receipt "

// heldFigure is t wet tonnes as refusals word them (to the gram, digits
// grouped).
func heldFigure(t float64) string {
	return units.Group(strconv.FormatFloat(math.Round(t*1e6)/1e6, 'f', -1, 64))
}
