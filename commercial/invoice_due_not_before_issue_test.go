package commercial_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// An invoice is never due before it is issued: due = max(due by the
// terms, issue date), and days overdue and late interest count from that
// date.
//
// The worked copper lot (B/L 2025-09-02, provisional_days 5: due by the
// terms 2025-09-07) invoiced provisionally only on 2026-12-01 is due
// 2026-12-01, payable on receipt: on that day it is open, 0 days overdue,
// no interest (before: 450 days overdue, 2025-09-07 → 2026-12-01).
//
// A stored invoice (issued before the due date moved) of 10 000.00 USD,
// contractual due 2025-11-13, issued 2026-12-01, at 7.3 % a year: as of
// 2026-12-01 open, no interest; as of 2026-12-31 overdue 30 days (1 Dec →
// 31 Dec), interest 10 000 × 7.3 % × 30 d ÷ 365 = 60.00 USD (before: 413
// days from 13 Nov 2025, 826.00 USD).
func TestInvoiceNeverDueBeforeIssued(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	lot, prices := cuLot(), cuPrices()
	prov, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: prices})
	if err != nil {
		t.Fatal(err)
	}
	pinv, err := commercial.NewProvisionalInvoice(ts, lot, prov, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	if pinv.DueDate != "2026-12-01" {
		t.Errorf("due %s, want the issue date 2026-12-01 (terms: 2025-09-07)", pinv.DueDate)
	}
	if !strings.Contains(pinv.Remark, "2025-09-07") || !strings.Contains(pinv.Remark, "payable on receipt") {
		t.Errorf("remark %q, want the contractual due date and payable on receipt", pinv.Remark)
	}
	st, err := commercial.InvoiceStatusAt(pinv, nil, ts, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != commercial.StatusOpen || st.DaysOverdue != 0 || st.LateInterest != nil {
		t.Errorf("on its issue day: %+v, want open, not overdue, no interest", st)
	}
	// Issued on time, the terms' date stands.
	onTime, _ := commercial.NewProvisionalInvoice(ts, lot, prov, day("2025-09-03"))
	if onTime.DueDate != "2025-09-07" || onTime.Remark != "" {
		t.Errorf("issued on time: due %s remark %q, want 2025-09-07 and none", onTime.DueDate, onTime.Remark)
	}

	rate := d("7.3")
	withInterest := &commercial.TermSheet{Currency: "USD", Payment: commercial.Payment{LateInterestPct: &rate}}
	stored := &commercial.Invoice{ID: "INV-L", Currency: "USD", Total: d("10000.00"), DueDate: "2025-11-13",
		IssuedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	st, _ = commercial.InvoiceStatusAt(stored, []*critmin.TradePayment{}, withInterest, day("2026-12-01"))
	if st.Status != commercial.StatusOpen || st.LateInterest != nil {
		t.Errorf("stored late invoice on its issue day: %+v, want open, no interest", st)
	}
	st, _ = commercial.InvoiceStatusAt(stored, nil, withInterest, day("2026-12-31"))
	if st.Status != commercial.StatusOverdue || st.DaysOverdue != 30 || st.LateInterest == nil {
		t.Fatalf("30 days after issue: %+v, want overdue 30 days with interest", st)
	}
	eq(t, "late interest", *st.LateInterest, "60")
	if !strings.Contains(st.LateInterestFormula, "after the due date 2026-12-01") {
		t.Errorf("formula %q, want it counted from 2026-12-01", st.LateInterestFormula)
	}
}
