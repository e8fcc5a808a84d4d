package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// declareDoc is a lot commissioned at its mine and shipped from Karachi:
// the shipment is the event declared in error below.
const declareDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:D1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:D", "quantity": 20, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:D2", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:D", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}}]}}`

// TestDeclareEventInErrorFromItsPage: an operator declares an event in
// error from its page (issue 15, fix15z): the page has the form (a viewer
// sees none), the preview names the lot it affects and shows the standard
// errorDeclaration and stores nothing, the confirmation captures it
// through the capture service, and the page then says the event is
// declared in error, with no form; a second declaration is refused (409).
func TestDeclareEventInErrorFromItsPage(t *testing.T) {
	ts := MustServe(t, false, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(declareDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	evPage := ts.URL + "/events/" + url.PathEscape("urn:t:ev:D2")
	accept := map[string]string{"Accept": "text/html"}
	_, b := do(t, "GET", evPage, operatorSecret, nil, accept)
	if !strings.Contains(string(b), `id="declare-form"`) || !strings.Contains(string(b), `value="did_not_occur"`) || !strings.Contains(string(b), `value="incorrect_data"`) {
		t.Fatalf("the operator's event page has no declaration form with the CBV reasons:\n%s", b)
	}
	if _, b := do(t, "GET", evPage, viewerSecret, nil, accept); strings.Contains(string(b), `declare-form`) {
		t.Error("a viewer is shown the declaration form")
	}
	v := url.Values{"reason": {"incorrect_data"}, "corrective": {"urn:t:ev:D2c"}, "step": {"preview"}}
	resp, b := do(t, "POST", evPage+"/declare", viewerSecret, []byte(v.Encode()), formHeader)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer's declaration: %d; want 403", resp.StatusCode)
	}
	// A form posted from another site (CSRF) is refused, as every
	// state-changing request is (docs/security.md).
	cross := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html", "Sec-Fetch-Site": "cross-site"}
	if resp, _ := do(t, "POST", evPage+"/declare", operatorSecret, []byte(url.Values{"reason": {"incorrect_data"}, "step": {"capture"}}.Encode()), cross); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site declaration: %d; want 403", resp.StatusCode)
	}
	resp, b = do(t, "POST", evPage+"/declare", operatorSecret, []byte(v.Encode()), formHeader)
	page := string(b)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="declare-confirm"`) {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, page)
	}
	un := html.UnescapeString(page)
	for _, want := range []string{`"errorDeclaration": {`, `"reason": "incorrect_data"`, `"correctiveEventIDs": [`, `"urn:t:ev:D2c"`, `"eventID": "urn:t:ev:D2"`, `"bizStep": "shipping"`,
		// The lot it affects, with the shipment's 20 t of it.
		`href="/lots/urn:t:lot:D"`, "20 t", "The shipment no longer counts",
		// The corrective event is not recorded yet: said, not refused.
		`title="urn:t:ev:D2c" data-id="urn:t:ev:D2c">D2c</abbr> is not recorded yet`} {
		if !strings.Contains(un, want) {
			t.Errorf("the preview lacks %s", want)
		}
	}
	if _, b := do(t, "GET", evPage, operatorSecret, nil, accept); !strings.Contains(string(b), `id="event-status"`) {
		t.Fatal("the preview declared the event in error")
	}
	confirm := hiddenFields(t, page, "declare-confirm-form")
	confirm.Set("step", "capture")
	resp, _ = do(t, "POST", evPage+"/declare", operatorSecret, []byte(confirm.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})
	if resp.Request.URL.Path != "/events/urn:t:ev:D2" {
		t.Errorf("the confirmation led to %s; want the event page", resp.Request.URL)
	}
	_, b = do(t, "GET", evPage, operatorSecret, nil, accept)
	if !strings.Contains(string(b), `id="event-declared"`) || !strings.Contains(string(b), "incorrect data") || strings.Contains(string(b), `id="declare-form"`) || !strings.Contains(string(b), `id="declare-done"`) {
		t.Errorf("after the declaration the event page reads:\n%s", b)
	}
	// The lot's timeline marks it, as for a declaration sent to the API.
	if _, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:D"), operatorSecret, nil, accept); strings.Count(string(b), "retracted: incorrect data") != 1 {
		t.Error("the lot's timeline does not mark the shipment declared in error")
	}
	// The API reads the standard declaration back.
	if _, b := do(t, "GET", ts.URL+"/epcis/events/"+url.PathEscape("urn:t:ev:D2"), operatorSecret, nil, map[string]string{"Accept": "application/json"}); !strings.Contains(string(b), `"correctiveEventIDs"`) {
		t.Errorf("the API's event lacks the declaration: %s", b)
	}
	if resp, _ := do(t, "POST", evPage+"/declare", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusConflict {
		t.Errorf("a second declaration: %d; want 409", resp.StatusCode)
	}
}

// TestDeclareReasonChecked: another reason must be a URI; a missing
// reason is named; nothing is captured.
func TestDeclareReasonChecked(t *testing.T) {
	ts := MustServe(t, false, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(declareDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	evPage := ts.URL + "/events/" + url.PathEscape("urn:t:ev:D2")
	for _, c := range []struct {
		v    url.Values
		want string
	}{
		{url.Values{"reason": {"other"}, "reasonURI": {"typo in weight"}, "step": {"preview"}}, "is not a URI"},
		{url.Values{"reason": {""}, "step": {"preview"}}, "choose why the event is in error"},
		{url.Values{"reason": {"did_not_occur"}, "corrective": {"not an id"}, "step": {"preview"}}, "line 1"},
	} {
		resp, b := do(t, "POST", evPage+"/declare", operatorSecret, []byte(c.v.Encode()), formHeader)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(string(b)), c.want) || strings.Contains(string(b), "declare-confirm") {
			t.Errorf("%v: %d; want 400 with %q\n%s", c.v, resp.StatusCode, c.want, b)
		}
	}
	if _, b := do(t, "GET", evPage, operatorSecret, nil, map[string]string{"Accept": "text/html"}); !strings.Contains(string(b), `id="event-status"`) {
		t.Fatal("a refused declaration was captured")
	}
}

// TestDeclarePackingAfterReweighing: the demo packs 25 t of lot
// REE-2025-001 (event 006) that a later weighing found to be 24.95 t. A
// declaration of that packing retracts it and packs nothing, so the
// packing check (more than the lot holds) is not applied to it: the
// preview was refused "packs 25 t of lot REE-2025-001, which holds
// 24.95 t" and the packing could not be declared in error, here or
// through POST /epcis/capture. Since fix15zk the demo's unpacking at
// the plant (event 020) stands on that packing, so the packing alone is
// refused naming 020 — never for the packing check — and once 020 is
// declared in error the packing can be declared through the form.
func TestDeclarePackingAfterReweighing(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	declare := func(id string) (int, string) {
		page := ts.URL + "/events/" + url.PathEscape(id)
		v := url.Values{"reason": {"incorrect_data"}, "step": {"preview"}}
		resp, b := do(t, "POST", page+"/declare", operatorSecret, []byte(v.Encode()), formHeader)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="declare-confirm"`) {
			return resp.StatusCode, html.UnescapeString(string(b))
		}
		confirm := hiddenFields(t, string(b), "declare-confirm-form")
		confirm.Set("step", "capture")
		resp, b = do(t, "POST", page+"/declare", operatorSecret, []byte(confirm.Encode()), formHeader)
		if resp.Request.URL.Path != "/events/"+id {
			t.Fatalf("the confirmation of %s led to %s", id, resp.Request.URL)
		}
		if _, b := do(t, "GET", page, operatorSecret, nil, map[string]string{"Accept": "text/html"}); !strings.Contains(string(b), `id="event-declared"`) {
			t.Fatalf("%s is not declared in error", id)
		}
		return resp.StatusCode, string(b)
	}
	code, b := declare("urn:critmin:demo:event:006")
	if code != http.StatusConflict || !strings.Contains(b, "unpacking") || !strings.Contains(b, "urn:critmin:demo:event:020") || strings.Contains(b, "which holds 24.95 t") {
		t.Fatalf("the packing alone, the unpacking 020 standing on it: %d; want 409 naming the unpacking 020, not the packing check\n%s", code, b)
	}
	if code, b := declare("urn:critmin:demo:event:020"); code != http.StatusOK {
		t.Fatalf("the unpacking 020: %d\n%s", code, b)
	}
	if code, b := declare("urn:critmin:demo:event:006"); code != http.StatusOK {
		t.Fatalf("the packing after its unpacking was declared: %d\n%s", code, b)
	}
}
