package ledger

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// Link is a genealogy edge: a transformation consumed Parent and produced
// Child, in the event with EventID.
type Link struct {
	Parent, Child string
	EventID       string
	// Kind is LinkTransformation, LinkAggregation or LinkAssociation.
	Kind string
	// Quantities as the event stated them for each side (nil: not given).
	ParentQty, ChildQty *float64
	ParentUOM, ChildUOM string
	// Replay marks a transformation link from an input line an earlier
	// event of the run already consumed to a later event's output: it
	// records the genealogy, never a second consumption (RunLinks).
	Replay bool
	// Carried marks a transformation link from an input line to an output
	// an earlier event of the run stated, not this event: it counts as
	// consumption, and its ChildQty is the earlier output line again,
	// never counted twice as production (RunProduced). Stored as replay
	// = 2 (migration 0103).
	Carried bool
}

// Genealogy edge kinds.
const (
	LinkTransformation = "transformation"
	LinkAggregation    = "aggregation"
	LinkAssociation    = "association"
)

// inTransitSteps and inStockSteps classify CBV business steps by what they
// say of where a lot is; dispositions refine it (CBV 2.0 §7.2, §7.3).
var (
	inTransitSteps = map[string]bool{"shipping": true, "departing": true, "transporting": true, "loading": true}
	inStockSteps   = map[string]bool{"receiving": true, "arriving": true, "accepting": true, "storing": true, "commissioning": true,
		"stocking": true, "unloading": true, "inspecting": true, "sampling": true, "packing": true, "creating_class_instance": true, "cycle_counting": true, "stock_taking": true}
	consumedDispositions = map[string]bool{"destroyed": true, "disposed": true, "consumed": true, "completeness_verified": false}
)

// Move is a lot changing location, from one event's bizLocation to the
// next; the corridor's flows are the sum of moves.
type Move struct {
	Lot, From, To string
	Tonnes        float64
	EventID       string
}

// Effects are what one event adds to the genealogy and the flows, and
// what its dispatch lines moved (Dispatches).
type Effects struct {
	Links      []Link
	Moves      []Move
	Dispatches []Dispatch
}

// Dispatch is what one dispatch line — a quantity line of a shipping,
// departing, loading or transporting ObjectEvent (CBV 2.0 §7.2; parts.go,
// dispatchSteps) — moved of lot Lot: Part, the index in Lot.Parts of the
// part it sent away or moved on (a new part, an onward part, or a part
// in transit continuing under its bill of lading), or -1 when it moved
// the lot's body (the whole lot, or its body in transit moving on). A
// dispatch from where nothing of the holding it draws on stands
// (DispatchFromNothing, NamedAbsent, one drawing more than that holding
// held) gives its part flagged FromRetracted, which moved nothing
// (issue 15, fix15q). LotLegs follows the holdings by them.
type Dispatch struct {
	Lot     string
	EventID string
	Part    int
}

// Project applies one event to the lots it names. lots must hold an entry
// (possibly a fresh &Lot{ID: id}) for every id in ev.LotIDs(); the caller
// loads and saves them. Events may arrive out of order: facts that describe
// "now" (location, status, quantity, custody) only move forward in event
// time, while facts about the lot itself (commodity, origin, assays) are
// merged whatever the order. It returns the genealogy links and location moves the event makes.
func Project(lots map[string]*critmin.Lot, ev *critmin.Event) Effects {
	var inputs, outputs []critmin.QuantityElement
	var fx Effects
	var movedFrom = map[string]string{}
	// A move carries what left the origin: the lot's mass before this
	// event, so that a mistyped receipt does not inflate the flow.
	var before = map[string]float64{}
	// A class named in a quantity line is a lot of its own; an instance
	// line is one only once mineral facts are stated of it (Material).
	class := make(map[string]bool, len(ev.Quantities))
	for _, q := range ev.Quantities {
		class[q.EPCClass] = true
	}
	for _, q := range ev.LotLines() {
		l := lots[q.EPCClass]
		if l == nil {
			continue
		}
		if class[q.EPCClass] {
			l.Material = true
		}
		if l.EventCount == 0 || ev.EventTime.Before(l.FirstEventAt) {
			l.FirstEventAt = ev.EventTime
		}
		// An output line naming a lot that already holds a mass adds to
		// it (addsToOutput): read before this event touches the lot.
		adds := addsToOutput(l, ev, q)
		qtyBefore, wetBefore, moistBefore := l.Quantity, l.WetTonnes, l.Moisture
		l.EventCount++
		current := !ev.EventTime.Before(l.LastEventAt)
		prevStatus := l.Status
		var part partMove
		var received *critmin.LotPart
		if current {
			var moved int
			// What an earlier step of the trip's end brought in of the
			// containers a receipt names is not received again
			// (LessBroughtIn).
			q = LessBroughtIn(l, ev, q)
			part, received, moved = applyPart(l, ev, q)
			if dispatchLine(ev, q) && (moved >= 0 || part == moveLot) {
				fx.Dispatches = append(fx.Dispatches, Dispatch{Lot: l.ID, EventID: ev.EventID, Part: moved})
			}
		}
		if current && (part == movePart || part == moveElsewhere || part == moveNone) {
			// A part moved or was seen where it went: the rest of the
			// lot stays where it was, as it was (parts.go).
			l.LastEventAt = ev.EventTime
		} else if current {
			l.LastEventAt = ev.EventTime
			if ev.BizLocation != "" {
				if l.Location != "" && l.Location != ev.BizLocation {
					movedFrom[l.ID] = l.Location
					before[l.ID] = l.WetTonnes
				}
				l.Location = ev.BizLocation
			}
			if ev.ReadPoint != "" {
				l.ReadPoint = ev.ReadPoint
			}
			if ev.Disposition != "" {
				l.Disposition = ev.Disposition
			}
			// A disposition persists until an event changes it (CBV 2.0
			// §7.4: "the business condition of the objects … until a
			// subsequent event changes it"); an event that states neither
			// a disposition nor a location (an inspection, a sampling, a
			// count) says nothing of where the lot is or whether it
			// moves, so it leaves the status as it was.
			l.Status = status(l.Status, ev, q.Role)
			// A child quantity of a packing is the part of the lot that
			// went into the parent (EPCIS 2.0 §7.3.5.3 childQuantityList),
			// not the lot's mass: it leaves the lot's quantity alone.
			// A line that moved a part states the part, not the lot
			// (parts.go): the lot's total stays.
			if q.Quantity != nil && q.Role != critmin.RoleInput && q.Role != critmin.RoleChild && ev.Action != "DELETE" && part == moveLot {
				if adds {
					addQuantity(l, *q.Quantity, q.UOM)
				} else {
					setQuantity(l, *q.Quantity, q.UOM)
				}
			}
			// Owner and custodian follow the rule location follows
			// (docs/identity.md, "The mineral view"): the latest event
			// sets them as it spells them. A destination names the new
			// party; a source names the party the lot leaves, so it sets
			// the party only when none is known yet, or when it is the
			// same party (same canonical form) spelled anew.
			destOwner, destCustodian := false, false
			for _, d := range ev.Destinations {
				switch d.Type {
				case "owning_party":
					l.Owner, destOwner = d.ID, true
				case "possessing_party":
					l.Custodian, destCustodian = d.ID, true
				}
			}
			for _, s := range ev.Sources {
				if s.Type == "owning_party" && !destOwner && sameParty(l.Owner, s.ID) {
					l.Owner = s.ID
				}
				if s.Type == "possessing_party" && !destCustodian && sameParty(l.Custodian, s.ID) {
					l.Custodian = s.ID
				}
			}
		}
		if adds && !current {
			// What a run produced is a flow, summed in any order, like
			// what runs took of an input (takeInput).
			addQuantity(l, *q.Quantity, q.UOM)
		}
		if q.Role == critmin.RoleInput && part != movePart && part != moveNone {
			takeInput(l, q, prevStatus, current)
		}
		if q.Role != critmin.RoleInput && ev.Mineral != nil {
			// A moisture is the body's (Lot.Moisture) unless the line
			// moved, received or observed a part, which applyPart gave
			// it to (parts.go, measurePart).
			body := !current || part == moveLot || (part == moveElsewhere && !receivedAt(l, ev.BizLocation))
			mf := ev.Mineral
			if current && body && runsTook(l) && asReceivedOwnMoisture(mf) {
				// The moisture of an as-received assay's sample converts
				// that assay (Assay.Moisture); the lot keeps the moisture
				// its runs took it at (docs/origin.md, "As-received
				// assays"; issue 9, fix9t).
				c := *mf
				c.Moisture = nil
				mf = &c
			}
			mergeMineral(l, mf, current, part == moveLot, body)
		}
		if adds && l.Quantity != qtyBefore {
			// The line is dry at its own event's moisture, the lot's
			// at the moisture the lines make together (blendMoisture).
			blendMoisture(l, ev, q, wetBefore, moistBefore)
		}
		l.Material = l.Material || hasFacts(l)
		if current && part != movePart && part != moveElsewhere && part != moveNone {
			// The body moved to where a part stands: they merge (parts.go).
			rejoinAt(l, ev.EventID)
		}
		derive(l)
		if current && NoBody(l) {
			// A lot with no body stands where its parts do: its
			// Location names the site where most of it stands
			// (StandsAt), not where its last part went (issue 15,
			// fix15t item 4); with every part in transit it stays
			// where the last one left.
			if site := largestStanding(l); site != "" {
				l.Location = site
			}
		}
		if part == movePartAll {
			// The lot followed its last part: the flow is the part's
			// (below, at its receipt), not the lot's whole mass.
			delete(movedFrom, l.ID)
		}
		if received != nil && received.From != "" && received.To != "" && epcis.Canonical(received.From) != epcis.Canonical(received.To) {
			// A part's flow: what left (the shipped weight) from where
			// the lot stood to where the part was received.
			fx.Moves = append(fx.Moves, Move{Lot: l.ID, From: received.From, To: received.To, Tonnes: received.Tonnes, EventID: ev.EventID})
		}
		if from, ok := movedFrom[l.ID]; ok {
			t := before[l.ID]
			if t == 0 {
				t = l.WetTonnes
			}
			fx.Moves = append(fx.Moves, Move{Lot: l.ID, From: from, To: l.Location, Tonnes: t, EventID: ev.EventID})
			delete(movedFrom, l.ID)
		}
		switch q.Role {
		case critmin.RoleInput:
			inputs = append(inputs, q)
		case critmin.RoleOutput:
			outputs = append(outputs, q)
		}
	}
	// Packing into a container, bag or vessel: the contents flow into the
	// parent (EPCIS 2.0 §7.4.3, §7.4.6). Unpacking (DELETE) ends it.
	if (ev.Type == critmin.AggregationEvent || ev.Type == critmin.AssociationEvent) && ev.ParentID != "" && ev.Action != "DELETE" {
		kind := LinkAggregation
		if ev.Type == critmin.AssociationEvent {
			kind = LinkAssociation
		}
		for _, q := range ev.Quantities {
			if q.Role == critmin.RoleChild {
				fx.Links = append(fx.Links, Link{Parent: q.EPCClass, Child: ev.ParentID, EventID: ev.EventID, Kind: kind, ParentQty: q.Quantity, ParentUOM: q.UOM})
			}
		}
		for _, e := range ev.EPCs {
			if e.Role == critmin.RoleChild {
				fx.Links = append(fx.Links, Link{Parent: e.EPC, Child: ev.ParentID, EventID: ev.EventID, Kind: kind})
			}
		}
	}
	for _, in := range inputs {
		for _, out := range outputs {
			if in.EPCClass == out.EPCClass {
				continue
			}
			fx.Links = append(fx.Links, TransformationLink(in, out, ev.EventID))
			lots[in.EPCClass].Children = addUnique(lots[in.EPCClass].Children, out.EPCClass)
			lots[out.EPCClass].Parents = addUnique(lots[out.EPCClass].Parents, in.EPCClass)
		}
	}
	// An instance that is no lot of its own keeps no state between events:
	// whatever order or batches the events come in (capture, verify's
	// replay, a retraction's Replay), it is never a lot with an empty
	// commodity, and it becomes one with only what the events that make it
	// material say. Its genealogy links stay (an SSCC fed whole is read as
	// its packed contents, docs/origin.md).
	for _, q := range ev.LotLines() {
		if l := lots[q.EPCClass]; l != nil && !l.Material {
			*l = critmin.Lot{ID: l.ID}
		}
	}
	return fx
}

// dispatchLine says whether q is a dispatch line of ev: an ObjectEvent's
// quantity line (not a DELETE) whose business step dispatches
// (dispatchSteps), the lines applyPart books as parts moved or as the
// lot's body moving.
func dispatchLine(ev *critmin.Event, q critmin.QuantityElement) bool {
	return ev.Type == critmin.ObjectEvent && (q.Role == "" || q.Role == critmin.RoleEPC) && ev.Action != "DELETE" && dispatchSteps[stepOf(ev.BizStep)]
}

// TripStep says whether ev puts what it names on a trip whatever its
// disposition: an ObjectEvent (not a DELETE) of a dispatch step
// (dispatchSteps: shipping, departing, loading, transporting). CBV 2.0
// §7.2 defines shipping as the goods' dispatch and EPCIS 2.0 makes the
// disposition optional (§7.3.6): one stated without a disposition (and
// without a bizLocation) reads as one of disposition in_transit — the
// trip leaves from its bizLocation, else its readPoint, else from where
// the lot or its containers stand — so that the receipt under its bill
// of lading ends that trip (new-user check nuq8 a3g/b9: it read as
// nothing having happened, and the receipt of one of its containers
// then read as the whole lot arriving at that container's weight).
func TripStep(ev *critmin.Event) bool {
	return ev.Type == critmin.ObjectEvent && ev.Action != "DELETE" && dispatchSteps[stepOf(ev.BizStep)]
}

// asReceivedOwnMoisture says whether the moisture of mf is measured with an
// as-received assay — the moisture of the sample the assay was measured
// on, which converts it to dry (DecodeMineral gives it to each such
// assay as Assay.Moisture) — and with no weighing: an event stating a
// moisture, an as-received assay and no mass. Where runs already took of
// the lot (runsTook), that moisture is the assay's only: the lot keeps
// the moisture its runs took it at, so that no later sample re-dries
// the tonnes they consumed and were credited for (issue 9, fix9t; as a
// run's take of a part keeps the part's moisture, fix15n).
func asReceivedOwnMoisture(mf *critmin.MineralFacts) bool {
	if mf == nil || mf.Moisture == nil || mf.MassTonnes != nil {
		return false
	}
	for _, a := range mf.Assays {
		if a.Basis == "as_received" {
			return true
		}
	}
	return false
}

// runsTook says whether runs have taken of lot l: a stated quantity
// (TakenTonnes), or the whole of it (consumed).
func runsTook(l *critmin.Lot) bool {
	return l.TakenTonnes > 0 || l.Status == critmin.LotConsumed
}

// hasFacts reports whether a lot holds a mineral fact of its own: a
// commodity, an origin, a supplier, an assay, a moisture, a mass or a
// claim.
func hasFacts(l *critmin.Lot) bool {
	return l.Commodity != "" || l.OriginCountry != "" || l.OriginMine != "" || l.Supplier != "" ||
		len(l.Assays) > 0 || l.Moisture != nil || l.UOM != "" || l.OriginClaim != nil
}

// TransformationLink is the edge from an input to an output of one
// transformation, with both quantities.
func TransformationLink(in, out critmin.QuantityElement, eventID string) Link {
	return Link{Parent: in.EPCClass, Child: out.EPCClass, EventID: eventID, Kind: LinkTransformation, ParentQty: in.Quantity, ParentUOM: in.UOM, ChildQty: out.Quantity, ChildUOM: out.UOM}
}

// ConsumedTolerance is the relative share of a lot's mass that may be
// left by the runs that took stated parts of it while the lot still
// counts as consumed: 0.5 %, the consumption check's tolerance (about a
// weighbridge's error on a concentrate lot).
const ConsumedTolerance = 0.005

// takeInput books one input line of a run against its lot. A line with a
// mass quantity takes that many tonnes (Lot.TakenTonnes, summed over the
// runs in any order); while more than ConsumedTolerance of the lot's
// stated wet mass remains — remaining = wet tonnes − Σ taken — the lot is
// part-consumed and keeps its status (in stock where it was, CBV 2.0: a
// run consumes only what it states), so it stays listed and offered to
// the planner with what remains. A line without a quantity (all of it),
// a lot whose mass is not known in a mass unit, or takes that leave no
// more than the tolerance consume the lot.
func takeInput(l *critmin.Lot, q critmin.QuantityElement, prev string, current bool) {
	partial := false
	if q.Quantity != nil && units.IsMass(q.UOM) && units.IsMass(l.UOM) && l.WetTonnes > 0 {
		if t, err := units.ToTonnes(*q.Quantity, q.UOM); err == nil {
			l.TakenTonnes += t
			partial = l.WetTonnes-l.TakenTonnes > l.WetTonnes*ConsumedTolerance
		}
	}
	switch {
	case !partial:
		l.Status = critmin.LotConsumed
	case current && prev != critmin.LotConsumed:
		// The run's own status rule (status) read the line as consuming
		// all of the lot: a part taken leaves it where it was.
		l.Status = prev
		if prev == "" || prev == critmin.LotUnknown {
			l.Status = critmin.LotInStock
		}
	}
}

// Departs says whether ev puts a lot it names — not as a run's input or
// output — on a trip, leaving the site it stood at, as status reads it
// for a lot already placed: a disposition in_transit, or a step of
// inTransitSteps (shipping, departing, transporting, loading) with any
// other disposition but a consumed one, at its bizLocation or (a
// dispatch, TripStep) stating none. CBV 2.0 §7.2 defines loading as
// loading objects into a transportation unit and departing as leaving a
// location on the way to another: both are steps of the dispatch, and a
// loading is the one the bill of lading is issued on (its weight is the
// shipped weight, parts.go), so a loading at the port — disposition
// in_transit, in_progress, active or none — puts the lot and the
// containers it names on the trip, as a shipping does. The capture
// checks (custody whereabouts, site packings) read the same events by
// this function, so that no later event is judged against a position
// the books do not show (builder fixQw: a loading at its bizLocation
// left the lot at the site for custody, in transit for the books, and
// a run there consumed 10 t the books showed at sea).
func Departs(ev *critmin.Event) bool {
	switch {
	case ev.Disposition == "in_transit":
		return true
	case consumedDispositions[ev.Disposition] || (ev.Action == "DELETE" && ev.Type == critmin.ObjectEvent):
		return false
	case !inTransitSteps[ev.BizStep]:
		return false
	}
	return ev.Disposition != "" || ev.BizLocation != "" || TripStep(ev)
}

func status(prev string, ev *critmin.Event, role string) string {
	switch {
	case prev == critmin.LotConsumed && ev.Action == "OBSERVE" && role != critmin.RoleOutput:
		// An observation (a Mass or moisture report, an inspection) of a
		// lot already consumed does not bring it back: EPCIS 2.0 §7.4.2,
		// OBSERVE neither creates nor ends an object's life.
		return prev
	case role == critmin.RoleInput:
		return critmin.LotConsumed
	case Departs(ev):
		// The lot leaves on a trip (shared with custody's capture
		// checks, which judge later events by it).
		return critmin.LotInTransit
	case consumedDispositions[ev.Disposition] || (ev.Action == "DELETE" && ev.Type == critmin.ObjectEvent):
		return critmin.LotConsumed
	case prev != "" && prev != critmin.LotUnknown && ev.Disposition == "" && ev.BizLocation == "" && role != critmin.RoleOutput && !TripStep(ev):
		// Neither disposition nor location: the status persists. Not
		// for a dispatch (TripStep): a shipping, departing, loading or
		// transporting ObjectEvent is the goods leaving (CBV 2.0 §7.2),
		// with or without a disposition (optional, EPCIS 2.0 §7.3.6).
		return prev
	case inTransitSteps[ev.BizStep]:
		return critmin.LotInTransit
	case inStockSteps[ev.BizStep] || role == critmin.RoleOutput:
		return critmin.LotInStock
	case prev != "":
		return prev
	}
	return critmin.LotUnknown
}

// mergeMineral merges an event's mineral facts into its lot. Identity
// (commodity, origin, supplier, claim) is merged whatever the event's
// time; a measured mass and moisture describe the lot's state at the
// event, so only an event at or after the lot's latest one (current) sets
// them — an older weighing captured late does not replace a later mass.
// A moisture sets the lot's main body's (Lot.Moisture) only when body:
// one measured on a part (a dispatch or receipt of it, a reading where
// it was received) is the part's (parts.go, measurePart).
// Assays keep the latest per analyte and basis by their own time; like
// a moisture, they are the body's only when body.
func mergeMineral(l *critmin.Lot, m *critmin.MineralFacts, current, here, body bool) {
	if m.Commodity != "" {
		l.Commodity = m.Commodity
	}
	if m.OriginCountry != "" {
		l.OriginCountry = m.OriginCountry
	}
	if m.OriginMine != "" {
		l.OriginMine = m.OriginMine
	}
	if m.Supplier != "" {
		l.Supplier = m.Supplier
	}
	if m.Moisture != nil && body && (current || l.Moisture == nil) {
		v := *m.Moisture
		l.Moisture = &v
	}
	if m.MassTonnes != nil && current && here {
		// Kept in the lot's own mass unit, so that a weighing in tonnes
		// does not turn a lot counted in kilograms into tonnes. A mass
		// reported where the lot stands after parts left is the rest's
		// (setQuantity); one reported with a part moved, or where a part
		// went (here false), is not the lot's.
		if q, err := units.FromTonnes(*m.MassTonnes, l.UOM); err == nil && units.IsMass(l.UOM) {
			setQuantity(l, q, l.UOM)
		} else {
			setQuantity(l, *m.MassTonnes, "TNE")
		}
	}
	// An assay is of what stood where it was taken (docs/origin.md;
	// issue 15, fix15a): one measured on a part is the part's
	// (measurePart), as its moisture is, never the body's.
	for _, a := range m.Assays {
		if body {
			l.Assays = upsertAssay(l.Assays, a)
		}
	}
	if m.OriginClaim != nil {
		l.OriginClaim = m.OriginClaim
	}
}

// upsertAssay keeps the latest assay per analyte and basis.
func upsertAssay(list []critmin.Assay, a critmin.Assay) []critmin.Assay {
	for i, old := range list {
		if old.Analyte == a.Analyte && old.Basis == a.Basis {
			if !a.At.Before(old.At) {
				list[i] = a
			}
			return list
		}
	}
	list = append(list, a)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Analyte < list[j].Analyte })
	return list
}

// addsToOutput reports whether quantity line q of ev adds to lot l
// rather than restating its mass: an output line (outputQuantityList) of
// a TransformationEvent, in a mass unit, naming a lot that an earlier
// event already gave a mass. Each event of a run records what it
// produced (EPCIS 2.0 §7.4.6: the events sharing a transformationID are
// one transformation, each stating its own inputs and outputs), so run
// R8 making O8 0.5 t in one event and 10 t in a later output-only event
// made O8 0.5 + 10 = 10.5 t — never 10 t with the 0.5 t lost, nor 0.5 t
// with the 10 t ignored. Capture allows such a line only for the run
// that made the lot (custody.checkMadeOnce: a lot is made once), so the
// sum is what that run produced; a later weighing of the lot still
// states its whole mass (setQuantity). The outputs of one run add up as
// its inputs do (takeInput; docs/origin.md "The events of one run add
// up").
func addsToOutput(l *critmin.Lot, ev *critmin.Event, q critmin.QuantityElement) bool {
	return ev.Type == critmin.TransformationEvent && q.Role == critmin.RoleOutput && q.Quantity != nil &&
		l.EventCount > 0 && units.IsMass(l.UOM) && units.IsMass(q.UOM)
}

// blendMoisture sets the moisture of lot l after output line q of run
// event ev added to it (addsToOutput): each line of a run is dry at the
// moisture its own event states (its ILMD cm:moisture), else at the
// lot's moisture before the line; the lot's moisture is the one its
// lines make together, 1 − Σ dry / Σ wet, so its dry mass is the sum of
// the lines' dry masses. Run M making OM 0.5 t at 0 % in one event and
// 10 t at 50 % in another made 0.5 × 1 + 10 × 0.5 = 5.5 t dry, moisture
// 1 − 5.5 / 10.5 = 47.62 % — never 10.5 × 0.5 = 5.25 t at the last
// line's 50 % (issue 9, fix9i; docs/origin.md "A run's outputs add
// up"). The sums commute: any order of capture gives the same lot.
// wetBefore and moistBefore are the lot's wet tonnes and moisture before
// the line (no moisture is dry, as derive reads it); a lot with no
// moisture and a line stating none keeps none.
func blendMoisture(l *critmin.Lot, ev *critmin.Event, q critmin.QuantityElement, wetBefore float64, moistBefore *float64) {
	lineM := moistBefore
	if ev.Mineral != nil && ev.Mineral.Moisture != nil {
		lineM = ev.Mineral.Moisture
	}
	if moistBefore == nil && lineM == nil {
		return
	}
	t, err := units.ToTonnes(*q.Quantity, q.UOM)
	if err != nil || wetBefore+t <= 0 {
		return
	}
	frac := func(m *float64) float64 {
		if m == nil {
			return 0
		}
		return *m
	}
	dry := wetBefore*(1-frac(moistBefore)) + t*(1-frac(lineM))
	m := 1 - dry/(wetBefore+t)
	if m < 0 {
		m = 0 // rounding
	}
	l.Moisture = &m
}

// addQuantity adds a run output line's mass to the lot's stated mass, in
// the lot's own unit (addsToOutput).
func addQuantity(l *critmin.Lot, qty float64, uom string) {
	t, err := units.ToTonnes(qty, uom)
	if err != nil {
		return
	}
	if add, err := units.FromTonnes(t, l.UOM); err == nil {
		l.Quantity += add
	}
}

// setQuantity sets the lot's stated mass from a line that observed the
// lot where it stands. Once parts have left (Lot.Parts), what stands
// there is the rest: the lot's total is the line's mass plus the parts
// sent away, in the line's unit (parts.go), plus what runs took of it
// (Lot.TakenTonnes), which the total counts and the line, weighing what
// is left, does not: a 10 t lot a run took 4 t of, weighed at 6 t, stays
// 10 t with 6 t remaining (issue 15, fix15t item 3: it read 6 t, 2 t
// remaining).
func setQuantity(l *critmin.Lot, qty float64, uom string) {
	sent := l.PartsTonnes()
	if l.Status != critmin.LotConsumed {
		sent += l.TakenTonnes // a consumed lot has nothing left to weigh: custody refuses the line
	}
	if sent > 0 && units.IsMass(uom) {
		if s, err := units.FromTonnes(sent, uom); err == nil {
			qty += s
		}
	}
	l.Quantity, l.UOM = qty, uom
}

// derive recomputes wet and dry tonnes from quantity, unit and moisture.
// A lot without moisture is taken as dry: wet and dry are equal. The dry
// mass is the main body's — the total less the parts sent away
// (Lot.PartsTonnes), by Lot.Moisture — plus each part's by its own
// moisture (Lot.PartsDryTonnes): 30 t at 8 % of which 10 t were received
// elsewhere and read there at 10.5 % is 20 × 0.92 + 10 × 0.895 = 27.35 t
// dry; what runs took of a part is dry at the moisture it was taken at
// (critmin.LotPart.DryTonnes). Parts holding the lot's moisture give
// wet × (1 − moisture).
func derive(l *critmin.Lot) {
	l.WetTonnes, l.DryTonnes = 0, 0
	if !units.IsMass(l.UOM) {
		return
	}
	wet, _ := units.ToTonnes(l.Quantity, l.UOM)
	l.WetTonnes, l.DryTonnes = wet, wet
	if l.Moisture != nil {
		l.DryTonnes, _ = units.DryTonnes(wet, *l.Moisture)
	}
	for _, p := range l.Parts {
		if p.FromRetracted || p.Status == critmin.PartRejoined || p.DriedAtLotMoisture(l.Moisture) {
			continue // the part is counted at the body's moisture above
		}
		c := p.Mass() - p.ShippedOnTonnes
		// Replace the part's share at the body's moisture by its own.
		l.DryTonnes += p.DryTonnes(l.Moisture) - c*bodyDryRatio(l)
	}
}

// bodyDryRatio is the dry fraction of the lot's main body: 1 − Moisture,
// 1 without one.
func bodyDryRatio(l *critmin.Lot) float64 {
	if l.Moisture != nil {
		return 1 - *l.Moisture
	}
	return 1
}

func addUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// Contained returns the dry tonnes of an analyte in a lot (Nd2O3 in
// tonnes of oxide, Nd in tonnes of Nd), from the newest assay of its
// element in any spelling and on either basis (LatestAssays), and
// whether that assay gives a dry grade: an as-received one without a
// moisture to convert it gives none, and an older assay is not used
// instead.
//
// An assay is of what stood where it was taken (issue 15, fix15a): a
// part with grades of its own (AssayScopes) holds its dry tonnes at its
// grade, the rest of the lot at the lot's — 15 t at Nd 5 % at the mine
// and a 5 t part assayed Nd 4 % at Karachi hold 0.75 + 0.20 = 0.95 t Nd
// (4.75 % of 20 t), not 20 × 4 % = 0.8 t.
func Contained(l *critmin.Lot, analyte string) (float64, bool) {
	var sum float64
	for _, sc := range AssayScopes(l) {
		t, ok := containedIn(sc.Assays, sc.Moisture, sc.DryTonnes, analyte)
		if !ok {
			return 0, false
		}
		sum += t
	}
	return sum, true
}

// AssayScope is what one set of a lot's grades describes: the lot's own
// assays (Lot.Assays) for its body and every part that reads them
// (Site ""), or a part's own (LotPart.Assays, Site where it was received
// or is bound, ShipEventID naming it) for that part's dry tonnes.
// DryTonnes is what the scope counts for in the lot's total (what runs
// took of it included: the lot's contained tonnes, origin and mass
// balance read it); RemainingDryTonnes what remains of it — what stands
// of it at a site and what is at sea (ledger.StandsAt, AtSea), what
// runs took gone: the body's remainder (Lot.RemainingDryTonnes, none
// when the lot has no body) and each part's (Lot.PartRemainingDryTonnes)
// (issue 15, fix15zh).
type AssayScope struct {
	Site               string
	ShipEventID        string
	Assays             []critmin.Assay
	Moisture           *float64
	DryTonnes          float64
	RemainingDryTonnes float64
}

// AssayScopes splits lot l's dry tonnes by the grades they are read at:
// each counted part (not rejoined, not shipped from nothing) whose
// assays in effect (LatestAssays of Lot.PartAssays) differ from the
// lot's is a scope of its own, at its own moisture; the rest — the body
// and the parts whose grades are the lot's — is the first, Site "", with
// the lot's assays. The scopes' DryTonnes add up to Lot.DryTonnes.
func AssayScopes(l *critmin.Lot) []AssayScope {
	body := AssayScope{Assays: l.Assays, Moisture: l.Moisture, DryTonnes: l.DryTonnes}
	if !NoBody(l) {
		body.RemainingDryTonnes = l.RemainingDryTonnes()
	}
	out := []AssayScope{body}
	own := inEffectKey(l.Assays)
	for _, p := range l.Parts {
		if p.Status == critmin.PartRejoined || p.FromRetracted {
			continue
		}
		if !ownGrades(l, p, own) {
			out[0].RemainingDryTonnes += l.PartRemainingDryTonnes(p)
			continue
		}
		d := p.DryTonnes(l.Moisture)
		out[0].DryTonnes -= d
		out = append(out, AssayScope{Site: p.To, ShipEventID: p.ShipEventID, Assays: p.Assays, Moisture: l.PartMoisture(p), DryTonnes: d,
			RemainingDryTonnes: l.PartRemainingDryTonnes(p)})
	}
	return out
}

// PartHasOwnGrades says whether part p of lot l is read at grades of its
// own: its assays in effect (LatestAssays of LotPart.Assays) are not the
// lot's (an assay was taken of it where it was received, or the lot was
// assayed again after it left).
func PartHasOwnGrades(l *critmin.Lot, p critmin.LotPart) bool {
	return ownGrades(l, p, inEffectKey(l.Assays))
}

func ownGrades(l *critmin.Lot, p critmin.LotPart, lotKey string) bool {
	return p.Assays != nil && inEffectKey(p.Assays) != lotKey
}

// inEffectKey names the assays in effect of list (LatestAssays): equal
// keys, equal grades.
func inEffectKey(list []critmin.Assay) string {
	var b strings.Builder
	for _, a := range LatestAssays(list) {
		fmt.Fprintf(&b, "%s|%s|%s|%v|%s|%d;", a.Analyte, a.Basis, a.EventID, a.Value, a.Unit, a.At.UnixNano())
	}
	return b.String()
}

// containedIn is Contained over one scope's assays, moisture and dry
// tonnes.
func containedIn(list []critmin.Assay, moisture *float64, dryTonnes float64, analyte string) (float64, bool) {
	el := units.ElementOf(analyte)
	for _, a := range LatestAssays(list) {
		if units.ElementOf(a.Analyte) != el {
			continue
		}
		v, ok := DryValue(a, moisture)
		if !ok {
			return 0, false
		}
		t, err := units.Contained(dryTonnes, v, a.Unit)
		if err != nil {
			return 0, false
		}
		if a.Analyte == analyte {
			return t, true
		}
		// The newest assay of the element is in another spelling (Nd
		// for Nd2O3, or the reverse): converted by the stoichiometric
		// factors, element = oxide × n·A(M) / (n·A(M) + m·A(O)).
		if o, ok := units.LookupOxide(a.Analyte); ok {
			t *= o.ToElement
		}
		if o, ok := units.LookupOxide(analyte); ok {
			t /= o.ToElement
		}
		return t, true
	}
	return 0, false
}

// LatestAssays is a lot's newest assay of each element, whatever its
// basis and spelling: the lot keeps the latest per analyte and basis
// (upsertAssay); a newer as-received assay supersedes an older dry one
// (and the reverse), and a newer assay of the element under another
// spelling — Nd and Nd2O3, Pr and Pr6O11 (units.ElementOf) — supersedes
// the older: the newest measurement is the best known, once converted to
// the basis (DryValue, OnBasis) and the spelling (units.LookupOxide)
// wanted. Analytes that report no one element (TREO) are their own key.
// Equal times keep the dry one, which needs no conversion; then the
// element's own symbol, which needs no stoichiometric factor (capture
// refuses one event's assays of an element that disagree). Sorted by
// analyte.
func LatestAssays(list []critmin.Assay) []critmin.Assay {
	best, order := latestAssayIndex(list)
	out := make([]critmin.Assay, 0, len(order))
	for _, k := range order {
		out = append(out, list[best[k]])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Analyte < out[j].Analyte })
	return out
}

// SupersededBy says, for each assay of list, which assay supersedes it:
// nil for an assay in effect (LatestAssays), else the newer assay of the
// same element that every figure reads instead. A superseded assay stays
// in the record, but holds no contained tonnes of its own: listing both
// with contained figures would count the element twice (the lot page,
// `critmin lot show` and the lot JSON mark it, naming the event and date
// that superseded it).
func SupersededBy(list []critmin.Assay) []*critmin.Assay {
	best, _ := latestAssayIndex(list)
	out := make([]*critmin.Assay, len(list))
	for i, a := range list {
		if j := best[units.ElementOf(a.Analyte)]; j != i {
			b := list[j]
			out[i] = &b
		}
	}
	return out
}

// latestAssayIndex is the index in list of the assay in effect for each
// element (LatestAssays), and the elements in order of first appearance.
func latestAssayIndex(list []critmin.Assay) (map[string]int, []string) {
	best := map[string]int{}
	var order []string
	for i, a := range list {
		key := units.ElementOf(a.Analyte)
		j, seen := best[key]
		if !seen {
			order = append(order, key)
			best[key] = i
			continue
		}
		b := list[j]
		switch {
		case a.At.After(b.At):
			best[key] = i
		case !a.At.Equal(b.At):
		case a.Basis == "dry" && b.Basis != "dry":
			best[key] = i
		case a.Basis == b.Basis && a.Analyte == key && b.Analyte != key:
			best[key] = i
		}
	}
	return best, order
}

// SameTimeConflicts returns, per analyte, why a lot's newest assays of
// it cannot be used: two or more assays at that same newest time on the
// same basis that state different values (or units) — two statements of
// one measurement that disagree, as raw EPCIS captures can hold. Which
// of them is right the ledger cannot tell, so neither stands in
// (LatestAssays would keep whichever came first). Analytes without a
// conflict are absent.
func SameTimeConflicts(list []critmin.Assay) map[string]string {
	newest := map[string]time.Time{}
	for _, a := range list {
		if t, ok := newest[a.Analyte]; !ok || a.At.After(t) {
			newest[a.Analyte] = a.At
		}
	}
	first := map[[2]string]critmin.Assay{}
	out := map[string]string{}
	for _, a := range list {
		if !a.At.Equal(newest[a.Analyte]) || out[a.Analyte] != "" {
			continue
		}
		k := [2]string{a.Analyte, a.Basis}
		b, seen := first[k]
		if !seen {
			first[k] = a
			continue
		}
		if b.Value != a.Value || b.Unit != a.Unit {
			out[a.Analyte] = fmt.Sprintf("two %s assays of %s at the same time %s disagree: %s %s (event %s) and %s %s (event %s); declare the wrong one in error (errorDeclaration, EPCIS 2.0 §7.4.1.2)",
				a.Basis, a.Analyte, a.At.UTC().Format(time.RFC3339), critmin.PlainNumber(b.Value), b.Unit, b.EventID, critmin.PlainNumber(a.Value), a.Unit, a.EventID)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// OnBasis is an assay's value on the dry basis (dry true) or as received,
// in its own unit, converted with the moisture measured with the assay,
// else the lot's: dry = as received ÷ (1 − m), as received = dry × (1 − m).
// false when a conversion is needed and no moisture in [0, 1) is known.
func OnBasis(a critmin.Assay, lotMoisture *float64, dry bool) (float64, bool) {
	if dry {
		return DryValue(a, lotMoisture)
	}
	switch a.Basis {
	case "as_received":
		return a.Value, true
	case "dry":
		m := a.Moisture
		if m == nil {
			m = lotMoisture
		}
		if m == nil || *m < 0 || *m >= 1 {
			return 0, false
		}
		return a.Value * (1 - *m), true
	}
	return 0, false
}

// UnconvertedNote says why a lot's newest assay of an analyte gives no
// grade on the basis wanted: it is on the other basis and no moisture is
// known to convert it. The older assay on the wanted basis is not used in
// its place: it is superseded.
func UnconvertedNote(lot string, a critmin.Assay, dry bool) string {
	want := "dry"
	if !dry {
		want = "as-received"
	}
	return fmt.Sprintf("lot %s: the newest %s assay (%s basis, %s, event %s) cannot be converted to the %s basis: no moisture is known for it (cm:moisture with the assay, or the lot's); its %s grade is unknown, and an older assay does not stand in for it",
		epcis.Canonical(lot), a.Analyte, a.Basis, a.At.UTC().Format("2006-01-02"), a.EventID, want, a.Analyte)
}

// DryValue is an assay's value on the dry basis, in its own unit: a dry
// assay as it is; an as-received assay divided by (1 − moisture), with
// the moisture measured with it, else the lot's (ISO 12743 / ISO 10251:
// grade on a dry basis = grade as received / (1 − moisture fraction)).
// ok is false for an as-received assay without a moisture in [0, 1).
func DryValue(a critmin.Assay, lotMoisture *float64) (float64, bool) {
	switch a.Basis {
	case "dry":
		return a.Value, true
	case "as_received":
		m := a.Moisture
		if m == nil {
			m = lotMoisture
		}
		if m == nil || *m < 0 || *m >= 1 {
			return 0, false
		}
		return a.Value / (1 - *m), true
	}
	return 0, false
}

// sameParty reports whether a source may set a lot's party: none is known
// yet, or it names the same party in any spelling (epcis.Canonical: the
// PGLN as EPC URN or GS1 Digital Link).
func sameParty(current, source string) bool {
	return current == "" || epcis.Canonical(current) == epcis.Canonical(source)
}
