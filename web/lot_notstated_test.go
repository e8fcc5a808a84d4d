package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// originMineCell is the lot page's "Origin mine" value, tags stripped.
func originMineCell(t *testing.T, ts *testServer, lot string) (text, raw string) {
	t.Helper()
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), "", nil, nil)
	m := regexp.MustCompile(`(?s)<dd id="origin-mine">(.*?)</dd>`).FindStringSubmatch(string(b))
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("%s: %d, no origin mine on the page", lot, resp.StatusCode)
	}
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], "")), " "), m[1]
}

// TestLotPageOriginMineOfAProductIsItsFeeds: a refinery product states no
// mine of its own; its page says its origin is its feed's, with the
// feed's mines by share of its dry mass and links to the genealogy and
// the origin shares — never "Origin mine —". A commissioned lot that
// names no mine reads "not stated".
func TestLotPageOriginMineOfAProductIsItsFeeds(t *testing.T) {
	ts := MustServe(t, true, nil)
	mustCaptureDeclared(t, ts, mbDeclaration()) // its claim draws on the declaration
	// urn:t:lot:A is commissioned with an origin country and no mine.
	if text, _ := originMineCell(t, ts, "urn:t:lot:A"); text != "not stated" {
		t.Errorf("commissioned lot without a mine: origin mine %q; want \"not stated\"", text)
	}
	// urn:t:lot:O1 is made by run E1 from all of A (100 t), whose mine is
	// not stated: 100 % of its feed is of a mine not stated.
	text, raw := originMineCell(t, ts, "urn:t:lot:O1")
	if text != "from its feed: mine not stated 100 % (genealogy · origin shares)" || !strings.Contains(raw, `href="#genealogy"`) || !strings.Contains(raw, `href="#origin-shares"`) {
		t.Errorf("product of a feed without a mine: origin mine %q (%s)", text, raw)
	}

	demoTS := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), demoTS.Svc); err != nil {
		t.Fatal(err)
	}
	text, _ = originMineCell(t, demoTS, "urn:critmin:demo:lot:NDPR-2025-001")
	if !strings.HasPrefix(text, "from its feed: ") || strings.Contains(text, "—") {
		t.Errorf("demo NdPr product: origin mine %q", text)
	}
	t.Logf("demo NdPr product: %s", text)
	if text, _ := originMineCell(t, demoTS, "urn:critmin:demo:lot:REE-2025-001"); text == "" || strings.HasPrefix(text, "from its feed") || text == "not stated" {
		t.Errorf("demo mine lot: origin mine %q; want its mine", text)
	}
}

// TestLotPageSaysNotStatedForMissingParties: a lot whose events name no
// owner, custodian or disposition reads "not stated" for each, never a
// bare dash (urn:t:lot:A's commissioning names none of them).
func TestLotPageSaysNotStatedForMissingParties(t *testing.T) {
	ts := MustServe(t, true, nil)
	mustCaptureDeclared(t, ts, mbDeclaration()) // its claim draws on the declaration
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:A"), "", nil, nil)
	page := string(b)
	for _, want := range []string{
		`<dt>Owner</dt><dd id="lot-owner"><span class="muted">not stated</span></dd>`,
		`<dt>Custodian</dt><dd id="lot-custodian"><span class="muted">not stated</span></dd>`,
		`<dt>Disposition</dt><dd title=""><span class="muted">not stated</span></dd>`,
	} {
		if resp.StatusCode != 200 || !strings.Contains(page, want) {
			t.Errorf("lot page lacks %s", want)
		}
	}
}
