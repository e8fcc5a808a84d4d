package custody

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// bodyAtSeaWords words what of lot l (as it stood at time at) is at sea
// as a whole — its body in transit — as the lot API lists it
// (LotView.InTransit: the body's shipment, ledger.BodyShipment, with its
// bill of lading): "under B1 (shipping event s1) in container D2", with
// the containers that shipment moved the lot in that no later receipt
// has taken off the trip. "" when the body is not in transit, nothing
// of it remains or no shipment is found.
// A run's refusal for more than stands at its site says it so
// (checkFedAtSite; new-user check n8e-6: [D1, D2] of L shipped under
// B1, [D1] alone received — the refusal read "0 t in transit, 4 t
// remaining at" the mine, where the lot API read 4 t in transit under
// B1).
func bodyAtSeaWords(ctx context.Context, s Store, l *critmin.Lot, at time.Time) (string, error) {
	if l == nil || l.Status != critmin.LotInTransit || l.RemainingWetTonnes() <= 1e-9 {
		return "", nil
	}
	q, ok := s.(eventQuerier)
	if !ok {
		return "", nil
	}
	end := at.Add(time.Nanosecond)
	page, err := q.FindEvents(ctx, critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: []string{l.ID}, Exact: true}}, LTEventTime: &end, OrderBy: "eventTime", Limit: 10000})
	if err != nil {
		return "", err
	}
	var evs []*critmin.Event
	seen := map[string]bool{}
	for _, e := range page.Events {
		if ledger.Live(e) && !seen[e.EventID] {
			seen[e.EventID] = true
			evs = append(evs, decodeStored(e))
		}
	}
	boxes := map[string][]string{} // eventID → containers it moved the lot in
	if cs, ok := s.(critmin.ContainerMovesStore); ok {
		moves, err := cs.ContainerMovesOfLot(ctx, l.ID)
		if err != nil {
			return "", err
		}
		var ids []string
		for _, m := range moves {
			if !slicesContains(boxes[m.EventID], m.Container) {
				boxes[m.EventID] = append(boxes[m.EventID], m.Container)
			}
			if !seen[m.EventID] {
				seen[m.EventID] = true
				ids = append(ids, m.EventID)
			}
		}
		if len(ids) > 0 {
			got, err := q.FindEvents(ctx, critmin.EventFilter{EventIDs: ids, LTEventTime: &end, Limit: 10000})
			if err != nil {
				return "", err
			}
			for _, e := range got.Events {
				if ledger.Live(e) {
					evs = append(evs, decodeStored(e))
				}
			}
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].EventTime.Before(evs[j].EventTime) })
	ship := ledger.BodyShipment(l, evs)
	if ship == nil {
		return "", nil
	}
	out := ""
	for _, b := range ship.BizTransactions {
		if stepName(b.Type) == "bol" {
			out += "under " + b.ID + " "
			break
		}
	}
	out += fmt.Sprintf("(%s event %s)", stepName(ship.BizStep), ship.EventID)
	// The containers still on the trip: those the shipment moved the
	// lot in that no later receipt of the lot by container took off it;
	// each as the shipment spells it.
	byID := map[string]*critmin.Event{}
	for _, e := range evs {
		byID[e.EventID] = e
	}
	spelt := map[string]string{}
	for _, e := range ship.EPCs {
		spelt[epcis.Canonical(e.EPC)] = e.EPC
	}
	var on []string
	for _, c := range boxes[ship.EventID] {
		off := false
		for id, cs := range boxes {
			e := byID[id]
			if e == nil || id == ship.EventID || !e.EventTime.After(ship.EventTime) || !receiptStep(e.BizStep) {
				continue
			}
			off = off || slicesContains(cs, c)
		}
		if !off {
			if x := spelt[epcis.Canonical(c)]; x != "" {
				c = x
			}
			on = append(on, c)
		}
	}
	switch len(on) {
	case 0:
	case 1:
		out += " in container " + on[0]
	default:
		out += " in containers " + strings.Join(on, ", ")
	}
	return out, nil
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// receiptStep says whether a CBV business step ends a trip where it
// happens (ledger.PlaceAt's receipt steps).
func receiptStep(step string) bool {
	switch stepName(step) {
	case "receiving", "arriving", "unloading", "accepting":
		return true
	}
	return false
}
