package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/storetest"
)

// TestCaptureOfficialExamples posts every official example and reads each
// event back through GET /epcis/events?EQ_eventID=…, comparing content.
// GS1's examples reuse some eventIDs for events of other content; an
// eventID names one event, so such an example is refused 409 naming the
// eventID on a server holding the earlier one, and is captured on the
// next server that holds no other event under that eventID.
func TestCaptureOfficialExamples(t *testing.T) {
	servers := []*testServer{MustServe(t, false, nil)}
	conflicts := 0
	var files []string
	_ = filepath.WalkDir(filepath.Join("..", "testdata", "epcis", "examples"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".jsonld") && filepath.Base(p) != "EPCISQueryDocument.jsonld" {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 30 {
		t.Fatalf("only %d examples found", len(files))
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ts := servers[0]
		resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil)
		for k := 1; resp.StatusCode == http.StatusConflict; k++ {
			if !strings.Contains(string(rb), "is already used by a different stored event") || !strings.Contains(string(rb), `/eventID"`) {
				t.Fatalf("%s: status 409 %s; want the refusal of an eventID stored with other content, naming it", filepath.Base(f), rb)
			}
			conflicts++
			if k == len(servers) {
				servers = append(servers, MustServe(t, false, nil))
			}
			ts = servers[k]
			resp, rb = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil)
		}
		if filepath.Base(f) == "AssociationEvent-h.jsonld" {
			// GS1's example gives "eventID" twice in one object: a member
			// given twice is refused (jsonstrict; docs/security.md).
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(rb), `/epcisBody/eventList/0/eventID`) {
				t.Errorf("%s: status %d: %s, want 400 naming the repeated eventID", filepath.Base(f), resp.StatusCode, rb)
			}
			continue
		}
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("%s: status %d: %s", filepath.Base(f), resp.StatusCode, rb)
		}
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "/epcis/capture/") {
			t.Fatalf("%s: Location %q", filepath.Base(f), loc)
		}
		resp, jb := do(t, "GET", ts.URL+loc, viewerSecret, nil, nil)
		var job struct {
			Running, Success bool
			Stored           int
			Duplicates       []string
		}
		if resp.StatusCode != 200 || json.Unmarshal(jb, &job) != nil || job.Running || !job.Success {
			t.Fatalf("%s: capture job %d %s", filepath.Base(f), resp.StatusCode, jb)
		}
		var doc struct {
			EpcisBody struct {
				EventList []json.RawMessage `json:"eventList"`
			} `json:"epcisBody"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		for i, raw := range doc.EpcisBody.EventList {
			var ev struct {
				EventID string `json:"eventID"`
			}
			_ = json.Unmarshal(raw, &ev)
			if ev.EventID == "" || contains(job.Duplicates, ev.EventID) {
				continue // assigned by the server, or shared with an earlier example (the first is kept)
			}
			// Never_Translates: identifiers come back as captured.
			resp, qb := do(t, "GET", ts.URL+"/epcis/events?EQ_eventID="+url.QueryEscape(ev.EventID), viewerSecret, nil, map[string]string{"GS1-EPC-Format": "Never_Translates"})
			var qd struct {
				Type      string `json:"type"`
				EpcisBody struct {
					QueryResults struct {
						ResultsBody struct {
							EventList []json.RawMessage `json:"eventList"`
						} `json:"resultsBody"`
					} `json:"queryResults"`
				} `json:"epcisBody"`
			}
			if resp.StatusCode != 200 || json.Unmarshal(qb, &qd) != nil || qd.Type != "EPCISQueryDocument" {
				t.Fatalf("%s event %d: query %d %s", filepath.Base(f), i, resp.StatusCode, qb)
			}
			list := qd.EpcisBody.QueryResults.ResultsBody.EventList
			if len(list) == 0 {
				t.Fatalf("%s event %d (%s) not returned", filepath.Base(f), i, ev.EventID)
			}
			// Error declarations share the eventID of what they declare, so
			// the event is one of the records returned.
			want := fmt.Sprint(storetest.Normalize(t, raw, false))
			match := false
			for _, rec := range list {
				if fmt.Sprint(storetest.Normalize(t, rec, false)) == want {
					match = true
				}
			}
			if !match {
				t.Errorf("%s event %d: no returned record has the captured content %s", filepath.Base(f), i, want)
			}
		}
	}
	t.Logf("%d examples refused on a server holding another event under one of their eventIDs; %d servers", conflicts, len(servers))
}

// variantBase is an official example with quantities and ILMD, the base
// of the invalid variants.
func variantBase(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readShared(t, "epcis/examples/WithFullCombinationOfFields/object_event_all_possible_fields.jsonld"), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func firstEvent(doc map[string]any) map[string]any {
	return doc["epcisBody"].(map[string]any)["eventList"].([]any)[0].(map[string]any)
}

// TestCaptureInvalidVariants derives invalid documents from an official
// example; each must be rejected with 400, a problem naming the event and
// field, and nothing stored.
func TestCaptureInvalidVariants(t *testing.T) {
	ts := MustServe(t, false, nil)
	cases := []struct {
		name    string
		mutate  func(doc map[string]any)
		pointer string
	}{
		{"missing eventTime", func(d map[string]any) { delete(firstEvent(d), "eventTime") }, "/epcisBody/eventList/0/eventTime"},
		{"bad eventTimeZoneOffset", func(d map[string]any) { firstEvent(d)["eventTimeZoneOffset"] = "+25:00" }, "/epcisBody/eventList/0/eventTimeZoneOffset"},
		{"eventTime without offset", func(d map[string]any) { firstEvent(d)["eventTime"] = "2005-04-05T02:33:31.116" }, "/epcisBody/eventList/0/eventTime"},
		{"unknown event type", func(d map[string]any) { firstEvent(d)["type"] = "ShippingEvent" }, "/epcisBody/eventList/0/type"},
		{"missing action", func(d map[string]any) { delete(firstEvent(d), "action") }, "/epcisBody/eventList/0/action"},
		{"quantity as text", func(d map[string]any) {
			firstEvent(d)["quantityList"].([]any)[0].(map[string]any)["quantity"] = "200"
		}, "/epcisBody/eventList/0/quantityList/0/quantity"},
		{"negative quantity", func(d map[string]any) {
			firstEvent(d)["quantityList"].([]any)[0].(map[string]any)["quantity"] = -5
		}, "/epcisBody/eventList/0/quantityList/0/quantity"},
		{"unknown field in quantity element", func(d map[string]any) {
			firstEvent(d)["quantityList"].([]any)[0].(map[string]any)["grossWeight"] = 3
		}, "/epcisBody/eventList/0/quantityList/0/grossWeight"},
		{"ILMD field without namespace", func(d map[string]any) { firstEvent(d)["ilmd"].(map[string]any)["lotType"] = "A" }, "/epcisBody/eventList/0/ilmd/lotType"},
		{"ILMD field in undeclared namespace", func(d map[string]any) { firstEvent(d)["ilmd"].(map[string]any)["nope:lotType"] = "A" }, "/epcisBody/eventList/0/ilmd/nope:lotType"},
		{"non-standard bizStep that is not a URI", func(d map[string]any) { firstEvent(d)["bizStep"] = "trucking" }, "/epcisBody/eventList/0/bizStep"},
		{"non-standard disposition that is not a URI", func(d map[string]any) { firstEvent(d)["disposition"] = "at_sea" }, "/epcisBody/eventList/0/disposition"},
		{"user extension in undeclared namespace", func(d map[string]any) { firstEvent(d)["acme:colour"] = "red" }, "/epcisBody/eventList/0/acme:colour"},
		{"document without @context", func(d map[string]any) { delete(d, "@context") }, "/@context"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := variantBase(t)
			// A valid second event proves rollback: it must not be stored either.
			list := doc["epcisBody"].(map[string]any)["eventList"].([]any)
			second := map[string]any{}
			for k, v := range list[0].(map[string]any) {
				second[k] = v
			}
			second["eventID"] = "urn:uuid:6f7f1f30-0000-4000-8000-" + fmt.Sprintf("%012d", len(c.name))
			doc["epcisBody"].(map[string]any)["eventList"] = append(list, second)
			c.mutate(doc)
			body, _ := json.Marshal(doc)
			before := eventCount(t, ts.Store)
			resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil)
			p := mustProblem(t, resp, rb, http.StatusBadRequest)
			if p.Type != "epcisException:ValidationException" {
				t.Errorf("problem type %q", p.Type)
			}
			found := false
			for _, e := range p.Errors {
				if e.Pointer == c.pointer {
					found = true
				}
			}
			if !found {
				t.Errorf("problem %s does not name %s", rb, c.pointer)
			}
			if after := eventCount(t, ts.Store); after != before {
				t.Errorf("%d events stored by a rejected document", after-before)
			}
		})
	}
}

func TestCaptureBehaviourAndLimits(t *testing.T) {
	ts := MustServe(t, false, &ledger.Limits{MaxEvents: 3, MaxBytes: 20000})
	doc := variantBase(t)
	firstEvent(doc)["quantityList"].([]any)[0].(map[string]any)["quantity"] = "200"
	body, _ := json.Marshal(doc)
	// Proceed: the document's one event is invalid, nothing else to store;
	// the job reports the error.
	resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, map[string]string{"GS1-Capture-Error-Behaviour": "proceed"})
	if resp.StatusCode != http.StatusAccepted || !strings.Contains(string(rb), `"success": false`) || !strings.Contains(string(rb), "quantityList/0/quantity") {
		t.Errorf("proceed: %d %s", resp.StatusCode, rb)
	}
	resp, rb = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, map[string]string{"GS1-Capture-Error-Behaviour": "sometimes"})
	if p := mustProblem(t, resp, rb, 400); len(p.Errors) == 0 || p.Errors[0].Pointer != "GS1-Capture-Error-Behaviour" {
		t.Errorf("bad behaviour header: %s", rb)
	}
	resp, _ = do(t, "OPTIONS", ts.URL+"/epcis/capture", "", nil, nil)
	if resp.StatusCode != 204 || resp.Header.Get("GS1-EPCIS-Capture-Limit") != "3" || resp.Header.Get("GS1-EPCIS-Capture-File-Size-Limit") != "20000" {
		t.Errorf("OPTIONS: %d %v", resp.StatusCode, resp.Header)
	}
	// Four events: over the capture limit of three.
	four := variantBase(t)
	ev := firstEvent(four)
	four["epcisBody"].(map[string]any)["eventList"] = []any{ev, ev, ev, ev}
	b4, _ := json.Marshal(four)
	resp, rb = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, b4, nil)
	if p := mustProblem(t, resp, rb, 413); p.Type != "epcisException:CaptureLimitExceededException" {
		t.Errorf("capture limit: %s", rb)
	}
	big := append([]byte(`{"pad": "`+strings.Repeat("x", 25000)+`", `), body[1:]...)
	resp, rb = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, big, nil)
	mustProblem(t, resp, rb, 413)
	resp, rb = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, map[string]string{"Content-Type": "text/csv"})
	mustProblem(t, resp, rb, 415)
	// XML is a binding now: JSON sent as XML is a 400 naming the problem.
	resp, rb = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, map[string]string{"Content-Type": "text/xml"})
	mustProblem(t, resp, rb, 400)
	resp, rb = do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(`{"type": "EPCISDocument", `), nil)
	mustProblem(t, resp, rb, 400)
	if n := eventCount(t, ts.Store); n != 0 {
		t.Errorf("%d events stored by rejected requests", n)
	}
}

func TestAuth(t *testing.T) {
	private := MustServe(t, false, nil)
	public := MustServe(t, true, nil)
	body := readShared(t, "epcis/examples/Example_9.6.1-ObjectEvent.jsonld")
	cases := []struct {
		name   string
		ts     *testServer
		method string
		path   string
		token  string
		status int
	}{
		{"read without token", private, "GET", "/epcis/events", "", 401},
		{"read with unknown token", private, "GET", "/epcis/events", "nope", 401},
		{"read as viewer", private, "GET", "/epcis/events", viewerSecret, 200},
		{"api read without token", private, "GET", "/api/v1/lots", "", 401},
		{"public read", public, "GET", "/api/v1/lots", "", 200},
		{"capture without token on public server", public, "POST", "/epcis/capture", "", 401},
		{"capture as viewer", private, "POST", "/epcis/capture", viewerSecret, 403},
		{"capture as operator", private, "POST", "/epcis/capture", operatorSecret, 202},
		{"capture as admin", public, "POST", "/epcis/capture", adminSecret, 202},
		{"health without token", private, "GET", "/healthz", "", 200},
		{"readiness", private, "GET", "/readyz", "", 200},
		{"openapi without token", private, "GET", "/api/v1/openapi.json", "", 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b []byte
			if c.method == "POST" {
				b = body
			}
			resp, rb := do(t, c.method, c.ts.URL+c.path, c.token, b, nil)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, rb)
			}
			if c.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func captureCorridor(t *testing.T, ts *testServer) {
	t.Helper()
	_, bodies, err := demoDocs()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, b, nil)
		if resp.StatusCode != 202 {
			t.Fatalf("demo capture: %d %s", resp.StatusCode, rb)
		}
	}
}

var linkNext = regexp.MustCompile(`<([^>]+)>; rel="next"`)

func TestQueryBinding(t *testing.T) {
	ts := MustServe(t, true, nil)
	captureCorridor(t, ts)
	// Paging: follow Link headers through every event, three at a time.
	next := "/epcis/events?perPage=3&orderBy=eventTime&orderDirection=ASC"
	seen := map[string]bool{}
	pages := 0
	for next != "" && pages < 50 {
		pages++
		resp, b := do(t, "GET", ts.URL+next, "", nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %s", pages, resp.StatusCode, b)
		}
		var qd struct {
			EpcisBody struct {
				QueryResults struct {
					ResultsBody struct {
						EventList []struct {
							EventID string `json:"eventID"`
						} `json:"eventList"`
					} `json:"resultsBody"`
				} `json:"queryResults"`
			} `json:"epcisBody"`
		}
		if err := json.Unmarshal(b, &qd); err != nil {
			t.Fatal(err)
		}
		list := qd.EpcisBody.QueryResults.ResultsBody.EventList
		if len(list) > 3 {
			t.Fatalf("page of %d", len(list))
		}
		for _, e := range list {
			if seen[e.EventID] && e.EventID != "urn:critmin:demo:event:017" {
				t.Errorf("event %s on two pages", e.EventID)
			}
			seen[e.EventID] = true
		}
		next = ""
		if m := linkNext.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			next = m[1]
		}
	}
	if n := eventCount(t, ts.Store); int64(len(seen)) != n-1 { // the declaration repeats an eventID
		t.Errorf("paged through %d distinct eventIDs of %d records", len(seen), n)
	}
	// eventCountLimit caps the whole result across pages.
	resp, b := do(t, "GET", ts.URL+"/epcis/events?eventCountLimit=4&perPage=3&orderBy=recordTime&orderDirection=ASC", "", nil, nil)
	m := linkNext.FindStringSubmatch(resp.Header.Get("Link"))
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("eventCountLimit first page: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+m[1], "", nil, nil)
	if strings.Count(string(b), `"eventID"`) != 1 || resp.Header.Get("Link") != "" {
		t.Errorf("eventCountLimit second page should hold 1 event and no next link: %s", b)
	}
	// maxEventCount below the number of matches: QueryTooLargeException,
	// 413 in the REST binding.
	resp, b = do(t, "GET", ts.URL+"/epcis/events?maxEventCount=1", "", nil, nil)
	if p := mustProblem(t, resp, b, 413); p.Type != "epcisException:QueryTooLargeException" {
		t.Errorf("maxEventCount exceeded: type %q", p.Type)
	}
	bad := []struct{ query, param string }{
		{"EQ_bizstep=shipping", "EQ_bizstep"},
		{"eventCountLimit=2", "eventCountLimit"},
		{"EQ_undeclared:grade=1", "EQ_undeclared:grade"},
		{"GE_value_CEL=warm", "GE_value_CEL"},
		{"EQ_booleanValue=yes", "EQ_booleanValue"},
		{"perPage=0", "perPage"},
		{"GE_eventTime=yesterday", "GE_eventTime"},
		{"EQ_action=MOVE", "EQ_action"},
		{"GT_quantity=lots", "GT_quantity"},
		{"orderBy=bizStep", "orderBy"},
		{"nextPageToken=!!", "nextPageToken"},
		{"EQ_ILMD_lotType=A", "EQ_ILMD_lotType"},
	}
	for _, c := range bad {
		resp, b := do(t, "GET", ts.URL+"/epcis/events?"+c.query, "", nil, nil)
		p := mustProblem(t, resp, b, 400)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != c.param {
			t.Errorf("%s: problem %s does not name %s", c.query, b, c.param)
		}
	}
	// Top-level resources.
	resp, b = do(t, "GET", ts.URL+"/epcis/bizSteps", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"shipping"`) || !strings.Contains(string(b), `"Collection"`) {
		t.Errorf("bizSteps: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/bizSteps/unpacking/events", "", nil, nil)
	if resp.StatusCode != 200 || strings.Count(string(b), `"eventID"`) != 1 {
		t.Errorf("bizSteps/unpacking/events: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/bizLocations/"+url.PathEscape("urn:critmin:demo:site:houston")+"/events", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "urn:critmin:demo:event:016") {
		t.Errorf("bizLocations/houston/events: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/epcs/"+url.PathEscape("urn:critmin:demo:container:CAIU2223330")+"/events", "", nil, nil)
	if resp.StatusCode != 200 || strings.Count(string(b), `"eventID"`) < 4 {
		t.Errorf("epcs/…/events: %s", b)
	}
	for _, r := range []string{"/epcis/eventTypes", "/epcis/readPoints", "/epcis/dispositions", "/epcis/epcs", "/epcis/bizLocations"} {
		if resp, b := do(t, "GET", ts.URL+r+"?perPage=2", "", nil, nil); resp.StatusCode != 200 || !strings.Contains(string(b), `"member"`) {
			t.Errorf("%s: %d %s", r, resp.StatusCode, b)
		}
	}
	// One event; a declared one links to all its records.
	resp, b = do(t, "GET", ts.URL+"/epcis/events/"+url.PathEscape("urn:critmin:demo:event:017"), "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Link"), "EQ_eventID") || !strings.Contains(string(b), "@context") {
		t.Errorf("declared event: %d %v %s", resp.StatusCode, resp.Header, b)
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/events/"+url.PathEscape("urn:no:such"), "", nil, nil)
	if p := mustProblem(t, resp, b, 404); p.Type != "epcisException:NoSuchResourceException" {
		t.Errorf("missing event: %s", b)
	}
	resp, b = do(t, "GET", ts.URL+"/epcis/capture/cap-nope", "", nil, nil)
	mustProblem(t, resp, b, 404)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
