package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestShipFormShowsBillOfLadingSuggestion (issue 15, r15a item 3; since
// nu39c item 4 a plain number such as "TEST-1" is accepted and recorded
// as urn:critmin:bol:TEST-1): the Ship form's error for a bill of lading
// with other marks, "TEST#1", shows the value to write, TEST1, in its
// visible text, not only in a hover title.
func TestShipFormShowsBillOfLadingSuggestion(t *testing.T) {
	ts := MustServe(t, false, nil)
	v := url.Values{"time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}, "step": {"preview"},
		"containers": {"urn:critmin:demo:container:MSKU7777772"}, "bol": {"TEST#1"}, "destination": {"urn:critmin:demo:site:houston"}}
	_, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader)
	errs := regexp.MustCompile(`(?s)<span class="field-error">.*?</span>\s*(</label>|<)`).FindAllString(string(b), -1)
	seen := false
	for _, e := range errs {
		text := visibleText(e)
		if strings.Contains(text, "TEST#1") && strings.Contains(text, "bill of lading number") {
			seen = true
			if !strings.Contains(text, "(TEST1)") {
				t.Errorf("the suggestion is not in the visible text: %q", text)
			}
		}
	}
	if !seen {
		t.Fatalf("no bill-of-lading error on the Ship form:\n%s", excerpt(string(b), "field-error"))
	}
}
