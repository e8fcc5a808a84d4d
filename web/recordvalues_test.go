package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordListLinesAndUnits (new-user check 4): a decimal comma in a
// list line (Receive, Refine) gets the sentence the single mass field
// gives, not the schema's "must be a number, not a string"; the moisture
// error speaks only in the form's per cent; a bill of lading "TEST-1" is
// read as urn:critmin:bol:TEST-1 (nu39c item 4), never "relative url".
// Nothing is stored.
func TestRecordListLinesAndUnits(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(t.Context())
	lot := "urn:critmin:demo:lot:REE-2025-003"
	comma := `line 1: "24950,5" is not a number: a comma may only separate thousands`
	for _, c := range []struct {
		form string
		v    url.Values
		want []string
	}{
		{"receive", url.Values{"containers": {"urn:critmin:demo:container:MSKU7777772"}, "lots": {lot + " 24950,5 KGM"}, "bol": {"TEST-1"}},
			[]string{comma}},
		{"pack", url.Values{"container": {"urn:critmin:demo:container:MSKU7777772"}, "lots": {lot + " 24950,5 KGM"}}, []string{comma}},
		{"refine", url.Values{"run": {"urn:critmin:demo:run:MO-REE-009"}, "inputs": {lot + " 24950,5"}, "outputs": {"urn:critmin:demo:lot:NDPR-2025-009 1200"}, "commodity": {"ndpr_oxide"}}, []string{comma}},
		{"commission", url.Values{"lot": {"urn:critmin:demo:lot:REE-2025-950"}, "mass": {"20000"}, "uom": {"KGM"}, "commodity": {"ree_concentrate"}, "country": {"PAK"}, "moisture": {"150"}},
			[]string{"enter a per cent from 0 to below 100 (8 for 8 %)"}},
	} {
		v := url.Values{"time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}, "step": {"capture"}}
		for k, x := range c.v {
			v[k] = x
		}
		_, b := do(t, "POST", ts.URL+"/record/"+c.form, operatorSecret, []byte(v.Encode()), formHeader)
		errs := html.UnescapeString(strings.Join(regexp.MustCompile(`<span class="field-error">[^<]*`).FindAllString(withIDs(string(b)), -1), "\n"))
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: field errors lack %q:\n%s", c.form, w, errs)
			}
		}
		for _, bad := range []string{"not a string", "fraction", "relative url"} {
			if strings.Contains(errs, bad) {
				t.Errorf("%s: field errors say %q:\n%s", c.form, bad, errs)
			}
		}
	}
	if n, _ := ts.Store.CountEvents(t.Context()); n != before {
		t.Errorf("stored %d events", n-before)
	}
}

// TestCapturePageBrokenJSONNoStrayPointer (new-user check 3): a pasted
// document that is not JSON is refused in one sentence, with no empty
// pointer and stray " : " before the reason; nothing is stored.
func TestCapturePageBrokenJSONNoStrayPointer(t *testing.T) {
	ts := MustServe(t, true, nil)
	for _, doc := range []string{"", "{\"type\": "} {
		v := url.Values{"document": {doc}, "behaviour": {"rollback"}}
		_, b := do(t, "POST", ts.URL+"/capture", operatorSecret, []byte(v.Encode()), formHeader)
		page := html.UnescapeString(withIDs(string(b)))
		box := regexp.MustCompile(`(?s)<div class="errors" id="capture-errors">.*?</div>`).FindString(page)
		if box == "" || strings.Contains(box, "<code></code>") || strings.Contains(box, ". : ") || strings.Contains(box, "<li>: ") {
			t.Errorf("document %q: capture errors\n%s", doc, box)
		}
	}
	if n, _ := ts.Store.CountEvents(t.Context()); n != 0 {
		t.Errorf("stored %d events", n)
	}
}
