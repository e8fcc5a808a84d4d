package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestMassBalancePageSaysCreditCapped (issue 9, fix9j 1): mbDoc with run
// E1 consuming 100.5 t of lot A's 100 dmt (within the 0.5 % consumption
// tolerance). The site's page credits October 100 × 5 % × 0.9 = 4.5 t
// Nd+Pr (not 100.5 × 5 % × 0.9 = 4.5225 t) and says the credit is capped
// on the Pakistan line and the entry behind it; closing 4.5 − 1.6 = 2.9.
func TestMassBalancePageSaysCreditCapped(t *testing.T) {
	ts := MustServe(t, true, nil)
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	head, _, _ := strings.Cut(mbDoc, `"eventList": [`)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + `"eventList": []}}`)}); err != nil {
		t.Fatal(err)
	}
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, ts.Svc.Now()); err != nil {
		t.Fatal(err)
	}
	over := strings.Replace(mbDoc, `"inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100,`, `"inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100.5,`, 1)
	if over == mbDoc {
		t.Fatal("the run's input line was not found")
	}
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(over)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance?period=2025-10", "", nil, nil)
	page := html.UnescapeString(string(b))
	const note = "capped at what lot urn:t:lot:A contains: the run consumed 100.5 dmt of a lot of 100 dmt"
	if resp.StatusCode != 200 || !strings.Contains(page, `<td class="num">4.5</td>`) || strings.Contains(page, "4.5225") || strings.Count(page, note) != 2 {
		t.Errorf("site page (%d) does not credit 4.5 t and say the cap on the line and the entry:\n%s", resp.StatusCode, page)
	}
}
