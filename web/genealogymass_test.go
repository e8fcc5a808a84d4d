package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestGenealogyNodesShowMass: every lot box of the NdPr lot's genealogy
// carries the lot's mass with its unit and basis, dry where the lot's
// moisture is stated. Demo figures: REE-2025-001 24.95 t wet at 8 %
// moisture → 24.95 × 0.92 = 22.954 t dry; REE-2025-002 17.98 t at 7 % →
// 17.98 × 0.93 = 16.7214 → "16.721 t dry" (three decimals); the NdPr
// oxide 2.53 t at 0 % → "2.53 t dry". Containers, the voyage and the run
// carry no lot mass.
func TestGenealogyNodesShowMass(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001"), "", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lot page: %d", resp.StatusCode)
	}
	m := regexp.MustCompile(`id="genealogy-graph"[^>]*data-chart="([^"]*)"|data-chart="([^"]*)"[^>]*id="genealogy-graph"`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("no genealogy chart on the lot page")
	}
	spec := html.UnescapeString(m[1] + m[2])
	var c struct {
		Nodes []struct{ ID, Kind, Sub string }
	}
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"urn:critmin:demo:lot:REE-2025-001": "Rare-earth concentrate · PAK · 22.954 t dry",
		"urn:critmin:demo:lot:REE-2025-002": "Rare-earth concentrate · PAK · 16.721 t dry",
		// The oxide's country is the origin function's (fixKk): made
		// only from Pakistani concentrate, it is PAK, as the lot page
		// says; before, the box read the stored, stated country (none).
		"urn:critmin:demo:lot:NDPR-2025-001": "NdPr oxide · PAK · 2.53 t dry",
	}
	massRe := regexp.MustCompile(` t (dry|wet)$`)
	for _, n := range c.Nodes {
		if w, ok := want[n.ID]; ok {
			delete(want, n.ID)
			if n.Sub != w {
				t.Errorf("%s: box reads %q; want %q", n.ID, n.Sub, w)
			}
		} else if n.Kind == "lot" && !massRe.MatchString(n.Sub) {
			t.Errorf("lot %s: box reads %q, no mass", n.ID, n.Sub)
		} else if n.Kind != "lot" && massRe.MatchString(n.Sub) {
			t.Errorf("%s %s: box reads %q, a lot's mass", n.Kind, n.ID, n.Sub)
		}
	}
	if len(want) > 0 {
		t.Errorf("not in the genealogy: %v", want)
	}
}
