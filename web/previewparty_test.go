package web_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordPreviewNamesParties: the commission form's preview words the
// owner (destination owning_party) and the supplier (cm:supplier) by the
// party's name from master data, "Frontier Works Organization" for the
// demo's urn:critmin:demo:party:fwo, with the identifier beside it as
// secondary text, as the event page names parties; never the raw URN
// alone.
func TestRecordPreviewNamesParties(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := commissionForm()
	v.Set("step", "preview")
	resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, excerpt(page, "errors"))
	}
	for _, label := range []string{"to (owning party)", "Supplier"} {
		// The name, the identifier in its title (fix15x item 1).
		want := "<dt>" + label + `</dt><dd><abbr class="ref" title="urn:critmin:demo:party:fwo" data-id="urn:critmin:demo:party:fwo">Frontier Works Organization</abbr></dd>`
		if !strings.Contains(page, want) {
			t.Errorf("preview lacks %s\n%s", want, excerpt(page, "preview-summary"))
		}
	}
}
