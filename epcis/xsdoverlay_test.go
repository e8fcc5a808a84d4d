package epcis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"
)

// TestXSDOverlay: where GS1's JSON schema is narrower than its EPCIS 2.0
// XSD, an XML capture follows the XSD — persistentDisposition on an
// AggregationEvent and a TransactionEvent (XSD ~lines 625, 712), a
// sensorReport without type (XSD line 490, use="optional") — and a JSON
// capture follows the JSON schema as published, which forbids both
// (propertyNames of AggregationEvent/TransactionEvent; sensorReport
// required: ["type"]). The schema's other rules hold in both (an
// AssociationEvent, which the XSD does not give a persistentDisposition
// either, refuses it; persistentDisposition.set must be a list).
func TestXSDOverlay(t *testing.T) {
	const head = `"eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00"`
	for _, c := range []struct {
		name, event string
		// refusedJSON, refusedXML: the pointer of the error, or "" for
		// accepted.
		refusedJSON, refusedXML string
	}{
		{"aggregation persistentDisposition", `{"type": "AggregationEvent", ` + head + `, "action": "ADD", "parentID": "urn:epc:id:sscc:0614141.1234567890", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.1"], "persistentDisposition": {"set": ["completeness_verified"]}}`, "/persistentDisposition", ""},
		{"transaction persistentDisposition", `{"type": "TransactionEvent", ` + head + `, "action": "ADD", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1152"}], "persistentDisposition": {"unset": ["completeness_inferred"]}}`, "/persistentDisposition", ""},
		{"sensorReport without type", `{"type": "ObjectEvent", ` + head + `, "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "sensorElementList": [{"sensorReport": [{"exception": "ALARM_CONDITION", "deviceID": "urn:epc:id:giai:4000001.111"}]}]}`, "/sensorElementList/0/sensorReport/0/type", ""},
		{"sensorReport with type", `{"type": "ObjectEvent", ` + head + `, "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 4.5, "uom": "CEL"}]}]}`, "", ""},
		{"object persistentDisposition", `{"type": "ObjectEvent", ` + head + `, "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "persistentDisposition": {"set": ["completeness_verified"]}}`, "", ""},
		{"persistentDisposition set not a list", `{"type": "AggregationEvent", ` + head + `, "action": "ADD", "parentID": "urn:epc:id:sscc:0614141.1234567890", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.1"], "persistentDisposition": {"set": "completeness_verified"}}`, "/persistentDisposition", "/persistentDisposition/set"},
		{"association persistentDisposition", `{"type": "AssociationEvent", ` + head + `, "action": "ADD", "parentID": "urn:epc:id:grai:4012345.55555.987", "childEPCs": ["urn:epc:id:giai:4000001.12345"], "persistentDisposition": {"set": ["completeness_verified"]}}`, "/persistentDisposition", "/persistentDisposition"},
	} {
		for _, binding := range []struct {
			name    string
			parse   func([]byte, bool) (*epcis.Document, error)
			refused string
		}{{"JSON", epcis.ParseDocument, c.refusedJSON}, {"XML", epcis.ParseXMLDocument, c.refusedXML}} {
			t.Run(c.name+" "+binding.name, func(t *testing.T) {
				d, err := binding.parse([]byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", "epcisBody": {"eventList": [`+c.event+`]}}`), false)
				if err != nil {
					t.Fatal(err)
				}
				_, e := d.Decode(0, time.Now())
				switch {
				case binding.refused == "" && e != nil:
					t.Fatalf("refused: %v", e)
				case binding.refused != "" && e == nil:
					t.Fatalf("accepted, want an error at %s", binding.refused)
				case binding.refused != "":
					found := false
					for _, f := range e.Fields {
						found = found || strings.HasSuffix(f.Pointer, binding.refused)
					}
					if !found {
						t.Errorf("errors %+v do not name %s", e.Fields, binding.refused)
					}
				}
			})
		}
	}
}
