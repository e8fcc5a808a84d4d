package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// formKeyRE reads the one-time submission key a rendered form carries.
var formKeyRE = regexp.MustCompile(`<input type="hidden" name="eventID" value="([^"]*)">`)

// TestRecordFormSubmittedOnce (issue 15, fixNc item 1): the same sample
// form sent again — the browser's back button and a second preview and
// confirmation of the page as it was, or a reload of the confirmation —
// stored a second, identical sampling. One rendered form is one
// submission: its hidden key fixes the eventID, so a second POST of it,
// at either step, captures nothing and shows the event the first stored
// as already recorded. Events stored: 1 for the lot's commissioning + 1
// for the sample = 2 more than the demo, whatever is sent again.
func TestRecordFormSubmittedOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, err := ts.Store.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Content-Type": formHeader["Content-Type"], "Authorization": "Bearer " + operatorSecret}
	v := commissionForm()
	v.Set("step", "capture")
	if resp, b := send(t, "POST", ts.URL+"/record/commission", []byte(v.Encode()), hdr); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("commission: %d\n%s", resp.StatusCode, b)
	}
	_, b := do(t, "GET", ts.URL+"/record/sample", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	m := formKeyRE.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("the sample form has no hidden eventID field:\n%s", b)
	}
	key := m[1]
	if !strings.HasPrefix(key, "urn:uuid:") {
		t.Errorf("the rendered sample form carries key %q; want a urn:uuid: of its own", key)
	}
	_, b2 := do(t, "GET", ts.URL+"/record/sample", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if m2 := formKeyRE.FindStringSubmatch(string(b2)); m2 == nil || m2[1] == key {
		t.Errorf("two renderings of the form carry the same key %q: a new form is a new submission", key)
	}
	sample := url.Values{"lot": {"urn:critmin:demo:lot:REE-2025-900"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 12.4 %"},
		"time": {"2025-11-21T09:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}, "eventID": {key}}
	post := func(step string, form url.Values) (*http.Response, string) {
		t.Helper()
		form.Set("step", step)
		resp, b := send(t, "POST", ts.URL+"/record/sample", []byte(form.Encode()), hdr)
		return resp, html.UnescapeString(withIDs(string(b)))
	}
	resp, page := post("preview", sample)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="confirm-form"`) {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, page)
	}
	confirm := hiddenFields(t, page, "confirm-form")
	if resp, page := post("capture", confirm); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("capture: %d\n%s", resp.StatusCode, page)
	}
	stored := confirm.Get("eventID")
	// Sent again: the form page's preview (back, then "Check and
	// preview"), with the confirmation that preview would offer, and the
	// first preview's confirmation itself (back, then "Confirm").
	for _, again := range []struct {
		name, step string
		form       url.Values
	}{
		{"the form again", "preview", sample},
		{"the confirmation again", "capture", confirm},
	} {
		resp, page := post(again.step, again.form)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="already-recorded"`) ||
			!strings.Contains(page, "already recorded") || !strings.Contains(page, `href="/events/`+url.PathEscape(stored)+`"`) {
			t.Errorf("%s: %d; want 200 saying the form was already recorded, linking event %s\n%s", again.name, resp.StatusCode, stored, page)
		}
		if strings.Contains(page, `id="confirm-form"`) {
			t.Errorf("%s: a form already recorded offers a confirmation again", again.name)
		}
		if again.step == "preview" {
			// What the page would have offered to confirm, had it.
			again.form.Set("created", "2025-11-21T05:00:00.000Z")
			if resp, page := post("capture", again.form); resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="already-recorded"`) {
				t.Errorf("%s, confirmed: %d\n%s", again.name, resp.StatusCode, page)
			}
		}
	}
	after, err := ts.Store.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after-before != 2 {
		t.Errorf("%d events stored; want 2 (the commissioning and one sample)", after-before)
	}
	if evs, err := ts.Store.FindEventsByID(ctx, stored); err != nil || len(evs) != 1 {
		t.Errorf("event %s: %v, %v", stored, evs, err)
	}
	// An edited form ("Back to the form") is a new submission: its key
	// is new, and what it captures is a second event.
	edit := hiddenFields(t, page, "confirm-form")
	resp, page = post("edit", edit)
	if m := formKeyRE.FindStringSubmatch(page); resp.StatusCode != http.StatusOK || m == nil || m[1] == key {
		t.Errorf("edit: %d, key %v; want the form with a new key", resp.StatusCode, m)
	}
}
