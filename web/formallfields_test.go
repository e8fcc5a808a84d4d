package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordFormsReportEveryFieldAtOnce (issue 15, fix15v item 2): a new
// user's Ship form with a bill of lading that critmin cannot read ("KHI#HOU")
// and a lot no event recorded (NOPE5) showed only the bill of lading's
// error; the lot's showed once that was fixed. Both are independent
// fields: one preview names both. The Sample form's lot no event
// recorded beside a laboratory that is not a URI, likewise.
func TestRecordFormsReportEveryFieldAtOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	site := url.Values{"time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}, "step": {"preview"}}
	for _, c := range []struct {
		form string
		v    url.Values
		want map[string]string
	}{
		{"ship", url.Values{"lots": {"urn:critmin:demo:lot:NOPE5 5000"}, "bol": {"KHI#HOU"}, "destination": {"urn:critmin:demo:site:houston"}},
			map[string]string{"bol": `"KHI#HOU" is not a bill of lading number critmin reads`, "lots": "no event recorded lot urn:critmin:demo:lot:NOPE5"}},
		{"pack", url.Values{"container": {"MSKU"}, "lots": {"urn:critmin:demo:lot:NOPE6 100"}},
			map[string]string{"lots": "no event recorded lot urn:critmin:demo:lot:NOPE6"}},
	} {
		v := url.Values{}
		for k, x := range site {
			v[k] = x
		}
		for k, x := range c.v {
			v[k] = x
		}
		resp, b := do(t, "POST", ts.URL+"/record/"+c.form, operatorSecret, []byte(v.Encode()), formHeader)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.form, resp.StatusCode)
		}
		for field, want := range c.want {
			if got := errorPart(fieldBlock(string(b), field)); !strings.Contains(got, want) {
				t.Errorf("%s: field %s shows %q in the one preview, want %q", c.form, field, got, want)
			}
		}
	}
}
