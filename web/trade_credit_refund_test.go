package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// TestTradePagesShowRefundDue: a credit invoice (final below provisional)
// is a refund the seller owes, on the trade page, the settlement page,
// the invoice page and in the API — never "overdue … unpaid"; a refund
// recorded with its sign through the API is listed with the true minus.
//
// The demo antimony final: −263.28 USD, due 2025-11-15. A refund of
// −100.00 on 2025-11-20 leaves 263.28 − 100.00 = 163.28 USD owed by the
// seller; on 2025-12-01 it is 30 − 15 + 1 = 16 days late (commercial
// TestCreditInvoiceIsARefundDue works the same figures).
func TestTradePagesShowRefundDue(t *testing.T) {
	ts := MustServe(t, false, nil)
	ts.SetTradeClock(func() time.Time { return time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC) })
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	sb := commercial.InvoiceID("FWO-USSM-SB-2025", commercial.DemoAntimonyLot, commercial.Final)
	pay := `{"invoice":"` + sb + `","amount":"-100.00","paid_on":"2025-11-20"}`
	if resp, b := do(t, "POST", ts.URL+"/api/v1/trade/payments", operatorSecret, []byte(pay), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != 201 || !strings.Contains(string(b), `"refund"`) {
		t.Fatalf("refund with its sign: %d %s", resp.StatusCode, b)
	}
	want := "refund due, 16 days late: 163.28 USD owed by the seller to the buyer"

	_, list := do(t, "GET", ts.URL+"/trade", viewerSecret, nil, nil)
	row := rowOf(string(list), sb)
	if !strings.Contains(row, want) || !strings.Contains(row, "−263.28 USD") || strings.Contains(row, "unpaid") || strings.Contains(row, "overdue") {
		t.Errorf("trade page row of %s:\n%s\nwant %q, −263.28, no overdue/unpaid", sb, row, want)
	}
	_, settle := do(t, "GET", ts.URL+"/trade/settlement?contract=FWO-USSM-SB-2025&lot="+url.QueryEscape(commercial.DemoAntimonyLot), viewerSecret, nil, nil)
	if row := rowOf(string(settle), sb); !strings.Contains(row, want) {
		t.Errorf("settlement page row of %s:\n%s\nwant %q", sb, row, want)
	}
	_, page := do(t, "GET", ts.URL+"/trade/invoices/"+url.PathEscape(sb), viewerSecret, nil, nil)
	p := string(page)
	if !strings.Contains(p, `id="invoice-status" class="status-refund_due">`+want) {
		t.Errorf("invoice page lacks the refund status %q", want)
	}
	if !strings.Contains(p, `id="invoice-credit"`) || !strings.Contains(p, "<h2>Refunds</h2>") {
		t.Error("invoice page does not call the credit a refund")
	}
	i := strings.Index(p, `id="invoice-payments"`)
	if i < 0 {
		t.Fatal("invoice page lists no refunds")
	}
	refunds := p[i:]
	refunds = refunds[:strings.Index(refunds, "</table>")]
	if !strings.Contains(refunds, ">−100.00<") || strings.Contains(refunds, "-100") {
		t.Errorf("refund not written −100.00 with the true minus:\n%s", refunds)
	}

	_, b := do(t, "GET", ts.URL+"/api/v1/trade/invoices/"+url.PathEscape(sb), viewerSecret, nil, nil)
	var got struct {
		Status      string      `json:"status"`
		OwedBy      string      `json:"owed_by"`
		Balance     json.Number `json:"balance"`
		DaysOverdue int         `json:"days_overdue"`
	}
	if err := json.Unmarshal(b, &got); err != nil || got.Status != commercial.StatusRefundDue || got.OwedBy != "seller" || got.Balance != "163.28" || got.DaysOverdue != 16 {
		t.Errorf("API: %+v (%v), want refund_due owed by the seller, 163.28, 16 days late", got, err)
	}
	_, b = do(t, "GET", ts.URL+"/api/v1/trade/invoices?lot="+url.QueryEscape(commercial.DemoAntimonyLot), viewerSecret, nil, nil)
	var apiList struct {
		Invoices []map[string]any `json:"invoices"`
	}
	if err := json.Unmarshal(b, &apiList); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range apiList.Invoices {
		if r["id"] == sb {
			found = true
			if r["status"] != commercial.StatusRefundDue || r["owed_by"] != "seller" {
				t.Errorf("API list row: %v, want refund_due owed by the seller", r)
			}
		}
	}
	if !found {
		t.Errorf("API list lacks %s", sb)
	}
}

// rowOf is the table row of page that mentions id, or "".
func rowOf(page, id string) string {
	for _, row := range strings.Split(page, "<tr>") {
		if strings.Contains(row, id) {
			return row
		}
	}
	return ""
}
