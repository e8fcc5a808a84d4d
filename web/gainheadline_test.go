package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestGainedLotHeadlineSharesOfWhole (issue 9 §5, new-user finding
// nu38b-6): X (gainLotDoc) holds 0.3 t Nd from Pakistani A and 0.1 t Pr
// from no recorded input. By contained value (custody/prices: Nd 85.15,
// Pr 89.40 USD/kg of element) Pr is 0.1 × 89,400 = US$8,940 of 8,940 +
// 0.3 × 85,150 = 25,545, US$34,485: 25.9 % of unknown origin, Pakistan
// the other 74.1 %. Every view that prints the headline — the lot page
// (its headline and its overall line), the lot list, the lots CSV, the
// printable certificate (its headline and its overall table) — opens
// with the unknown part and gives Pakistan its share of the whole:
// "origin unknown 25.9 %, Pakistan 74.1 % (by contained value)". Failed
// before: each read "Pakistan 100.0 % (by contained value); origin
// unknown: …", and the overall line and table "Pakistan 100.0 %".
func TestGainedLotHeadlineSharesOfWhole(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(gainLotDoc)}); err != nil {
		t.Fatal(err)
	}
	x := url.PathEscape("urn:t:lot:X")
	const want = "origin unknown 25.9 %, Pakistan 74.1 % (by contained value); origin unknown: 0.1 t of Pr, 25.9 % of the lot's contained value"
	issueCert(t, ts.URL, x)
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, page := range []struct{ name, path, accept, also string }{
		{"lot page", "/lots/" + x, "text/html", "origin unknown 25.9 %; Pakistan 74.1 %;"},
		{"lot list", "/lots?commodity=ndpr_oxide", "text/html", ""},
		{"lots CSV", "/api/v1/lots?commodity=ndpr_oxide&format=csv", "text/csv", ""},
		{"certificate", "/lots/" + x + "/certificate", "text/html", "origin unknown25.9 %0.1Pakistan74.1 %0.3"},
	} {
		resp, b := do(t, "GET", ts.URL+page.path, viewerSecret, nil, map[string]string{"Accept": page.accept})
		body := html.UnescapeString(string(b))
		flat := strings.Join(strings.Fields(tags.ReplaceAllString(body, "")), "")
		if resp.StatusCode != 200 || !strings.Contains(body, want) || strings.Contains(body, "Pakistan 100.0 %") ||
			page.also != "" && !strings.Contains(flat, strings.Join(strings.Fields(page.also), "")) {
			t.Errorf("%s (%d) does not give X's origin as shares of the whole, %q then %q:\n%s", page.name, resp.StatusCode, want, page.also, body)
		}
	}
}
