package commercial_test

import (
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
	"github.com/shopspring/decimal"
)

// copyInvoice returns a deep copy of an invoice through its stored JSON (so a
// passing check also shows the stored form replays exactly).
func copyInvoice(t *testing.T, inv *commercial.Invoice) *commercial.Invoice {
	t.Helper()
	b, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	var c commercial.Invoice
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// shift moves a settlement line by delta and the settlement value and the
// invoice total with it, so the lines still add up (Invoice.Check passes)
// and only a re-derivation can tell.
func shift(inv *commercial.Invoice, code string, delta decimal.Decimal) {
	for i := range inv.Settlement.Lines {
		if inv.Settlement.Lines[i].Code == code {
			inv.Settlement.Lines[i].Amount = inv.Settlement.Lines[i].Amount.Add(delta)
			inv.Lines[i].Amount = inv.Settlement.Lines[i].Amount
		}
	}
	inv.Settlement.Value = inv.Settlement.Value.Add(delta)
	inv.Total = inv.Total.Add(delta)
}

// VerifyInvoice re-derives the worked copper invoices of
// TestCopperConcentrateSettlement from their terms and recorded inputs,
// and catches each way of tampering with them — every one of which keeps
// the lines adding up to the total, so the sum check alone passes.
func TestVerifyInvoiceCatchesTampering(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	lot, prices := cuLot(), cuPrices()
	prov, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional, Prices: prices})
	if err != nil {
		t.Fatal(err)
	}
	pinv, err := commercial.NewProvisionalInvoice(ts, lot, prov, day("2025-09-03"))
	if err != nil {
		t.Fatal(err)
	}
	fin, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Final, Prices: prices})
	if err != nil {
		t.Fatal(err)
	}
	finv, err := commercial.NewFinalInvoice(ts, lot, fin, pinv, day("2025-11-05"))
	if err != nil {
		t.Fatal(err)
	}
	if err := commercial.VerifyInvoice(ts, copyInvoice(t, pinv), nil); err != nil {
		t.Fatalf("provisional invoice: %v", err)
	}
	if err := commercial.VerifyInvoice(ts, copyInvoice(t, finv), pinv); err != nil {
		t.Fatalf("final invoice: %v", err)
	}
	cent := d("0.01")
	for _, tc := range []struct {
		name   string
		final  bool
		tamper func(inv *commercial.Invoice, prov *commercial.Invoice)
		field  string
	}{
		// Payable Cu raised by a cent, value and total with it.
		{"payable amount", true, func(inv, _ *commercial.Invoice) { shift(inv, "payable:Cu", cent) }, "settlement/lines/0/amount"},
		// The per-dmt figure of the penalty changed, amount left alone.
		{"penalty per dmt", true, func(inv, _ *commercial.Invoice) {
			for i := range inv.Settlement.Lines {
				if inv.Settlement.Lines[i].Code == "penalty:As" {
					inv.Settlement.Lines[i].PerDMT = d("-4.00")
					inv.Lines[i].PerDMT = d("-4.00")
				}
			}
		}, "settlement/lines/7/per_dmt"},
		// The settled Cu grade raised from 23.75 to 24.10 % with the lines
		// left as they were: min(96.5 % × 24.10, 23.10) = 23.10 % would be
		// payable, not 22.75.
		{"grade", true, func(inv, _ *commercial.Invoice) {
			for i := range inv.Settlement.Facts {
				if inv.Settlement.Facts[i].Name == "Cu" {
					inv.Settlement.Facts[i].Value = d("24.10")
				}
			}
		}, "settlement/lines/0/per_dmt"},
		// The October Cu price recorded as 9700 instead of 9800.
		{"price", true, func(inv, _ *commercial.Invoice) {
			inv.Settlement.Prices[0].Exact, inv.Settlement.Prices[0].Price = d("9700"), d("9700")
		}, "settlement/lines/0/per_dmt"},
		// 918.000 dmt written as 919.000.
		{"dmt", true, func(inv, _ *commercial.Invoice) { inv.Settlement.DMT = d("919") }, "settlement/dmt"},
		// The TC cap (95) dropped: −96 per dmt, value and total adjusted.
		{"tc uncapped", true, func(inv, _ *commercial.Invoice) {
			shift(inv, "tc", d("-918"))
			for i := range inv.Settlement.Lines {
				if inv.Settlement.Lines[i].Code == "tc" {
					inv.Settlement.Lines[i].PerDMT, inv.Lines[i].PerDMT = d("-96"), d("-96")
				}
			}
		}, "settlement/lines/3"},
		// The arsenic penalty line removed, value and total raised by it.
		{"penalty removed", true, func(inv, _ *commercial.Invoice) {
			shift(inv, "penalty:As", d("3855.60"))
			inv.Settlement.Lines = inv.Settlement.Lines[:7]
			inv.Lines = append(inv.Lines[:7], inv.Lines[8:]...)
		}, "settlement/lines/7"},
		// The balance due computed against a smaller provisional invoice:
		// the deduction line and the total both say 1 900 000.00.
		{"balance due", true, func(inv, _ *commercial.Invoice) {
			last := len(inv.Lines) - 1
			delta := inv.Lines[last].Amount.Add(d("1900000"))
			inv.Lines[last].Amount = d("-1900000")
			inv.Total = inv.Total.Sub(delta)
		}, "total"},
		// A provisional invoice at 95 % instead of the contract's 90 %.
		{"provisional share", false, func(inv, _ *commercial.Invoice) {
			want := inv.Settlement.Value.Mul(d("0.95")).Round(2)
			last := len(inv.Lines) - 1
			inv.Lines[last].Amount = want.Sub(inv.Settlement.Value)
			inv.Total = want
		}, "total"},
		// A final invoice presented as the provisional one's settlement.
		{"kind", false, func(inv, _ *commercial.Invoice) { inv.Settlement.Kind = commercial.Final }, "settlement/kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := copyInvoice(t, pinv)
			var p *commercial.Invoice
			if tc.final {
				inv, p = copyInvoice(t, finv), pinv
			}
			tc.tamper(inv, p)
			err := commercial.VerifyInvoice(ts, inv, p)
			if critmin.ErrorCode(err) != critmin.ECONFLICT || !hasPointer(err, tc.field) {
				t.Errorf("err = %v; want a conflict naming %s", err, tc.field)
			}
		})
	}
}

func hasPointer(err error, prefix string) bool {
	prefix = jsonPointer(prefix)
	for _, f := range critmin.ErrorFields(err) {
		if strings.HasPrefix(f.Pointer, prefix) {
			return true
		}
	}
	return false
}

// A stored invoice whose figures were changed in the database behind the
// service's back is not served: Invoice, Invoices and the lot's valuation
// refuse it with a conflict naming the figure, and the untouched
// provisional invoice is still served.
func TestTamperedStoredInvoiceIsNotPublished(t *testing.T) {
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
	inv, err := s.Issue(ctx, "FWO-USSM-REE-2025", commercial.DemoREELot1, commercial.Final)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoice(ctx, inv.ID); err != nil {
		t.Fatalf("untampered: %v", err)
	}
	// Raise the basket line's amount and the totals by 1000.00 in the
	// stored document (and the total column), keeping every sum right.
	tampered := copyInvoice(t, inv)
	shift(tampered, tampered.Settlement.Lines[0].Code, d("1000"))
	body, _ := json.Marshal(tampered)
	if _, err := db.Write.ExecContext(ctx, `UPDATE trade_invoices SET body = ?, total = ? WHERE id = ?`, string(body), tampered.Total.String(), inv.ID); err != nil {
		t.Fatal(err)
	}
	// The store refuses the edited row first: it differs from its audit
	// entry (sqldb's attested readers).
	if _, err := s.Invoice(ctx, inv.ID); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "trade_invoices") || !strings.Contains(err.Error(), inv.ID) {
		t.Errorf("Invoice of an edited row: err = %v; want a conflict naming trade_invoices %s", err, inv.ID)
	}
	// Re-attest it, as one who can also rewrite the audit chain would
	// (critmin verify catches that through the chain and the checkpoints):
	// the invoice's own arithmetic is then still checked.
	if err := db.AttestExisting(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoice(ctx, inv.ID); critmin.ErrorCode(err) != critmin.ECONFLICT || !hasPointer(err, "settlement/lines/0/amount") {
		t.Errorf("Invoice: err = %v; want a conflict naming the basket line", err)
	}
	if _, err := s.Invoices(ctx, critmin.InvoiceFilter{Lot: commercial.DemoREELot1}); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("Invoices: err = %v; want a conflict", err)
	}
	// The listing serves the other invoices and names the tampered one:
	// the demo has 7 invoices, this test issued an 8th and tampered it.
	list, refused, err := s.InvoiceList(ctx, critmin.InvoiceFilter{})
	if err != nil || len(list) != 7 || len(refused) != 1 || refused[0].ID != inv.ID || !strings.Contains(refused[0].Reason, "settlement/lines/0/amount") {
		t.Errorf("InvoiceList: %d served, refused %+v, err %v; want 7 served and %s refused", len(list), refused, err, inv.ID)
	}
	if _, _, err := s.Value(ctx, "FWO-USSM-REE-2025", commercial.DemoREELot1); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("Value: err = %v; want a conflict", err)
	}
	// Only the total column changed: the document and column disagree.
	if _, err := db.Write.ExecContext(ctx, `UPDATE trade_invoices SET body = ?, total = ? WHERE id = ?`, mustJSON(t, inv), "1.00", inv.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.AttestExisting(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invoice(ctx, inv.ID); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("total column changed: err = %v; want a conflict", err)
	}
	if _, err := s.Invoice(ctx, commercial.InvoiceID("FWO-USSM-REE-2025", commercial.DemoREELot1, commercial.Provisional)); err != nil {
		t.Errorf("the provisional invoice: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
