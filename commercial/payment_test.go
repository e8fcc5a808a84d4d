package commercial_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// Payments are validated in the domain (CLI and API call RecordPayment).
// The demo copper final invoice is 15 391.84 USD, issued 5 Nov 2025; the
// antimony final invoice is a credit of −263.28 USD (final value below the
// provisional invoice), issued 10 Nov 2025.
func TestPaymentRules(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	cu := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	sb := commercial.InvoiceID("FWO-USSM-SB-2025", commercial.DemoAntimonyLot, commercial.Final)
	bad := []struct {
		name, field string
		p           critmin.TradePayment
	}{
		{"negative", "amount", critmin.TradePayment{Invoice: cu, Amount: "-100", PaidOn: "2025-11-10"}},
		{"zero", "amount", critmin.TradePayment{Invoice: cu, Amount: "0", PaidOn: "2025-11-10"}},
		{"sub-cent", "amount", critmin.TradePayment{Invoice: cu, Amount: "100.001", PaidOn: "2025-11-10"}},
		{"not a number", "amount", critmin.TradePayment{Invoice: cu, Amount: "1e", PaidOn: "2025-11-10"}},
		// 99 999 999 > 15 391.84 outstanding.
		{"overpayment", "amount", critmin.TradePayment{Invoice: cu, Amount: "99999999", PaidOn: "2025-11-10"}},
		{"before issue", "paid_on", critmin.TradePayment{Invoice: cu, Amount: "100", PaidOn: "2025-11-04"}},
		{"bad date", "paid_on", critmin.TradePayment{Invoice: cu, Amount: "100", PaidOn: "10/11/2025"}},
		{"payment on a credit", "direction", critmin.TradePayment{Invoice: sb, Amount: "263.28", PaidOn: "2025-11-12", Direction: "payment"}},
		{"refund on a debit", "direction", critmin.TradePayment{Invoice: cu, Amount: "100", PaidOn: "2025-11-12", Direction: "refund"}},
		// The credit is 263.28: a refund of 263.29 is one cent too many.
		{"over-refund", "amount", critmin.TradePayment{Invoice: sb, Amount: "263.29", PaidOn: "2025-11-12"}},
		{"unknown invoice", "invoice", critmin.TradePayment{Invoice: "INV-nope", Amount: "1", PaidOn: "2025-11-12"}},
	}
	for _, b := range bad {
		p := b.p
		err := s.RecordPayment(ctx, &p)
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(critmin.ErrorMessage(err)+" "+fieldOf(err), b.field) {
			t.Errorf("%s: err = %v, want EINVALID naming %s", b.name, err, b.field)
		}
	}
	if ps, _ := s.Store.ListPayments(ctx, cu); len(ps) != 0 {
		t.Fatalf("refused payments were stored: %+v", ps)
	}
	// Two payments on the same day get distinct generated ids; together
	// 10 000.00 + 5 391.84 = 15 391.84 settle the invoice exactly, and a
	// further cent is refused (0.00 outstanding).
	p1 := &critmin.TradePayment{Invoice: cu, Amount: "10000", PaidOn: "2025-11-10"}
	p2 := &critmin.TradePayment{Invoice: cu, Amount: "5391.84", PaidOn: "2025-11-10"}
	for _, p := range []*critmin.TradePayment{p1, p2} {
		if err := s.RecordPayment(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if p1.ID == p2.ID {
		t.Errorf("same-day payments share id %s", p1.ID)
	}
	if p1.Amount != "10000.00" || p1.Direction != commercial.DirectionPayment {
		t.Errorf("p1 stored as %s %s, want 10000.00 payment", p1.Amount, p1.Direction)
	}
	if err := s.RecordPayment(ctx, &critmin.TradePayment{Invoice: cu, Amount: "0.01", PaidOn: "2025-11-11"}); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("payment on a settled invoice: %v", err)
	}
	// The credit is settled by a refund, stored negative.
	r := &critmin.TradePayment{Invoice: sb, Amount: "263.28", PaidOn: "2025-11-12"}
	if err := s.RecordPayment(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.Direction != commercial.DirectionRefund || r.Amount != "-263.28" {
		t.Errorf("refund stored as %s %s", r.Amount, r.Direction)
	}
	// Agreement: antimony invoiced = provisional 105 798.75 + final
	// −263.28 = 105 535.47; paid = 105 798.75 (demo, on the due date) −
	// 263.28 refunded = 105 535.47, so paid equals invoiced, not more.
	pr, err := s.Progress(ctx, "USSM-FWO-MOU-2025", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// Milestones by due date: the demo lists M3 (due 2026-06-30) before
	// M4 (2026-03-31); the progress shows M4 first.
	for i := 1; i < len(pr.Agreement.Milestones); i++ {
		if a, b := pr.Agreement.Milestones[i-1], pr.Agreement.Milestones[i]; a.Due > b.Due {
			t.Errorf("milestone %s (due %s) listed before %s (due %s)", a.ID, a.Due, b.ID, b.Due)
		}
	}
	for _, c := range pr.Commodities {
		if c.Paid.GreaterThan(c.Invoiced) {
			t.Errorf("%s paid %s > invoiced %s", c.Commodity, c.Paid, c.Invoiced)
		}
		if c.Commodity == "antimony" {
			want := decimal.RequireFromString("105535.47")
			if !c.Paid.Equal(want) || !c.Invoiced.Equal(want) {
				t.Errorf("antimony paid %s invoiced %s, want both %s", c.Paid, c.Invoiced, want)
			}
		}
		if c.Paid.Exponent() < -2 {
			t.Errorf("%s paid %s has more than 2 decimals", c.Commodity, c.Paid)
		}
	}
}

// fieldOf is the pointer of the first field an error names, "" otherwise.
func fieldOf(err error) string {
	var e *critmin.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return e.Fields[0].Pointer
	}
	return ""
}

// TestPaymentsAtOnce: eight payments of 100.00 against the demo copper
// final invoice (15 391.84 USD outstanding), recorded at once without ids.
// Each was named PAY-<invoice>-<date>-N with N = 1 + the payments read
// before writing, so racing payments took one N and all but one got 409
// "already recorded". All eight are recorded, numbered 1…8 in the write
// transaction, and 8 × 100.00 = 800.00 is settled.
func TestPaymentsAtOnce(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	cu := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	const n = 8
	errs := make([]error, n)
	ps := make([]*critmin.TradePayment, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ps[i] = &critmin.TradePayment{Invoice: cu, Amount: "100.00", PaidOn: "2025-11-20"}
		wg.Add(1)
		go func() { defer wg.Done(); <-start; errs[i] = s.RecordPayment(ctx, ps[i]) }()
	}
	close(start)
	wg.Wait()
	ids := map[string]bool{}
	for i, err := range errs {
		if err != nil {
			t.Errorf("payment %d: %v", i, err)
			continue
		}
		ids[ps[i].ID] = true
	}
	for k := 1; k <= n; k++ {
		if id := fmt.Sprintf("PAY-%s-2025-11-20-%d", cu, k); !ids[id] {
			t.Errorf("no payment %s", id)
		}
	}
	pays, err := s.Store.ListPayments(ctx, cu)
	if err != nil {
		t.Fatal(err)
	}
	sum := decimal.Zero
	for _, p := range pays {
		sum = sum.Add(decimal.RequireFromString(p.Amount))
	}
	if !sum.Equal(decimal.RequireFromString("800")) {
		t.Errorf("settled %s; want 8 × 100.00 = 800.00", sum)
	}
}
