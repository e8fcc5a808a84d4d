package commercial_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

func asOfDay(tb testing.TB, s string) time.Time {
	tb.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// Issue 13 (fix13j, 1): as of a day before an invoice was issued the
// invoice did not exist. The demo copper lot's provisional invoice is
// issued on 2025-09-03 (paid 113 938.96 on 2025-09-07) and its final on
// 2025-11-05: as of 2025-09-01 neither exists — status not_issued, no
// balance, not listed; as of 2025-09-05 the provisional is open for its
// whole 113 938.96 (the payment of the 7th not yet made) and the final
// (the settlement) does not exist yet; as of 2025-09-07 the provisional
// is paid.
func TestInvoiceAsOfBeforeIssueDidNotExist(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	prov := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Provisional)
	fin := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)

	for _, id := range []string{prov, fin} {
		inv, err := s.InvoiceAsOf(ctx, id, asOfDay(t, "2025-09-01"))
		if err != nil {
			t.Fatal(err)
		}
		if inv.Status != commercial.StatusNotIssued || inv.Balance != nil || inv.Paid != nil || inv.IssuedOn != inv.IssuedAt.UTC().Format(time.DateOnly) {
			t.Errorf("%s as of 2025-09-01: status %q balance %v paid %v issued_on %q; want not_issued, no balance, issued_on its issue day", id, inv.Status, inv.Balance, inv.Paid, inv.IssuedOn)
		}
		if got := inv.Summary(inv.Currency); got != "not issued as of 2025-09-01 (issued "+inv.IssuedOn+"): the invoice did not exist then" {
			t.Errorf("%s summary %q", id, got)
		}
	}
	list, _, err := s.InvoiceListAsOf(ctx, critmin.InvoiceFilter{Lot: commercial.DemoCopperLot}, asOfDay(t, "2025-09-01"))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("as of 2025-09-01 the copper lot lists %d invoices; want none (the first is issued 2025-09-03)", len(list))
	}

	list, _, err = s.InvoiceListAsOf(ctx, critmin.InvoiceFilter{Lot: commercial.DemoCopperLot}, asOfDay(t, "2025-09-05"))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != prov {
		t.Fatalf("as of 2025-09-05 the copper lot lists %v; want only the provisional %s", list, prov)
	}
	// 113 938.96 invoiced, nothing paid by the 5th: open, 113 938.96 due.
	if p := list[0]; p.Status != commercial.StatusOpen || !p.Balance.Equal(decimal.RequireFromString("113938.96")) {
		t.Errorf("provisional as of 2025-09-05: %s, balance %v; want open 113938.96", p.Status, p.Balance)
	}
	if inv, err := s.InvoiceAsOf(ctx, fin, asOfDay(t, "2025-09-05")); err != nil || inv.Status != commercial.StatusNotIssued {
		t.Errorf("final as of 2025-09-05: %v, %v; want not_issued (issued 2025-11-05)", inv.Status, err)
	}
	if inv, err := s.InvoiceAsOf(ctx, prov, asOfDay(t, "2025-09-07")); err != nil || inv.Status != commercial.StatusPaid {
		t.Errorf("provisional as of 2025-09-07 (paid that day): %v, %v; want paid", inv.Status, err)
	}
}

// Issue 13 (fix13j, 5): every invoice line carries its per-dmt figure,
// the provisional share and the deduction of the provisional invoice
// included (they used to say 0). The demo copper lot settles on 54.6 dmt
// (60 wmt × (1 − 9 %)):
//
//	provisional: settlement 126 598.84, 90 % share round(113 938.956) =
//	113 938.96, share line 113 938.96 − 126 598.84 = −12 659.88;
//	−12 659.88 ÷ 54.6 = −(231 + 47.28 ÷ 54.6) = −231.8659340… → −231.865934 per dmt
//	final: less provisional −113 938.96 ÷ 54.6 = −(2 086 + 43.36 ÷ 54.6) = −2 086.7941391…
//	→ −2 086.794139 per dmt
func TestInvoiceLinesPerDMTIsAmountOverDMT(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	want := map[string]string{"provisional_share": "-231.865934", "less_provisional": "-2086.794139"}
	for _, kind := range []string{commercial.Provisional, commercial.Final} {
		inv, err := s.Invoice(ctx, commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, kind))
		if err != nil {
			t.Fatal(err)
		}
		if !inv.Settlement.DMT.Equal(decimal.RequireFromString("54.6")) {
			t.Fatalf("%s settles on %s dmt; the worked figures assume 54.6", kind, inv.Settlement.DMT)
		}
		for _, l := range inv.Lines {
			if l.NoPerDMT != "" {
				t.Errorf("%s line %s: no per-dmt figure (%s) though the dmt is known", kind, l.Code, l.NoPerDMT)
			}
			if w, ok := want[l.Code]; ok && !l.PerDMT.Equal(decimal.RequireFromString(w)) {
				t.Errorf("%s line %s per dmt %s; want %s (amount %s ÷ 54.6)", kind, l.Code, l.PerDMT, w, l.Amount)
			}
			if l.PerDMT.IsZero() && !l.Amount.IsZero() {
				t.Errorf("%s line %s: amount %s but per dmt 0", kind, l.Code, l.Amount)
			}
		}
	}
}

// Issue 13 (fix13j, 4): counts agree with their noun, thousands grouped
// (issue 15, fix15s).
func TestCountSingularAndPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "invoice", "1 invoice"}, {0, "invoice", "0 invoices"}, {2, "invoice", "2 invoices"},
		{1, "supply", "1 supply"}, {3, "supply", "3 supplies"}, {2, "day", "2 days"},
		{2, "series", "2 series"}, {1, "open lot", "1 open lot"}, {5, "open lot", "5 open lots"},
		// Thousands grouped as on every page (fix15s): 10000 → 10,000.
		{10000, "event", "10,000 events"}, {1234567, "row", "1,234,567 rows"}, {999, "row", "999 rows"},
	} {
		if got := commercial.Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q; want %q", c.n, c.noun, got, c.want)
		}
	}
}
