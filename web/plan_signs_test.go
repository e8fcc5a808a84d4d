package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
)

// TestPlanPageFiguresUseTrueMinusAndUnits: the plan page prints every
// signed figure — shadow prices, duals, margins, the Δ margin of the
// scenario comparison — with the UI's number formatting: the true minus
// sign (U+2212), thousands separators, and the unit in the column's
// header (USD per t for a dual), never a hyphen-minus ("-1234").
func TestPlanPageFiguresUseTrueMinusAndUnits(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a plan finished", func() bool { return ts.LatestPlanJob() != nil })
	resp, b := do(t, "GET", ts.URL+"/plans/latest", "", nil, nil)
	page := string(b)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="shadow-table"`) {
		t.Fatalf("plan page: %d", resp.StatusCode)
	}
	if m := regexp.MustCompile(`<td class="num">[^<]*-[0-9][^<]*</td>`).FindAllString(page, 5); len(m) > 0 {
		t.Errorf("figures with a hyphen-minus: %q", m)
	}
	shadow := page[strings.Index(page, `id="shadow-table"`):]
	shadow = shadow[:strings.Index(shadow, "</table>")]
	// Raising a contract minimum or a stockpile target costs money: the
	// demo's baseline has such rows, negative, as "−1,234".
	if !regexp.MustCompile(`<td class="num">−[0-9]{1,3}(,[0-9]{3})*(\.[0-9]+)?</td>`).MatchString(shadow) {
		t.Errorf("no negative shadow price written with U+2212: %.600s", shadow)
	}
	for _, h := range []string{`<th class="num">Largest (USD per t)</th>`, `<th class="num">Mean (USD per t)</th>`, `<th class="num">Dual (USD per t)</th>`} {
		if !strings.Contains(page, h) {
			t.Errorf("plan page lacks the header %s", h)
		}
	}
}
