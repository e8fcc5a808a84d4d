package commercial_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
	"github.com/xuri/excelize/v2"
)

// An invoice stored before its due date moved to the issue date keeps
// its contractual due date in the document; every reader is shown the one
// effective date (commercial.EffectiveDueDate), not the stored field.
//
// The demo copper final invoice, issued 2025-11-05, is rewritten as an
// old one would be stored: due 2025-10-01 (before it was issued), no
// remark. Its effective due date is max(2025-10-01, 2025-11-05) =
// 2025-11-05; on 2025-12-01 it is overdue 30 − 5 + 1 = 26 days (5 Nov →
// 1 Dec), and the single invoice, the list, the lot's valuation and the
// workbook all say due 2025-11-05, with a remark naming 2025-10-01.
func TestStoredInvoiceShowsEffectiveDueDate(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "trade.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := ledger.NewService(db)
	if _, err := demo.Load(ctx, l); err != nil {
		t.Fatal(err)
	}
	s := commercial.NewService(l)
	s.Now = func() time.Time { return time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC) }
	if _, err := commercial.LoadDemo(ctx, s); err != nil {
		t.Fatal(err)
	}
	contract := commercial.DemoContractFor[commercial.DemoCopperLot]
	id := commercial.InvoiceID(contract, commercial.DemoCopperLot, commercial.Final)
	inv, err := s.Invoice(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.IssuedAt.Format(time.DateOnly); got != "2025-11-05" {
		t.Fatalf("demo copper final issued %s, want 2025-11-05", got)
	}
	old := copyInvoice(t, inv)
	old.DueDate, old.Remark, old.PaymentStatus = "2025-10-01", "", commercial.PaymentStatus{}
	body, _ := json.Marshal(old)
	if _, err := db.Write.ExecContext(ctx, `UPDATE trade_invoices SET body = ?, due_date = ? WHERE id = ?`, string(body), old.DueDate, id); err != nil {
		t.Fatal(err)
	}
	if err := db.AttestExisting(ctx); err != nil {
		t.Fatal(err)
	}

	check := func(where string, inv *commercial.Invoice) {
		t.Helper()
		if inv.DueDate != "2025-11-05" {
			t.Errorf("%s: due %s, want the effective 2025-11-05", where, inv.DueDate)
		}
		if !strings.Contains(inv.Remark, "2025-10-01") || !strings.Contains(inv.Remark, "payable on receipt") {
			t.Errorf("%s: remark %q, want the contractual 2025-10-01 named", where, inv.Remark)
		}
		if inv.Status != commercial.StatusOverdue || inv.DaysOverdue != 26 {
			t.Errorf("%s: status %s %d days, want overdue 26 days", where, inv.Status, inv.DaysOverdue)
		}
	}
	got, err := s.Invoice(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	check("Invoice", got)
	list, _, err := s.InvoiceList(ctx, critmin.InvoiceFilter{Lot: commercial.DemoCopperLot})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.ID == id {
			check("InvoiceList", x)
		}
	}
	v, _, err := s.Value(ctx, contract, commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range v.Invoices {
		if x.ID == id {
			check("Value", x)
		}
	}
	var buf bytes.Buffer
	if err := commercial.WriteXLSX(&buf, got); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Invoice")
	for _, r := range rows {
		if len(r) > 1 && r[0] == "Due" && r[1] != "2025-11-05" {
			t.Errorf("workbook: Due %s, want 2025-11-05", r[1])
		}
	}
}
