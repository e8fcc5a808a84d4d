package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestPagesEchoLargeFiguresPlain (issue 15, fix15m item 3): a figure of
// 10^30 typed into the Sample form or a weighbridge ticket is echoed as
// a power of ten, "1 × 10³⁰" (fix15zi: it was its 31 digits), never "1e+30": 10^30 ppm is past
// the ±10^12 sensor-value limit; 2 × 10^11 ppm is 2 × 10^7 % (2 × 10^11 / 10^4), over 100 %; a tare of 2 × 10^30 kg over a gross of 10^30 kg; a net of
// 10^30 kg against gross − tare = 10^30 − 10^20 = 999999999900000000000000000000 kg.
func TestPagesEchoLargeFiguresPlain(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	e30 := "1" + strings.Repeat("0", 30)
	v := url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:REE-2025-003"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO " + e30 + " ppm"},
		"time": {"2025-11-20T09:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}}
	_, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	page := html.UnescapeString(string(b))
	// 10^30 is past the ±10^12 limit of any sensor value (fixIi), which
	// the form judges first; echoed plain all the same.
	if !strings.Contains(page, "1 × 10³⁰ is beyond the limit of ±1,000,000,000,000 for a sensor value") || strings.Contains(page, "e+30") {
		t.Errorf("the Sample form's error lacks %q or prints e+30: %s", "1 × 10³⁰ is beyond the limit", page)
	}
	// Within that limit, 2 × 10^11 ppm = 2 × 10^7 % (2 × 10^11 / 10^4)
	// is over 100 %, said as a power of ten.
	v.Set("assays", "TREO 2"+strings.Repeat("0", 11)+" ppm")
	_, b = do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
	page = html.UnescapeString(string(b))
	if !strings.Contains(page, "ppm is over 100 %") || strings.Contains(page, "e+11") {
		t.Errorf("the Sample form's error lacks %q or prints e+11: %s", "ppm is over 100 %", page)
	}
	csv := "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg),Moisture %\n" +
		"KHI-WB-BIG-1,urn:critmin:demo:lot:REE-2025-001,2025-09-01 08:00," + e30 + ",2" + e30[1:] + ",0,8\n" +
		"KHI-WB-BIG-2,urn:critmin:demo:lot:REE-2025-001,2025-09-01 08:00," + e30 + ",1" + strings.Repeat("0", 20) + "," + e30 + ",8\n"
	w := weighbridgeMapping("preview")
	w.Set("csv", csv)
	_, out := postImport(t, ts, w)
	out = html.UnescapeString(out)
	for _, want := range []string{"tare 2 × 10³⁰ kg is more than gross 1 × 10³⁰ kg", "gross − tare = 9.999999999 × 10²⁹ kg"} {
		if !strings.Contains(out, want) {
			t.Errorf("the import lacks %q", want)
		}
	}
	if strings.Contains(out, "e+29") || strings.Contains(out, "e+30") {
		t.Errorf("the import prints a figure in exponent form")
	}
}

// TestFormTimeWithSpacedOffset (issue 15, fix15m item 4): the Sample
// form's time typed "2025-11-20 09:00 +05:00" (or "…T09:00 +0500") with
// no tz previews an event at 2025-11-20T09:00:00+05:00, offset +05:00.
func TestFormTimeWithSpacedOffset(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	for _, when := range []string{"2025-11-20 09:00 +05:00", "2025-11-20T09:00 +0500"} {
		v := url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:REE-2025-003"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 3 %"},
			"time": {when}, "tz": {""}, "site": {"urn:critmin:demo:site:loe-shilman"}}
		_, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
		page := html.UnescapeString(string(b))
		if !strings.Contains(page, `"eventTime": "2025-11-20T09:00:00+05:00"`) || !strings.Contains(page, `"eventTimeZoneOffset": "+05:00"`) {
			t.Errorf("time %q: the preview lacks the event at 2025-11-20T09:00:00+05:00", when)
		}
	}
}
