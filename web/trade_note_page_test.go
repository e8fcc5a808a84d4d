package web_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// Issue 13, new-user check (fix13p, 1): after a price the antimony lot's
// final invoice rests on was corrected, the settlement page only flagged
// the difference. It now offers an operator a form to issue a credit or
// debit note (a reason required: 400 naming it without one); once issued
// the page lists the note — number, date, the invoice it corrects, its
// lines, reason and the corrected price day — and no longer flags a
// difference.
func TestSettlementPageIssuesAndShowsNote(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	tr := ts.Trade()
	if _, err := commercial.LoadDemo(ctx, tr); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../commercial/testdata/late-sb.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tr.ImportPriceCorrections(ctx, f, commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	settle := ts.URL + "/trade/settlement?contract=FWO-USSM-SB-2025&lot=" + url.QueryEscape(commercial.DemoAntimonyLot)
	resp, b := do(t, "GET", settle, operatorSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `id="issue-note"`) || !strings.Contains(string(b), "settle-differs") {
		t.Fatalf("settlement page: %d; want the difference flagged and the note form", resp.StatusCode)
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	lot := "contract=FWO-USSM-SB-2025&lot=" + url.QueryEscape(commercial.DemoAntimonyLot)
	if resp, b := do(t, "POST", ts.URL+"/trade/notes", operatorSecret, []byte(lot+"&reason="), form); resp.StatusCode != 400 || !strings.Contains(string(b), "reason") {
		t.Errorf("note without a reason: %d; want 400 naming reason", resp.StatusCode)
	}
	resp, _ = do(t, "POST", ts.URL+"/trade/notes", operatorSecret, []byte(lot+"&reason="+url.QueryEscape("assessment of 31 Oct published late")), form)
	if resp.StatusCode != 200 && resp.StatusCode != 303 {
		t.Fatalf("issue note: %d", resp.StatusCode)
	}
	resp, b = do(t, "GET", settle, viewerSecret, nil, nil)
	page := string(b)
	if resp.StatusCode != 200 || !strings.Contains(page, "-CN1") && !strings.Contains(page, "-DN1") || !strings.Contains(page, "assessment of 31 Oct published late") || !strings.Contains(page, "DEMO-AGENCY-SB 2025-10-31") {
		t.Errorf("settlement page after the note: %d; want the note with its number, reason and price day", resp.StatusCode)
	}
	if strings.Contains(page, "settle-differs") {
		t.Errorf("settlement page after the note still flags a difference")
	}
}
