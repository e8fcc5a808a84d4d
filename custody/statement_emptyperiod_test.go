package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// A claim period with nothing in it is still a statement: opening, zero
// credits, zero claims, expired, and closing = opening carried forward,
// per origin and as the category's total. Before, a category with no
// line had no figures at all (lines [], no total; the site page printed
// "No credits or claims in this period." and the CSV had no row).
//
// Site mb, carry forward 2, monthly periods October 2025 to January 2026:
//
//	Oct 5 E1: A (Pakistan, 100 t at 4 % Nd + 1 % Pr) in: credit
//	          100 × 5 % × 0.9 = 4.5 t Nd+Pr; O1, 2 t at 60 % + 20 % =
//	          1.6 t, claims Pakistan: PAK 0 + 4.5 − 1.6 = 2.9.
//	          O1R, 4 t at 60 % + 14 % = 2.96 t, no claim: E1's products
//	          hold 4.56 ≥ 4.5 t (fix9c).
//	Nov:      nothing: PAK 2.9 + 0 − 0 − 0 = 2.9 (carried forward).
//	Dec:      nothing; October's credit expires at December's end
//	          (period 0 + carry forward 2 ≤ 2): 2.9 + 0 − 0 − 2.9 = 0.
//	Jan:      nothing, nothing left: PAK 0, total 0.
//
// The antimony category sb has nothing in any period: no line, total
// 0 + 0 − 0 − 0 = 0 in every period.
func TestStatementOfAnEmptyPeriod(t *testing.T) {
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"A:100"}, product{lot: "O1", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK},
			product{lot: "O1R", commodity: "ndpr_oxide", t: 4, assays: []string{"Nd:60", "Pr:14"}}),
	))
	d := declaration("urn:t:site:mb")
	d.CarryForward = 2
	d.Periods = append(d.Periods, critmin.ClaimPeriod{ID: "2026-01", From: "2026-01-01", To: "2026-02-01"})
	ctx := context.Background()
	if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	st := func(p string) *custody.Statement {
		s, err := custody.StatementOf(ctx, db, "urn:t:site:mb", p, nil, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return s
	}
	total := func(s *custody.Statement, cat string) custody.BalanceLine {
		for _, c := range s.Categories {
			if c.Category.ID == cat {
				if c.Total.Name != custody.AllOrigins {
					t.Errorf("%s %s: total named %q", s.Period.ID, cat, c.Total.Name)
				}
				return c.Total
			}
		}
		t.Fatalf("%s: no category %s", s.Period.ID, cat)
		return custody.BalanceLine{}
	}
	oct, nov, dec, jan := st("2025-10"), st("2025-11"), st("2025-12"), st("2026-01")
	sameLine(t, "Oct total", total(oct, "ree"), 0, 4.5, 1.6, 0, 2.9)
	sameLine(t, "Nov", line(t, nov, "ree", "PAK"), 2.9, 0, 0, 0, 2.9)
	sameLine(t, "Nov total", total(nov, "ree"), 2.9, 0, 0, 0, 2.9)
	sameLine(t, "Dec total", total(dec, "ree"), 2.9, 0, 0, 2.9, 0)
	sameLine(t, "Jan total", total(jan, "ree"), 0, 0, 0, 0, 0)
	for _, s := range []*custody.Statement{oct, nov, dec, jan} {
		sameLine(t, s.Period.ID+" sb total", total(s, "sb"), 0, 0, 0, 0, 0)
		if err := custody.CheckStatement(s); err != nil {
			t.Error(err)
		}
	}
	// The table (API and CLI CSV) has the total row of a category with
	// nothing in it, not no row.
	var rows []string
	for _, r := range custody.StatementRows(nov) {
		rows = append(rows, strings.Join(r, ","))
	}
	for _, want := range []string{"urn:t:site:mb,2025-11,ree,Nd+Pr,0.9,PAK,2.9,0,0,0,0,2.9,", "urn:t:site:mb,2025-11,ree,Nd+Pr,0.9,all,2.9,0,0,0,0,2.9,", "urn:t:site:mb,2025-11,sb,Sb,0.8,all,0,0,0,0,0,0,"} {
		if !strings.Contains(strings.Join(rows, "\n"), want) {
			t.Errorf("November's rows lack %q:\n%s", want, strings.Join(rows, "\n"))
		}
	}
	// A total that is not its lines' sum is caught.
	bad := *nov
	bad.Categories = append([]custody.CategoryStatement(nil), nov.Categories...)
	bad.Categories[0].Total.Closing = 0
	if err := custody.CheckStatement(&bad); critmin.ErrorCode(err) != critmin.EINTERNAL {
		t.Errorf("a total off its lines: %v", err)
	}
}
