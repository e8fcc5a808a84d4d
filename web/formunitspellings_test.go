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

// TestFormsAcceptCommonMassSpellings (issue 15, fix15v item 4): the
// record forms refused "kg" ("write KGM"). A unit typed in a common
// spelling, in any case, is read as its UN/ECE Rec 20 code and the
// preview's event shows the code: kg, Kg → KGM; t, tonnes, Tonne → TNE.
// "mt" (metric ton or megatonne?) is still refused, naming TNE.
func TestFormsAcceptCommonMassSpellings(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	receive := func(unit string) (int, string) {
		v := url.Values{"step": {"preview"}, "lots": {"urn:critmin:demo:lot:REE-2025-998 30 " + unit}, "bol": {"urn:critmin:demo:bol:OUTSIDE-2"},
			"time": {"2025-11-20T08:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}}
		resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(v.Encode()), formHeader)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	commission := func(unit string) (int, string) {
		v := url.Values{"step": {"preview"}, "lot": {"urn:critmin:demo:lot:UNIT-1"}, "mass": {"20"}, "uom": {unit}, "commodity": {"ree_concentrate"}, "country": {"PAK"},
			"time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}}
		resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	for _, c := range []struct {
		form, unit, code string
		post             func(string) (int, string)
	}{
		{"receive", "kg", "KGM", receive}, {"receive", "Kg", "KGM", receive}, {"receive", "t", "TNE", receive}, {"receive", "tonnes", "TNE", receive},
		{"commission", "kg", "KGM", commission}, {"commission", "Tonne", "TNE", commission}, {"commission", "tne", "TNE", commission},
	} {
		code, page := c.post(c.unit)
		if code != http.StatusOK || !strings.Contains(page, `"uom": "`+c.code+`"`) {
			t.Errorf("%s with unit %q: %d; want 200 and the preview's event in %s\n%s", c.form, c.unit, code, c.code, fieldErrorText(page))
		}
	}
	for _, post := range []func(string) (int, string){receive, commission} {
		if code, page := post("mt"); code != http.StatusBadRequest || !strings.Contains(page, `"mt" is not a UN/ECE Rec 20 mass unit: write TNE`) {
			t.Errorf("unit mt: %d; want 400 naming TNE\n%s", code, fieldErrorText(page))
		}
	}
}

// fieldErrorText is the field-error text of a form page (for failure output).
func fieldErrorText(page string) string {
	var out []string
	for _, part := range strings.Split(page, `class="field-error"`)[1:] {
		out = append(out, visibleText(`<span `+part[:min(len(part), 400)]))
	}
	return strings.Join(out, " | ")
}
