package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/sqldb"
)

// TestLotPageRefusesEditedLotRow: the lot page and its certificate page
// of a lot whose origin country was changed in the database (PAK → AUS)
// answer 409 naming table lots, not the page with the edited origin;
// put back, the page is served again.
func TestLotPageRefusesEditedLotRow(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	db := ts.Store.(*sqldb.DB)
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	pages := []string{"/lots/" + url.PathEscape(lot), "/lots/" + url.PathEscape(lot) + "/certificate", "/lots"}
	issueCert(t, ts.URL, url.PathEscape(lot)) // Issued by a POST (fix14p): a GET serves it and writes nothing.
	var origin string
	if err := db.Write.QueryRow(`SELECT origin_country FROM lots WHERE id = ?`, lot).Scan(&origin); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE lots SET origin_country = 'AUS' WHERE id = ?`, lot); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		resp, b := do(t, "GET", ts.URL+p, "", nil, nil)
		if resp.StatusCode != 409 || !strings.Contains(string(b), "table lots") {
			t.Errorf("edited lot: GET %s: %d %.300s; want 409 naming table lots", p, resp.StatusCode, b)
		}
	}
	if _, err := db.Write.Exec(`UPDATE lots SET origin_country = ? WHERE id = ?`, origin, lot); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if resp, b := do(t, "GET", ts.URL+p, "", nil, nil); resp.StatusCode != 200 {
			t.Errorf("put back: GET %s: %d %.300s", p, resp.StatusCode, b)
		}
	}
}
