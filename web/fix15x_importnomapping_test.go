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

// TestImportWithoutSavedMappingShowsMappingStep (issue 15, fix15x item
// 5): a user with no mapping saved for the source sends a file straight
// to the capture step (the form's Import button, a script), with no
// mapping on the request. Capture read that as an empty mapping sent by
// the user and refused it — "The mapping was not saved: Ticket number,
// Lot, … have no column" — and for a file whose headers are all
// recognised it refused what the check step would map. The user is
// taken to the mapping step instead: the mapping table with the file's
// own headers to choose from, guessed from the headers ("guessed from
// the headers — check it"), the rows checked with it, a message saying
// no mapping is saved for the source, and nothing stored (400):
//   - "Bon,Charge,Zeitpunkt,Gewicht": no header recognised, every field
//     offered the file's four columns, none chosen;
//   - "Ticket,Lot,Time,Net (kg)": every header recognised, the guess
//     pre-selected (Net (kg) → Net mass (kg)), not refused as unmapped.
//
// Nothing is saved for the source either: a mapping is saved only when
// the user sends one (preview).
func TestImportWithoutSavedMappingShowsMappingStep(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	for _, c := range []struct {
		what, csv, selected string
	}{
		{"unrecognised columns", "Bon,Charge,Zeitpunkt,Gewicht\nB-1," + lot + ",2025-08-29 14:10,24950\n", ""},
		{"recognised columns", "Ticket,Lot,Time,Net (kg)\nB-1," + lot + ",2025-08-29 14:10,24950\n", `<option value="Net (kg)" selected>`},
	} {
		resp, page := postImport(t, ts, url.Values{"source": {"hamburg-waage"}, "kind": {"weighbridge"}, "csv": {c.csv}, "step": {"capture"}})
		plain := html.UnescapeString(page)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: capture with no mapping saved or sent: %d, want 400 (nothing stored, the mapping step shown)", c.what, resp.StatusCode)
		}
		if !strings.Contains(page, `id="mapping"`) || !strings.Contains(page, "guessed from the headers") || !strings.Contains(page, `id="preview-button"`) {
			t.Errorf("%s: the mapping step (table guessed from the headers, Save the mapping and check again) is not shown\n%s", c.what, excerpt(page, "mapping"))
		}
		header := strings.SplitN(c.csv, "\n", 2)[0]
		net := regexp.MustCompile(`(?s)<select name="col_net_kg"[^>]*>.*?</select>`).FindString(page)
		for _, h := range strings.Split(header, ",") {
			if !strings.Contains(net, `<option value="`+h+`"`) {
				t.Errorf("%s: Net mass (kg) does not offer the file's column %q: %s", c.what, h, net)
			}
		}
		if c.selected != "" && !strings.Contains(net, c.selected) {
			t.Errorf("%s: Net mass (kg) is not guessed from the headers: %s", c.what, net)
		}
		msg := regexp.MustCompile(`(?s)id="import-message">(.*?)</div>`).FindString(plain)
		if !strings.Contains(msg, "No column mapping is saved for source hamburg-waage") || strings.Contains(msg, "The mapping was not saved") {
			t.Errorf("%s: message %q; want it to say no mapping is saved for the source, and to map the columns", c.what, msg)
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by a capture with no mapping", after-before)
	}
	if m, err := ts.Store.FindImportMapping(ctx, "hamburg-waage"); err == nil {
		t.Errorf("a mapping was saved for the source without the user sending one: %+v", m)
	}
}
