package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestMassBalancePageOfAnEmptyPeriod: the site page and the API show a
// period with nothing in it as a statement. mbDoc credits October 4.5 t
// Nd+Pr (100 t × 5 % × 0.9) and claims 1.6 t: PAK closes October at 2.9.
// Carry forward 1: November has no credit and no claim, and October's
// credit expires at November's end: 2.9 + 0 − 0 − 2.9 = 0. The antimony
// category has nothing at all: total 0 + 0 − 0 − 0 = 0. Before, the sb
// table read "No credits or claims in this period." with no figures.
func TestMassBalancePageOfAnEmptyPeriod(t *testing.T) {
	ts := MustServe(t, true, nil)
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{
			{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9},
			{ID: "sb", Inputs: []string{"antimony_ore"}, Product: "antimony_trioxide", Elements: []string{"Sb"}, ConversionFactor: 0.8}},
		Periods: []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}, {ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}}}
	mustCaptureDeclared(t, ts, d)
	site := url.PathEscape("urn:t:site:mb")
	resp, b := do(t, "GET", ts.URL+"/sites/"+site+"/mass-balance?period=2025-11", "", nil, nil)
	num := func(vs ...string) string {
		return `<td class="num">` + strings.Join(vs, `</td><td class="num">`) + `</td>`
	}
	for _, want := range []string{
		"<td>Pakistan</td>" + num("2.9", "0", "0", "2.9", "0"),
		"<th>all origins</th>" + num("2.9", "0", "0", "2.9", "0"),
		"Category sb",
		"<th>all origins</th>" + num("0", "0", "0", "0", "0"),
	} {
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("November's page lacks %q: %d", want, resp.StatusCode)
		}
	}
	if strings.Contains(string(b), "No credits or claims in this period.") {
		t.Error("the page still prints a figure-less placeholder")
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/sites/"+site+"/mass-balance/statement?period=2025-11", "", nil, nil)
	for _, want := range []string{`"total":{"country":"","name":"allorigins","opening":0,"credits":0,"claims":0,"expired":0,"closing":0}`, `"name":"allorigins","opening":2.9,`} {
		if resp.StatusCode != 200 || !strings.Contains(strings.Join(strings.Fields(string(b)), ""), want) {
			t.Errorf("API statement lacks %s: %d %s", want, resp.StatusCode, b)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/sites/"+site+"/mass-balance/statement?period=2025-11&format=csv", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "urn:t:site:mb,2025-11,sb,Sb,0.8,all,0,0,0,0,0,0,") {
		t.Errorf("CSV lacks the empty category's total row: %d\n%s", resp.StatusCode, b)
	}
}
