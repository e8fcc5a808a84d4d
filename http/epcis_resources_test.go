package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// resourceDoc is one ObjectEvent whose values the value resources of the
// REST binding answer for: an SGTIN EPC, a CBV bizStep and disposition
// (short names), an SGLN read point and business location.
const resourceDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:uuid:7a000000-0000-4000-8000-000000000001",
  "eventTime": "2026-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"],
  "bizStep": "shipping", "disposition": "in_transit",
  "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"}, "bizLocation": {"id": "urn:epc:id:sgln:0614141.00888.0"}}]}}`

// TestEPCISValueResources: the binding's GET /{resource}/{value} answers
// a Collection of ["events"] for a value some event carries — whichever
// spelling the path uses (URN, GS1 Digital Link, CBV short name), as
// /{resource}/{value}/events reads it — with GS1-EPCIS-Version,
// GS1-CBV-Version and GS1-Extensions (200TopLevelOrEventTypeSubResource),
// 404 NoSuchResourceException for a value no event carries, a 400
// naming a query parameter (none is defined), and the same 404/204 on
// OPTIONS.
func TestEPCISValueResources(t *testing.T) {
	ts := MustServe(t, false, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(resourceDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	known := map[string][]string{
		"eventTypes":   {"ObjectEvent"},
		"epcs":         {"urn:epc:id:sgtin:0614141.107346.2018", "https://id.gs1.org/01/10614141073464/21/2018"},
		"bizSteps":     {"shipping", "urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping"},
		"dispositions": {"in_transit", "urn:epcglobal:cbv:disp:in_transit"},
		"readPoints":   {"urn:epc:id:sgln:0614141.00777.0", "https://id.gs1.org/414/0614141007776"},
		"bizLocations": {"urn:epc:id:sgln:0614141.00888.0", "https://id.gs1.org/414/0614141008889"},
	}
	unknown := map[string]string{
		"eventTypes":   "TransformationEvent",
		"epcs":         "urn:epc:id:sgtin:0614141.107346.2019",
		"bizSteps":     "receiving",
		"dispositions": "in_progress",
		"readPoints":   "urn:epc:id:sgln:0614141.00888.0",
		"bizLocations": "urn:epc:id:sgln:0614141.00777.0",
	}
	for res, vals := range known {
		for _, v := range vals {
			u := ts.URL + "/epcis/" + res + "/" + url.PathEscape(v)
			resp, b := do(t, "GET", u, viewerSecret, nil, nil)
			if resp.StatusCode != 200 {
				t.Errorf("GET %s/%s: %d %s", res, v, resp.StatusCode, b)
				continue
			}
			var c struct {
				Type   string   `json:"type"`
				Member []string `json:"member"`
			}
			if err := json.Unmarshal(b, &c); err != nil || c.Type != "Collection" || len(c.Member) != 1 || c.Member[0] != "events" {
				t.Errorf("GET %s/%s: %s", res, v, b)
			}
			for _, h := range []string{"GS1-EPCIS-Version", "GS1-CBV-Version", "GS1-Extensions"} {
				if resp.Header.Get(h) == "" {
					t.Errorf("GET %s/%s: no %s header", res, v, h)
				}
			}
			// The events sub-resource it names has the event.
			resp, b = do(t, "GET", u+"/events", viewerSecret, nil, nil)
			if resp.StatusCode != 200 || !strings.Contains(string(b), "7a000000-0000-4000-8000-000000000001") {
				t.Errorf("GET %s/%s/events: %d %s", res, v, resp.StatusCode, b)
			}
			if resp, b := do(t, "OPTIONS", u, "", nil, nil); resp.StatusCode != 204 || resp.Header.Get("GS1-EPCIS-Min") != "2.0.0" || !strings.Contains(resp.Header.Get("Allow"), "GET") {
				t.Errorf("OPTIONS %s/%s: %d %v %s", res, v, resp.StatusCode, resp.Header, b)
			}
		}
		u := ts.URL + "/epcis/" + res + "/" + url.PathEscape(unknown[res])
		resp, b := do(t, "GET", u, viewerSecret, nil, nil)
		if p := mustProblem(t, resp, b, 404); p.Type != "epcisException:NoSuchResourceException" {
			t.Errorf("GET %s/%s: type %q", res, unknown[res], p.Type)
		}
		resp, b = do(t, "OPTIONS", u, "", nil, nil)
		mustProblem(t, resp, b, 404)
		resp, b = do(t, "GET", ts.URL+"/epcis/"+res+"/"+url.PathEscape(vals[0])+"?perPage=2", viewerSecret, nil, nil)
		if p := mustProblem(t, resp, b, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != "perPage" {
			t.Errorf("GET %s/%s?perPage=2: %s", res, vals[0], b)
		}
	}
	// A value the query engine refuses is a 400 naming the path parameter.
	resp, b := do(t, "GET", ts.URL+"/epcis/eventTypes/NoSuchEvent", viewerSecret, nil, nil)
	if p := mustProblem(t, resp, b, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != "eventType" {
		t.Errorf("GET eventTypes/NoSuchEvent: %s", b)
	}
}

// TestEPCISRoot: GET on the binding's root lists the top-level resources
// (200SupportedTopLevel), each of which answers GET; a query parameter
// is a 400 naming it; OPTIONS answers 204 with the discovery headers.
func TestEPCISRoot(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, root := range []string{"/epcis/", "/epcis"} {
		resp, b := do(t, "GET", ts.URL+root, viewerSecret, nil, nil)
		var c struct {
			Type   string   `json:"type"`
			Member []string `json:"member"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(b, &c) != nil || c.Type != "Collection" {
			t.Fatalf("GET %s: %d %s", root, resp.StatusCode, b)
		}
		want := "queries capture events eventTypes epcs readPoints bizLocations dispositions bizSteps"
		if got := strings.Join(c.Member, " "); got != want {
			t.Errorf("GET %s members %q, want %q", root, got, want)
		}
		for _, m := range c.Member {
			if resp, b := do(t, "GET", ts.URL+"/epcis/"+m, viewerSecret, nil, nil); resp.StatusCode != 200 {
				t.Errorf("GET /epcis/%s listed by the root: %d %s", m, resp.StatusCode, b)
			}
		}
		resp, b = do(t, "GET", ts.URL+root+"?foo=1", viewerSecret, nil, nil)
		if p := mustProblem(t, resp, b, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != "foo" {
			t.Errorf("GET %s?foo=1: %s", root, b)
		}
		resp, _ = do(t, "OPTIONS", ts.URL+root, "", nil, nil)
		if resp.StatusCode != 204 || resp.Header.Get("GS1-EPCIS-Version") != "2.0.0" || !strings.Contains(resp.Header.Get("Allow"), "GET") {
			t.Errorf("OPTIONS %s: %d %v", root, resp.StatusCode, resp.Header)
		}
	}
	if resp, _ := do(t, "GET", ts.URL+"/epcis/", "", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /epcis/ without a token: %d, want 401", resp.StatusCode)
	}
}

// TestPageTokenDelete: the binding's optional DELETE /nextPageToken/{token}
// answers 501 for a live token this server issued (its tokens hold no
// server resource), and 400 naming the token for one it did not issue.
func TestPageTokenDelete(t *testing.T) {
	ts := MustServe(t, false, nil)
	doc := strings.Replace(resourceDoc, `}]}}`, `}, {"type": "ObjectEvent", "eventID": "urn:uuid:7a000000-0000-4000-8000-000000000002", "eventTime": "2026-01-01T00:00:01Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.2020"]}]}}`, 1)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "GET", ts.URL+"/epcis/events?perPage=1", viewerSecret, nil, nil)
	link := resp.Header.Get("Link")
	i, j := strings.Index(link, "<"), strings.Index(link, ">")
	if resp.StatusCode != 200 || i < 0 || j < i {
		t.Fatalf("first page: %d Link %q %s", resp.StatusCode, link, b)
	}
	next, _ := url.Parse(link[i+1 : j])
	tok := next.Query().Get("nextPageToken")
	resp, b = do(t, "DELETE", ts.URL+"/epcis/nextPageToken/"+url.PathEscape(tok), viewerSecret, nil, nil)
	if p := mustProblem(t, resp, b, 501); p.Type != "epcisException:ImplementationException" {
		t.Errorf("DELETE live token: %s", b)
	}
	resp, b = do(t, "DELETE", ts.URL+"/epcis/nextPageToken/"+url.PathEscape(tok+"x"), viewerSecret, nil, nil)
	if p := mustProblem(t, resp, b, 400); len(p.Errors) != 1 || p.Errors[0].Pointer != "token" {
		t.Errorf("DELETE altered token: %s", b)
	}
	if resp, _ := do(t, "OPTIONS", ts.URL+"/epcis/nextPageToken/"+url.PathEscape(tok), "", nil, nil); resp.StatusCode != 204 || !strings.Contains(resp.Header.Get("Allow"), "DELETE") {
		t.Errorf("OPTIONS nextPageToken: %d %v", resp.StatusCode, resp.Header)
	}
}
