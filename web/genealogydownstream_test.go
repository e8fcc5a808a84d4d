package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestGenealogyDrawsDownstreamToProducts (fix15f item 3): the demo's mine
// lot REE-2025-001 went into run MO-REE-001, which made NDPR-2025-001 and
// LACE-2025-001. Its lot page's graph draws them: mine lot → container →
// voyage → the run → both products, not stopping at the voyage.
func TestGenealogyDrawsDownstreamToProducts(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:REE-2025-001"), viewerSecret, nil, nil)
	page := html.UnescapeString(string(b))
	i := strings.Index(page, `id="genealogy-graph"`)
	if i < 0 {
		t.Fatalf("no genealogy graph:\n%s", page)
	}
	graph := page[i:]
	graph = graph[:strings.Index(graph, "</figure>")+1]
	for _, want := range []string{`"id":"urn:critmin:demo:lot:NDPR-2025-001"`, `"id":"urn:critmin:demo:lot:LACE-2025-001"`, `"id":"run urn:critmin:demo:run:MO-REE-001"`} {
		if !strings.Contains(graph, want) {
			t.Errorf("the graph lacks %s", want)
		}
	}
}
