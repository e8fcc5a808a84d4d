package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportMappingRefusedWhenEmpty: a mapping sent that leaves required
// fields without a column is not saved, and the page names each of them
// (the weighbridge's ticket, lot, time, net mass, and the site, which may
// also be one value for the file); nothing is stored. A complete mapping
// is saved, and the saved sources list shows its columns and the values
// it sets for every row (site and time zone) by the fields' labels.
func TestImportMappingRefusedWhenEmpty(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	// The mapping table sends every field's column, chosen or not: here
	// none is chosen. (A preview with no col_ field at all sends no
	// mapping and is taken to the mapping step, fix15b.)
	empty := url.Values{"source": {"empty-weighbridge"}, "kind": {"weighbridge"}, "csv": {weighbridgeCSV}, "step": {"preview"},
		"col_ticket": {""}, "col_lot": {""}, "col_time": {""}, "col_site": {""}, "col_net_kg": {""}}
	resp, page := postImport(t, ts, empty)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("empty mapping: %d", resp.StatusCode)
	}
	if !strings.Contains(page, "The mapping was not saved: Ticket number, Lot, Date and time, Site, Net mass (kg) have no column. Nothing was stored.") {
		i := strings.Index(page, `id="import-message"`)
		t.Errorf("the refusal reads:\n%s", page[max(i, 0):min(len(page), max(i, 0)+800)])
	}
	for _, want := range []string{"<li><code>Site</code>: required: choose the column that holds it, or give one value for every row</li>",
		"<li><code>Net mass (kg)</code>: required: choose the column that holds it, or the columns of the gross mass and the tare</li>", `id="mapping"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, `id="capture-button"`) {
		t.Error("a refused mapping offers to import")
	}
	if _, err := ts.Store.FindImportMapping(ctx, "empty-weighbridge"); err == nil {
		t.Error("the empty mapping was saved")
	}
	// Gross and tare stand for the net mass; the site given once.
	partial := weighbridgeMapping("preview")
	partial.Set("source", "gross-tare")
	partial.Del("col_net_kg")
	if resp, page := postImport(t, ts, partial); resp.StatusCode != http.StatusOK || strings.Contains(page, "The mapping was not saved") {
		t.Errorf("a mapping with gross and tare: %d", resp.StatusCode)
	}
	resp, page = postImport(t, ts, weighbridgeMapping("preview"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("complete mapping: %d", resp.StatusCode)
	}
	resp, b := do(t, "GET", ts.URL+"/import", operatorSecret, nil, nil)
	list := string(b)
	i := strings.Index(list, `id="saved-sources"`)
	if resp.StatusCode != http.StatusOK || i < 0 {
		t.Fatalf("no saved sources: %d", resp.StatusCode)
	}
	list = list[i:]
	list = list[:strings.Index(list, "</table>")]
	for _, want := range []string{"<td>karachi-weighbridge</td><td>Weighbridge tickets</td>", "Lot ← Lot No", "Net mass (kg) ← Net (kg)",
		`<span class="mono">Site = urn:critmin:demo:site:karachi</span>`, `<span class="mono">Time zone offset = &#43;05:00</span>`} {
		if !strings.Contains(list, want) {
			t.Errorf("saved sources lack %s:\n%s", want, list)
		}
	}
	if strings.Contains(list, "net_kg") || strings.Contains(list, "empty-weighbridge") {
		t.Errorf("saved sources show a raw field name or the refused mapping:\n%s", list)
	}
	if n, _ := ts.Store.CountEvents(ctx); n != before {
		t.Errorf("stored %d events", n-before)
	}
}

// TestImportCaptureUsesSavedMapping (nu15 #14): a capture that sends only
// the source and the file (no col_ or def_ fields) is mapped with the
// source's saved mapping, not refused as "The mapping was not saved";
// its 3 rows are checked (none of their lots is recorded here).
func TestImportCaptureUsesSavedMapping(t *testing.T) {
	ts := MustServe(t, false, nil)
	if resp, page := postImport(t, ts, weighbridgeMapping("check")); resp.StatusCode >= 500 {
		t.Fatalf("save: %d\n%s", resp.StatusCode, page)
	}
	if resp, page := postImport(t, ts, weighbridgeMapping("preview")); resp.StatusCode != http.StatusOK {
		t.Fatalf("save: %d\n%s", resp.StatusCode, page)
	}
	resp, page := postImport(t, ts, url.Values{"source": {"karachi-weighbridge"}, "csv": {weighbridgeCSV}, "step": {"capture"}})
	if strings.Contains(page, "The mapping was not saved") || !strings.Contains(page, `id="mapping-saved"`) || !strings.Contains(page, "None of the 3 rows is valid") {
		t.Errorf("capture with the saved mapping: %d\n%s", resp.StatusCode, page)
	}
}
