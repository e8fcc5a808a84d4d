package commercial_test

import (
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Issue 13 (fix13i, 3): every term-sheet fault names the term sheet, the
// field and a readable reason — no regular expression, no lost id. A
// lower-case currency says ISO 4217 in capitals; a per-dmt price unit
// gives the price CSV's per-dry-tonne explanation and the units a price
// takes; a number of 1e300 and a repeated payable name the term sheet
// (they read `term sheet:` before) and keep the number as written. The
// text (TermSheetErrorText) is the one the CLI prints and the API's
// detail reads: `term sheet "ID": field "…" (/pointer): reason`.
func TestTermSheetErrorsNameSheetFieldAndReadableReason(t *testing.T) {
	b, err := os.ReadFile("demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	const cuPayable = `{"element": "Cu", "grade_unit": "%", "payable_pct": 96.5, "min_deduction": 1, "price": {"series": "DEMO-LME-CU", "unit": "USD/t"}},`
	for _, c := range []struct {
		name, doc, ptr string
		want           []string
	}{
		{"currency", strings.Replace(doc, `"currency": "USD"`, `"currency": "usd"`, 1), "/currency", []string{`"usd"`, "ISO 4217", "capitals"}},
		{"unit", strings.Replace(doc, `"unit": "USD/t"}},`, `"unit": "USD/dmt"}},`, 1), "/payables/0/price/unit", []string{"per dry tonne of concentrate", "CUR/unit", "t, kg, lb, ozt, g or mtu"}},
		{"magnitude", strings.Replace(doc, `"tc": {"base": 21.25,`, `"tc": {"base": 1e300,`, 1), "/tc/base", []string{"1e300"}},
		{"repeated", strings.Replace(doc, `"payables": [`, `"payables": [`+cuPayable, 1), "/payables/1/element", []string{"repeats item 0"}},
	} {
		if c.doc == doc {
			t.Fatalf("%s: the demo term sheet changed; the case edits nothing", c.name)
		}
		_, err := commercial.ParseTermSheet([]byte(c.doc))
		msg := critmin.ErrorMessage(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.HasPrefix(msg, `term sheet "FWO-USSM-CU-2025": `+c.ptr+": ") {
			t.Errorf("%s: %q, want it led by the term sheet and %s", c.name, msg, c.ptr)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q lacks %q", c.name, msg, w)
			}
		}
		for _, bad := range []string{"pattern", "^[", "e+300"} {
			if strings.Contains(msg, bad) {
				t.Errorf("%s: %q shows %q", c.name, msg, bad)
			}
		}
		text, ok := commercial.TermSheetErrorText(err)
		if !ok || !strings.HasPrefix(text, `term sheet "FWO-USSM-CU-2025": `+commercial.FieldInWords(c.ptr)+": ") {
			t.Errorf("%s: text %q (%v), want the field in words then its pointer", c.name, text, ok)
		}
	}
}
