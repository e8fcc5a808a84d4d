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

// TestFormTimeReadsAsImportsDo (issue 15, fix15f item 1): every form's
// date and time reads as the imports read it — T or a space, seconds
// optional, its own offset after a space or not — and previews the event
// at 2025-11-20T09:00:00+05:00 (offset +05:00) with no error under Date
// and time, whether the offset field is empty, the same, or written
// +0500. An offset in the time that disagrees with the offset field
// (+05:00 against +04:00) is refused naming both. Through the real POST
// of the Commission and Sample forms. (TestFormTimeWithSpacedOffset
// passed while the form refused these: a refused preview still shows
// the event it would capture, and the test read only that.)
func TestFormTimeReadsAsImportsDo(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	// A lot at the mine the day before, for the Sample form to sample.
	c := commissionForm()
	c.Set("lot", "urn:critmin:demo:lot:REE-2025-901")
	c.Set("time", "2025-11-19T09:00")
	c.Set("step", "capture")
	if resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(c.Encode()), formHeader); resp.StatusCode >= 400 {
		t.Fatalf("commission: %d\n%s", resp.StatusCode, b)
	}
	sample := url.Values{"lot": {"urn:critmin:demo:lot:REE-2025-901"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 12 %"}, "site": {"urn:critmin:demo:site:loe-shilman"}}
	forms := map[string]url.Values{"commission": commissionForm(), "sample": sample}
	cases := []struct{ when, tz string }{
		{"2025-11-20 09:00 +05:00", ""}, {"2025-11-20T09:00 +05:00", ""}, {"2025-11-20T09:00+05:00", ""},
		{"2025-11-20T09:00:00+05:00", "+05:00"}, {"2025-11-20 09:00", "+05:00"}, {"2025-11-20T09:00", "+0500"}, {"2025-11-20 09:00 +0500", "+05:00"},
	}
	for form, base := range forms {
		for _, c := range cases {
			v := url.Values{}
			for k, x := range base {
				v[k] = x
			}
			v.Set("step", "preview")
			v.Set("time", c.when)
			v.Set("tz", c.tz)
			resp, b := do(t, "POST", ts.URL+"/record/"+form, operatorSecret, []byte(v.Encode()), formHeader)
			page := html.UnescapeString(string(b))
			if resp.StatusCode != http.StatusOK || strings.Contains(fieldBlock(string(b), "time"), "field-error") || strings.Contains(fieldBlock(string(b), "tz"), "field-error") ||
				!strings.Contains(page, `"eventTime": "2025-11-20T09:00:00+05:00"`) || !strings.Contains(page, `"eventTimeZoneOffset": "+05:00"`) {
				t.Errorf("%s, time %q, tz %q: %d; time field %q, tz field %q; errors %q", form, c.when, c.tz, resp.StatusCode, fieldBlock(string(b), "time"), fieldBlock(string(b), "tz"), regexp.MustCompile(`<span class="field-error">[^<]*`).FindAllString(page, -1))
			}
		}
		v := url.Values{}
		for k, x := range base {
			v[k] = x
		}
		v.Set("step", "preview")
		v.Set("time", "2025-11-20 09:00 +05:00")
		v.Set("tz", "+04:00")
		resp, b := do(t, "POST", ts.URL+"/record/"+form, operatorSecret, []byte(v.Encode()), formHeader)
		if block := fieldBlock(string(b), "time"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(block, `"2025-11-20 09:00 +05:00" carries the offset +05:00 but time zone offset says +04:00`) {
			t.Errorf("%s: offsets +05:00 and +04:00: %d; time field %q", form, resp.StatusCode, block)
		}
	}
}

// TestFormMoistureShowsCaptureReason (issue 15, fix15f item 2): the
// Sample form's moisture 0.08 (%) on a lot recorded at 8 % — 20 t, dry
// 20 × 0.92 = 18.4 t; at 0.08 %, 20 × 0.9992 = 19.984 t, +8.6 % — is
// refused (409) under Moisture with the capture check's own reason and
// its "did you mean 8 %?", not the range message for a per cent outside
// 0 to 100.
func TestFormMoistureShowsCaptureReason(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	c := commissionForm() // REE-2025-900, 20 000 kg at 8 %
	c.Set("step", "capture")
	if resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(c.Encode()), formHeader); resp.StatusCode >= 400 {
		t.Fatalf("commission: %d\n%s", resp.StatusCode, b)
	}
	v := url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:REE-2025-900"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 12 %"},
		"moisture": {"0.08"}, "time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}}
	resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	block := fieldBlock(string(b), "moisture")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(block, "a moisture of 0.08 % with no new weighing makes it dry 19.984 t, a difference of +8.6 %") ||
		!strings.Contains(block, "did you mean 8 %?") || strings.Contains(block, "enter a per cent from 0 to below 100") {
		t.Errorf("%d; moisture field shows %q", resp.StatusCode, block)
	}
	// With no result typed the moisture is the event's first sensor
	// element: its refusal is still the moisture's, not "line 1" of the
	// results (new-user re-check).
	v.Set("assays", "")
	resp, b = do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	if block := fieldBlock(string(b), "moisture"); resp.StatusCode != http.StatusConflict || !strings.Contains(block, "did you mean 8 %?") || strings.Contains(fieldBlock(string(b), "assays"), "moisture reading") {
		t.Errorf("no results: %d; moisture field shows %q, results %q", resp.StatusCode, block, fieldBlock(string(b), "assays"))
	}
	// 4 % is 4 points from 8: refused without a reason, taken with one
	// in the form's reason field (cm:massChangeReason).
	v.Set("moisture", "4")
	resp, b = do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	if block := fieldBlock(string(b), "moisture"); resp.StatusCode != http.StatusConflict || !strings.Contains(block, "may move the lot's moisture by 3 percentage points at most") {
		t.Errorf("4 %% with no reason: %d; moisture field shows %q", resp.StatusCode, block)
	}
	v.Set("mass_reason", "dried in the covered yard")
	resp, b = do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `&#34;cm:massChangeReason&#34;: &#34;dried in the covered yard&#34;`) && !strings.Contains(string(b), `"cm:massChangeReason": "dried in the covered yard"`) {
		t.Errorf("4 %% with a reason: %d\n%s", resp.StatusCode, excerpt(string(b), "massChangeReason"))
	}
}
