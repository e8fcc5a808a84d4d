package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportNonURILotNamesRow (fix15d item 2): a weighbridge row whose lot
// ID holds a space ("REE 2025 003", not the demo's REE-2025-003) is
// refused at its row and column, naming RFC 3986 — the capture path's
// check, not a lookup that happens to miss — and nothing is stored.
func TestImportNonURILotNamesRow(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	file := "Ticket,Lot,Time,Gross,Tare,Net\n" +
		"T1,urn:critmin:demo:lot:REE 2025 003,2025-12-29 14:10,40000,15000,25000\n"
	v := url.Values{"source": {"uri-check"}, "kind": {"weighbridge"}, "csv": {file}, "step": {"capture"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot"}, "col_time": {"Time"}, "col_gross_kg": {"Gross"}, "col_tare_kg": {"Tare"}, "col_net_kg": {"Net"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `<td class="num"><a href="#row-2">2</a></td><td>Lot</td>`) || !strings.Contains(page, "RFC 3986") {
		t.Errorf("status %d\n%s", resp.StatusCode, page)
	}
	if n, _ := ts.Store.CountEvents(ctx); n != before {
		t.Errorf("stored %d events", n-before)
	}
}
