package custody

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// capturedSpelling is container c (canonical) as event ev spells it in
// its epcList, childEPCs or parentID (ev.Raw), for a refusal to name it
// as the operator wrote it; c when ev does not spell it.
func capturedSpelling(ev *critmin.Event, c string) string {
	if len(ev.Raw) == 0 {
		return c
	}
	var ids struct {
		EPCList   []string `json:"epcList"`
		ChildEPCs []string `json:"childEPCs"`
		ParentID  string   `json:"parentID"`
	}
	if json.Unmarshal(ev.Raw, &ids) != nil {
		return c
	}
	for _, e := range append(append(ids.EPCList, ids.ChildEPCs...), ids.ParentID) {
		if e != "" && epcis.Canonical(e) == epcis.Canonical(c) {
			return e
		}
	}
	return c
}

// containersAtSeaWords names, for dispatch ev of lot l (l as it stood
// just before ev), each container ev names that is at sea on another
// trip of the lot — a part of l in transit that left in it
// (critmin.LotPart.Containers) under another bill of lading or from
// another dispatch — with that trip's shipping event and bill of lading:
// "" when none. A shipment of [K1, K2] with K1 still at sea was refused
// as carrying more than remained of the lot, naming neither K1 nor its
// trip (new-user check n8d s54).
func containersAtSeaWords(ev *critmin.Event, l *critmin.Lot) string {
	bol := bolOf(ev)
	var out []string
	for _, e := range ev.EPCs {
		c := epcis.Canonical(e.EPC)
		for _, p := range l.Parts {
			if p.Status != critmin.PartInTransit || p.FromRetracted || p.ShipEventID == ev.EventID || (bol != "" && p.BillOfLading == bol) {
				continue
			}
			on := false
			for _, pc := range p.Containers {
				on = on || epcis.Canonical(pc) == c
			}
			if !on {
				continue
			}
			trip := "shipping event " + orNoneStated(p.ShipEventID)
			if p.BillOfLading != "" {
				trip += ", bill of lading " + p.BillOfLading
			} else {
				trip += ", no bill of lading"
			}
			if p.From != "" {
				trip += ", from " + p.From
			}
			if p.To != "" {
				trip += " to " + p.To
			}
			out = append(out, fmt.Sprintf("container %s is at sea on another trip (%s) at %s, not received since", capturedSpelling(ev, e.EPC), trip, ev.EventTime.Format(time.RFC3339)))
			break
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "; " + strings.Join(out, "; ") + ": it cannot leave again before that trip's receipt — record its receipt first, or, if that shipment is wrong, declare it in error (errorDeclaration)"
}
