package http_test

import (
	"strings"
	"testing"
)

// TestXSDOverlayByBinding: over HTTP, an AggregationEvent with a
// persistentDisposition and a sensorReport without type are captured in
// XML (the EPCIS 2.0 XSD admits both) and refused in JSON (GS1's JSON
// schema does not), each refusal naming the field; the refused JSON
// capture stores nothing.
func TestXSDOverlayByBinding(t *testing.T) {
	ts := MustServe(t, false, nil)
	xmlBody := xmlHead + `<AggregationEvent><eventTime>2025-10-01T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
		<parentID>urn:epc:id:sscc:0614141.1234567890</parentID><childEPCs><epc>urn:epc:id:sgtin:0614141.107346.1</epc></childEPCs><action>ADD</action>
		<persistentDisposition><set>urn:epcglobal:cbv:disp:completeness_verified</set></persistentDisposition></AggregationEvent>` +
		xmlObjectEvent(`<epcList><epc>urn:epc:id:sgtin:0614141.107346.2</epc></epcList><action>OBSERVE</action>
		<sensorElementList><sensorElement><sensorReport exception="ALARM_CONDITION" deviceID="urn:epc:id:giai:4000001.111"/></sensorElement></sensorElementList>`) + xmlTail
	resp, body := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(xmlBody), xmlCT)
	if resp.StatusCode != 202 {
		t.Fatalf("XML capture: %d %s", resp.StatusCode, body)
	}
	before := eventCount(t, ts.Store)
	if before != 2 {
		t.Fatalf("%d events after the XML capture, want 2", before)
	}
	const head = `"eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00"`
	jsonBody := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", "epcisBody": {"eventList": [
		{"type": "AggregationEvent", ` + head + `, "action": "ADD", "parentID": "urn:epc:id:sscc:0614141.1234567891", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.3"], "persistentDisposition": {"set": ["completeness_verified"]}},
		{"type": "ObjectEvent", ` + head + `, "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.4"], "sensorElementList": [{"sensorReport": [{"exception": "ALARM_CONDITION", "deviceID": "urn:epc:id:giai:4000001.111"}]}]}]}}`
	resp, body = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(jsonBody), nil)
	p := mustProblem(t, resp, body, 400)
	for _, want := range []string{"/epcisBody/eventList/0/persistentDisposition", "/epcisBody/eventList/1/sensorElementList/0/sensorReport/0/type"} {
		if !hasPointer(p, want) {
			t.Errorf("JSON refusal does not name %s: %s", want, body)
		}
	}
	if !strings.Contains(string(body), "type") {
		t.Errorf("JSON refusal does not say the sensorReport lacks its type: %s", body)
	}
	if n := eventCount(t, ts.Store); n != before {
		t.Errorf("%d events after the refused JSON capture, want %d", n, before)
	}
}
