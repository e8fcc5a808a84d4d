package refinery_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// TestRefusedCloseNamesAClosableMonth: the "latest month that can be
// closed" in a refusal is computed with the same zones as the refusal,
// so closing it is accepted.
//
//	now 2026-12-01 07:03 UTC, site zone not declared (flowsheet UTC):
//	  2026-11 ended in UTC at 2026-12-01 00:00 UTC, but in UTC−12 it ends
//	  2026-12-01 00:00 −12:00 = 12:00 UTC, after now → refused;
//	  2026-10 ended in UTC−12 at 2026-11-01 12:00 UTC → closable.
//	  So closing 2026-12 and 2026-11 must both name 2026-10, never 2026-11.
func TestRefusedCloseNamesAClosableMonth(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 7, 3, 0, 0, time.UTC)
	month := func(period string) *refinery.Problem {
		return decode(t, `{"site":"`+twoProductSite+`","period":"`+period+`","elements":["Cu"],"nodes":[{"id":"flotation"}],"streams":[
   {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`)
	}
	latest := regexp.MustCompile(`the latest month that can be closed is (\d{4}-\d{2})`)
	for _, period := range []string{"2026-12", "2026-11"} {
		db, key := testStore(t)
		_, _, err := refinery.ClosePeriod(ctx, db, month(period), op, "", key, now)
		if err == nil {
			t.Fatalf("%s: closed at %v", period, now)
		}
		msg := critmin.ErrorMessage(err)
		m := latest.FindStringSubmatch(msg)
		if m == nil || m[1] != "2026-10" {
			t.Errorf("%s: refusal %q, want it to name 2026-10", period, err)
			continue
		}
		if _, _, err := refinery.ClosePeriod(ctx, db, month(m[1]), op, "", key, now); err != nil {
			t.Errorf("%s: the named month %s is refused too: %v", period, m[1], err)
		}
		if strings.Count(msg, "latest month") > 1 {
			t.Errorf("said twice: %v", err)
		}
	}
}
