package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportPreviewEveryRow: the check of a file shows every row — the
// event it will capture, worded and as JSON-LD, and its own errors — not
// only the first valid row's event; nothing is stored by a check. The
// Karachi file: row 2 weighs 39,950 − 15,000 = 24,950 kg net (24.95 t)
// at 8 % moisture; row 3 17,980 kg (17.98 t) with no moisture; row 4's
// net "2999O" is not a number, so it has an error and no event; its
// date, 2025-08-29, is also before lot REE-2025-003 was commissioned
// (2025-11-03): every error of a row is listed (fix15t item 1).
func TestImportPreviewEveryRow(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	resp, page := postImport(t, ts, weighbridgeMapping("preview"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, page)
	}
	card := func(row string) string {
		re := regexp.MustCompile(`(?s)<li class="import-row[^"]*" id="row-` + row + `".*?</li>\n`)
		return re.FindString(page)
	}
	for _, c := range []struct {
		row  string
		want []string
		not  []string
	}{
		{"2", []string{"valid", "Object event · OBSERVE · Sensor reporting", "urn:critmin:demo:lot:REE-2025-001: 24.95 t (24,950 kg)",
			"2025-08-29 09:10 UTC (2025-08-29 14:10 local", "<dt>Mass concentration</dt><dd>H2O 8 %</dd>", "<dt>Mass</dt><dd>24,950 kg</dd>", "JSON-LD of row 2", `KHI-WB-1001`}, []string{"error"}},
		{"3", []string{"valid", "urn:critmin:demo:lot:REE-2025-002: 17.98 t (17,980 kg)", "JSON-LD of row 3"}, []string{"error"}},
		// Row 4's error is listed under Errors (with a link to the row)
		// and on its card — row, column, reason (TestImportRowCardStatesError).
		{"4", []string{"2 errors: not captured", "is before lot urn:critmin:demo:lot:REE-2025-003 was first recorded (commissioned)", `Row 4, column <strong>Net (kg)</strong>`, "is not a number", "No event"}, []string{"JSON-LD of row 4"}},
	} {
		got := card(c.row)
		if got == "" {
			t.Errorf("row %s has no card", c.row)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("row %s lacks %q:\n%s", c.row, w, got)
			}
		}
		for _, w := range c.not {
			if strings.Contains(got, w) {
				t.Errorf("row %s shows %q:\n%s", c.row, w, got)
			}
		}
	}
	if n := strings.Count(page, "is not a number"); n != 2 {
		t.Errorf("row 4's error is on the page %d times; want twice (the Errors table and its card)", n)
	}
	if !strings.Contains(page, `<td class="num"><a href="#row-4">4</a></td><td>Net (kg)</td><td>&#34;2999O&#34; is not a number: &#34;O&#34; follows the number 2999 — give the number alone (a unit goes in its own field or column)</td>`) {
		t.Errorf("the errors table does not list row 4's error with a link to the row")
	}
	if n, _ := ts.Store.CountEvents(ctx); n != before {
		t.Errorf("a check stored %d events", n-before)
	}
}
