package custody

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// contentsJudge gives a document's events that move containers by their
// own identifiers (ledger.MovesContents) the lots the containers held
// then, as the projection moves them (ledger.WithContents; sqldb
// contents.go), so that every check capture applies to an event naming a
// lot applies equally to one moving the lot through a container it names
// (new-user finding nu36: a receipt of a container skipped the
// bill-of-lading check, a shipment naming a container and its lot by
// quantity counted one of them). A container's contents at an event are
// its live packings — stored, and the document's AggregationEvents before
// the event — at the event's time (ledger.ContentsAt), less the lots
// consumed by then (a stored lot consumed whose latest event is not after
// it, or one an earlier run of the document consumes).
type contentsJudge struct {
	ctx      context.Context
	s        Store
	on       bool            // the document moves a container by its identifier
	declared map[string]bool // eventIDs the document declares in error
	// decls are the document's declarations in error: a stored lot an
	// event they declare names is read as the record stands without
	// that event (load, withoutDeclared), wherever in the document the
	// declaration is (nuq10 R3).
	decls []*critmin.Event
	// packs are the document's live AggregationEvents so far, by
	// canonical parent.
	packs  map[string][]*critmin.Event
	stored map[string][]*critmin.Event
	// lots are the lots the document's events named so far, stored then
	// projected with them in document order (ledger.Project), as the
	// capture's check reads them: a lot consumed there is gone.
	lots map[string]*critmin.Lot
	// via is, per expanded event and lot (canonical), the containers it
	// moved the lot in, as the event spells them.
	via map[*critmin.Event]map[string][]string
	// moved is the containers (canonical) the document's events move by
	// their own identifiers; packed, once read, the store keys of the
	// events naming each as parent (eventKeysNamer), read together for
	// all of them: a container none names has no stored packing to read.
	moved  []string
	packed map[string]map[int64]bool
	// listed and fedWhole are, once read likewise, the store keys of
	// the events naming each in their epcList and in their
	// inputEPCList: a container none names has no stored movement
	// (movesOf) and no stored run fed it whole (feedsOf) to read.
	listed, fedWhole map[string]map[int64]bool
	// moves are the document's dispatches of containers so far
	// (ledger.TripOf), storedMoves the stored ones, by canonical
	// container (each event under every container its epcList names).
	moves       map[string][]*critmin.Event
	storedMoves map[string][]*critmin.Event
	// named are the document's ObjectEvents so far naming instances in
	// their epcList (receipts and readings too), by canonical instance:
	// where a container stands (placeOf). Every reader of a container's
	// moves keeps only the events naming it in their epcList
	// (ledger.Holdings), so each container's are kept apart rather than
	// walking the whole document's for each event.
	named map[string][]*critmin.Event
	// docCarried is, per eventID of a document's dispatch of
	// containers, what it moved in each (canonical) container;
	// storedByBox the stored dispatches' (critmin event_contents).
	docCarried  map[string]map[string][]critmin.QuantityElement
	storedByBox map[string]map[string][]critmin.QuantityElement
	// feeds are the document's runs so far fed a container whole that
	// took what it held, by canonical container; storedFeeds the stored
	// ones (feedsOf).
	feeds       map[string][]*critmin.Event
	storedFeeds map[string][]*critmin.Event
	// lotEvents is, per canonical lot, its live stored events (read once,
	// the store's LiveEventsOfLots) then the document's so far as
	// projected: what a line draw took out of its containers
	// (DrawnShares).
	lotEvents map[string][]*critmin.Event
	storedLot map[string]bool
	// own is, per eventID of an event given contents lines, how many
	// quantity lines it states itself, and the event with its contents
	// (pointAtContainers).
	own map[string]ownLines
	// childPacks are the document's live aggregations so far, by each
	// canonical instance their childEPCs name (insideOf).
	childPacks map[string][]*critmin.Event
}

// ownLines is an event given contents lines (contentsJudge.own).
type ownLines struct {
	n    int
	ev   *critmin.Event
	orig *critmin.Event // as the document states it
}

func newContentsJudge(ctx context.Context, s Store, events []*critmin.Event) *contentsJudge {
	j := &contentsJudge{ctx: ctx, s: s, declared: map[string]bool{}, stored: map[string][]*critmin.Event{}, lots: map[string]*critmin.Lot{}, via: map[*critmin.Event]map[string][]string{},
		packs: map[string][]*critmin.Event{}, moves: map[string][]*critmin.Event{}, named: map[string][]*critmin.Event{},
		storedMoves: map[string][]*critmin.Event{}, own: map[string]ownLines{}, feeds: map[string][]*critmin.Event{}, storedFeeds: map[string][]*critmin.Event{},
		docCarried: map[string]map[string][]critmin.QuantityElement{}, storedByBox: map[string]map[string][]critmin.QuantityElement{}}
	for _, ev := range events {
		if ev.ErrorDeclaration != nil {
			j.declared[ev.EventID] = true
			j.decls = append(j.decls, ev)
			if len(ev.LotLines()) > 0 {
				// A declared event that drew its lots out of the
				// containers holding them may fill one again inside
				// another (declNestCheck): the document's events are
				// read as the containers' (next).
				j.on = true
			}
		}
		if namesContainer(ev) {
			// An event naming a container is judged where the
			// container stands (placeCheck); its stored packings are
			// looked up with the others' at once (packedKeys).
			j.on = true
			for _, c := range containersNamed(ev) {
				j.moved = append(j.moved, epcis.Canonical(c))
			}
		}
		if ev.Type == critmin.TransformationEvent && len(ev.EPCs) > 0 {
			// A run's outputs by instance may make material of an
			// instance packed into a container inside another
			// (madeNestCheck).
			j.on = true
		}
		if ledger.ReadsContents(ev) {
			j.on = true
			for _, e := range ev.EPCs {
				if e.Role == critmin.RoleEPC || e.Role == critmin.RoleInput {
					j.moved = append(j.moved, epcis.Canonical(e.EPC))
				}
			}
		}
	}
	return j
}

// packedKeys reads, once, the store keys of the events naming each
// container of j.moved as parent (nil when the store cannot tell).
func (j *contentsJudge) packedKeys() error {
	if j.packed != nil {
		return nil
	}
	packed, err := j.keysNaming(critmin.RoleParent)
	j.packed = packed
	return err
}

// keysNaming reads the store keys of the events naming each container
// of j.moved in role, together, up to 500 containers a query; a
// container none names has an empty set; nil when the store cannot
// tell.
func (j *contentsJudge) keysNaming(role string) (map[string]map[int64]bool, error) {
	namer, ok := j.s.(eventKeysNamer)
	if !ok {
		return nil, nil
	}
	seen := map[string]bool{}
	var containers []string
	for _, c := range j.moved {
		if !seen[c] {
			seen[c] = true
			containers = append(containers, c)
		}
	}
	out := map[string]map[int64]bool{}
	for start := 0; start < len(containers); start += 500 {
		part := containers[start:min(start+500, len(containers))]
		keys, err := namer.EventKeysNaming(j.ctx, role, part)
		if err != nil {
			return nil, err
		}
		for _, c := range part {
			out[c] = keys[c]
			if out[c] == nil {
				out[c] = map[int64]bool{}
			}
		}
	}
	return out, nil
}

// namedNowhere says whether no stored event names container (canonical)
// in role (critmin.RoleEPC or critmin.RoleInput), by the keys read once
// for the document's containers (keysNaming): FindEvents with an exact
// EPCMatch of it in that role would find nothing. False when the store
// cannot tell or container is not among them.
func (j *contentsJudge) namedNowhere(container, role string) (bool, error) {
	m := &j.listed
	if role == critmin.RoleInput {
		m = &j.fedWhole
	}
	if *m == nil {
		got, err := j.keysNaming(role)
		if err != nil {
			return false, err
		}
		if got == nil {
			got = map[string]map[int64]bool{}
		}
		*m = got
	}
	keys, known := (*m)[container]
	return known && len(keys) == 0, nil
}

// next returns ev (a live event of the document, in document order) with
// the contents of the containers it moves, and notes what ev packs or
// consumes for the events after it.
func (j *contentsJudge) next(ev *critmin.Event) (*critmin.Event, error) {
	out := ev
	if !j.on {
		return ev, nil
	}
	if !j.declared[ev.EventID] {
		if err := j.placeCheck(ev); err != nil {
			return nil, err
		}
		if err := j.nestCheck(ev); err != nil {
			return nil, err
		}
	}
	if ledger.ReadsContents(ev) {
		var lines []critmin.QuantityElement
		via := map[string][]string{}
		seen := map[string]bool{}
		run := ledger.FeedsContainers(ev)
		role := critmin.RoleEPC
		if run {
			role = critmin.RoleInput
		}
		var fed []string
		var boxOf []string           // the container of each of lines
		spelt := map[string]string{} // each container as ev spells it
		for _, e := range ev.EPCs {
			c := epcis.Canonical(e.EPC)
			if e.Role != role || seen[c] {
				continue
			}
			seen[c] = true
			spelt[c] = e.EPC
			held, err := j.readHeld(c, ev)
			if err != nil {
				return nil, err
			}
			if run && len(held) == 0 && !j.declared[ev.EventID] {
				// Fed again after a run emptied it (the store refuses
				// it alike, sqldb checkEmptied).
				by, err := j.holdings().EmptiedBy(c, ev.EventTime, ev)
				if err != nil {
					return nil, err
				}
				if by != nil {
					return nil, ledger.EmptiedError(ev, e.EPC, by)
				}
			}
			if ledger.ReadsTrip(ev) {
				// A receipt receives what the trip's dispatch carried
				// in the container (ledger.Carried), as the store
				// projects it (sqldb contentsOf).
				if held, err = j.carried(c, ev, held); err != nil {
					return nil, err
				}
			}
			for _, q := range held {
				// A lot consumed by then is in no container: a run's
				// line took the last of it (its loose rest first, then
				// its containers), and a moved container no longer
				// carries it, nor does a container fed whole give it
				// (the store's rule, sqldb withoutConsumed; issue 9,
				// n9a-2: P drawn by line out of C, then C fed whole
				// was refused as consuming P twice). A container fed
				// again after a run emptied it is refused above.
				gone, err := j.consumedBy(q.EPCClass, ev)
				if err != nil {
					return nil, err
				}
				if gone {
					continue
				}
				lines = append(lines, q)
				boxOf = append(boxOf, c)
			}
		}
		// What line draws of a lot took out of its containers is out
		// of what they hold (ledger.Holdings.HeldAt with Drawn:
		// LineDraws; issue 9, n9a-1, n8e-1), as the store reads it.
		for i, q := range lines {
			k := epcis.Canonical(q.EPCClass)
			via[k] = append(via[k], spelt[boxOf[i]])
			if len(fed) == 0 || fed[len(fed)-1] != boxOf[i] {
				fed = append(fed, boxOf[i])
			}
		}
		if dispatch := ledger.MovesContents(ev) && !ledger.ReadsTrip(ev); dispatch {
			// A dispatch moves what its containers standing where it
			// leaves hold once the lots' own line draws are counted:
			// what stands of each lot there (ledger.FedHolding, the run
			// feed's rule; n8b wrong refusal 1: 6 t packed in C1 and an
			// 8 t line shipped of the 10 t lot, [C1] moves 2 t, not 6).
			// A container on a trip (a further leg) carries what its
			// trip carries (ledger.Holdings.OnTrip), as the store cuts
			// it (sqldb contentsOf).
			h := j.holdings()
			h.Moves = j.placeMoves
			var idx []int
			var sub []critmin.QuantityElement
			for i, q := range lines {
				on, err := h.OnTrip(boxOf[i], ev)
				if err != nil {
					return nil, err
				}
				if !on {
					idx = append(idx, i)
					sub = append(sub, q)
				}
			}
			sub = ledger.WithinRemaining(sub, func(lot string) (float64, bool) {
				return ledger.FedHolding(j.lots[lot], ev)
			})
			for n, i := range idx {
				lines[i] = sub[n]
			}
		}
		if run {
			// What stands of each lot not consumed at the run's site
			// (the projection's rule, sqldb withoutConsumed); a
			// consumed lot keeps its line, for checkConsumption to
			// refuse.
			lines = ledger.WithinRemaining(lines, func(lot string) (float64, bool) {
				return ledger.FedHolding(j.lots[lot], ev)
			})
		}
		if ledger.MovesContents(ev) && !ledger.ReadsTrip(ev) && !j.declared[ev.EventID] {
			// What this dispatch carries in each container, as the
			// store records it (event_contents): its trip's receipt
			// receives that (storedCarried).
			byBox := map[string][]critmin.QuantityElement{}
			for i, q := range lines {
				byBox[boxOf[i]] = append(byBox[boxOf[i]], q)
			}
			j.docCarried[ev.EventID] = byBox
		}
		if len(lines) > 0 {
			out = ledger.WithContents(ev, lines, fed...)
			j.via[out] = via
			if run && !j.declared[ev.EventID] {
				for _, c := range fed {
					j.feeds[c] = append(j.feeds[c], ev)
				}
			}
		}
	}
	if ev.Type == critmin.AggregationEvent && ev.ParentID != "" && !j.declared[ev.EventID] {
		k := epcis.Canonical(ev.ParentID)
		j.packs[k] = append(j.packs[k], ev)
		j.noteChildPacks(ev)
	}
	if ledger.MovesContents(ev) && !ledger.ReadsTrip(ev) && !j.declared[ev.EventID] {
		byInstance(j.moves, ev)
	}
	if ev.Type == critmin.ObjectEvent && len(listed(ev)) > 0 && !j.declared[ev.EventID] {
		byInstance(j.named, ev)
	}
	if len(out.Quantities) > len(ev.Quantities) && ev.EventID != "" {
		n := len(ev.Quantities)
		if ledger.FeedsContainers(ev) {
			n = len(inputsOf(ev))
		}
		j.own[ev.EventID] = ownLines{n: n, ev: out, orig: ev}
	}
	if !j.declared[ev.EventID] {
		c := canonicalLots(out)
		ids := c.LotIDs()
		if err := j.load(ids); err != nil {
			return nil, err
		}
		// The instances ev makes material (commissioned with facts of
		// their own): judged as a packing of material into the
		// containers they stand in (madeNestCheck).
		var fresh []string
		for _, id := range ids {
			if m, err := j.commissioned(id); err != nil {
				return nil, err
			} else if !m {
				fresh = append(fresh, id)
			}
		}
		ledger.Project(j.lots, c)
		j.noteLotEvent(c)
		for _, id := range fresh {
			m, err := j.commissioned(id)
			if err != nil {
				return nil, err
			}
			if m {
				if err := j.madeNestCheck(ev, id); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}

// noteLotEvent keeps ev (live, as projected) among its lots' events read
// by drawnEvents.
func (j *contentsJudge) noteLotEvent(ev *critmin.Event) {
	if j.lotEvents == nil {
		j.lotEvents = map[string][]*critmin.Event{}
	}
	for _, id := range ev.LotIDs() {
		id = epcis.Canonical(id)
		j.lotEvents[id] = append(j.lotEvents[id], ev)
	}
}

// drawnEvents is lot's live events, stored then the document's so far,
// and the DELETEs emptying the containers it was packed in, stored and
// the document's (DrawnShares). The stored ones are read once.
func (j *contentsJudge) drawnEvents(lot string) ([]*critmin.Event, error) {
	lot = epcis.Canonical(lot)
	var stored []*critmin.Event
	if f, ok := j.s.(liveEventsFinder); ok {
		if j.storedLot == nil {
			j.storedLot = map[string]bool{}
		}
		if !j.storedLot[lot] {
			j.storedLot[lot] = true
			evs, err := f.LiveEventsOfLots(j.ctx, []string{lot})
			if err != nil {
				return nil, err
			}
			for _, e := range evs {
				if !j.declared[e.EventID] {
					stored = append(stored, e)
				}
			}
		}
	}
	if len(stored) > 0 {
		// Stored first: the document's events follow them.
		if j.lotEvents == nil {
			j.lotEvents = map[string][]*critmin.Event{}
		}
		j.lotEvents[lot] = append(stored, j.lotEvents[lot]...)
	}
	evs := append([]*critmin.Event(nil), j.lotEvents[lot]...)
	var boxes []string
	for _, e := range evs {
		if e.Type == critmin.AggregationEvent && e.ParentID != "" && !containsID(boxes, epcis.Canonical(e.ParentID)) {
			boxes = append(boxes, epcis.Canonical(e.ParentID))
		}
	}
	seen := map[string]bool{}
	for _, e := range evs {
		seen[e.EventID] = true
	}
	for _, c := range boxes {
		packs, err := j.packingsOf(c)
		if err != nil {
			return nil, err
		}
		for _, p := range packs {
			if !seen[p.EventID] && p.Action == "DELETE" && len(ledger.Children(p)) == 0 {
				seen[p.EventID] = true
				evs = append(evs, p)
			}
		}
	}
	return evs, nil
}

// load reads the stored lots of ids not yet read (a fresh one for a lot
// not stored).
func (j *contentsJudge) load(ids []string) error {
	var ask []string
	for _, id := range ids {
		if _, ok := j.lots[id]; !ok {
			ask = append(ask, id)
			j.lots[id] = &critmin.Lot{ID: id}
		}
	}
	if len(ask) == 0 {
		return nil
	}
	got, err := j.s.FindLotsByID(j.ctx, ask)
	if err != nil {
		return err
	}
	// The document's declarations in error apply to the record the
	// whole document gives, before any of its live events, wherever
	// they stand in it (EPCIS 2.0 §7.4.1.4; nuq10 R3: a shipping
	// declared with its corrective left the declared shipping's 6 t
	// part standing, and the corrective [D1] carried 4 t of the 5 t
	// packed in it).
	if got, err = withoutDeclared(j.ctx, j.s, got, j.decls); err != nil {
		return err
	}
	for _, l := range got {
		j.lots[l.ID] = cloneLot(l)
	}
	return nil
}

// packingsOf is container's (canonical) live packings, stored then the
// document's so far, in event-time order.
func (j *contentsJudge) packingsOf(container string) ([]*critmin.Event, error) {
	stored, ok := j.stored[container]
	if !ok {
		if err := j.packedKeys(); err != nil {
			return nil, err
		}
		if keys, known := j.packed[container]; known && len(keys) == 0 {
			// No stored event names container as parent: FindEvents
			// below would find none.
		} else if q, can := j.s.(eventQuerier); can {
			page, err := q.FindEvents(j.ctx, critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent},
				EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleParent}, Patterns: []string{container}, Exact: true}}, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, st := range page.Events {
				if ledger.Live(st) && !j.declared[st.EventID] {
					stored = append(stored, decodeStored(st))
				}
			}
		}
		j.stored[container] = stored
	}
	out := append(append([]*critmin.Event(nil), stored...), j.packs[container]...)
	sort.SliceStable(out, func(a, b int) bool { return out[a].EventTime.Before(out[b].EventTime) })
	return out, nil
}

// consumedBy says lot is consumed when ev moves its container: consumed
// by the document's events before ev or in the store, by an event not
// after ev (a shipment dated before the run still carried it).
func (j *contentsJudge) consumedBy(lot string, ev *critmin.Event) (bool, error) {
	k := epcis.Canonical(lot)
	if err := j.load([]string{k}); err != nil {
		return false, err
	}
	l := j.lots[k]
	return l.Status == critmin.LotConsumed && !l.LastEventAt.After(ev.EventTime), nil
}

// containersOfLot is the containers (as ev spells them) through which ev
// moves lot, when contentsJudge gave it lot's contents.
func (j *contentsJudge) containersOfLot(ev *critmin.Event, lot string) []string {
	if j == nil {
		return nil
	}
	return j.via[ev][epcis.Canonical(lot)]
}

// storedCarried says whether stored event ev moved lot (canonical): it
// names lot by quantity, or a container it moved held lot then (the
// contents stored with it, critmin.ContentsStore).
func storedCarried(ctx context.Context, s Store, ev *critmin.Event, lot string) (bool, error) {
	if namesLot(ev, lot) {
		return true, nil
	}
	cs, ok := s.(critmin.ContentsStore)
	if !ok || !ledger.MovesContents(ev) {
		return false, nil
	}
	held, err := cs.EventContents(ctx, []string{ev.EventID})
	if err != nil {
		return false, err
	}
	for _, q := range held[ev.EventID] {
		if epcis.Canonical(q.EPCClass) == lot {
			return true, nil
		}
	}
	return false, nil
}

// heldAt is what container (canonical) held at at, for event self: its
// live packings less what its earlier trips left behind
// (ledger.Holdings.HeldAt), as the store projects it (sqldb heldAt).
func (j *contentsJudge) heldAt(container string, at time.Time, self *critmin.Event) ([]critmin.QuantityElement, error) {
	return j.holdings().HeldAt(container, at, self)
}

// readHeld is what container (canonical) holds for event ev reading its
// contents (HeldAt): for a receipt (ledger.ReadsTrip) without the lots'
// line draws — a lot shipped by a line out of the container it stood in
// travelled in it, and the container's receipt receives it (sqldb
// readHeld alike).
func (j *contentsJudge) readHeld(container string, ev *critmin.Event) ([]critmin.QuantityElement, error) {
	h := j.holdings()
	if ledger.ReadsTrip(ev) {
		h.Drawn = nil
	}
	return h.HeldAt(container, ev.EventTime, ev)
}

// holdings reads containers' live packings and movements (dispatches and
// receipts: a receipt weighing a lot by its own line sets what the
// container holds of it, ledger.Holdings.HeldAt), stored then the
// document's so far, as the store reads them (sqldb movesOf).
func (j *contentsJudge) holdings() ledger.Holdings {
	return ledger.Holdings{Packings: j.packingsOf, Moves: j.placeMoves, Feeds: j.feedsOf, Recorded: j.recorded, Drawn: j.drawnOf, Material: j.commissioned}
}

// drawnOf is the line draws out of container (canonical) of the lots
// packed into it (LineDraws), as the store reads them (sqldb drawnOf).
func (j *contentsJudge) drawnOf(container string) ([]ledger.LineDraw, error) {
	packs, err := j.packingsOf(container)
	if err != nil {
		return nil, err
	}
	return LineDrawsOut(container, PackedLots(packs), j.drawnEvents)
}

// containerContentsStore is the part of a store that gives what each
// container an event moved held (sqldb.DB.EventContentsByContainer).
type containerContentsStore interface {
	EventContentsByContainer(ctx context.Context, eventIDs []string) (map[string]map[string][]critmin.QuantityElement, error)
}

// recorded is what dispatch ev moved in each container, as recorded: the
// document's (docCarried), else the store's (event_contents); ok false
// when neither records it.
func (j *contentsJudge) recorded(ev *critmin.Event) (map[string][]critmin.QuantityElement, bool, error) {
	if m, ok := j.docCarried[ev.EventID]; ok {
		return m, true, nil
	}
	if m, ok := j.storedByBox[ev.EventID]; ok {
		return m, m != nil, nil
	}
	cs, ok := j.s.(containerContentsStore)
	if !ok || ev.EventID == "" {
		return nil, false, nil
	}
	got, err := cs.EventContentsByContainer(j.ctx, []string{ev.EventID})
	if err != nil {
		return nil, false, err
	}
	m := got[ev.EventID]
	j.storedByBox[ev.EventID] = m
	return m, m != nil, nil
}

// feedsOf is the runs fed container (canonical) whole that took what it
// held: the live stored runs naming it in their inputEPCList with
// contents stored (critmin.ContentsStore; a run fed several containers
// counts for each), then the document's so far.
func (j *contentsJudge) feedsOf(container string) ([]*critmin.Event, error) {
	stored, ok := j.storedFeeds[container]
	if !ok {
		q, can := j.s.(eventQuerier)
		cs, keeps := j.s.(critmin.ContentsStore)
		if can && keeps {
			// No stored event names container in its inputEPCList:
			// FindEvents below would find no run.
			none, err := j.namedNowhere(container, critmin.RoleInput)
			if err != nil {
				return nil, err
			}
			can = !none
		}
		if can && keeps {
			page, err := q.FindEvents(j.ctx, critmin.EventFilter{EventTypes: []string{critmin.TransformationEvent},
				EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleInput}, Patterns: []string{container}, Exact: true}}, Limit: 1000})
			if err != nil {
				return nil, err
			}
			var runs []*critmin.Event
			var ids []string
			for _, st := range page.Events {
				if ledger.Live(st) && !j.declared[st.EventID] {
					runs = append(runs, decodeStored(st))
					ids = append(ids, st.EventID)
				}
			}
			if len(ids) > 0 {
				held, err := cs.EventContents(j.ctx, ids)
				if err != nil {
					return nil, err
				}
				for _, r := range runs {
					if len(held[r.EventID]) > 0 {
						stored = append(stored, r)
					}
				}
			}
		}
		j.storedFeeds[container] = stored
	}
	return append(append([]*critmin.Event(nil), stored...), j.feeds[container]...), nil
}

// movesOf is container's (canonical) live stored ObjectEvents naming it
// in their epcList, then the document's dispatches of it so far.
func (j *contentsJudge) movesOf(container string) ([]*critmin.Event, error) {
	stored, ok := j.storedMoves[container]
	if !ok {
		q, can := j.s.(eventQuerier)
		if can {
			// No stored event names container in its epcList:
			// FindEvents below would find none.
			none, err := j.namedNowhere(container, critmin.RoleEPC)
			if err != nil {
				return nil, err
			}
			can = !none
		}
		if can {
			page, err := q.FindEvents(j.ctx, critmin.EventFilter{EventTypes: []string{critmin.ObjectEvent},
				EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{container}, Exact: true}}, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, st := range page.Events {
				if ledger.Live(st) && !j.declared[st.EventID] {
					stored = append(stored, decodeStored(st))
				}
			}
		}
		j.storedMoves[container] = stored
	}
	return append(append([]*critmin.Event(nil), stored...), j.moves[container]...), nil
}

// byInstance keeps ObjectEvent ev under each instance (canonical) its
// epcList names, once each.
func byInstance(m map[string][]*critmin.Event, ev *critmin.Event) {
	var seen []string
	for _, e := range ev.EPCs {
		if e.Role != critmin.RoleEPC {
			continue
		}
		k := epcis.Canonical(e.EPC)
		if slices.Contains(seen, k) {
			continue
		}
		seen = append(seen, k)
		m[k] = append(m[k], ev)
	}
}

// carried is what receipt ev receives in container (canonical): what the
// dispatch whose trip it ends (ledger.TripOf: the live stored ones and
// the document's before it) carried in it (ledger.Carried); held, what
// was packed in it, when no dispatch is recorded.
func (j *contentsJudge) carried(container string, ev *critmin.Event, held []critmin.QuantityElement) ([]critmin.QuantityElement, error) {
	moves, err := j.movesOf(container)
	if err != nil {
		return nil, err
	}
	ship := ledger.TripOf(container, moves, ev)
	if ship == nil {
		return held, nil
	}
	return j.holdings().CarriedBy(ship, container)
}

// pointAtContainers makes each field of refusal err that points at a
// quantity line an event was given from its containers' contents (next)
// — "event ID/quantityList/N…" with N past the lines the event states,
// or "event ID/quantityList" of an event stating none — point at what
// the event has: the container that moved the lot, "event
// ID/epcList/K" (K its place in the event's epcList). A container-only
// shipment or receipt refused for a lot in it named /quantity or
// /quantityList/N, fields the event lacks (new-user finding on issue 15).
func (j *contentsJudge) pointAtContainers(err error) error {
	var e *critmin.Error
	if err == nil || len(j.own) == 0 || !errors.As(err, &e) {
		return err
	}
	for i, f := range e.Fields {
		p := j.containerPointer(f)
		if p == f.Pointer {
			continue
		}
		e.Message = strings.Replace(e.Message, f.Pointer+": ", p+": ", 1)
		e.Fields[i].Pointer = p
	}
	return err
}

// containerPointer is f's pointer as pointAtContainers gives it.
//
// A run fed containers whole (ledger.FeedsContainers) is given input
// lines instead: "event ID/inputQuantityList/N…" past the run's own input
// lines points at "event ID/inputEPCList/K", the container fed.
func (j *contentsJudge) containerPointer(f critmin.FieldError) string {
	for id, o := range j.own {
		list, epcs, role, lines := "/quantityList", "epcList", critmin.RoleEPC, o.ev.Quantities
		if ledger.FeedsContainers(o.orig) {
			list, epcs, role, lines = "/inputQuantityList", "inputEPCList", critmin.RoleInput, inputsOf(o.ev)
		}
		rest, ok := strings.CutPrefix(f.Pointer, "event "+id+list)
		if !ok || rest != "" && rest[0] != '/' {
			continue
		}
		var lot string
		if num, _, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/"); num != "" {
			n, err := strconv.Atoi(num)
			if err != nil || n < o.n || n >= len(lines) {
				return f.Pointer
			}
			lot = lines[n].EPCClass
		} else {
			if o.n > 0 {
				return f.Pointer // the event has a quantityList
			}
			// The lot the reason names, else the first the event moved.
			for _, q := range lines {
				if lot == "" || strings.Contains(f.Reason, "lot "+epcis.Canonical(q.EPCClass)+" ") {
					lot = q.EPCClass
				}
			}
		}
		via := j.via[o.ev][epcis.Canonical(lot)]
		if len(via) == 0 {
			return f.Pointer
		}
		k := 0
		for _, e := range o.orig.EPCs {
			if e.Role != role {
				continue
			}
			if e.EPC == via[0] {
				return fmt.Sprintf("event %s/%s/%d", id, epcs, k)
			}
			k++
		}
		return f.Pointer
	}
	return f.Pointer
}

// withCarried gives each of evs (stored events, or a document's
// declarations of them) that moved containers by their own identifiers
// the lines of what the containers held then, as the projection moved
// them (the contents stored with the event, critmin.ContentsStore;
// ledger.WithContents): a shipment or receipt naming only a container is
// an event of every lot the container held, for every check of what
// depends on it (issue 8 §2, new-user finding nu36a-5: declaring such a
// shipment in error found no dependent receipt). evs is not changed; a
// store that keeps no contents gives evs as they are.
func withCarried(ctx context.Context, s Store, evs []*critmin.Event) ([]*critmin.Event, error) {
	cs, ok := s.(critmin.ContentsStore)
	if !ok {
		return evs, nil
	}
	var ids []string
	for _, ev := range evs {
		if ledger.MovesContents(ev) && len(ev.Carried) == 0 {
			ids = append(ids, ev.EventID)
		}
	}
	if len(ids) == 0 {
		return evs, nil
	}
	held, err := cs.EventContents(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*critmin.Event, len(evs))
	for i, ev := range evs {
		out[i] = ev
		if lines := held[ev.EventID]; len(lines) > 0 && len(ev.Carried) == 0 {
			out[i] = ledger.WithContents(ev, lines)
		}
	}
	return out, nil
}
