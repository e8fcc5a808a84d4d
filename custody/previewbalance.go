package custody

import (
	"context"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// PreviewElementGain weighs each element into and out of one
// TransformationEvent not yet captured, by the rule the ledger's element
// balance uses once it is (runBalance): in = Σ inputs' dry tonnes consumed
// × their stored grades; out = Σ outputs' dry tonnes × the grades the event
// gives them. It returns an element_gain anomaly per element whose outputs
// hold more than its inputs beyond the site's tolerance, worded as the
// ledger words it, so a form preview shows before capture what the lot
// page would flag after it. Other runs sharing the event's
// transformationID are not joined here: the preview weighs this event.
func PreviewElementGain(ctx context.Context, s Store, ev *critmin.Event) ([]Anomaly, error) {
	if ev == nil || ev.Type != critmin.TransformationEvent {
		return nil, nil
	}
	ev = canonicalLots(ev)
	var inputs, outputs []critmin.QuantityElement
	var ids []string
	for _, q := range ev.Quantities {
		switch q.Role {
		case critmin.RoleInput:
			inputs = append(inputs, q)
		case critmin.RoleOutput:
			outputs = append(outputs, q)
		default:
			continue
		}
		ids = append(ids, q.EPCClass)
	}
	if len(inputs) == 0 || len(outputs) == 0 {
		return nil, nil
	}
	stored, err := s.FindLotsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	lots := map[string]*critmin.Lot{}
	for _, l := range stored {
		c := *l
		lots[l.ID] = &c
	}
	view := map[string]*critmin.Lot{}
	for _, id := range ev.LotIDs() {
		if lots[id] == nil {
			lots[id] = &critmin.Lot{ID: id}
		}
		view[id] = lots[id]
	}
	// The outputs as the event makes them; inputs keep their stored
	// grades (Project merges facts into outputs only).
	ledger.Project(view, ev)
	details, err := s.SiteDetails(ctx)
	if err != nil {
		return nil, err
	}
	oc := newCalc(ctx, nil, siteMap(details))
	oc.lots = lots
	var edges []critmin.LotEdge
	for _, in := range inputs {
		for _, out := range outputs {
			if in.EPCClass == out.EPCClass {
				continue
			}
			edges = append(edges, critmin.LotEdge{Parent: in.EPCClass, Child: out.EPCClass, EventID: ev.EventID, Kind: ledger.LinkTransformation,
				ParentQty: in.Quantity, ParentUOM: in.UOM, ChildQty: out.Quantity, ChildUOM: out.UOM, EventTime: ev.EventTime, BizLocation: ev.BizLocation, Run: ev.TransformationID})
		}
	}
	rb := oc.runBalance(ev.EventID, edges)
	run := ev.TransformationID
	if run == "" {
		run = "event " + ev.EventID
	}
	var out []Anomaly
	for _, l := range rb.Elements {
		if l.Gain {
			out = append(out, Anomaly{Kind: "element_gain", Detail: l.gainDetail(run, rb.Site, nil, nil),
				Events: []string{ev.EventID}, Runs: nonEmpty(ev.TransformationID)})
		}
	}
	return out, nil
}
