package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportRowCardStatesError: a laboratory file whose row 4 gives the
// basis "wet" — the card of row 4 said only "1 error: not captured" and
// sent the reader to the table at the top; it now states the error
// itself, readable where the row is: the row number, the column (Basis)
// and the reason, each on its own line.
func TestImportRowCardStatesError(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"source": {"gsp-lab-card"}, "kind": {"laboratory"}, "csv": {mustReadFile("testdata/lab-gsp.csv")}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	_, page := postImport(t, ts, v)
	i := strings.Index(page, `id="row-4"`)
	if i < 0 {
		t.Fatalf("no card for row 4:\n%s", page)
	}
	card := page[i:]
	card = card[:strings.Index(card, "</li>\n")]
	for _, want := range []string{`<span class="row-error-where">Row 4, column <strong>Basis</strong></span>`, `<span class="row-error-reason">basis &#34;wet&#34; is not one the ledger reads`} {
		if !strings.Contains(card, want) {
			t.Errorf("row 4's card lacks %q:\n%s", want, card)
		}
	}
}
