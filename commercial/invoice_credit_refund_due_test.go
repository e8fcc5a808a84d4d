package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// A final invoice below its provisional one is a credit: the seller owes
// the buyer a refund. Its status says so ("refund due", then "refunded"),
// never "overdue … unpaid" as if the buyer owed money; refunds may be
// written with the sign they are stored with, and a negative amount
// against a debit is refused naming the amount.
//
// The demo antimony final invoice: final value less the provisional
// invoice = −263.28 USD, issued 2025-11-10, due 2025-11-15. On 2025-12-01 (the test clock) the seller is
// 30 − 15 + 1 = 16 days late with 263.28 USD. A refund of −100.00 (sign
// as stored) leaves 263.28 − 100.00 = 163.28 owed by the seller; a
// refund of 163.28 settles it: 100.00 + 163.28 = 263.28, "refunded".
func TestCreditInvoiceIsARefundDue(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	sb := commercial.InvoiceID("FWO-USSM-SB-2025", commercial.DemoAntimonyLot, commercial.Final)
	cu := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	status := func() *commercial.Invoice {
		t.Helper()
		inv, err := s.Invoice(ctx, sb)
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	inv := status()
	eq(t, "credit total", inv.Total, "-263.28")
	if inv.DueDate != "2025-11-15" {
		t.Fatalf("due %s, want 2025-11-15", inv.DueDate)
	}
	if inv.Status != commercial.StatusRefundDue || inv.OwedBy != commercial.OwedBySeller || inv.DaysOverdue != 16 {
		t.Errorf("credit on 2025-12-01: %s owed by %s, %d days late; want refund_due by the seller, 16 days", inv.Status, inv.OwedBy, inv.DaysOverdue)
	}
	eq(t, "refund owed", *inv.Balance, "263.28")
	sum := inv.PaymentStatus.Summary(inv.Currency)
	if want := "refund due, 16 days late: 263.28 USD owed by the seller to the buyer"; sum != want {
		t.Errorf("summary %q, want %q", sum, want)
	}

	// A refund written with its sign is a refund of its size.
	r := &critmin.TradePayment{Invoice: sb, Amount: "-100.00", PaidOn: "2025-11-20"}
	if err := s.RecordPayment(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.Direction != commercial.DirectionRefund || r.Amount != "-100.00" {
		t.Errorf("stored as %s %s, want -100.00 refund", r.Amount, r.Direction)
	}
	inv = status()
	eq(t, "refund still owed", *inv.Balance, "163.28")
	if got := inv.PaymentStatus.Summary(inv.Currency); !strings.HasPrefix(got, "refund due, 16 days late: 163.28 USD") {
		t.Errorf("after 100.00 refunded: %q", got)
	}
	// A negative amount said to be a payment, or against a debit, is refused.
	for name, p := range map[string]critmin.TradePayment{
		"negative payment on a credit": {Invoice: sb, Amount: "-10", PaidOn: "2025-11-21", Direction: commercial.DirectionPayment},
		"negative on a debit":          {Invoice: cu, Amount: "-10", PaidOn: "2025-11-21"},
	} {
		err := s.RecordPayment(ctx, &p)
		if critmin.ErrorCode(err) != critmin.EINVALID || fieldOf(err) != "/amount" || !strings.Contains(critmin.ErrorMessage(err), "refund") {
			t.Errorf("%s: %v, want EINVALID on amount explaining refunds", name, err)
		}
	}
	if err := s.RecordPayment(ctx, &critmin.TradePayment{Invoice: sb, Amount: "163.28", PaidOn: "2025-11-25"}); err != nil {
		t.Fatal(err)
	}
	inv = status()
	if inv.Status != commercial.StatusRefunded || inv.OwedBy != "" || inv.PaymentStatus.Summary(inv.Currency) != "refunded" {
		t.Errorf("settled credit: %s owed by %q %q, want refunded", inv.Status, inv.OwedBy, inv.PaymentStatus.Summary(inv.Currency))
	}
	eq(t, "refunded", *inv.Paid, "263.28")
}
