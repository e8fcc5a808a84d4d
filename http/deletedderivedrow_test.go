package http_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/sqldb"
)

// TestDeletedDerivedRowAnswers409: a genealogy link or a move deleted
// directly in the database leaves no row whose seal could be checked, yet
// would change the lot it belonged to (a lot made from REE-2025-001 would
// lose that parent, and with it the parent's share of its origin). Each
// lots row's seal covers how many links lead into the lot and how many
// moves it has, so every view of that lot — the lot, its trace, origin,
// rule verdicts and certificate — answers 409 naming the table and the
// lot instead of 200; put back, the row is served again.
func TestDeletedDerivedRowAnswers409(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	db := ts.Store.(*sqldb.DB)
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Write.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	views := func(id string) []string {
		p := "/api/v1/lots/" + url.PathEscape(id)
		return []string{p, p + "/trace", p + "/origin", p + "/rules", p + "/certificate"}
	}
	served := func(when, id string) {
		t.Helper()
		for _, u := range views(id) {
			if resp, b := do(t, "GET", ts.URL+u, "", nil, nil); resp.StatusCode != 200 {
				t.Errorf("%s: GET %s: %d %.200s", when, u, resp.StatusCode, b)
			}
		}
	}
	want409 := func(what, id, table string) {
		t.Helper()
		for _, u := range views(id) {
			resp, b := do(t, "GET", ts.URL+u, "", nil, nil)
			if resp.StatusCode != 409 {
				t.Errorf("%s: GET %s: %d %.200s; want 409", what, u, resp.StatusCode, b)
				continue
			}
			pr := mustProblem(t, resp, b, 409)
			if !strings.Contains(pr.Detail, "table "+table) || !strings.Contains(pr.Detail, id) {
				t.Errorf("%s: GET %s: %q; want table %s and lot %s named", what, u, pr.Detail, table, id)
			}
		}
	}
	var child string
	if err := db.Write.QueryRow(`SELECT child FROM lot_links WHERE parent = ? AND kind = 'transformation' ORDER BY child LIMIT 1`, lot).Scan(&child); err != nil {
		t.Fatalf("a lot made from %s: %v", lot, err)
	}
	// Certificates are issued (a POST, fix14p); a GET serves them.
	issueCertificate(t, ts.URL, child)
	issueCertificate(t, ts.URL, lot)
	served("as loaded", child)
	served("as loaded", lot)

	exec(`CREATE TABLE saved_links AS SELECT * FROM lot_links WHERE parent = ? AND child = ?`, lot, child)
	exec(`DELETE FROM lot_links WHERE parent = ? AND child = ?`, lot, child)
	want409("genealogy link deleted", child, "lot_links")
	exec(`INSERT INTO lot_links SELECT * FROM saved_links`)
	served("link put back", child)

	var moves int
	if err := db.Write.QueryRow(`SELECT COUNT(*) FROM lot_moves WHERE lot = ?`, lot).Scan(&moves); err != nil || moves == 0 {
		t.Fatalf("moves of %s: %d %v; the demo moves it", lot, moves, err)
	}
	exec(`CREATE TABLE saved_moves AS SELECT * FROM lot_moves WHERE lot = ?`, lot)
	exec(`DELETE FROM lot_moves WHERE lot = ?`, lot)
	want409("moves deleted", lot, "lot_moves")
	exec(`INSERT INTO lot_moves SELECT * FROM saved_moves`)
	served("moves put back", lot)
}
