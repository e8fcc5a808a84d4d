package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// TestNSRPageInputSensitivity (fix1213c item 2): the NSR page shows, per
// contract, the NSR with each input alone scaled (commercial
// TestNSRInputSensitivity works the figures), one row per input: the
// price series and the analytes, the As penalty analyte among them.
func TestNSRPageInputSensitivity(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade/nsr?terms=FWO-USSM-CU-2025&as_of=2025-11-01&grades="+url.QueryEscape("Cu:24%,Au:4g/t,Ag:50g/t,As:0.35%"), viewerSecret, nil, nil)
	page := string(b)
	i := strings.Index(page, `class="nsr-inputs"`)
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("nsr page %d without the input table:\n%s", resp.StatusCode, page)
	}
	table := page[i:]
	table = table[:strings.Index(table, "</table>")]
	for _, want := range []string{"<td>grade:As</td>", "<td>grade:Cu</td>", "<td>price:"} {
		if !strings.Contains(table, want) {
			t.Errorf("input table lacks %s:\n%s", want, table)
		}
	}
	if strings.Contains(table, "n/a") {
		t.Errorf("input table has a missing figure:\n%s", table)
	}
}

// TestTradePagesShowOverdue (fix1213c item 1): with the trade clock on
// 2025-12-01, the trade page's invoice list and each invoice page say
// "overdue N days" for an unpaid invoice due before that day, N counted
// from its due date (commercial TestInvoiceStatusOverdue works the
// status and interest by hand), and the API serves the same status.
func TestTradePagesShowOverdue(t *testing.T) {
	ts := MustServe(t, false, nil)
	today := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	ts.SetTradeClock(func() time.Time { return today })
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	invs, err := ts.Trade().Invoices(ctx, critmin.InvoiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	_, list := do(t, "GET", ts.URL+"/trade", viewerSecret, nil, nil)
	checked := 0
	for _, inv := range invs {
		due, _ := time.Parse(time.DateOnly, inv.DueDate)
		if !due.Before(today) || !inv.Balance.IsPositive() || inv.Total.IsNegative() {
			// A credit is a refund due from the seller
			// (TestTradePagesShowRefundDue), not overdue.
			continue
		}
		days := int(today.Sub(due).Hours() / 24)
		want := fmt.Sprintf("overdue %d day", days)
		if !strings.Contains(string(list), want) {
			t.Errorf("trade page lacks %q for %s", want, inv.ID)
		}
		_, page := do(t, "GET", ts.URL+"/trade/invoices/"+url.PathEscape(inv.ID), viewerSecret, nil, nil)
		if !strings.Contains(string(page), `id="invoice-status" class="status-overdue">`+want) {
			t.Errorf("invoice page %s lacks %q", inv.ID, want)
		}
		resp, b := do(t, "GET", ts.URL+"/api/v1/trade/invoices/"+url.PathEscape(inv.ID), viewerSecret, nil, nil)
		var got struct {
			Status      string `json:"status"`
			DaysOverdue int    `json:"days_overdue"`
		}
		if err := json.Unmarshal(b, &got); err != nil || resp.StatusCode != 200 || got.Status != "overdue" || got.DaysOverdue != days {
			t.Errorf("API %s: %d %+v (%v), want overdue %d days", inv.ID, resp.StatusCode, got, err, days)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no demo invoice is unpaid after its due date: nothing checked")
	}
}
