package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestDecimalMarkOptionFitsPhone (new-user finding nu37b-4): at 390 px
// the import page's Decimal mark drop-down was cut off — its first
// option, "not stated (a point; a number that reads two ways is
// refused)", 61 characters, is wider than the 300 px the select has
// there. Each option is at most 24 characters (about 190 px at 16 px),
// the rule it left out said in the field's help.
func TestDecimalMarkOptionFitsPhone(t *testing.T) {
	ts := MustServe(t, false, nil)
	v := url.Values{"source": {"s"}, "kind": {"weighbridge"}, "csv": {weighbridgeCSV}, "step": {"check"}}
	_, page := postImport(t, ts, v)
	sel := regexp.MustCompile(`(?s)<select name="def_decimal".*?</select>`).FindString(page)
	opts := regexp.MustCompile(`<option[^>]*>([^<]*)</option>`).FindAllStringSubmatch(sel, -1)
	if len(opts) != 3 {
		t.Fatalf("decimal options %q", opts)
	}
	for _, o := range opts {
		if n := len([]rune(visibleText(o[1]))); n > 24 {
			t.Errorf("option %q: %d characters; want at most 24", o[1], n)
		}
	}
	if !strings.Contains(page, "a number that reads two ways is refused") {
		t.Error("the help no longer says a number that reads two ways is refused")
	}
}
