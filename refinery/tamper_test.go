package refinery_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/refinery"
)

// TestEditedCloseIsRefused: a close record whose stored result or
// problem is edited in the database after the close (nu12 item 2: Sb
// 4.9 t written into the result made the planner read 0.9867 instead of
// 0.8364) is refused by every reader — RecoveryFor, the mass balance's
// ConversionFactors, the planner's yields, ClosedResult (the report) —
// with an ECONFLICT wrapping ErrTampered naming the record, and
// `critmin verify` (sqldb.Verify) names the record too.
//
// The month is the two-product example: feed 100 t × 1 % = 1 t Cu, conc
// 8 t × 10 % = 0.8 t, so before the edit RecoveryFor gives conc about
// 0.8 / 1 (the reconciled 0.816 of the two-product formula, within
// 0.02).
func TestEditedCloseIsRefused(t *testing.T) {
	for _, col := range []string{"result", "problem"} {
		t.Run(col, func(t *testing.T) {
			db, key := testStore(t)
			ctx := context.Background()
			site := "urn:critmin:demo:site:refinery-mo"
			p := decode(t, `{"site":"`+site+`","period":"2025-10","elements":["Cu"],"nodes":[{"id":"flotation"}],"streams":[
   {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "kind": "product", "commodity": "cu_conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "kind": "residue", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`)
			rec, _, err := refinery.ClosePeriod(ctx, db, p, op, "", key, at)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := refinery.RecoveryFor(ctx, db, site, "Cu", "2025-10")
			if err != nil || len(rs) != 1 {
				t.Fatalf("before the edit: %v %v", rs, err)
			}
			near(t, "conc before", rs[0].Fraction, 0.816, 0.02)
			if rep, err := db.Verify(ctx, nil, nil); err != nil || rep.PeriodProblem != "" || rep.Periods != 1 {
				t.Fatalf("verify before the edit: %+v %v", rep, err)
			}
			// The edit: conc's contained Cu or its measured mass changed.
			var old string
			if err := db.Read.QueryRowContext(ctx, `SELECT `+col+` FROM refinery_periods WHERE seq = ?`, rec.Seq).Scan(&old); err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(old, `"value":8,`, `"value":8.5,`, 1)
			if col == "result" {
				edited = strings.Replace(old, `"Cu":0.8`, `"Cu":0.9`, 1)
			}
			if edited == old {
				t.Fatalf("the edit found nothing to change in %s: %.300s", col, old)
			}
			if _, err := db.Write.ExecContext(ctx, `UPDATE refinery_periods SET `+col+` = ? WHERE seq = ?`, edited, rec.Seq); err != nil {
				t.Fatal(err)
			}
			tampered := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, refinery.ErrTampered) || critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "changed after it was recorded") {
					t.Errorf("%s after the edit: %v, want ECONFLICT wrapping ErrTampered", what, err)
				}
			}
			_, err = refinery.RecoveryFor(ctx, db, site, "Cu", "2025-10")
			tampered("RecoveryFor", err)
			_, _, _, err = refinery.ClosedResult(ctx, db, site, "2025-10")
			tampered("ClosedResult", err)
			_, _, ok, err := refinery.ConversionFactors{Store: db}.ConversionFactor(ctx, site,
				critmin.MaterialCategory{Elements: []string{"Cu"}, Product: "cu_conc", ConversionFactor: 0.5},
				critmin.ClaimPeriod{From: "2025-10-01", To: "2025-11-01"})
			if ok {
				t.Error("ConversionFactor used the edited record")
			}
			tampered("ConversionFactor", err)
			_, _, err = plan.Demo().WithRefineryYields(ctx, db)
			tampered("WithRefineryYields", err)
			rep, err := db.Verify(ctx, nil, nil)
			if err != nil || rep.OK() || !strings.Contains(rep.PeriodProblem, "content changed after it was recorded") {
				t.Errorf("verify after the edit: %+v %v", rep, err)
			}
		})
	}
}
