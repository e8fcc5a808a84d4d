package web_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// noteDemo loads the demo, imports the late antimony assessment as a
// correction and issues the note it calls for against the antimony final
// invoice (as TestTradeAPINoteAfterPriceCorrection does through the API).
func noteDemo(t *testing.T) (*testServer, *commercial.Note) {
	t.Helper()
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../commercial/testdata/late-sb.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := ts.Trade().ImportPriceCorrections(ctx, f, commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	n, err := ts.Trade().IssueNote(ctx, "FWO-USSM-SB-2025", commercial.DemoAntimonyLot, "assessment of 31 Oct 2025 published late")
	if err != nil {
		t.Fatal(err)
	}
	return ts, n
}

// TestTradeNotePagePaymentForm (fix13s item 2): a credit or debit note
// has its page (/trade/notes/{id}, linked from its invoice) with its
// lines, the account of the final invoice it corrects (invoice + notes −
// payments) and a payment form posting to /trade/payments, validated as
// POST /api/v1/trade/payments: a bad amount is 400 naming amount and
// records nothing; the account's balance recorded against the note
// settles it (status paid) and returns to the note's page.
func TestTradeNotePagePaymentForm(t *testing.T) {
	ts, n := noteDemo(t)
	ctx := context.Background()
	resp, b := do(t, "GET", ts.URL+"/trade/notes/"+url.PathEscape(n.ID), viewerSecret, nil, nil)
	if page := string(b); resp.StatusCode != 200 || !strings.Contains(page, `id="note-total"`) || !strings.Contains(page, n.Invoice) || strings.Contains(page, `id="payment-form"`) {
		t.Errorf("note page for a viewer: %d; want the note, its invoice, no payment form", resp.StatusCode)
	}
	resp, b = do(t, "GET", ts.URL+"/trade/notes/"+url.PathEscape(n.ID), operatorSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `id="payment-form"`) || !strings.Contains(string(b), `id="note-status"`) {
		t.Errorf("note page for an operator: %d; want the payment form and the account's status", resp.StatusCode)
	}
	if resp, b := do(t, "GET", ts.URL+"/trade/invoices/"+url.PathEscape(n.Invoice), viewerSecret, nil, nil); resp.StatusCode != 200 || !strings.Contains(string(b), `href="/trade/notes/`+url.PathEscape(n.ID)+`"`) {
		t.Errorf("invoice page: %d; want a link to the note's page", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", ts.URL+"/trade/notes/"+url.PathEscape(n.Invoice+"-CN9"), viewerSecret, nil, nil); resp.StatusCode != 404 {
		t.Errorf("an unknown note: %d; want 404", resp.StatusCode)
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	resp, b = do(t, "POST", ts.URL+"/trade/payments", operatorSecret, []byte("invoice="+url.QueryEscape(n.ID)+"&amount=abc&paid_on=2025-12-01"), form)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "amount") {
		t.Errorf("a bad amount: %d %.300s; want 400 naming amount", resp.StatusCode, b)
	}
	inv, err := ts.Trade().Invoice(ctx, n.Invoice)
	if err != nil {
		t.Fatal(err)
	}
	if pays, _ := ts.Store.ListPayments(ctx, inv.ID); len(pays) != 0 && inv.Status == commercial.StatusPaid {
		t.Fatalf("the account is already settled: %+v", inv.PaymentStatus)
	}
	bal := inv.Balance
	if bal == nil || !bal.IsPositive() {
		t.Fatalf("account of %s: %+v; want a balance to pay", inv.ID, inv.PaymentStatus)
	}
	resp, b = do(t, "POST", ts.URL+"/trade/payments", operatorSecret, []byte("invoice="+url.QueryEscape(n.ID)+"&amount="+bal.String()+"&paid_on=2025-12-01"), form)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `id="note-total"`) || !strings.Contains(string(b), `id="note-payments"`) {
		t.Errorf("payment of the balance %s against the note: %d %.300s; want back on the note's page with the payment listed", bal, resp.StatusCode, b)
	}
	if inv, err = ts.Trade().Invoice(ctx, n.Invoice); err != nil || inv.Status != commercial.StatusPaid {
		t.Errorf("after paying %s: %+v %v; want paid", bal, inv.PaymentStatus, err)
	}
}

// TestBrowserNotePaymentForm (fix13s item 2): an operator signed in
// opens a note's page, types the account's balance into the payment form
// and submits it; the page comes back with the payment listed and the
// account paid.
func TestBrowserNotePaymentForm(t *testing.T) {
	ts, n := noteDemo(t)
	inv, err := ts.Trade().Invoice(context.Background(), n.Invoice)
	if err != nil || inv.Balance == nil || !inv.Balance.IsPositive() {
		t.Fatalf("account of %s: %+v %v; want a balance to pay", n.Invoice, inv, err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("sign in as operator",
		chromedp.Navigate(ts.URL+"/login?next="+url.QueryEscape("/trade/notes/"+url.PathEscape(n.ID))),
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), operatorSecret),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
		chromedp.WaitVisible(chromedp.CSS("#payment-form")),
	)
	p.do("pay the balance",
		chromedp.SendKeys(chromedp.CSS("#payment-amount"), inv.Balance.String()),
		chromedp.Submit(chromedp.CSS("#payment-form")),
		chromedp.WaitVisible(chromedp.CSS("#note-payments")),
	)
	if got := p.text("#note-status"); !strings.Contains(got, "paid") {
		t.Errorf("account status after paying %s: %q; want paid", inv.Balance, got)
	}
	if after, err := ts.Trade().Invoice(context.Background(), n.Invoice); err != nil || after.Status != commercial.StatusPaid {
		t.Errorf("after the form: %+v %v; want the account paid", after, err)
	}
}
