package web_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
)

// rawIDRE finds what a person does not read as a name: a URN, a URI, an
// event hash ID, a snake_case key (ree_conc_in, supply_max, grade_pct).
var rawIDRE = regexp.MustCompile(`urn:[A-Za-z0-9-]+:\S+|ni:///\S+|https?://\S+|\b[a-z0-9]+_[a-z0-9_]+\b`)

// TestPagesNameIdentifiersReadably (issue 15, fix15q item 1): where a
// person expects names, the pages print names — the lot page's rule
// "why" texts and run balances, the refinery flowsheet and its tables, the contract,
// trade, exposure and settlement pages and the plan's binding
// constraints — with each identifier kept in a link's target or an
// element's title (visibleText drops both), not as raw text.
func TestPagesNameIdentifiersReadably(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	j, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}})
	if err != nil {
		t.Fatal(err)
	}
	waitPlan(t, ts, j.ID)
	get := func(path string) string {
		resp, b := do(t, "GET", ts.URL+path, operatorSecret, nil, map[string]string{"Accept": "text/html"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	// part is the visible text of the element with id (to its closing
	// tag's first "</table>" or "</div>"), or of <main> for "".
	part := func(page, id, end string) string {
		i := strings.Index(page, `<main`)
		if id != "" {
			i = strings.Index(page, `id="`+id+`"`)
		}
		if i < 0 {
			t.Fatalf("no #%s", id)
		}
		j := strings.Index(page[i:], end)
		if j < 0 {
			j = len(page) - i
		}
		// Tags as spaces: a table's cells stay apart. A raw JSON view
		// (the contract's term sheet in <pre>) is data, not a name.
		body := regexp.MustCompile(`(?s)<pre.*?</pre>`).ReplaceAllString(page[i:i+j], "")
		return strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " "))), " ")
	}
	settleCU := "/trade/settlement?contract=FWO-USSM-CU-2025&lot=https%3a%2f%2fid.gs1.org%2f01%2f09520123456788%2f10%2fCU2025001"
	settleREE := "/trade/settlement?contract=FWO-USSM-REE-2025&lot=urn:critmin:demo:lot:REE-2025-001"
	for _, c := range []struct{ path, id, end, want string }{
		// The demo's REE-2025-003 was shipped by event 027 without an
		// assay certificate: the rule names the event and the document.
		{"/lots/urn:critmin:demo:lot:REE-2025-003", "verdicts", "</table>", "event 027 has no assay certificate"},
		{"/refinery", "", "<h2", "Site "},
		{"/refinery", "flowsheet-graph-table", "</table>", "REE concentrate received (lots)"},
		{"/refinery", "refinery-table", "</table>", ""},
		{"/refinery", "sankey-Nd-table", "</table>", "Nd in NdPr oxide"},
		{"/refinery", "refinery-inputs", "</table>", "grade % Nd"},
		{"/trade/nsr?supply=loe-shilman-forecast", "nsr-form", "</form>", "REE-2025-001 (Rare-earth concentrate)"},
		{"/lots/urn:critmin:demo:lot:NDPR-2025-001", "run-balances", "</table>", "MO-REE-001"},

		{"/plans/" + j.ID, "binding-table", "</table>", ""},
		{"/trade/contracts/FWO-USSM-REE-2025", "", "</main>", "REE-2025-001"},
		{"/trade", "", "</main>", "REE-2025-001"},
		{"/trade/exposure", "", "</main>", ""},
		{settleCU, "", "</main>", "CU2025001"},
		{settleREE, "", "</main>", "event 001"},
	} {
		text := part(get(c.path), c.id, c.end)
		if m := rawIDRE.FindAllString(text, 5); len(m) > 0 {
			t.Errorf("%s #%s shows raw identifiers %q", c.path, c.id, m)
		}
		if !strings.Contains(text, c.want) {
			t.Errorf("%s #%s: want %q in %q", c.path, c.id, c.want, text)
		}
	}
}
