package http_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestEPCISOptions: OPTIONS on every /epcis path answers 204 without a
// token, its Allow naming OPTIONS and every method registered on the path,
// with the discovery headers of the EPCIS 2.0 REST binding (OpenAPI
// components/responses 204CaptureEndpointDiscovery and
// 204DefaultDiscoveryResponse).
func TestEPCISOptions(t *testing.T) {
	ts := MustServe(t, false, &ledger.Limits{MaxEvents: 7, MaxBytes: 12345})
	methods := map[string][]string{}
	for _, r := range ts.Routes() {
		m, p, _ := strings.Cut(r, " ")
		if p == "/epcis" || strings.HasPrefix(p, "/epcis/") {
			methods[p] = append(methods[p], m)
		}
	}
	if len(methods) < 10 {
		t.Fatalf("only %d /epcis paths registered: %v", len(methods), methods)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	// A named query and a subscription exist: OPTIONS on them answers;
	// on a missing one it is a 404.
	createQuery(t, ts.URL, "opts", `{}`)
	resp, b := do(t, "POST", ts.URL+"/epcis/queries/opts/subscriptions", operatorSecret, []byte(`{"dest": "http://127.0.0.1:9/", "schedule": {"hour": "1"}}`), jsonCT)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, b)
	}
	var sub struct {
		SubscriptionID string `json:"subscriptionID"`
	}
	_ = json.Unmarshal(b, &sub)
	resp, b = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(resourceDoc), nil)
	if resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	captureID := strings.TrimPrefix(resp.Header.Get("Location"), "/epcis/capture/")
	for _, missing := range []string{"/epcis/queries/nope", "/epcis/queries/nope/events", "/epcis/queries/opts/subscriptions/nope"} {
		if resp, b := do(t, "OPTIONS", ts.URL+missing, "", nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("OPTIONS %s: %d %s, want 404", missing, resp.StatusCode, b)
		}
	}
	for path, ms := range methods {
		if !contains(ms, "OPTIONS") {
			t.Errorf("%s has no OPTIONS route (methods %v)", path, ms)
			continue
		}
		// An eventID with characters a URN carries.
		// A capture job and an event that exist (an unknown one is a
		// 404, as GET answers: TestEPCISOptionsAgreesWithGet).
		p := strings.Replace(strings.Replace(path, "{queryName}", "opts", 1), "{subscriptionID}", sub.SubscriptionID, 1)
		p = strings.Replace(strings.Replace(p, "{captureID}", url.PathEscape(captureID), 1), "{eventID}", url.PathEscape("urn:uuid:7a000000-0000-4000-8000-000000000001"), 1)
		p = strings.Replace(p, "{$}", "", 1)
		// A value of a top-level resource is one the captured event
		// carries (an unknown one is a 404: TestEPCISValueResources).
		if res, _, ok := strings.Cut(strings.TrimPrefix(p, "/epcis/"), "/{value}"); ok {
			p = strings.Replace(p, "{value}", url.PathEscape(optionValues[res]), 1)
		}
		u := ts.URL + param.ReplaceAllString(p, "urn:uuid:6f7f1f30-0000-4000-8000-000000000001")
		resp, body := do(t, "OPTIONS", u, "", nil, nil)
		if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
			t.Errorf("OPTIONS %s: %d %q", path, resp.StatusCode, body)
			continue
		}
		allow := strings.Split(resp.Header.Get("Allow"), ", ")
		for _, m := range ms {
			if !contains(allow, m) {
				t.Errorf("OPTIONS %s: Allow %q lacks %s", path, resp.Header.Get("Allow"), m)
			}
		}
		if len(allow) != len(ms) {
			t.Errorf("OPTIONS %s: Allow %q, registered %v", path, resp.Header.Get("Allow"), ms)
		}
		want := map[string]string{
			"GS1-EPCIS-Version": "2.0.0", "GS1-EPCIS-Min": "2.0.0", "GS1-EPCIS-Max": "2.0.0",
			"GS1-CBV-Version": "2.0.0", "GS1-CBV-Min": "2.0.0", "GS1-CBV-Max": "2.0.0",
			"GS1-Extensions":          "cm=" + ledger.Namespace,
			"GS1-EPCIS-Capture-Limit": "7", "GS1-EPCIS-Capture-File-Size-Limit": "12345",
			"GS1-Capture-Error-Behaviour": "rollback, proceed",
		}
		if path == "/epcis/capture" {
			// Document capture takes EPCIS 1.2 XML too.
			want["GS1-EPCIS-Min"], want["GS1-CBV-Min"] = "1.2.0", "1.2.0"
		}
		for h, v := range want {
			if got := resp.Header.Get(h); got != v {
				t.Errorf("OPTIONS %s: %s = %q, want %q", path, h, got, v)
			}
		}
	}
	if got := strings.Join(methods["/epcis/capture"], " "); !strings.Contains(got, "POST") || !strings.Contains(got, "GET") {
		t.Errorf("/epcis/capture methods %q", got)
	}
}

// TestEPCISNegotiation: the REST binding's 406 NotAcceptableException for
// an Accept type the server does not produce (text/csv) and for an EPCIS
// version it does not speak (GS1-EPCIS-Version 1.2.0, GS1-EPCIS-Min
// 3.0.0), each header at fault named; JSON, XML and */* are served. The
// OPTIONS discovery carries GS1-EPC-Format, GS1-CBV-XML-Format,
// GS1-Vendor-Version, and GS1-Query-Min-Record-Time on subscriptions.
func TestEPCISNegotiation(t *testing.T) {
	ts := MustServe(t, true, nil)
	for _, c := range []struct {
		headers map[string]string
		named   []string
	}{
		{map[string]string{"Accept": "text/csv"}, []string{"Accept"}},
		{map[string]string{"GS1-EPCIS-Version": "1.2.0"}, []string{"GS1-EPCIS-Version"}},
		{map[string]string{"GS1-EPCIS-Min": "3.0.0", "Accept": "text/csv, application/json;q=0"}, []string{"Accept", "GS1-EPCIS-Min"}},
		{map[string]string{"GS1-CBV-Max": "1.2.0"}, []string{"GS1-CBV-Max"}},
	} {
		resp, b := do(t, "GET", ts.URL+"/epcis/events", "", nil, c.headers)
		p := mustProblem(t, resp, b, http.StatusNotAcceptable)
		if p.Type != "epcisException:NotAcceptableException" {
			t.Errorf("%v: type %q", c.headers, p.Type)
		}
		for _, n := range c.named {
			if !hasPointer(p, n) {
				t.Errorf("%v: %s not named: %s", c.headers, n, b)
			}
		}
	}
	for _, h := range []map[string]string{{"Accept": "application/json"}, {"Accept": "application/xml"}, {"Accept": "*/*"}, {"GS1-EPCIS-Version": "2.0.0", "GS1-EPCIS-Min": "2.0", "GS1-EPCIS-Max": "2.0.0"}} {
		if resp, b := do(t, "GET", ts.URL+"/epcis/events", "", nil, h); resp.StatusCode != 200 {
			t.Errorf("%v: %d %s", h, resp.StatusCode, b)
		}
	}
	resp, _ := do(t, "OPTIONS", ts.URL+"/epcis/events", "", nil, nil)
	for _, h := range []string{"GS1-EPC-Format", "GS1-CBV-XML-Format", "GS1-Vendor-Version"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("OPTIONS /epcis/events lacks %s", h)
		}
	}
	if !strings.Contains(resp.Header.Get("GS1-EPC-Format"), "Always_EPC_URN") {
		t.Errorf("GS1-EPC-Format %q", resp.Header.Get("GS1-EPC-Format"))
	}
	createQuery(t, ts.URL, "x", `{}`)
	resp, _ = do(t, "OPTIONS", ts.URL+"/epcis/queries/x/subscriptions", "", nil, nil)
	if resp.Header.Get("GS1-Query-Min-Record-Time") == "" {
		t.Errorf("OPTIONS subscriptions lacks GS1-Query-Min-Record-Time: %v", resp.Header)
	}
}

// optionValues are values of resourceDoc's event for each top-level
// resource.
var optionValues = map[string]string{
	"eventTypes": "ObjectEvent", "epcs": "urn:epc:id:sgtin:0614141.107346.2018", "bizSteps": "shipping",
	"dispositions": "in_transit", "readPoints": "urn:epc:id:sgln:0614141.00777.0", "bizLocations": "urn:epc:id:sgln:0614141.00888.0",
}

// TestEPCISAcceptQValues: query results follow the Accept header's
// q-values (RFC 9110 §12.5.1) on /epcis/events, /epcis/events/{eventID}
// and a value's /events — application/xml;q=0.1 beside application/json
// is JSON, */* above an XML at 0.9 is JSON-LD — and an Accept giving
// every result type q=0, or naming only text/html, is a 406
// NotAcceptableException naming Accept.
func TestEPCISAcceptQValues(t *testing.T) {
	ts := MustServe(t, false, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(resourceDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	for _, path := range []string{"/epcis/events", "/epcis/events/" + url.PathEscape("urn:uuid:7a000000-0000-4000-8000-000000000001"), "/epcis/bizSteps/shipping/events"} {
		for accept, want := range map[string]string{
			"application/xml;q=0.1, application/json": "application/json",
			"application/json;q=0.1, application/xml": "application/xml",
			"application/xml;q=0.9, */*":              "application/ld+json",
			"text/*, application/json;q=0.5":          "text/xml",
			"application/xml;q=0, */*":                "application/ld+json",
		} {
			resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, map[string]string{"Accept": accept})
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want {
				t.Errorf("%s Accept %q: %d %s, want %s", path, accept, resp.StatusCode, resp.Header.Get("Content-Type"), want)
			}
			if strings.HasSuffix(want, "xml") != strings.HasPrefix(string(b), "<?xml") {
				t.Errorf("%s Accept %q: body is not %s: %.60s", path, accept, want, b)
			}
		}
		for _, accept := range []string{"application/xml;q=0, application/json;q=0, application/ld+json;q=0, text/xml;q=0, text/html", "text/html"} {
			resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, map[string]string{"Accept": accept})
			p := mustProblem(t, resp, b, http.StatusNotAcceptable)
			if p.Type != "epcisException:NotAcceptableException" || !hasPointer(p, "Accept") {
				t.Errorf("%s Accept %q: %s", path, accept, b)
			}
		}
	}
}
