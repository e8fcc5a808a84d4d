package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportPreviewWithoutMappingShowsMappingStep (issue 15, fix15b item
// 5): a preview request ("step=preview", as a script or a bookmarked form
// sends it) with no col_ field — no mapping given — for a source with no
// mapping saved read as an empty mapping of the user's: every cell of the
// preview showed "—". It is taken to the mapping step, as a capture with
// no mapping is (fix15x): the mapping table guessed from the headers (Net
// (kg) → Net mass (kg) pre-selected), a message saying no mapping is
// saved for the source, 400, nothing stored and no mapping saved. A
// def_ value sent alone (one site for every row) is kept in the guessed
// mapping, and does not count as a mapping given.
func TestImportPreviewWithoutMappingShowsMappingStep(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	csv := "Ticket,Lot,Time,Net (kg)\nB-1," + lot + ",2025-08-29 14:10,24950\n"
	for _, c := range []struct {
		what  string
		extra url.Values
	}{
		{"no mapping at all", nil},
		{"a default only", url.Values{"def_tz": {"+05:00"}}},
	} {
		v := url.Values{"source": {"bremen-waage"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"}}
		for k, x := range c.extra {
			v[k] = x
		}
		resp, page := postImport(t, ts, v)
		plain := html.UnescapeString(page)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: preview with no mapping saved or sent: %d, want 400 (the mapping step)", c.what, resp.StatusCode)
		}
		if !strings.Contains(page, `id="mapping"`) || !strings.Contains(page, "guessed from the headers") || !strings.Contains(page, `id="preview-button"`) {
			t.Errorf("%s: the mapping step is not shown\n%s", c.what, excerpt(page, "mapping"))
		}
		net := regexp.MustCompile(`(?s)<select name="col_net_kg"[^>]*>.*?</select>`).FindString(page)
		if !strings.Contains(net, `<option value="Net (kg)" selected>`) {
			t.Errorf("%s: Net mass (kg) is not guessed from the headers: %s", c.what, net)
		}
		msg := regexp.MustCompile(`(?s)id="import-message">(.*?)</div>`).FindString(plain)
		if !strings.Contains(msg, "No column mapping is saved for source bremen-waage") || strings.Contains(msg, "The mapping was not saved") {
			t.Errorf("%s: message %q; want it to say no mapping is saved for the source, and to map the columns", c.what, msg)
		}
		if c.extra != nil && !strings.Contains(plain, `name="def_tz" id="def-tz" value="+05:00"`) {
			t.Errorf("%s: the default sent (+05:00) is not kept in the mapping shown", c.what)
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by a preview with no mapping", after-before)
	}
	if m, err := ts.Store.FindImportMapping(ctx, "bremen-waage"); err == nil {
		t.Errorf("a mapping was saved for the source without the user sending one: %+v", m)
	}
}
