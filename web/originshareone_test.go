package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestLotPageSingleCountryIs100 (issue 15, fix15x item 3): demo oxide
// NDPR-2025-001 comes from Pakistan alone, so every row of its origin
// table (dry mass, La, Pr, TREO contained …) is Pakistan with a share of
// exactly 1 = 100 %. The element rows printed "> 99.9 %": the mix's one
// share summed from weighted fractions came out a hair below 1. A mix
// of one country is all of it: 100 %.
func TestLotPageSingleCountryIs100(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	_, page := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001"), "", nil, nil)
	p := string(page)
	i := strings.Index(p, `id="origin-table"`)
	if i < 0 {
		t.Fatalf("no origin table on the lot page")
	}
	tbl := p[i : i+strings.Index(p[i:], "</table>")]
	if strings.Contains(tbl, "99.9") || !strings.Contains(tbl, "TREO contained") || strings.Count(tbl, ">100 %<") < 3 {
		t.Errorf("origin table: want every share 100 %%, none \"> 99.9 %%\":\n%s", tbl)
	}
}
