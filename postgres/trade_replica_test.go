package postgres_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/shopspring/decimal"
)

// TestTradeWritesReadThePrimary is commercial.TestWritesReadThePrimary on
// PostgreSQL: a copy of the primary made before its last write (CREATE
// DATABASE … TEMPLATE) stands in for a streaming replica that lags. The
// primary then has contract REE-LAG edited (provisional share 85 % →
// 90 %); issued through the store whose reads go to the lagging copy,
// lot 1's provisional invoice must rest on the primary's 90 % terms
// (total = round(provisional value × 0.90, 2)), not be refused as
// "contract changed" (a spurious 409).
func TestTradeWritesReadThePrimary(t *testing.T) {
	ctx := context.Background()
	primary := pgtest.MustCreateDatabase(t)
	p, err := postgres.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.NewService(p)
	if _, err := demo.Load(ctx, l); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return commercial.DemoNow } // the demo prices run to 31 Dec 2025
	s := commercial.NewService(l)
	s.Now = now
	prices, err := os.Open("../commercial/demo/prices.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer prices.Close()
	if _, err := s.ImportPrices(ctx, prices, commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	terms, err := os.ReadFile("../commercial/demo/ree-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	v1 := bytes.Replace(terms, []byte(`"FWO-USSM-REE-2025"`), []byte(`"REE-LAG"`), 1)
	v2 := bytes.Replace(v1, []byte(`"provisional_pct": 85`), []byte(`"provisional_pct": 90`), 1)
	if _, err := s.SaveContract(ctx, v1); err != nil {
		t.Fatal(err)
	}
	p.Close()

	// The stand-in replica: a copy of the primary as it is now.
	replica := mustCopyDatabase(t, primary)

	p, err = postgres.Open(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	s = commercial.NewService(ledger.NewService(p))
	s.Now = now
	if _, err := s.SaveContract(ctx, v2); err != nil {
		t.Fatal(err)
	}
	want, _, err := s.Value(ctx, "REE-LAG", commercial.DemoREELot1)
	if err != nil {
		t.Fatal(err)
	}
	p.Close()

	lagging, err := postgres.OpenWithReadPool(ctx, primary, replica, false)
	if err != nil {
		t.Fatal(err)
	}
	defer lagging.Close()
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
	// The invoice just issued (the Location of POST
	// /api/v1/trade/invoices) is found, though the replica lacks it.
	if _, err := lagging.FindInvoice(ctx, inv.ID); err != nil {
		t.Errorf("invoice %s just issued, read through a lagging replica: %v", inv.ID, err)
	}
}

// mustCopyDatabase copies the database of dsn (CREATE DATABASE …
// TEMPLATE, once its connections have gone) and returns the copy's DSN:
// a stand-in for a streaming replica that has replayed the primary up to
// now and nothing after. The copy is dropped when the test ends.
func mustCopyDatabase(t *testing.T, dsn string) string {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := sql.Open("pgx", pgtest.AdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	copyName := name + "_lag"
	for i := 0; ; i++ {
		// The primary's last connections may take a moment to go.
		if _, err = admin.ExecContext(ctx, "CREATE DATABASE "+copyName+" TEMPLATE "+name); err == nil || i == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+copyName+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", copyName, err)
		}
	})
	u.Path = "/" + copyName
	return u.String()
}
