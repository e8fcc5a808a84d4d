package http_test

import (
	"net/http"
	"testing"
)

// TestEPCISHeadersAndLists: malformed GS1 headers are a 400 naming the
// header; every GS1-CBV-XML-Format of the binding is served, for XML
// (TestXMLCBVFormats checks the forms) and JSON alike; an empty
// element of a "|"-separated list is a 400 in every list-valued
// parameter, as an empty value is; OPTIONS on /epcis/capture advertises
// EPCIS 1.2.0 (1.2 XML is captured) and the query resources 2.0.0.
func TestEPCISHeadersAndLists(t *testing.T) {
	ts := MustServe(t, true, nil)
	xml := map[string]string{"Accept": "application/xml"}
	with := func(h map[string]string, k, v string) map[string]string {
		out := map[string]string{k: v}
		for a, b := range h {
			out[a] = b
		}
		return out
	}
	for _, c := range []struct {
		path    string
		headers map[string]string
		status  int
		named   string
	}{
		{"/epcis/events", map[string]string{"GS1-EPCIS-Min": "banana"}, 400, "GS1-EPCIS-Min"},
		{"/epcis/events", map[string]string{"GS1-CBV-Version": "2.x"}, 400, "GS1-CBV-Version"},
		{"/epcis/events", map[string]string{"GS1-CBV-XML-Format": "Always_GS1_Web_URI"}, 400, "GS1-CBV-XML-Format"},
		{"/epcis/events", with(xml, "GS1-CBV-XML-Format", "Always_Web_URI"), 200, ""},
		{"/epcis/events", with(xml, "GS1-CBV-XML-Format", "Never_Translates"), 200, ""},
		{"/epcis/events", with(xml, "GS1-CBV-XML-Format", "Always_URN"), 200, ""},
		{"/epcis/events", with(xml, "GS1-CBV-XML-Format", "No_Preference"), 200, ""},
		// JSON answers carry no CBV XML form: the header is moot.
		{"/epcis/events", map[string]string{"GS1-CBV-XML-Format": "Always_Web_URI"}, 200, ""},
		{"/epcis/events", map[string]string{"GS1-EPCIS-Version": "1.2.0"}, 406, "GS1-EPCIS-Version"},
		{"/epcis/events?EQ_bizStep=%7C%7C", nil, 400, "EQ_bizStep"},
		{"/epcis/events?EQ_bizStep=shipping%7C", nil, 400, "EQ_bizStep"},
		{"/epcis/events?EQ_bizStep=%7Cshipping", nil, 400, "EQ_bizStep"},
		{"/epcis/events?MATCH_epc=%7C", nil, 400, "MATCH_epc"},
		{"/epcis/events?eventType=ObjectEvent%7C%7CAggregationEvent", nil, 400, "eventType"},
		{"/epcis/events?EQ_bizStep=shipping%7Creceiving", nil, 200, ""},
	} {
		resp, b := do(t, "GET", ts.URL+c.path, viewerSecret, nil, c.headers)
		if c.status == 200 {
			if resp.StatusCode != 200 {
				t.Errorf("%s %v: %d %s", c.path, c.headers, resp.StatusCode, b)
			}
			continue
		}
		p := mustProblem(t, resp, b, c.status)
		if !hasPointer(p, c.named) {
			t.Errorf("%s %v: %s not named: %s", c.path, c.headers, c.named, b)
		}
	}
	// A 1.2 capture is negotiable on /epcis/capture; OPTIONS says so.
	resp, _ := do(t, "OPTIONS", ts.URL+"/epcis/capture", "", nil, nil)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("GS1-EPCIS-Min") != "1.2.0" || resp.Header.Get("GS1-EPCIS-Max") != "2.0.0" {
		t.Errorf("OPTIONS /epcis/capture: %d GS1-EPCIS-Min %q Max %q", resp.StatusCode, resp.Header.Get("GS1-EPCIS-Min"), resp.Header.Get("GS1-EPCIS-Max"))
	}
	resp, _ = do(t, "OPTIONS", ts.URL+"/epcis/events", "", nil, nil)
	if resp.Header.Get("GS1-EPCIS-Min") != "2.0.0" {
		t.Errorf("OPTIONS /epcis/events: GS1-EPCIS-Min %q, want 2.0.0 (queries answer in 2.0)", resp.Header.Get("GS1-EPCIS-Min"))
	}
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(`<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2" creationDate="2025-10-01T00:00:00Z"><EPCISBody><EventList/></EPCISBody></epcis:EPCISDocument>`),
		map[string]string{"Content-Type": "application/xml", "GS1-EPCIS-Version": "1.2.0"})
	if resp.StatusCode == http.StatusNotAcceptable || resp.StatusCode >= 500 {
		t.Errorf("1.2 capture with GS1-EPCIS-Version 1.2.0: %d %s", resp.StatusCode, b)
	}
}
