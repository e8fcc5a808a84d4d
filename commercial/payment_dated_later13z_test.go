package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// TestPaymentDatedTomorrowSaidSo (issue 13, fix13z): a payment dated the
// next day is accepted within the clock allowance (ClockSkew, 14 h: at
// 2025-11-20 12:00 UTC the latest date is 2025-11-21), but it counts from
// its own day. Before, the invoice's status left it out without a word
// (open, 15,391.84 USD unpaid) and nothing showed it was recorded. Now
// the status lists it, with the balance from its day:
// 15 391.84 − 1 000.00 = 14 391.84 USD.
func TestPaymentDatedTomorrowSaidSo(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	s.Now = func() time.Time { return time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC) }
	cu := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	p := &critmin.TradePayment{Invoice: cu, Amount: "1000", PaidOn: "2025-11-21"}
	if err := s.RecordPayment(ctx, p); err != nil {
		t.Fatal(err)
	}
	inv, err := s.Invoice(ctx, cu)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "balance today", *inv.Balance, "15391.84")
	if len(inv.Dated) != 1 || inv.Dated[0].ID != p.ID {
		t.Fatalf("dated later = %+v, want payment %s", inv.Dated, p.ID)
	}
	eq(t, "balance from 2025-11-21", inv.Dated[0].Balance, "14391.84")
	sum := inv.PaymentStatus.Summary(inv.Currency)
	if want := p.ID + " of 1,000.00 USD dated 2025-11-21 counts from that day: balance from 2025-11-21 14,391.84 USD"; !strings.Contains(sum, want) {
		t.Errorf("summary %q lacks %q", sum, want)
	}
	// The next day it counts: nothing dated later, 14 391.84 unpaid.
	s.Now = func() time.Time { return time.Date(2025, 11, 21, 12, 0, 0, 0, time.UTC) }
	if inv, err = s.Invoice(ctx, cu); err != nil {
		t.Fatal(err)
	}
	eq(t, "balance on 2025-11-21", *inv.Balance, "14391.84")
	if len(inv.Dated) != 0 {
		t.Errorf("on its day the payment is still listed as dated later: %+v", inv.Dated)
	}
}
