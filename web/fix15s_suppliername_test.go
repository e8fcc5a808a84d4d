package web_test

import (
	"encoding/csv"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestOriginCSVNamesSuppliers (issue 15, fix15s, cosmetic): the origin
// CSV's name column repeated a supplier's URI ("urn:critmin:demo:party:
// fwo" twice) where it gives a country's name and a mine's. A supplier
// is named as master data names the party: the demo's REE-2025-001,
// supplied by FWO, has its supplier row keyed urn:critmin:demo:party:fwo
// and named "Frontier Works Organization" (share 1 of the dry mass).
func TestOriginCSVNamesSuppliers(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:critmin:demo:lot:REE-2025-001")+"/origin?format=csv", "", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("origin CSV: %d %v %s", resp.StatusCode, err, b)
	}
	found := false
	for _, r := range rows[1:] {
		if r[1] == "dry mass" && r[2] == "supplier" {
			found = true
			if got := strings.Join(r[3:5], ","); got != "urn:critmin:demo:party:fwo,Frontier Works Organization" {
				t.Errorf("supplier row key,name %q; want urn:critmin:demo:party:fwo,Frontier Works Organization", got)
			}
		}
	}
	if !found {
		t.Fatalf("no supplier row:\n%s", b)
	}
}
