package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// dlDoc is one OBSERVE event of lot LOT-A and serial S-1 of GTIN
// 09521234543213 (check digit 3), spelt as given.
func dlDoc(n, class, epc string) []byte {
	return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-0000000dl10` + n + `", "eventTime": "2025-03-0` + n + `T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "epcList": ["` + epc + `"], "quantityList": [{"epcClass": "` + class + `", "quantity": 5, "uom": "KGM"}]}]}}`)
}

// TestDigitalLinkSpellingsOverHTTP: through the REST binding, a batch
// captured as a Digital Link with a percent-encoded letter (%41 is "A",
// RFC 3986 §6.2.2.2) and as the LGTIN URN is one lot; queries by either
// spelling find both events; a Digital Link with qualifiers out of their
// order, or with an unencoded "&", and an upper-case EPC scheme are
// answered 400 problem+json naming the field and the rule, in JSON and
// XML documents alike, and nothing is stored.
func TestDigitalLinkSpellingsOverHTTP(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot = "https://id.gs1.org/01/09521234543213/10/LOT-A"
	spellings := [][2]string{
		{"https://id.gs1.org/01/09521234543213/10/LOT-%41", "https://id.gs1.org/01/09521234543213/21/S-1"},
		{"urn:epc:class:lgtin:9521234.054321.LOT-A", "urn:epc:id:sgtin:9521234.054321.S-1"},
	}
	for i, sp := range spellings {
		if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, dlDoc(string(rune('1'+i)), sp[0], sp[1]), nil); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("capture %s: %d %s", sp[0], resp.StatusCode, b)
		}
	}
	for _, q := range []string{"MATCH_epcClass=" + url.QueryEscape(lot), "MATCH_epcClass=" + url.QueryEscape(spellings[0][0]), "MATCH_epcClass=" + url.QueryEscape(spellings[1][0]),
		"MATCH_epc=" + url.QueryEscape("https://id.gs1.org/01/09521234543213/21/%53-1"), "MATCH_epc=" + url.QueryEscape(spellings[1][1])} {
		_, d := getQuery(t, ts.URL+"/epcis/events?"+q, nil)
		if n := len(d.EpcisBody.QueryResults.ResultsBody.EventList); n != 2 {
			t.Errorf("%s: %d events, want 2", q, n)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots", viewerSecret, nil, nil)
	var lots struct {
		Lots []struct {
			ID         string `json:"id"`
			EventCount int    `json:"eventCount"`
		} `json:"lots"`
		Total int `json:"total"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &lots) != nil || lots.Total != 1 || lots.Lots[0].ID != lot {
		t.Errorf("lots: %d %s; want the one lot %s", resp.StatusCode, b, lot)
	}
	for _, sp := range spellings {
		if resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape(sp[0]), viewerSecret, nil, nil); resp.StatusCode != 200 || !strings.Contains(string(b), lot) {
			t.Errorf("lot by %s: %d %.300s", sp[0], resp.StatusCode, b)
		}
	}
	for _, c := range []struct{ class, epc, pointer, want string }{
		{lot, "https://id.gs1.org/01/09521234543213/21/S-1/10/LOT-A", "/epcisBody/eventList/0/epcList/0", "comes after AI 21"},
		{"https://id.gs1.org/01/09521234543213/10/L&T", "urn:epc:id:sgtin:9521234.054321.S-1", "/epcisBody/eventList/0/quantityList/0/epcClass", "%26"},
		{lot, "URN:EPC:ID:SGTIN:9521234.054321.S-1", "/epcisBody/eventList/0/epcList/0", "lower case"},
	} {
		resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, dlDoc("9", c.class, c.epc), nil)
		p := mustProblem(t, resp, b, http.StatusBadRequest)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != c.pointer || !strings.Contains(p.Errors[0].Reason, c.want) {
			t.Errorf("%s: %s; want %s named with %q", c.want, b, c.pointer, c.want)
		}
	}
	// The same rules for an XML document.
	xml := xmlHead + xmlObjectEvent(`<epcList><epc>https://id.gs1.org/01/09521234543213/21/S-1/10/LOT-A</epc></epcList><action>OBSERVE</action>`) + xmlTail
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(xml), xmlCT)
	if p := mustProblem(t, resp, b, http.StatusBadRequest); len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Pointer, "epcList") || !strings.Contains(p.Errors[0].Reason, "comes after AI 21") {
		t.Errorf("XML, qualifiers out of order: %s", b)
	}
	if n := eventCount(t, ts.Store); n != 2 {
		t.Errorf("%d events stored, want 2", n)
	}
}
