package http_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/sqldb"
)

// TestEditedDerivedRowAnswers409: a lot's origin country changed directly
// in the database to another valid country (PAK → AUS, a value capture
// could have written, so no decoding check can see it) flips no verdict:
// every view that serves the lot — the lot, the list, its origin, its rule
// verdicts, and its certificate — answers 409 naming table
// lots and the row, not 200 with the edited figure; put back as critmin
// wrote it, the lot is served again. An edited genealogy link of a lot
// made from it, and an edited kept origin mix, are refused the same way
// by the views that read them (the kept mix: the lot list and the origin
// without evidence).
func TestEditedDerivedRowAnswers409(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	db := ts.Store.(*sqldb.DB)
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	p := "/api/v1/lots/" + url.PathEscape(lot)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Write.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	want409 := func(what string, paths []string, table, row string) {
		t.Helper()
		for _, u := range paths {
			resp, b := do(t, "GET", ts.URL+u, "", nil, nil)
			if resp.StatusCode != 409 {
				t.Errorf("%s: GET %s: %d %.200s; want 409", what, u, resp.StatusCode, b)
				continue
			}
			pr := mustProblem(t, resp, b, 409)
			if !strings.Contains(pr.Detail, "table "+table) || !strings.Contains(pr.Detail, row) {
				t.Errorf("%s: GET %s: %q; want table %s and row %s named", what, u, pr.Detail, table, row)
			}
		}
	}
	lotViews := []string{"/api/v1/lots", p, p + "/origin", p + "/rules", p + "/certificate"}
	// The certificate is issued (a POST, fix14p); a GET serves it.
	issueCertificate(t, ts.URL, lot)
	for _, u := range lotViews {
		if resp, b := do(t, "GET", ts.URL+u, "", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("as loaded: GET %s: %d %.200s", u, resp.StatusCode, b)
		}
	}
	var origin string
	if err := db.Write.QueryRow(`SELECT origin_country FROM lots WHERE id = ?`, lot).Scan(&origin); err != nil || origin == "" || origin == "AUS" {
		t.Fatalf("origin of %s: %q %v", lot, origin, err)
	}
	exec(`UPDATE lots SET origin_country = 'AUS' WHERE id = ?`, lot)
	want409("origin country edited", lotViews, "lots", lot)
	exec(`UPDATE lots SET origin_country = ? WHERE id = ?`, origin, lot)
	for _, u := range lotViews {
		if resp, b := do(t, "GET", ts.URL+u, "", nil, nil); resp.StatusCode != 200 {
			t.Errorf("origin put back: GET %s: %d %.200s", u, resp.StatusCode, b)
		}
	}

	// A lot made from it: its genealogy link and its kept origin mix.
	var child string
	if err := db.Write.QueryRow(`SELECT l.child FROM lot_links l JOIN lot_origin o ON o.lot = l.child AND o.stale = 0 WHERE l.parent = ? AND l.kind = 'transformation' ORDER BY l.child LIMIT 1`, lot).Scan(&child); err != nil {
		t.Fatalf("a lot made from %s with a kept mix: %v", lot, err)
	}
	c := "/api/v1/lots/" + url.PathEscape(child)
	exec(`UPDATE lot_links SET parent_qty = parent_qty * 2 WHERE parent = ? AND child = ?`, lot, child)
	want409("genealogy link edited", []string{c, c + "/origin", c + "/rules", c + "/certificate"}, "lot_links", child)
	exec(`UPDATE lot_links SET parent_qty = parent_qty / 2 WHERE parent = ? AND child = ?`, lot, child)
	exec(`UPDATE lot_origin SET mix = REPLACE(mix, '"PAK"', '"AUS"') WHERE lot = ?`, child)
	// The kept mix is what the lot list and the origin without evidence
	// serve (the evidence views walk the genealogy, whose rows are sealed).
	want409("kept origin mix edited", []string{"/api/v1/lots", c + "/origin?evidence=false"}, "lot_origin", child)
}
