package web_test

import (
	"html"
	"net/http"
	"strings"
	"testing"
)

// TestShareBarsLeaveNoCountryOut (issue 15: "Share by country" for rare
// earths dropped Vietnam and Malaysia, the 11th and 12th producers,
// while showing "Other countries 0.26 %", USGS's unnamed row): every
// country of the table is in the chart, the ones past the tenth in a bar
// that names them, and USGS's row says it is unnamed.
func TestShareBarsLeaveNoCountryOut(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "GET", ts.URL+"/risk?commodity=rare+earths&stage=mine&year=2024", "", nil, map[string]string{"Accept": "text/html"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("risk page: %d", resp.StatusCode)
	}
	page := html.UnescapeString(string(b))
	i := strings.Index(page, "<h2>Share by country</h2>")
	bars := page[i : i+strings.Index(page[i:], "<h2>HHI")]
	table := page[strings.Index(page, `id="conc-table"`):]
	table = table[:strings.Index(table, "</table>")]
	n := 0
	for _, row := range strings.Split(table, "<tr><td>")[2:] {
		name := row[:strings.Index(row, "</td>")]
		if name == "Other countries" {
			continue
		}
		n++
		if !strings.Contains(bars, name) {
			t.Errorf("%s is in the table but not in the share chart", name)
		}
	}
	if n <= 10 {
		t.Fatalf("only %d countries: the case of more than ten is not tested", n)
	}
	if !strings.Contains(bars, "not named by USGS") {
		t.Error(`the share chart's "Other countries" does not say it is USGS's unnamed rest`)
	}
}
