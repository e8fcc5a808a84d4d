package commercial

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// maxOwnershipLots bounds the lots (the lot and its ancestors) read to
// find who owned a lot: a processed lot's owner is its inputs' owner when
// its own events name none.
const maxOwnershipLots = 200

// arrivalTerms are the Incoterms 2020 rules under which the seller
// delivers at the place of destination (the D rules): the goods are
// delivered when they arrive. Under every other rule the seller delivers
// at shipment (to the carrier, alongside or on board at the port of
// loading; EXW at the seller's premises, which the ledger records no
// earlier than the shipment).
var arrivalTerms = map[string]bool{"DAP": true, "DPU": true, "DDP": true}

// delivery is when and by which event a lot was delivered under a
// contract, and how that was decided (for the error messages).
type delivery struct {
	At    time.Time
	Event string
	What  string
}

// deliveryOf finds the lot's delivery under the term sheet's Incoterms
// rule from its events (event-time order): the bill of lading (the first
// shipping event with a bizTransaction of type bol naming the lot) for
// the shipment rules; for the D rules the first receipt after it, or the
// bill of lading while the lot has not arrived (the seller then still
// holds it); the issue time when the ledger records no shipment.
func deliveryOf(ts *TermSheet, events []*critmin.Event, lot string, issued time.Time) delivery {
	var bl *critmin.Event
	for _, ev := range events {
		if !names(ev, lot) {
			continue
		}
		if bl == nil && ev.BizStep == "shipping" {
			for _, bt := range ev.BizTransactions {
				if bt.Type == "bol" {
					bl = ev
					break
				}
			}
			if bl != nil && !arrivalTerms[ts.Delivery.Incoterm] {
				break
			}
			continue
		}
		if bl != nil && ev.BizStep == "receiving" && !ev.EventTime.Before(bl.EventTime) {
			return delivery{At: ev.EventTime, Event: ev.EventID, What: fmt.Sprintf("arrival under %s (receipt event %s, %s)", ts.Delivery.Incoterm, ev.EventID, ev.EventTime.UTC().Format(time.RFC3339))}
		}
	}
	if bl != nil {
		what := fmt.Sprintf("shipment under %s (bill of lading event %s, %s)", ts.Delivery.Incoterm, bl.EventID, bl.EventTime.UTC().Format(time.RFC3339))
		if arrivalTerms[ts.Delivery.Incoterm] {
			what = fmt.Sprintf("shipment, not yet arrived under %s (bill of lading event %s, %s)", ts.Delivery.Incoterm, bl.EventID, bl.EventTime.UTC().Format(time.RFC3339))
		}
		return delivery{At: bl.EventTime, Event: bl.EventID, What: what}
	}
	return delivery{At: issued, What: fmt.Sprintf("the invoice's issue time %s (the ledger records no shipment of the lot)", issued.UTC().Format(time.RFC3339))}
}

// parties is a set of parties in canonical form (epcis.Canonical), each
// kept as first spelled.
type parties map[string]string

func (p parties) add(id string) {
	if id = strings.TrimSpace(id); id != "" {
		if _, ok := p[epcis.Canonical(id)]; !ok {
			p[epcis.Canonical(id)] = id
		}
	}
}

func (p parties) names() []string {
	out := make([]string, 0, len(p))
	for _, v := range p {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func owningParties(list []critmin.SourceDest, into parties) {
	for _, x := range list {
		if x.Type == "owning_party" {
			into.add(x.ID)
		}
	}
}

// ownersAt returns who owned a lot at the instant at, per the ledger
// (EPCIS owning_party sources and destinations, CBV §8.3.5): the owning
// party named as destination by the lot's latest event before at; the
// party an event at that very instant transfers it from (its owning_party
// source: ownership passes at delivery, so the delivering party owned it
// up to then) and, when nothing earlier names an owner, the destination
// of such an event; when no event up to at names an owner, the source of
// the first later event that transfers it (that party held it until
// then); else the lot's supplier (cm:supplier); else the owners of the
// lots it was made from at the time it was made. basis says which rule
// decided.
func ownersAt(ctx context.Context, store critmin.Store, lot *critmin.Lot, events []*critmin.Event, at time.Time, seen map[string]bool) (parties, string, error) {
	seen[lot.ID] = true
	owners := parties{}
	var prior parties
	priorEvent := ""
	for _, ev := range events {
		if !ev.EventTime.Before(at) {
			break
		}
		d := parties{}
		owningParties(ev.Destinations, d)
		if len(d) > 0 {
			prior, priorEvent = d, ev.EventID
		}
	}
	atSame := parties{}
	for _, ev := range events {
		if ev.EventTime.Equal(at) {
			owningParties(ev.Sources, atSame)
			if prior == nil {
				owningParties(ev.Destinations, atSame)
			}
		}
	}
	for k, v := range prior {
		owners[k] = v
	}
	for k, v := range atSame {
		owners[k] = v
	}
	if len(owners) > 0 {
		if priorEvent != "" {
			return owners, fmt.Sprintf("owning_party of event %s", priorEvent), nil
		}
		return owners, "owning_party of the delivery event", nil
	}
	for _, ev := range events {
		if ev.EventTime.After(at) {
			owningParties(ev.Sources, owners)
			if len(owners) > 0 {
				return owners, fmt.Sprintf("owning_party source of the later transfer %s", ev.EventID), nil
			}
		}
	}
	if lot.Supplier != "" {
		owners.add(lot.Supplier)
		return owners, "the lot's supplier (cm:supplier)", nil
	}
	// Made from other lots: their owners when it was made (its first
	// event), or at the delivery if that is earlier.
	made := at
	if len(events) > 0 && events[0].EventTime.Before(made) {
		made = events[0].EventTime
	}
	for _, id := range lot.Parents {
		if seen[id] || len(seen) >= maxOwnershipLots {
			continue
		}
		p, err := store.FindLot(ctx, id)
		if err != nil {
			if critmin.ErrorCode(err) == critmin.ENOTFOUND {
				continue
			}
			return nil, "", err
		}
		evs, _, err := lotEvents(ctx, store, p.ID, time.Time{})
		if err != nil {
			return nil, "", err
		}
		po, _, err := ownersAt(ctx, store, p, evs, made, seen)
		if err != nil {
			return nil, "", err
		}
		for k, v := range po {
			owners[k] = v
		}
	}
	if len(owners) > 0 {
		return owners, "the owners of the lots it was made from", nil
	}
	return owners, "", nil
}

// checkSellerOwns refuses to invoice a lot its contract's seller did not
// own at delivery. The delivery is the contract's Incoterms point
// (deliveryOf: the bill of lading, or the arrival under the D rules); the
// owner then is the ledger's (ownersAt), not the current one: a lot the
// seller delivered and the buyer has since sold on is still the seller's
// to invoice, and a party that acquired it after delivery may not invoice
// it. A lot whose chain of custody names no owner at all (no owning_party,
// no supplier, on it or on the lots it was made from) is refused too: the
// seller must be shown to own it. Both are ECONFLICT (409) naming the lot,
// the seller, the delivery and the owners the ledger does name. Parties
// compare in canonical form (epcis.Canonical), so one party spelled two
// ways is one party.
//
// cache, when not nil, keeps the lot's events and its owners at an
// instant for the next check of the same lot (refusalCache).
func checkSellerOwns(ctx context.Context, store critmin.Store, ts *TermSheet, lot *critmin.Lot, issued time.Time, cache *refusalCache) error {
	events, ok := []*critmin.Event(nil), false
	if cache != nil {
		events, ok = cache.events[lot.ID]
	}
	if !ok {
		var err error
		if events, _, err = lotEvents(ctx, store, lot.ID, time.Time{}); err != nil {
			return err
		}
		if cache != nil {
			cache.events[lot.ID] = events
		}
	}
	d := deliveryOf(ts, events, lot.ID, issued)
	var owners parties
	var basis string
	key := ownersKey{lot.ID, d.At}
	if a, ok := cache.ownersOf(key); ok {
		owners, basis = a.owners, a.basis
	} else {
		var err error
		if owners, basis, err = ownersAt(ctx, store, lot, events, d.At, map[string]bool{}); err != nil {
			return err
		}
		if cache != nil {
			cache.owners[key] = ownersAnswer{owners, basis}
		}
	}
	if _, ok := owners[epcis.Canonical(ts.Seller)]; ok {
		return nil
	}
	if _, ok := owners[epcis.Canonical(ts.Buyer)]; ok && len(owners) == 1 && soldTo(events, ts.Seller, ts.Buyer, d.At) {
		// Title passed to the contract's own buyer before delivery (in
		// transit, or on provisional payment): the seller sold it the
		// lot, so the seller invoices it.
		return nil
	}
	current := lot.Owner
	if current == "" {
		current = "none stated"
	}
	if len(owners) == 0 {
		return critmin.Errorf(critmin.ECONFLICT, "lot %s: no owner in its chain of custody — no event names an owning_party (source or destination) and no supplier (cm:supplier) is stated, on the lot or the lots it was made from — so the seller %s of contract %s is not shown to own it at delivery, %s; the seller must own the lot at delivery: record the ownership (an event with an owning_party destination %s before the delivery) and invoice again", lot.ID, ts.Seller, ts.ID, d.What, ts.Seller)
	}
	return critmin.Errorf(critmin.ECONFLICT, "lot %s: the seller %s of contract %s did not own it at delivery, %s — the ledger names as its owner then only %s (%s; current owner %s); an invoice is issued by the party that owned the lot at delivery, or by the seller whose buyer under this contract it had passed to (an event transferring it from the seller to the buyer, owning_party source and destination, by then)", lot.ID, ts.Seller, ts.ID, d.What, strings.Join(owners.names(), ", "), basis, current)
}

// ownersOf is the owners a refusalCache holds for a lot at an instant
// (ok false on a nil cache or a miss).
func (c *refusalCache) ownersOf(k ownersKey) (ownersAnswer, bool) {
	if c == nil {
		return ownersAnswer{}, false
	}
	a, ok := c.owners[k]
	return a, ok
}

// soldTo reports whether one of the lot's events up to at (inclusive)
// transfers it from seller to buyer: an owning_party source naming the
// seller and an owning_party destination naming the buyer.
func soldTo(events []*critmin.Event, seller, buyer string, at time.Time) bool {
	for _, ev := range events {
		if ev.EventTime.After(at) {
			break
		}
		from, to := parties{}, parties{}
		owningParties(ev.Sources, from)
		owningParties(ev.Destinations, to)
		_, f := from[epcis.Canonical(seller)]
		_, b := to[epcis.Canonical(buyer)]
		if f && b {
			return true
		}
	}
	return false
}
