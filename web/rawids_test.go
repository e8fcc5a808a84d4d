package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// TestPagesNameWhatTheyShow (issue 15 item 10): identifiers people do
// not read stay out of the visible text — a contract's seller and buyer
// by their master-data names, not party URNs; a lot's commodity by its
// name only (not "ree_concentrate" beside it) and its assay basis in
// words ("as received", not as_received); the refinery's units and
// streams by name, their IDs in the title.
func TestPagesNameWhatTheyShow(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(context.Background(), ts.Trade()); err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		resp, b := do(t, "GET", ts.URL+path, operatorSecret, nil, map[string]string{"Accept": "text/html"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	section := func(page, id string) string {
		i := strings.Index(page, `id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no #%s", id)
		}
		j := strings.Index(page[i:], "</table>")
		return visibleText(page[i : i+j])
	}
	contracts := section(get("/trade"), "trade-contracts")
	if !strings.Contains(contracts, "→") || regexp.MustCompile(`\d{7,}|urn:|pgln`).MatchString(contracts) {
		t.Errorf("trade contracts show party identifiers:\n%s", contracts)
	}
	lot := get("/lots/urn:critmin:demo:lot:REE-2025-001")
	identity := visibleText(lot[strings.Index(lot, "<h2>Identity and mass</h2>"):strings.Index(lot, "<dt>Quantity</dt>")])
	if strings.Contains(identity, "ree_concentrate") {
		t.Errorf("lot page shows the commodity code: %q", identity)
	}
	if m := regexp.MustCompile(`\b(as_received|transit_loss|transit_gain|controlled_blending|segregated)\b`).FindString(visibleText(lot)); m != "" {
		t.Errorf("lot page shows the raw term %q", m)
	}
	refinery := visibleText(get("/refinery"))
	if m := regexp.MustCompile(`\b(ree_receiving|ree_conc_in|residue_storage)\b`).FindString(refinery[strings.Index(refinery, "Recovery by unit"):]); m != "" {
		t.Errorf("refinery page shows the unit ID %q", m)
	}
}
