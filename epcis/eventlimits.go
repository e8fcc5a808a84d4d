package epcis

import (
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// Per-event limits (issue 14, fix14 item 2). The document limits (32 MiB,
// 10,000 events) left one event unbounded: an event of 700,000 EPCs took
// 63 s and 545 MB to capture, and every read of it held it whole. An
// event over any of these is refused at capture, before it is validated
// (a 400, or under proceed an error of the job, naming the list and the
// limit); split it into several events (an aggregation per container,
// say). Generous for the corridor: a container of 10,000 bags is one
// event.
const (
	// MaxEventBytes bounds an event's JSON text (a streamed event, as
	// read from a JSON document or mapped from XML).
	MaxEventBytes = 2 << 20
	// MaxEventEPCs bounds the identifiers of epcList, childEPCs,
	// inputEPCList and outputEPCList together.
	MaxEventEPCs = 10_000
	// MaxEventQuantities bounds the quantity elements of quantityList,
	// childQuantityList, inputQuantityList and outputQuantityList together.
	MaxEventQuantities = 10_000
	// MaxEventSensorElements bounds sensorElementList; MaxEventSensorReports
	// the sensorReport entries of all its elements together.
	MaxEventSensorElements = 1_000
	MaxEventSensorReports  = 10_000
)

var (
	limitEPCLists      = []string{"epcList", "childEPCs", "inputEPCList", "outputEPCList"}
	limitQuantityLists = []string{"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)

// EventBytesError refuses an event's text of n bytes, over MaxEventBytes,
// at ptr; index is the event's position in its document counting from 0
// (-1 for a single event, POST /epcis/events).
func EventBytesError(ptr string, index, n int) *critmin.Error { return eventBytesError(ptr, index, n) }

// eventBytesError refuses an event's text over MaxEventBytes, naming the
// event's index (from 0; -1: a single event), its size and the limit.
// The size is of the event's JSON text: as sent in a JSON document, as
// mapped from XML (json.Marshal of the mapped event, the same whether the
// XML document is streamed or mapped whole).
func eventBytesError(ptr string, index, n int) *critmin.Error {
	which := "the event"
	if index >= 0 {
		which = fmt.Sprintf("event %d (counting from 0)", index)
	}
	return critmin.FieldErrorf(ptr, "%s is %s bytes, more than the per-event limit of %s bytes of JSON event text (2 MiB, epcis.MaxEventBytes, the same for JSON and XML); split it into several events", which, units.Int(n), units.Int(MaxEventBytes))
}

// eventSizeErrors counts an event's lists against the per-event limits,
// before anything else of it is checked: one error for each limit
// exceeded, at the list where the count went over.
func eventSizeErrors(obj map[string]any, ptr string) []critmin.FieldError {
	var errs []critmin.FieldError
	group := func(names []string, limit int, what, constant string) {
		total := 0
		for _, name := range names {
			l, _ := obj[name].([]any)
			total += len(l)
			if total > limit {
				errs = append(errs, critmin.FieldError{Pointer: ptr + "/" + name, Reason: fmt.Sprintf(
					"more than %s %s in one event (the per-event limit, %s, counts %s together); split it into several events", units.Int(limit), what, constant, joinNames(names))})
				return
			}
		}
	}
	group(limitEPCLists, MaxEventEPCs, "identifiers", "epcis.MaxEventEPCs")
	group(limitQuantityLists, MaxEventQuantities, "quantity elements", "epcis.MaxEventQuantities")
	sensors, _ := obj["sensorElementList"].([]any)
	if len(sensors) > MaxEventSensorElements {
		errs = append(errs, critmin.FieldError{Pointer: ptr + "/sensorElementList", Reason: fmt.Sprintf(
			"%s sensor elements, more than the per-event limit of %s (epcis.MaxEventSensorElements); split it into several events", units.Int(len(sensors)), units.Int(MaxEventSensorElements))})
		return errs
	}
	reports := 0
	for i, s := range sensors {
		m, _ := s.(map[string]any)
		r, _ := m["sensorReport"].([]any)
		reports += len(r)
		if reports > MaxEventSensorReports {
			errs = append(errs, critmin.FieldError{Pointer: fmt.Sprintf("%s/sensorElementList/%d/sensorReport", ptr, i), Reason: fmt.Sprintf(
				"more than %s sensor reports in one event (the per-event limit, epcis.MaxEventSensorReports, counts every sensor element's reports together); split it into several events", units.Int(MaxEventSensorReports))})
			break
		}
	}
	return errs
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			s += " and "
		default:
			s += ", "
		}
		s += n
	}
	return s
}
