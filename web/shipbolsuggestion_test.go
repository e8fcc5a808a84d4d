package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestShipFormShowsBillOfLadingSuggestion (issue 15, r15a item 3): the
// Ship form's error for a bill of lading "TEST-1" shows the URN to write,
// urn:critmin:bol:TEST-1, in its visible text — not "such as TEST-1"
// with the URN only in a hover title.
func TestShipFormShowsBillOfLadingSuggestion(t *testing.T) {
	ts := MustServe(t, false, nil)
	v := url.Values{"time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}, "step": {"preview"},
		"containers": {"urn:critmin:demo:container:MSKU7777772"}, "bol": {"TEST-1"}, "destination": {"urn:critmin:demo:site:houston"}}
	_, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader)
	errs := regexp.MustCompile(`(?s)<span class="field-error">.*?</span>\s*(</label>|<)`).FindAllString(string(b), -1)
	seen := false
	for _, e := range errs {
		text := visibleText(e)
		if strings.Contains(text, "TEST-1") && strings.Contains(text, "such as") {
			seen = true
			if !strings.Contains(text, "such as urn:critmin:bol:TEST-1") {
				t.Errorf("the suggestion is not in the visible text: %q", text)
			}
		}
	}
	if !seen {
		t.Fatalf("no bill-of-lading error on the Ship form:\n%s", excerpt(string(b), "field-error"))
	}
}
