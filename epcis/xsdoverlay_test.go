package epcis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
)

// TestXSDOverlay: where GS1's JSON schema is narrower than its EPCIS 2.0
// XSD, both bindings follow the XSD — persistentDisposition on an
// AggregationEvent and a TransactionEvent (XSD ~lines 625, 712), a
// sensorReport without type (XSD line 490, use="optional") — while the
// schema's other rules still hold (persistentDisposition.set must be a
// list; an AssociationEvent, which the XSD does not give one, refuses it).
func TestXSDOverlay(t *testing.T) {
	const head = `"eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00"`
	for _, c := range []struct {
		name, event, refused string // refused: the pointer of the error, or "" for accepted
	}{
		{"aggregation persistentDisposition", `{"type": "AggregationEvent", ` + head + `, "action": "ADD", "parentID": "urn:epc:id:sscc:0614141.1234567890", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.1"], "persistentDisposition": {"set": ["completeness_verified"]}}`, ""},
		{"transaction persistentDisposition", `{"type": "TransactionEvent", ` + head + `, "action": "ADD", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1152"}], "persistentDisposition": {"unset": ["completeness_inferred"]}}`, ""},
		{"sensorReport without type", `{"type": "ObjectEvent", ` + head + `, "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "sensorElementList": [{"sensorReport": [{"exception": "ALARM_CONDITION", "deviceID": "urn:epc:id:giai:4000001.111"}]}]}`, ""},
		{"persistentDisposition set not a list", `{"type": "AggregationEvent", ` + head + `, "action": "ADD", "parentID": "urn:epc:id:sscc:0614141.1234567890", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.1"], "persistentDisposition": {"set": "completeness_verified"}}`, "/persistentDisposition/set"},
		{"association persistentDisposition", `{"type": "AssociationEvent", ` + head + `, "action": "ADD", "parentID": "urn:epc:id:grai:4012345.55555.987", "childEPCs": ["urn:epc:id:giai:4000001.12345"], "persistentDisposition": {"set": ["completeness_verified"]}}`, "/persistentDisposition"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := epcis.ParseDocument([]byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", "epcisBody": {"eventList": [`+c.event+`]}}`), false)
			if err != nil {
				t.Fatal(err)
			}
			_, e := d.Decode(0, time.Now())
			switch {
			case c.refused == "" && e != nil:
				t.Fatalf("refused: %v", e)
			case c.refused != "" && e == nil:
				t.Fatalf("accepted, want an error at %s", c.refused)
			case c.refused != "":
				found := false
				for _, f := range e.Fields {
					found = found || strings.HasSuffix(f.Pointer, c.refused)
				}
				if !found {
					t.Errorf("errors %+v do not name %s", e.Fields, c.refused)
				}
			}
		})
	}
}
