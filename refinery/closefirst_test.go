package refinery_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// cancellingStore cancels the close's context once the closed-ness check
// has answered, and counts the appends tried after it.
type cancellingStore struct {
	critmin.RefineryStore
	cancel func()
	heads  int
}

func (s *cancellingStore) ClosedPeriod(ctx context.Context, site, period string) (*critmin.PeriodRecord, error) {
	rec, err := s.RefineryStore.ClosedPeriod(ctx, site, period)
	s.cancel()
	return rec, err
}

func (s *cancellingStore) LastPeriodHash(ctx context.Context) (string, error) {
	s.heads++
	return s.RefineryStore.LastPeriodHash(ctx)
}

// TestCloseChecksClosedFirstAndStopsOnCancel: closing a closed period is
// ECONFLICT before any reconciliation (the second problem does not even
// pass the global test, so a reconciliation would answer EINVALID), and a close whose
// context is cancelled stops at the reconciliation: nothing is appended.
func TestCloseChecksClosedFirstAndStopsOnCancel(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 11, 12, 0, 0, time.UTC)
	good := `{"site":"` + twoProductSite + `","period":"2026-10","elements":["Cu"],"nodes":[{"id":"flotation"}],"streams":[
   {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`
	db, key := testStore(t)

	cctx, cancel := context.WithCancel(ctx)
	cs := &cancellingStore{RefineryStore: db, cancel: cancel}
	if _, _, err := refinery.ClosePeriod(cctx, cs, decode(t, good), op, "", key, now); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled close: %v, want context.Canceled", err)
	}
	if cs.heads != 0 {
		t.Errorf("cancelled close went on to append (%d head reads)", cs.heads)
	}
	if recs, _ := db.PeriodRecords(ctx, "", ""); len(recs) != 0 {
		t.Fatalf("cancelled close left %d records", len(recs))
	}

	if _, _, err := refinery.ClosePeriod(ctx, db, decode(t, good), op, "", key, now); err != nil {
		t.Fatal(err)
	}
	// conc 30 t where 8 t balances: a gross error, so the reconciliation
	// refuses the close as EINVALID (checked on an open store below).
	bad := strings.Replace(good, `"value": 8, "sd": 0.3`, `"value": 30, "sd": 0.3`, 1)
	db2, key2 := testStore(t)
	if _, _, err := refinery.ClosePeriod(ctx, db2, decode(t, bad), op, "", key2, now); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("the bad month, open, must be refused by its reconciliation: %v", err)
	}
	_, r, err := refinery.ClosePeriod(ctx, db, decode(t, bad), op, "", key, now)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || r != nil {
		t.Errorf("close of a closed period: %v (result %v), want ECONFLICT before reconciling", err, r != nil)
	}
}
