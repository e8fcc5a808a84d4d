package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestRollingAverageEmptyWindowHasNoShare: a rolling-average window that
// holds no qualifying input has no share — 0/0 is undefined, not 0 % — so
// the line says so (NoWindowInput, no percent; the CSV's share blank)
// while a window with input keeps its share.
//
// Site ra, carry-forward 0 (the window is the period alone), probeEvents:
//
//	2025-11: R3 takes P 20 t × 5 % = 1.0 t Nd+Pr of Pakistan, the only
//	         input: PAK share 1.0 / 1.0 = 100 %
//	2026-01: no run at all: the window's input is 0 t, PAK's share 0/0
func TestRollingAverageEmptyWindowHasNoShare(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"ra": "mass_balance"}, probeEvents("ra")...))
	d := probeDeclaration("urn:t:site:ra", critmin.MassBalanceRollingAverage, 0)
	d.Periods = append(d.Periods, critmin.ClaimPeriod{ID: "2026-01", From: "2026-01-01", To: "2026-02-01"})
	if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	st := func(p string) *custody.Statement {
		s, err := custody.StatementOf(ctx, db, "urn:t:site:ra", p, nil, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if err := custody.CheckStatement(s); err != nil {
			t.Error(err)
		}
		return s
	}
	if l := line(t, st("2025-11"), "ree", "PAK"); l.NoWindowInput || !near(l.Percent, 1.0) {
		t.Errorf("2025-11 PAK: noWindowInput %v, percent %v; want false, 1.0 (1.0 / 1.0 t)", l.NoWindowInput, l.Percent)
	}
	jan := st("2026-01")
	if l := line(t, jan, "ree", "PAK"); !l.NoWindowInput || l.Percent != 0 {
		t.Errorf("2026-01 PAK: noWindowInput %v, percent %v; want true and no percent (0/0)", l.NoWindowInput, l.Percent)
	}
	for _, r := range custody.StatementRows(jan) {
		if r[5] == "PAK" && r[13] == "balance" && r[12] != "" {
			t.Errorf("2026-01 PAK CSV share %q, want blank (no input in window): %s", r[12], strings.Join(r, ","))
		}
	}
}
