package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// noteAccount issues the T-NOTE lot's provisional and final invoices and,
// after its receipt is corrected to receiptKg, a note; it returns the
// final invoice and the note.
func noteAccount(t *testing.T, s *commercial.Service, lot string, receiptKg float64, payFinal string) (*commercial.Invoice, *commercial.Note) {
	t.Helper()
	ctx := context.Background()
	receipt := noteLot(t, s, lot)
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	fin, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if payFinal != "" {
		if err := s.RecordPayment(ctx, &critmin.TradePayment{Invoice: fin.ID, Amount: payFinal, PaidOn: "2025-11-28"}); err != nil {
			t.Fatal(err)
		}
	}
	retract(t, s, receipt, "2025-12-01T09:00:00Z")
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000d4", "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, receiptKg), "sensorElementList": h2o(10)})
	n, err := s.IssueNoteAt(ctx, "T-NOTE", lot, "receipt weight corrected", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return fin, n
}

// TestPaymentStatusCountsNotes (fix13q item 2): what is owed under a
// final invoice is the invoice plus its notes less what was paid.
//
// The T-NOTE final invoice is 180 000.00 − 162 000.00 provisional =
// 18 000.00 USD, paid in full on 28 Nov 2025. The receipt corrected to
// 99 000 kg gives a credit note of −1 800.00 (178 200 − 180 000), so
// 18 000.00 − 1 800.00 = 16 200.00 is owed and 18 000.00 was paid: the
// seller owes 18 000.00 − 16 200.00 = 1 800.00 back — "refund due", not
// "paid". A refund of 1 800.00 recorded against the note (its id, as
// `trade pay --invoice …-CN1` gives it) settles it: net paid 18 000.00 −
// 1 800.00 = 16 200.00 = owed, status paid. A second refund is refused:
// nothing is outstanding.
func TestPaymentStatusCountsNotes(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	fin, n := noteAccount(t, s, "urn:critmin:test:lot:NOTE-P", 99000, "18000")
	eq(t, "credit note", n.Total, "-1800")
	inv, err := s.Invoice(ctx, fin.ID)
	if err != nil {
		t.Fatal(err)
	}
	st := inv.PaymentStatus
	if st.Status != commercial.StatusRefundDue || st.Balance == nil || !st.Balance.Equal(d("1800")) || st.OwedBy != commercial.OwedBySeller {
		t.Fatalf("status after a credit note on a paid invoice: %+v; want refund_due 1800 owed by the seller", st)
	}
	if st.Owed == nil || !st.Owed.Equal(d("16200")) {
		t.Errorf("owed %v; want 18 000 − 1 800 = 16 200", st.Owed)
	}
	if !strings.Contains(st.Summary("USD"), "refund due: 1,800.00 USD owed by the seller") || !strings.Contains(st.Summary("USD"), "comes to 16,200.00 USD, 18,000.00 paid") {
		t.Errorf("summary %q", st.Summary("USD"))
	}
	p := &critmin.TradePayment{Invoice: n.ID, Amount: "1800", PaidOn: "2025-12-01"}
	if err := s.RecordPayment(ctx, p); err != nil {
		t.Fatalf("refund against note %s: %v", n.ID, err)
	}
	if p.Direction != commercial.DirectionRefund || p.Invoice != fin.ID {
		t.Errorf("recorded %s against %s; want a refund on the final invoice's account %s", p.Direction, p.Invoice, fin.ID)
	}
	inv, err = s.Invoice(ctx, fin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st := inv.PaymentStatus; st.Status != commercial.StatusPaid || !st.Balance.IsZero() || !st.Paid.Equal(d("16200")) {
		t.Errorf("after the refund: %+v; want paid, balance 0, net paid 16 200", st)
	}
	err = s.RecordPayment(ctx, &critmin.TradePayment{Invoice: n.ID, Amount: "0.01", PaidOn: "2025-12-01"})
	if !hasField(err, "/amount") && !hasField(err, "/invoice") {
		t.Errorf("a payment with nothing outstanding: %v; want refused", err)
	}
	if err := s.RecordPayment(ctx, &critmin.TradePayment{Invoice: fin.ID + "-CN9", Amount: "1", PaidOn: "2025-12-01"}); !hasField(err, "/invoice") || !strings.Contains(err.Error(), "no invoice or note") {
		t.Errorf("an unknown note: %v; want no invoice or note named", err)
	}
}

// TestPaymentStatusCountsDebitNote (fix13q item 2): an unpaid final
// invoice of 18 000.00 with a debit note: the receipt corrected to
// 101 000 kg is 1 % over the 100 000 loaded, beyond the 0.5 % franchise,
// so 101 × 0.9 = 90.9 dmt × 20 % × 10 000 USD/t = 181 800.00, a debit
// note of +1 800.00: 18 000.00 + 1 800.00 = 19 800.00 owed by the buyer,
// not the invoice's 18 000.00. A payment of 19 800.00 recorded against
// the note's id settles the account.
func TestPaymentStatusCountsDebitNote(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	fin, n := noteAccount(t, s, "urn:critmin:test:lot:NOTE-Q", 101000, "")
	eq(t, "debit note", n.Total, "1800")
	inv, err := s.Invoice(ctx, fin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st := inv.PaymentStatus; st.Balance == nil || !st.Balance.Equal(d("19800")) || st.OwedBy != commercial.OwedByBuyer {
		t.Fatalf("status with a debit note: %+v; want 19 800 owed by the buyer", st)
	}
	if err := s.RecordPayment(ctx, &critmin.TradePayment{Invoice: n.ID, Amount: "19800.01", PaidOn: "2025-12-01"}); !hasField(err, "/amount") {
		t.Errorf("an overpayment of the account: %v; want amount refused", err)
	}
	if err := s.RecordPayment(ctx, &critmin.TradePayment{Invoice: n.ID, Amount: "19800", PaidOn: "2025-12-01"}); err != nil {
		t.Fatal(err)
	}
	inv, err = s.Invoice(ctx, fin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st := inv.PaymentStatus; st.Status != commercial.StatusPaid || !st.Balance.IsZero() {
		t.Errorf("after paying 19 800: %+v; want paid", st)
	}
}
