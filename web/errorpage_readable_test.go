package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestErrorPageNamesIdentifiersReadably (fix15j item 1): the error page
// (error.html, filled by renderError) names what it refuses as the other
// pages do — a site by its master-data name, a lot, bill of lading or
// event by its identifier's tail — never by a raw URN or URI in its
// text; each identifier stays in the element's title and is listed,
// secondary, under the message (#error-ids) for a report or a search.
func TestErrorPageNamesIdentifiersReadably(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path string
		id         string // the identifier the error names
		label      string // how the page names it
	}{
		{"unknown lot", "/lots/" + url.PathEscape("urn:critmin:demo:lot:REE-2099-404"), "urn:critmin:demo:lot:REE-2099-404", "REE-2099-404"},
		{"unknown event", "/events/" + url.PathEscape("urn:critmin:demo:event:999"), "urn:critmin:demo:event:999", "999"},
		{"unknown bill of lading", "/shipments/" + url.PathEscape("urn:critmin:demo:bol:KHI-HOU-2099-1"), "urn:critmin:demo:bol:KHI-HOU-2099-1", "KHI-HOU-2099-1"},
		{"unknown lot's certificate", "/lots/" + url.PathEscape("urn:critmin:demo:lot:REE-2099-404") + "/certificate", "urn:critmin:demo:lot:REE-2099-404", "REE-2099-404"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, b := do(t, "GET", ts.URL+c.path, "", nil, nil)
			page := string(b)
			detail := regexp.MustCompile(`(?s)<div class="errors" id="error-detail">.*?</div>`).FindString(page)
			if resp.StatusCode < 400 || detail == "" {
				t.Fatalf("%s: %d, no error detail", c.path, resp.StatusCode)
			}
			text := visibleText(detail)
			if strings.Contains(text, "urn:") || strings.Contains(text, "https://") {
				t.Errorf("%s: the error reads %q: a raw identifier", c.path, text)
			}
			if !strings.Contains(text, c.label) {
				t.Errorf("%s: the error reads %q; want it to name %q", c.path, text, c.label)
			}
			if !strings.Contains(detail, `title="`+c.id+`"`) {
				t.Errorf("%s: identifier %s not kept in a title: %s", c.path, c.id, detail)
			}
			ids := regexp.MustCompile(`(?s)<p class="note" id="error-ids">.*?</p>`).FindString(page)
			if !strings.Contains(ids, "<code>"+c.id+"</code>") {
				t.Errorf("%s: identifier %s not listed under the message: %q", c.path, c.id, ids)
			}
		})
	}
}

// TestRefusedClaimReasonNamesThingsReadably (fix15j item 1): a refused
// mass-balance claim's reason, on the lot page and on the site's
// statement, names lots and events as the pages do, the identifiers in
// titles — the claim of TestLotPageRefusedClaimNoShares (urn:t:lot:O1 at
// urn:t:site:mb, short of credit).
func TestRefusedClaimReasonNamesThingsReadably(t *testing.T) {
	ts := MustServeUnchecked(t, true, nil)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbDoc)}); err != nil {
		t.Fatal(err)
	}
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.01}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, block string }{
		{"/lots/" + url.PathEscape("urn:t:lot:O1"), `(?s)<p id="claimed-detail">.*?</p>`},
		{"/sites/" + url.PathEscape("urn:t:site:mb") + "/mass-balance?period=2025-10", `(?s)<ul class="errors" id="refused">.*?</ul>`},
	} {
		resp, b := do(t, "GET", ts.URL+c.path, "", nil, nil)
		block := regexp.MustCompile(c.block).FindString(string(b))
		if resp.StatusCode != 200 || block == "" {
			t.Fatalf("%s: %d, no refused claim", c.path, resp.StatusCode)
		}
		text := visibleText(block)
		if !strings.Contains(text, "shortfall") {
			t.Errorf("%s: the refusal reads %q; want its shortfall", c.path, text)
		}
		if strings.Contains(text, "urn:") {
			t.Errorf("%s: the refusal reads %q: a raw identifier", c.path, text)
		}
	}
}
