package commercial_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/postgres/pgtest"
	"github.com/critmin/critmin/sqlite"
)

// demoOn is MustDemo on a given store.
func demoOn(tb testing.TB, db critmin.Store) *commercial.Service {
	tb.Helper()
	ctx := context.Background()
	l := ledger.NewService(db)
	if _, err := demo.Load(ctx, l); err != nil {
		tb.Fatal(err)
	}
	s := commercial.NewService(l)
	s.Now = func() time.Time { return time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC) }
	if ok, err := commercial.LoadDemo(ctx, s); err != nil || !ok {
		tb.Fatalf("LoadDemo = %v, %v", ok, err)
	}
	return s
}

// fix13r 2: the contract quantity was checked before the invoice was
// stored, outside the store's transaction, so two invoices issued at
// once each saw the other's lot not yet invoiced and together exceeded
// the quantity. Contract 100 dmt ± 10 % = 110 dmt; four lots of 100 wmt
// at 9 % = 91 dmt each: any one fits (91 ≤ 110), any two do not
// (91 + 91 = 182 > 110). Four issuers at once, on SQLite and on
// PostgreSQL: exactly one invoice is issued, the other three are refused
// 409 naming lot, and the contract's delivered quantity is 91 dmt.
func TestContractQuantityConcurrentIssuers(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var db critmin.Store
			if backend == "postgres" {
				db = pgtest.MustOpen(t)
			} else {
				d, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "race.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d.Close() })
				db = d
			}
			s := demoOn(t, db)
			ctx := context.Background()
			termsFrom(t, s, "demo/cu-2025.json", "T-QRACE", func(m map[string]any) {
				delete(m, "assay_exchange")
				delete(m, "take_or_pay")
				m["weights"] = map[string]any{"final_at": "loading", "franchise_pct": 0.5}
				m["quantity"] = map[string]any{"dmt": 100, "tolerance_pct": 10}
			})
			var lots []string
			for _, n := range []string{"1", "2", "3", "4"} {
				lot := "urn:critmin:test:lot:QRACE-" + n
				slipLot(t, s, lot, "copper_concentrate", 100000, 9, 4, 0, 0)
				lots = append(lots, lot)
			}
			errs := make([]error, len(lots))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, lot := range lots {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = s.IssueAt(ctx, "T-QRACE", lot, commercial.Provisional, provAt)
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
				case !conflictAt(err, "lot") || !strings.Contains(critmin.ErrorMessage(err), "beyond the contract quantity"):
					t.Errorf("lot %d: %v; want issued or 409 naming lot (beyond the contract quantity)", i+1, err)
				}
			}
			if won != 1 {
				t.Errorf("%d invoices issued at once; want 1 (any two make 182 dmt > 110 dmt)", won)
			}
			pos, err := s.Position(ctx, "T-QRACE")
			if err != nil {
				t.Fatal(err)
			}
			if pos.DeliveredDMT.String() != "91" {
				t.Errorf("delivered %s dmt; want 91 (one lot)", pos.DeliveredDMT)
			}
		})
	}
}
