package http_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/sqldb"
)

// TestDerivedValueEditedAnswers409: lots.claims is derived (the origin
// claim of the lot's events). Edited in the database to a value critmin
// never writes — not JSON, a share of "x", a share of −5 or shares adding
// up to 1.5 (0.9 + 0.6) — every API that reads the lot answers 409
// problem+json naming the table, the row and the column (as verify names
// them), never 500.
func TestDerivedValueEditedAnswers409(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	db := ts.Store.(*sqldb.DB)
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	p := "/api/v1/lots/" + url.PathEscape(lot)
	for _, v := range []string{"garbage", `{"PAK":"x"}`, `{"PAK":-5}`, `{"PAK":0.9,"CHN":0.6}`} {
		if _, err := db.Write.Exec(`UPDATE lots SET claims = ? WHERE id = ?`, v, lot); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"/api/v1/lots", p, p + "/origin", p + "/rules", p + "/certificate"} {
			resp, b := do(t, "GET", ts.URL+u, "", nil, nil)
			if resp.StatusCode != 409 {
				t.Errorf("claims %s: GET %s: %d %.200s; want 409", v, u, resp.StatusCode, b)
				continue
			}
			pr := mustProblem(t, resp, b, 409)
			if !strings.Contains(pr.Detail, "table lots") || !strings.Contains(pr.Detail, lot) || !strings.Contains(pr.Detail, "column claims") {
				t.Errorf("claims %s: GET %s: %q; want the table, row and column named", v, u, pr.Detail)
			}
		}
	}
}
