package ledger

import "github.com/critmin/critmin"

// EventKind words what an event is in the corridor's terms, for messages
// that name an event by its kind: "commissioning", "refinery run",
// "packing", "unpacking", "shipment", "receipt", "sampling",
// "inspection", "weighing", or "event" (CBV 2.0 §7.1 business steps;
// EPCIS 2.0 §7.4 event types and actions). An OBSERVE that states
// quantities and no other step reads as a weighing.
func EventKind(ev *critmin.Event) string {
	step := stepOf(ev.BizStep)
	switch {
	case ev.Type == critmin.TransformationEvent:
		return "refinery run"
	case ev.Type == critmin.AggregationEvent && ev.Action == "DELETE":
		return "unpacking"
	case ev.Type == critmin.AggregationEvent:
		return "packing"
	case Commissions(ev) || step == "commissioning":
		return "commissioning"
	}
	switch step {
	case "shipping", "departing", "loading", "transporting":
		return "shipment"
	case "receiving", "arriving", "accepting", "unloading":
		return "receipt"
	case "sampling":
		return "sampling"
	case "inspecting":
		return "inspection"
	case "sensor_reporting", "cycle_counting", "":
		if len(ev.Quantities) > 0 || len(ev.Sensors) > 0 {
			return "weighing"
		}
	case "packing":
		return "packing"
	case "unpacking":
		return "unpacking"
	}
	if ev.Type == critmin.ObjectEvent && ev.Action == "ADD" {
		return "commissioning"
	}
	return "event"
}
