package http_test

import (
	"strings"
	"testing"
)

// TestEventRuleMessages: a violation of one of the event schemas'
// cross-field rules (anyOf/not) is reported at the field at fault with the
// standard's rule in words, not as the schema's alternatives at the whole
// event; and a problem another error already names (an unknown action)
// is not repeated at the whole event.
func TestEventRuleMessages(t *testing.T) {
	srv := MustServe(t, false, nil)
	const head = `"eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00"`
	ev0 := "/epcisBody/eventList/0"
	for _, c := range []struct {
		name, event string
		want        map[string]string // pointer under the event → words
	}{
		{"ilmd with OBSERVE", `{"type": "ObjectEvent", ` + head + `, "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "ilmd": {"ex:lot": "1"}}`,
			map[string]string{"/ilmd": "ilmd is allowed only with action ADD"}},
		{"ilmd with DELETE", `{"type": "ObjectEvent", ` + head + `, "action": "DELETE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "ilmd": {"ex:lot": "1"}}`,
			map[string]string{"/ilmd": "ilmd is allowed only with action ADD"}},
		{"unknown action", `{"type": "ObjectEvent", ` + head + `, "action": "BOGUS", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}`,
			map[string]string{"/action": "BOGUS"}},
		{"object without what", `{"type": "ObjectEvent", ` + head + `, "action": "ADD"}`,
			map[string]string{"/epcList": "epcList or a non-empty quantityList"}},
		{"aggregation without children", `{"type": "AggregationEvent", ` + head + `, "action": "ADD", "parentID": "urn:epc:id:sscc:0614141.1234567890"}`,
			map[string]string{"/childEPCs": "childEPCs or childQuantityList"}},
		{"transaction without what", `{"type": "TransactionEvent", ` + head + `, "action": "ADD", "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1152"}]}`,
			map[string]string{"/epcList": "epcList or a non-empty quantityList"}},
		{"transformation without inputs or outputs", `{"type": "TransformationEvent", ` + head + `}`,
			map[string]string{"/inputEPCList": "input"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/nu11/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
			 "epcisBody": {"eventList": [` + c.event + `]}}`
			resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(doc), nil)
			p := mustProblem(t, resp, body, 400)
			if len(p.Errors) != len(c.want) {
				t.Errorf("%d errors, want %d: %s", len(p.Errors), len(c.want), body)
			}
			for _, e := range p.Errors {
				words, ok := c.want[strings.TrimPrefix(e.Pointer, ev0)]
				if !ok || !strings.Contains(e.Reason, words) {
					t.Errorf("error %s: %s; want one of %v", e.Pointer, e.Reason, c.want)
				}
				for _, jargon := range []string{"'not' failed", "does not match pattern '^", "the event:"} {
					if strings.Contains(e.Reason, jargon) {
						t.Errorf("error %s speaks schema: %s", e.Pointer, e.Reason)
					}
				}
			}
		})
	}
}
