package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestMassBalancePageRestated (issue 9, fix9aq): the site's page and the
// API's statement of an ended period restated after its close show the
// restated section. mbDoc credits October 100 t × (4 + 1) % × 0.9 = 4.5 t
// Nd+Pr (run E1) and claims O1's 1.6 t: PAK closes October at 2.9 t. A's
// commissioning is declared in error on November 9, after October
// closed: PAK credits 0, O1 stays booked, closing 0 − 1.6 = −1.6 t. The
// page reads credits 4.5 → 0 and closing 2.9 → −1.6, naming A's
// declaration; November's page (November ended too, nothing of it
// changed) has no such section.
func TestMassBalancePageRestated(t *testing.T) {
	ts := MustServe(t, true, nil)
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}, {ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}}}
	mustCaptureDeclared(t, ts, d)
	a := mbDoc[strings.Index(mbDoc, `{"type": "ObjectEvent", "eventID": "urn:t:ev:A"`):]
	a = a[:strings.Index(a, `,
  {"type": "TransformationEvent"`)]
	decl := strings.TrimSuffix(strings.TrimSpace(a), "}") + `, "errorDeclaration": {"declarationTime": "2025-11-09T00:00:00Z", "reason": "incorrect_data"}}`
	head, _, _ := strings.Cut(mbDoc, `"eventList": [`)
	ts.Svc.Now = func() time.Time { return time.Date(2025, 11, 9, 0, 0, 0, 0, time.UTC) }
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + `"eventList": [` + decl + `]}}`)}); err != nil {
		t.Fatal(err)
	}
	site := url.PathEscape("urn:t:site:mb")
	resp, b := do(t, "GET", ts.URL+"/sites/"+site+"/mass-balance?period=2025-10", "", nil, nil)
	page := string(b)
	for _, want := range []string{
		`<h2 id="restated">Restated after the close</h2>`, "Period 2025-10 closed on 2025-11-01",
		`<td>ree</td><td>Pakistan</td><td class="num">0</td><td class="num"><span class="restated-was">4.5</span> → 0</td><td class="num">1.6</td><td class="num">0</td><td class="num"><span class="restated-was">2.9</span> → −1.6</td>`,
		"recorded 2025-11-09T00:00:00Z", "declared in error on 2025-11-09T00:00:00Z (reason incorrect_data)",
	} {
		if resp.StatusCode != 200 || !strings.Contains(page, want) {
			t.Errorf("October's page lacks %q: %d\n%s", want, resp.StatusCode, page)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/sites/"+site+"/mass-balance/statement?period=2025-10", "", nil, nil)
	for _, want := range []string{`"restated":{"atClose":"2025-11-01T00:00:00Z"`, `"changed":["credits","closing"]`, `"restatedBy":[{"event":"urn:t:ev:A","recordTime":"2025-11-09T00:00:00Z","reason":"incorrect_data"`} {
		if resp.StatusCode != 200 || !strings.Contains(strings.Join(strings.Fields(string(b)), ""), want) {
			t.Errorf("API statement lacks %s: %d %s", want, resp.StatusCode, b)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/sites/"+site+"/mass-balance?period=2025-11", "", nil, nil)
	if resp.StatusCode != 200 || strings.Contains(string(b), "Restated") {
		t.Errorf("November's page (not restated) names a restatement: %d", resp.StatusCode)
	}
}
