package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestFormListFieldsAllErrorsAtOnce (issue 15, fix15q item 2): a form
// with list fields reported its faults in rounds — the form's own value
// checks for a list field (a mass "abc" on line 1) replaced everything
// the validator said of that field, so a lot that is not a URI (line 2)
// and a lot line with no mass (line 3; since fix15d a Ship form's lot
// line without a mass ships the rest, so line 3 has a length unit) showed only once line 1 was
// fixed. One preview shows every fault, each next to its field and line:
// here the scalar bill of lading and time zone too, and the container
// line of two words (read before as 'line 1: "one" is not a number').
func TestFormListFieldsAllErrorsAtOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := url.Values{
		"lots":        {"urn:critmin:demo:lot:REE-2025-001 abc KGM\nnot-a-lot 5 KGM\nurn:critmin:demo:lot:REE-2025-002 5 MTR"},
		"containers":  {"container one"},
		"bol":         {"KHI#HOU"},
		"destination": {"urn:critmin:demo:site:houston"},
		"time":        {"2025-11-20T09:00"}, "tz": {"+5"}, "site": {"urn:critmin:demo:site:karachi"}, "step": {"preview"},
	}
	_, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader)
	page := string(b)
	for field, wants := range map[string][]string{
		"lots":       {`line 1: "abc" is not a number`, `line 2: `, `line 3: unit`},
		"containers": {`line 1: `},
		"bol":        {`"KHI#HOU" is not a bill of lading number critmin reads`},
		"tz":         {`offset "+5" is not ±hh:mm`},
	} {
		block := fieldBlock(page, field)
		for _, w := range wants {
			if !strings.Contains(errorPart(block), w) {
				t.Errorf("%s: want an error with %q in the one preview; it shows %q", field, w, errorPart(block))
			}
		}
	}
	// In the order of the lines, whichever check found the fault.
	got := errorPart(fieldBlock(page, "lots"))
	if i1, i2, i3 := strings.Index(got, "line 1:"), strings.Index(got, "line 2:"), strings.Index(got, "line 3:"); !(i1 < i2 && i2 < i3) {
		t.Errorf("lots: errors not in line order: %q", got)
	}
	if got := errorPart(fieldBlock(page, "containers")); strings.Contains(got, "is not a number") {
		t.Errorf("a container line is read as a lot line: %q", got)
	}
}

// errorPart is the text of a field block's errors.
func errorPart(block string) string {
	i := strings.Index(block, `class="field-error"`)
	if i < 0 {
		return ""
	}
	return visibleText(`<span ` + block[i:])
}
