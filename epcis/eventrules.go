package epcis

import (
	"github.com/critmin/critmin"
)

// eventRuleErrors states, field by field, which cross-field rule of the
// standard an event breaks: the rules GS1's event schemas express as
// anyOf/not combinations over the whole event, whose failures the schema
// library can only report at the event with its alternatives ("'not'
// failed, or 'OBSERVE' does not match pattern '^DELETE$'"). Each error is
// at the field at fault (ptr + "/ilmd") with the rule in words and its
// clause. An event with an unknown action gets no action-dependent error:
// the action's own error says what is wrong.
//
// The rules mirror the schemas (schema/schemas/*-JSON-Schema.json, allOf
// after the properties):
//   - ObjectEvent (EPCIS 2.0 §7.4.2): ilmd only with action ADD; an
//     epcList, a non-empty quantityList, or a sensorElementList with a
//     readPoint;
//   - AggregationEvent (§7.4.3) and AssociationEvent (§7.4.6): childEPCs
//     or childQuantityList, non-empty, unless the action is DELETE;
//   - TransactionEvent (§7.4.4): an epcList or a non-empty quantityList
//     unless the action is DELETE;
//   - TransformationEvent (§7.4.5): inputs and outputs (inputEPCList or
//     inputQuantityList, outputEPCList or outputQuantityList, non-empty),
//     or a transformationID with at least one of them.
func eventRuleErrors(obj map[string]any, ptr string) []critmin.FieldError {
	var out []critmin.FieldError
	fail := func(field, reason string) {
		out = append(out, critmin.FieldError{Pointer: ptr + "/" + field, Reason: reason})
	}
	has := func(k string) bool { _, ok := obj[k]; return ok }
	nonEmpty := func(k string) bool { l, ok := obj[k].([]any); return ok && len(l) > 0 }
	action, _ := obj["action"].(string)
	knownAction := action == "ADD" || action == "OBSERVE" || action == "DELETE"
	typ, _ := obj["type"].(string)
	switch typ {
	case "ObjectEvent":
		if has("ilmd") && knownAction && action != "ADD" {
			fail("ilmd", "ilmd is allowed only with action ADD: it describes objects as they are commissioned, so an ObjectEvent with action "+action+" must omit it (EPCIS 2.0 §7.4.2)")
		}
		if _, isList := obj["epcList"].([]any); !isList && !nonEmpty("quantityList") && !(nonEmpty("sensorElementList") && has("readPoint")) {
			fail("epcList", "an ObjectEvent needs an epcList or a non-empty quantityList (or a sensorElementList with a readPoint) (EPCIS 2.0 §7.4.2)")
		}
	case "AggregationEvent", "AssociationEvent":
		if knownAction && action != "DELETE" && !nonEmpty("childEPCs") && !nonEmpty("childQuantityList") {
			clause := "§7.4.3"
			if typ == "AssociationEvent" {
				clause = "§7.4.6"
			}
			fail("childEPCs", "an "+typ+" with action "+action+" needs a non-empty childEPCs or childQuantityList; only action DELETE may omit both (EPCIS 2.0 "+clause+")")
		}
	case "TransactionEvent":
		if _, isList := obj["epcList"].([]any); knownAction && action != "DELETE" && !isList && !nonEmpty("quantityList") {
			fail("epcList", "a TransactionEvent with action "+action+" needs an epcList or a non-empty quantityList; only action DELETE may omit both (EPCIS 2.0 §7.4.4)")
		}
	case "TransformationEvent":
		in := nonEmpty("inputEPCList") || nonEmpty("inputQuantityList")
		outp := nonEmpty("outputEPCList") || nonEmpty("outputQuantityList")
		switch {
		case in && outp:
		case has("transformationID") && (in || outp):
		case !in && !outp:
			fail("inputEPCList", "a TransformationEvent needs inputs (inputEPCList or inputQuantityList) and outputs (outputEPCList or outputQuantityList), or a transformationID with at least one of them (EPCIS 2.0 §7.4.5)")
		case !in:
			fail("inputEPCList", "a TransformationEvent without a transformationID needs inputs (inputEPCList or inputQuantityList) as well as outputs (EPCIS 2.0 §7.4.5)")
		default:
			fail("outputEPCList", "a TransformationEvent without a transformationID needs outputs (outputEPCList or outputQuantityList) as well as inputs (EPCIS 2.0 §7.4.5)")
		}
	}
	return out
}
