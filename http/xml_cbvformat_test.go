package http_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

// TestXMLCBVFormats: GS1-CBV-XML-Format chooses the form of standard CBV
// values in XML results (openapi.yaml components/parameters/
// GS1-CBV-XML-Format; the XSD types them xsd:anyURI, and GS1's own
// SensorDataExamples.xml writes a Web URI). One event is captured in JSON
// with bare CBV values and an EPC URN, a second in JSON with a Web URI
// business step; a third in XML with a URN business step and a Web URI
// disposition. Each format is asked for together with
// GS1-EPC-Format: Always_GS1_Digital_Link, so that identifiers are
// translated in XML as in JSON; each answer must read back as valid EPCIS
// with the same events.
func TestXMLCBVFormats(t *testing.T) {
	ts := MustServe(t, false, nil)
	jsonDoc := `{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-01T00:00:00Z","epcisBody":{"eventList":[
	{"type":"ObjectEvent","eventID":"urn:uuid:52000000-0000-4000-8000-000000000001","eventTime":"2025-10-01T08:00:00Z","eventTimeZoneOffset":"+00:00",
	 "epcList":["urn:epc:id:sgtin:0614141.107346.2018"],"action":"OBSERVE","bizStep":"shipping","disposition":"in_transit",
	 "bizTransactionList":[{"type":"po","bizTransaction":"urn:epcglobal:cbv:bt:0614141000005:PO-1"}],
	 "sourceList":[{"type":"owning_party","source":"urn:epc:id:pgln:0614141.00000"}],
	 "persistentDisposition":{"set":["completeness_verified"]}},
	{"type":"ObjectEvent","eventID":"urn:uuid:52000000-0000-4000-8000-000000000003","eventTime":"2025-10-01T10:00:00Z","eventTimeZoneOffset":"+00:00",
	 "epcList":["urn:epc:id:sgtin:0614141.107346.2020"],"action":"OBSERVE","bizStep":"https://ref.gs1.org/cbv/BizStep-packing"}]}}`
	resp, body := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(jsonDoc), nil)
	if resp.StatusCode != 202 {
		t.Fatalf("JSON capture: %d %s", resp.StatusCode, body)
	}
	xmlDoc := xmlHead + `<ObjectEvent><eventTime>2025-10-01T09:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
		<eventID>urn:uuid:52000000-0000-4000-8000-000000000002</eventID><epcList><epc>urn:epc:id:sgtin:0614141.107346.2019</epc></epcList><action>OBSERVE</action>
		<bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep><disposition>https://ref.gs1.org/cbv/Disp-in_progress</disposition></ObjectEvent>` + xmlTail
	resp, body = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(xmlDoc), xmlCT)
	if resp.StatusCode != 202 {
		t.Fatalf("XML capture: %d %s", resp.StatusCode, body)
	}
	// The Digital Link of urn:epc:id:sgtin:0614141.107346.2018: the item
	// reference's first digit (1) is the indicator, so the GTIN is
	// 1 0614141 07346 + check digit. Weights 3,1,3,… from the right over
	// 1061414107346: 6·3+4·1+3·3+7·1+0·3+1·1+4·3+1·1+4·3+1·1+6·3+0·1+1·3
	// = 18+4+9+7+0+1+12+1+12+1+18+0+3 = 86; check digit (90 − 86) = 4.
	const dl = "https://id.gs1.org/01/10614141073464/21/2018"
	for _, c := range []struct {
		format string
		want   []string // in the answer
		absent []string
	}{
		{"", // No_Preference by default: URNs
			[]string{"<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>", "<disposition>urn:epcglobal:cbv:disp:in_transit</disposition>",
				`type="urn:epcglobal:cbv:btt:po"`, `type="urn:epcglobal:cbv:sdt:owning_party"`, "<set>urn:epcglobal:cbv:disp:completeness_verified</set>",
				"<bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>", "<disposition>urn:epcglobal:cbv:disp:in_progress</disposition>",
				"<bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>"},
			[]string{"ref.gs1.org/cbv"}},
		{"Always_URN",
			[]string{"<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>", "<disposition>urn:epcglobal:cbv:disp:in_progress</disposition>",
				"<bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>"},
			[]string{"ref.gs1.org/cbv"}},
		{"Always_Web_URI",
			[]string{"<bizStep>https://ref.gs1.org/cbv/BizStep-shipping</bizStep>", "<disposition>https://ref.gs1.org/cbv/Disp-in_transit</disposition>",
				`type="https://ref.gs1.org/cbv/BTT-po"`, `type="https://ref.gs1.org/cbv/SDT-owning_party"`, "<set>https://ref.gs1.org/cbv/Disp-completeness_verified</set>",
				"<bizStep>https://ref.gs1.org/cbv/BizStep-receiving</bizStep>", "<disposition>https://ref.gs1.org/cbv/Disp-in_progress</disposition>",
				"<bizStep>https://ref.gs1.org/cbv/BizStep-packing</bizStep>"},
			[]string{"urn:epcglobal:cbv:bizstep", "urn:epcglobal:cbv:disp", "urn:epcglobal:cbv:btt", "urn:epcglobal:cbv:sdt"}},
		// As stored: a Web URI captured in JSON stays one; JSON's bare
		// values are written as URNs, and so are XML captures' values,
		// which capture stores in the JSON binding's bare form.
		{"Never_Translates",
			[]string{"<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>", "<bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>",
				"<disposition>urn:epcglobal:cbv:disp:in_progress</disposition>", "<bizStep>https://ref.gs1.org/cbv/BizStep-packing</bizStep>"},
			[]string{"urn:epcglobal:cbv:bizstep:packing"}},
	} {
		h := map[string]string{"Accept": "application/xml", "GS1-EPC-Format": "Always_GS1_Digital_Link"}
		if c.format != "" {
			h["GS1-CBV-XML-Format"] = c.format
		}
		resp, body := do(t, "GET", ts.URL+"/epcis/events?perPage=10", viewerSecret, nil, h)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/xml" {
			t.Fatalf("%q: %d %s %s", c.format, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		s := string(body)
		for _, w := range append(c.want, "<epc>"+dl+"</epc>") {
			if !strings.Contains(s, w) {
				t.Errorf("%q: %s missing in\n%s", c.format, w, s)
			}
		}
		for _, a := range append(c.absent, "urn:epc:id:sgtin:0614141.107346.2018") {
			if strings.Contains(s, a) {
				t.Errorf("%q: %s present in\n%s", c.format, a, s)
			}
		}
		// The answer is valid EPCIS XML that reads back to both events,
		// their CBV values normalised to the same bare forms.
		x, err := epcis.FromXML(body, false)
		if err != nil {
			t.Fatalf("%q: answer does not read back: %v", c.format, err)
		}
		doc, err := epcis.ParseDocument(x.JSON, false)
		if err != nil {
			t.Fatalf("%q: answer is not valid EPCIS: %v", c.format, x.Translate(err))
		}
		if len(doc.Events) != 3 {
			t.Fatalf("%q: %d events read back, want 3", c.format, len(doc.Events))
		}
		for i, want := range []string{"shipping", "packing", "receiving"} {
			if got := epcis.NormalizeBizStep(doc.Events[i].(map[string]any)["bizStep"].(string)); got != want {
				t.Errorf("%q: event %d bizStep %q, want %q", c.format, i, got, want)
			}
		}
	}
	// The single-event resource honours the header too.
	resp, body = do(t, "GET", ts.URL+"/epcis/events/urn:uuid:52000000-0000-4000-8000-000000000001", viewerSecret, nil,
		map[string]string{"Accept": "application/xml", "GS1-CBV-XML-Format": "Always_Web_URI"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<bizStep>https://ref.gs1.org/cbv/BizStep-shipping</bizStep>") {
		t.Errorf("event resource, Always_Web_URI: %d %s", resp.StatusCode, body)
	}
	// OPTIONS announces the four values.
	resp, _ = do(t, "OPTIONS", ts.URL+"/epcis/events", "", nil, nil)
	if got := resp.Header.Get("GS1-CBV-XML-Format"); got != "No_Preference, Always_Web_URI, Always_URN, Never_Translates" {
		t.Errorf("OPTIONS GS1-CBV-XML-Format %q", got)
	}
}
