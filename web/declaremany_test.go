package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// declareManyDoc adds to declareDoc a second lot E, commissioned and
// inspected: three events an operator may declare in error together.
const declareManyDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:E1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:E", "quantity": 7, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:E2", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:E", "quantity": 7, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:F1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:F", "quantity": 9, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:F2", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
   "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:F", "quantity": 9, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "destinationList": [{"type": "location", "destination": "urn:t:site:port"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:F"}]},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:F3", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
   "quantityList": [{"epcClass": "urn:t:lot:F", "quantity": 9, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:port"},
   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:F"}]}]}}`

// TestDeclareSeveralEvents (issue 15 §1): the Declare form takes other
// events to declare with the event of its page ("also", one eventID a
// line): one errorDeclaration per event, same reason and corrective
// events; the preview shows each event to be declared and the document
// holding all of them; the confirmation captures them as one document,
// all or nothing. An event listed that is not recorded, already declared
// in error, or listed twice is refused naming its line and eventID; a
// refusal of the capture names the event it concerns; nothing is
// captured then.
func TestDeclareSeveralEvents(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, d := range []string{declareDoc, declareManyDoc} {
		if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(d), nil); resp.StatusCode != 202 {
			t.Fatalf("capture: %d %s", resp.StatusCode, b)
		}
	}
	evPage := func(id string) string { return ts.URL + "/events/" + url.PathEscape(id) }
	accept := map[string]string{"Accept": "text/html"}
	if _, b := do(t, "GET", evPage("urn:t:ev:D2"), operatorSecret, nil, accept); !strings.Contains(string(b), `name="also"`) {
		t.Fatal("the event page's declaration form takes no other events")
	}
	declared := func(id string) bool {
		_, b := do(t, "GET", evPage(id), operatorSecret, nil, accept)
		return strings.Contains(string(b), `id="event-declared"`)
	}
	for _, c := range []struct {
		also, want string
		status     int
	}{
		{"urn:t:ev:nope", `line 1: event urn:t:ev:nope is not recorded`, http.StatusBadRequest},
		{"urn:t:ev:E2\nurn:t:ev:E2", `line 2: event urn:t:ev:E2 is listed twice`, http.StatusBadRequest},
		{"urn:t:ev:D2", `line 1: event urn:t:ev:D2 is the event of this page`, http.StatusBadRequest},
		{"not an id", `line 1: "not an id" is not an event ID`, http.StatusBadRequest},
		// F2 shipped lot F, which F3 (not declared) received under its
		// bill of lading: the capture check refuses, naming F2.
		{"urn:t:ev:E2\nurn:t:ev:F2", `Event urn:t:ev:F2: declaring urn:t:ev:F2 in error would leave the recorded receipt urn:t:ev:F3`, http.StatusConflict},
	} {
		v := url.Values{"reason": {"incorrect_data"}, "also": {c.also}, "step": {"preview"}}
		resp, b := do(t, "POST", evPage("urn:t:ev:E1")+"/declare", operatorSecret, []byte(v.Encode()), formHeader)
		if c.also == "urn:t:ev:D2" {
			resp, b = do(t, "POST", evPage("urn:t:ev:D2")+"/declare", operatorSecret, []byte(v.Encode()), formHeader)
		}
		if resp.StatusCode != c.status || !strings.Contains(plainRefs(b), c.want) || strings.Contains(string(b), "declare-confirm") {
			t.Errorf("also %q: %d; want %d with %q\n%s", c.also, resp.StatusCode, c.status, c.want, b)
		}
	}
	// E2 (the inspection) and E1 (the commissioning it stands on) from
	// E1's page, with D2 (the shipment of another lot).
	v := url.Values{"reason": {"did_not_occur"}, "corrective": {"urn:t:ev:E1c"}, "also": {"urn:t:ev:E2\r\n\r\nurn:t:ev:D2\r\n"}, "step": {"preview"}}
	resp, b := do(t, "POST", evPage("urn:t:ev:E1")+"/declare", operatorSecret, []byte(v.Encode()), formHeader)
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="declare-confirm"`) {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{`id="declare-also-1"`, `id="declare-also-2"`, "3 events are declared in error together",
		`"eventID": "urn:t:ev:E1"`, `"eventID": "urn:t:ev:E2"`, `"eventID": "urn:t:ev:D2"`, "The shipment no longer counts", "The results no longer count"} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview lacks %s", want)
		}
	}
	if n := strings.Count(page, `"reason": "did_not_occur"`); n != 3 {
		t.Errorf("the document holds %d errorDeclarations; want 3", n)
	}
	if declared("urn:t:ev:E1") || declared("urn:t:ev:E2") || declared("urn:t:ev:D2") {
		t.Fatal("the preview declared an event in error")
	}
	confirm := hiddenFields(t, string(b), "declare-confirm-form")
	confirm.Set("step", "capture")
	resp, _ = do(t, "POST", evPage("urn:t:ev:E1")+"/declare", operatorSecret, []byte(confirm.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})
	if resp.Request.URL.Path != "/events/urn:t:ev:E1" {
		t.Errorf("the confirmation led to %s; want the event page", resp.Request.URL)
	}
	for _, id := range []string{"urn:t:ev:E1", "urn:t:ev:E2", "urn:t:ev:D2"} {
		if !declared(id) {
			t.Errorf("%s is not declared in error after the confirmation", id)
		}
	}
	for _, id := range []string{"urn:t:ev:D1", "urn:t:ev:F2"} {
		if declared(id) {
			t.Errorf("%s, not in the declaration captured, is declared in error", id)
		}
	}
	// An event declared already is refused on the list, naming it.
	v = url.Values{"reason": {"incorrect_data"}, "also": {"urn:t:ev:E2"}, "step": {"preview"}}
	if resp, b := do(t, "POST", evPage("urn:t:ev:D1")+"/declare", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(plainRefs(b), "line 1: event urn:t:ev:E2 is already declared in error") {
		t.Errorf("an event declared already: %d\n%s", resp.StatusCode, b)
	}
}

// plainRefs is a page's text with each identifier the page shortens
// (<abbr class="ref" data-id="urn:…">…</abbr>) written out in full.
func plainRefs(b []byte) string {
	return html.UnescapeString(refAbbr.ReplaceAllString(string(b), "$1"))
}

var refAbbr = regexp.MustCompile(`<abbr class="ref"[^>]*data-id="([^"]*)"[^>]*>[^<]*</abbr>`)
