package commercial_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
	"github.com/shopspring/decimal"
)

// TestWritesReadThePrimary: under --db-read the store's reads go to a
// replica that shows the primary's commits only after its replay lag. A
// copy of the store taken before the last writes stands in for a
// replica that lags (sqldb.DB.UseReadPool). After the copy, the primary
// gets contract REE-LAG edited (provisional share 85 % → 90 %). Through
// the lagging store:
//
//   - issuing lot 1's provisional invoice under REE-LAG settled from the
//     replica's 85 % terms and the store's basis check, reading the
//     primary's 90 %, refused it: a spurious ECONFLICT (409). It must be
//     issued at 90 %: total = round(provisional value × 0.90, 2), the
//     value the primary settles;
//   - the invoice is not on the replica at all, so a payment against it
//     was "no invoice" (400), and a second payment took the default id
//     PAY-<invoice>-<date>-1 again, the first not being on the replica:
//     a spurious ECONFLICT. Both must be recorded, as -1 and -2;
//   - the final invoice of lot 1 found no provisional invoice on the
//     replica ("issue it first"): it must find the primary's;
//   - a price day imported into the final invoice's quotational period
//     (closed) was accepted when the closed periods were read from the
//     replica, which has no final invoice: it must be ECONFLICT (the
//     periods are read in the import's write transaction).
func TestWritesReadThePrimary(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	primary, replica := filepath.Join(dir, "primary.db"), filepath.Join(dir, "replica.db")
	setup, err := sqlite.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.NewService(setup)
	if _, err := demo.Load(ctx, l); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return commercial.DemoNow } // the demo prices run to 31 Dec 2025
	s := commercial.NewService(l)
	s.Now = now
	if _, err := s.ImportPrices(ctx, mustOpen(t, "demo/prices.csv"), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	terms, err := os.ReadFile("demo/ree-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	v1 := bytes.Replace(terms, []byte(`"FWO-USSM-REE-2025"`), []byte(`"REE-LAG"`), 1)
	v2 := bytes.Replace(v1, []byte(`"provisional_pct": 85`), []byte(`"provisional_pct": 90`), 1)
	if bytes.Equal(v1, v2) {
		t.Fatal("demo REE terms no longer say provisional_pct 85")
	}
	if _, err := s.SaveContract(ctx, v1); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Write.ExecContext(ctx, `VACUUM INTO ?`, replica); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveContract(ctx, v2); err != nil {
		t.Fatal(err)
	}
	want, _, err := s.Value(ctx, "REE-LAG", commercial.DemoREELot1)
	if err != nil {
		t.Fatal(err)
	}
	setup.Close()

	lagging, err := sqlite.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lagging.Close() })
	stale, err := sqlite.Open(ctx, replica)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stale.Close() })
	lagging.UseReadPool(stale.Read)
	ls := commercial.NewService(ledger.NewService(lagging))
	ls.Now = now
	// The stand-in replica still holds the 85 % terms (the contract is
	// read by ID from the primary, read-your-writes, so this looks at the
	// read pool itself).
	var onReplica, onPrimary string
	if err := lagging.Read.QueryRowContext(ctx, `SELECT body FROM trade_docs WHERE kind = 'contract' AND id = 'REE-LAG'`).Scan(&onReplica); err != nil {
		t.Fatal(err)
	}
	if err := lagging.Write.QueryRowContext(ctx, `SELECT body FROM trade_docs WHERE kind = 'contract' AND id = 'REE-LAG'`).Scan(&onPrimary); err != nil {
		t.Fatal(err)
	}
	if onReplica == onPrimary {
		t.Fatal("the stand-in replica should still show the 85 % terms")
	}
	if ts, err := ls.Contract(ctx, "REE-LAG"); err != nil || !ts.Payment.ProvisionalPct.Equal(decimal.NewFromInt(90)) {
		t.Errorf("contract REE-LAG just edited, read through a lagging replica: %v; want the primary's 90 %% terms", err)
	}

	inv, err := ls.Issue(ctx, "REE-LAG", commercial.DemoREELot1, commercial.Provisional)
	if err != nil {
		t.Fatalf("provisional invoice through a lagging replica: %v", err)
	}
	if wantTotal := want.Provisional.Value.Mul(decimal.RequireFromString("0.90")).Round(2); !inv.Total.Equal(wantTotal) {
		t.Errorf("provisional total %s; want %s × 0.90 = %s (the primary's 90 %% terms)", inv.Total, want.Provisional.Value, wantTotal)
	}
	half := inv.Total.Div(decimal.NewFromInt(2)).Round(2)
	for i, amt := range []decimal.Decimal{half, inv.Total.Sub(half)} {
		p := &critmin.TradePayment{Invoice: inv.ID, Amount: amt.StringFixed(2), PaidOn: "2026-01-01"}
		if err := ls.RecordPayment(ctx, p); err != nil {
			t.Fatalf("payment %d through a lagging replica: %v", i+1, err)
		}
	}
	ps, err := lagging.ConsistentReads().ListPayments(ctx, inv.ID)
	if err != nil || len(ps) != 2 {
		t.Fatalf("payments on the primary = %d, %v; want 2", len(ps), err)
	}
	fin, err := ls.Issue(ctx, "REE-LAG", commercial.DemoREELot1, commercial.Final)
	if err != nil {
		t.Fatalf("final invoice through a lagging replica: %v", err)
	}
	if fin.Provisional != inv.ID {
		t.Errorf("final invoice nets %q; want the provisional %s", fin.Provisional, inv.ID)
	}
	pf := fin.Settlement.Prices[0]
	series, err := ls.PriceSeries(ctx, pf.Series)
	if err != nil {
		t.Fatal(err)
	}
	quoted := map[string]bool{}
	for _, p := range series.Points {
		quoted[p.Date] = true
	}
	from, _ := time.Parse(time.DateOnly, pf.From)
	to, _ := time.Parse(time.DateOnly, pf.To)
	day := ""
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if !quoted[d.Format(time.DateOnly)] {
			day = d.Format(time.DateOnly)
			break
		}
	}
	if day == "" {
		t.Fatalf("series %s quotes every day of %s…%s; the test needs an unquoted one", pf.Series, pf.From, pf.To)
	}
	csv := "series,date,value,unit,currency,source,frequency\n" + pf.Series + "," + day + ",1," + series.Unit + "," + series.Currency + "," + series.Source + "," + series.Frequency + "\n"
	if _, err := ls.ImportPrices(ctx, bytes.NewReader([]byte(csv)), commercial.PriceSeries{}); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("price day %s in final invoice %s's closed period %s…%s through a lagging replica: err = %v, want ECONFLICT", day, fin.ID, pf.From, pf.To, err)
	}
}
