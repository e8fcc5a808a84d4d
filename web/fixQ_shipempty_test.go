package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestShipEmptyFormPlainErrors (issue 15, n15-6 item 2): the Ship form
// submitted empty names its fields in plain words — each required field
// (Bill of lading, Destination, Date and time, Time zone offset, Loading
// port or site, and Containers or Lots) says "required" under itself —
// and no validator wording reaches the page: no "must have required
// property", no "must be", no JSON pointer (/epcisBody/…, /quantityList,
// /sourceList…).
func TestShipEmptyFormPlainErrors(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"preview", "capture"} {
		v := url.Values{"step": {step}}
		_, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader)
		page := html.UnescapeString(string(b))
		// The event as it stands is shown in its <pre>: JSON, not an
		// error; the rest of the page is read.
		text := html.UnescapeString(visibleText(regexp.MustCompile(`(?s)<pre.*?</pre>`).ReplaceAllString(string(b), "")))
		for _, f := range []string{"bol", "destination", "time", "tz", "site"} {
			if !strings.Contains(fieldBlock(page, f), "required") {
				t.Errorf("%s: field %s shows %q; want required", step, f, fieldBlock(page, f))
			}
		}
		for _, f := range []string{"containers", "lots"} {
			if b := fieldBlock(page, f); !strings.Contains(b, "required: give the containers shipped, the lots, or both") || strings.Contains(b, "ObjectEvent") {
				t.Errorf("%s: %s shows %q; want it required in the form's words", step, f, b)
			}
		}
		for _, bad := range []string{"must have required property", "must be", "required property", "epcisBody", "eventList", "epcList", "quantityList", "ObjectEvent needs"} {
			if strings.Contains(text, bad) {
				t.Errorf("%s: the page says %q:\n%s", step, bad, excerpt(text, bad))
			}
		}
		if m := regexp.MustCompile(`(^|\s)/[a-zA-Z:]+List\b|(^|\s)/(bizLocation|readPoint|eventTime|parentID)\b`).FindString(text); m != "" {
			t.Errorf("%s: a JSON pointer on the page: %q\n%s", step, m, excerpt(text, m))
		}
	}
}
