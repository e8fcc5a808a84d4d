package ledger

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// Dependent is an event of a lot whose effect changes when another event
// of the lot is declared in error (DeclarationDependents): a shipment
// that drew on what the declared event put where it left, a receipt
// that received what the declared event shipped, or a refinery run that
// took of what the declared event put at its site.
type Dependent struct {
	// EventID is the dependent event; Kind is DependentShipment,
	// DependentReceipt or DependentRun.
	EventID string
	Kind    string
	// BillOfLading, From and To are its part's (critmin.LotPart), Tonnes
	// the wet tonnes it shipped, or received, as it stated them; a run's
	// To is its site and Tonnes what its input line stated (0 when it
	// states none).
	BillOfLading string
	From, To     string
	Tonnes       float64
	// Owners are the owners of the holdings the shipment drew on before
	// the declaration (its part's as it left, Lot.PartOwners, replayed
	// with the declared event; a later receipt may pass the part to
	// another party): the party it named, or — naming none — whoever's
	// holding it took of; nil when none is known. Read after the
	// declaration, an ownerless shipment's part names no party and fell
	// back to the lot's owner (issue 15, fix15zh: the preview named
	// Frontier Works where the holding was USSM's).
	Owners []string
	// LeftFrom is what the shipment finds where it leaves once the
	// declaration takes effect (critmin.LotPart.LeftFrom): the holdings
	// that then stand there, which FromNothingText words (fix15zh).
	LeftFrom *critmin.LeftFrom
	// Flagged: once the declaration takes effect the shipment takes of
	// nothing (critmin.LotPart.FromRetracted) and is counted nowhere.
	// Nothing: the receipt receives nothing of the lot, or the run takes
	// nothing of it, Reason saying why (RunTookNothing).
	Flagged, Nothing bool
	Reason           string
}

// Kinds of Dependent.
const (
	DependentShipment = "shipment"
	DependentReceipt  = "receipt"
	DependentRun      = "run"
)

// DeclarationDependents lists the events of lot id that depend on event
// declared (its eventID) and what each does once declared is declared in
// error (EPCIS 2.0 §7.4.1.2: every projection ignores a declared event,
// Replay): the lot is replayed from its live events with and without
// declared, and
//   - a shipment whose part was counted and is then flagged — it shipped
//     from a receipt declared (a part of which it shipped on), or named a
//     source party whose holding the declaration takes away — is listed
//     Flagged, with what it shipped, whose holdings it drew on as it left
//     (the party it named, or — naming none — the holdings it took of:
//     fix15zh) and what stood where it left once declared is declared
//     (critmin.LotPart.LeftFrom) (lot NU-B1: declaring USSM's 12 t
//     receipt at Karachi flags the 6 t shipped from Karachi under NUB-3
//     naming USSM; issue 15, fix15q);
//   - a receipt that received a part and then receives nothing — the
//     shipment it closed is declared (ReceiptOfNothing), or it closes a
//     flagged part — is listed Nothing (declaring the NUB-1 shipment: its
//     12 t receipt at Karachi receives nothing);
//   - a run that took of the lot and then takes nothing — it names a
//     party whose holding at its site the declaration takes away
//     (RunTookNothing) — is listed Nothing, with the reason (issue 15,
//     fix15za: declaring B's receipt at S listed nothing, and the run
//     at S naming B silently took nothing).
//
// events must hold every live event of the lot (as Replay; lines naming
// it in any spelling of one canonical form). Shipments in the order of
// the lot's parts, then receipts and runs in event-time order; nil when
// nothing depends on declared.
func DeclarationDependents(id string, events []*critmin.Event, declared string) []Dependent {
	var kept []*critmin.Event
	for _, ev := range events {
		if ev.EventID != declared {
			kept = append(kept, ev)
		}
	}
	b, bNothing, bRuns, bOwners := replayReceipts(id, events)
	a, aNothing, aRuns, _ := replayReceipts(id, kept)
	if b.EventCount == 0 || a.EventCount == 0 {
		return nil
	}
	var out []Dependent
	for _, p := range a.Parts {
		if !p.FromRetracted || p.ShipEventID == declared {
			continue
		}
		was, ok := ShippedPart(b, p.ShipEventID)
		if ok && was.FromRetracted {
			continue // flagged already
		}
		owners := a.PartOwners(p)
		if o, drew := bOwners[p.ShipEventID]; ok && drew {
			owners = o // the holdings it drew on, as it left
		}
		out = append(out, Dependent{EventID: p.ShipEventID, Kind: DependentShipment, BillOfLading: p.BillOfLading, From: p.From, To: p.To, Tonnes: p.Tonnes,
			Owners: owners, LeftFrom: p.LeftFrom, Flagged: true})
	}
	for _, ev := range EventTimeOrder(kept) {
		if why, ok := aRuns[ev.EventID]; ok {
			if _, was := bRuns[ev.EventID]; !was {
				d := Dependent{EventID: ev.EventID, Kind: DependentRun, To: eventSite(ev), Nothing: true, Reason: why}
				for _, q := range ev.LotLines() {
					if q.Role == critmin.RoleInput && epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
						t, _ := lineTonnes(q)
						d.Tonnes += t
					}
				}
				out = append(out, d)
			}
			continue
		}
		if !aNothing[ev.EventID] || bNothing[ev.EventID] {
			continue
		}
		d := Dependent{EventID: ev.EventID, Kind: DependentReceipt, BillOfLading: billOfLading(ev), To: eventSite(ev), Nothing: true}
		for _, q := range ev.Quantities {
			if epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
				d.Tonnes, _ = lineTonnes(q)
			}
		}
		for _, p := range b.Parts {
			if p.ReceiptEventID == ev.EventID {
				d.From = p.From
			}
		}
		out = append(out, d)
	}
	return out
}

// replayReceipts is Replay of lot id alone (lines naming it in any
// spelling of its canonical form; the other lots events name projected
// into scratch copies) and the receipts of it that receive
// nothing: a receipt of a shipment no live event carried
// (ReceiptOfNothing), or of a part shipped from nothing
// (critmin.LotPart.FromRetracted), by eventID; the runs that take
// nothing of it, with why (RunTookNothing), by eventID; and the owners
// of each part as its dispatch left (Lot.PartOwners just after it, by
// its eventID): whose holdings it drew on, which its receipt may pass
// to another party later (fix15zh).
func replayReceipts(id string, events []*critmin.Event) (*critmin.Lot, map[string]bool, map[string]string, map[string][]string) {
	l := &critmin.Lot{ID: id}
	nothing := map[string]bool{}
	runs := map[string]string{}
	owners := map[string][]string{}
	for _, ev := range EventTimeOrder(events) {
		if !Live(ev) {
			continue
		}
		view := make(map[string]*critmin.Lot, len(ev.Quantities))
		named := false
		for _, other := range ev.LotIDs() {
			if epcis.Canonical(other) == epcis.Canonical(id) {
				view[other], named = l, true
			} else {
				view[other] = &critmin.Lot{ID: other}
			}
		}
		receipt := named && ev.Type == critmin.ObjectEvent && receiptSteps[stepOf(ev.BizStep)]
		empty := receipt && ReceiptOfNothing(l, ev)
		if why, ok := RunTookNothing(l, ev); named && ok {
			runs[ev.EventID] = why
		}
		Project(view, ev)
		for _, p := range l.Parts {
			empty = empty || receipt && p.ReceiptEventID == ev.EventID && p.FromRetracted
		}
		if empty {
			nothing[ev.EventID] = true
		}
		if p, ok := ShippedPart(l, ev.EventID); named && ok {
			if _, seen := owners[ev.EventID]; !seen {
				owners[ev.EventID] = l.PartOwners(p)
			}
		}
	}
	return l, nothing, runs, owners
}
