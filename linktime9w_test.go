package critmin_test

import (
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestLinkTimeCarriedEdge9w (issue 9, fix9w review of critmin.LinkTime): a
// Carried edge — a later event's input line carried to an output an
// earlier event of the run stated (ledger.RunLinks) — is dated at the
// later input's own event, never back at the run's first output; only an
// input line dated before the run had made anything waits for its first
// output (an output holds an input only once made: docs/origin.md "When a
// run counts"), exactly as the same line captured first would (its line
// then consumed into the first output event's own edge). Run X:
//
//	e1 (Oct 10): A → O1              (the run's first output)
//	e2 (Oct 20): B, input only       → B → O1 Carried: Oct 20 (own event)
//	e3 (Oct 5):  C, input only, captured after e1 → C → O1 Carried:
//	             max(Oct 5, Oct 10) = Oct 10
//	e4 (Oct 25): B again, input only → does not re-date e2's edge (Oct 20)
//
// and C captured first (e3 then e1): e1's own edge C → O1 reads e3's
// earlier line (the run had no output before e1): max(Oct 5, Oct 10) =
// Oct 10, the same as Carried.
func TestLinkTimeCarriedEdge9w(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	line := func(pk int64, ev string, d int, role, lot string) critmin.RunLine {
		return critmin.RunLine{PK: pk, EventID: ev, At: day(d), Role: role, Lot: lot}
	}
	edge := func(parent, ev string, d int, carried bool) critmin.LotEdge {
		return critmin.LotEdge{Parent: parent, Child: "O1", EventID: ev, Kind: "transformation", EventTime: day(d), Run: "X", Carried: carried}
	}
	lines := []critmin.RunLine{
		line(1, "e1", 10, critmin.RoleInput, "A"), line(1, "e1", 10, critmin.RoleOutput, "O1"),
		line(2, "e2", 20, critmin.RoleInput, "B"),
		line(3, "e3", 5, critmin.RoleInput, "C"),
		line(4, "e4", 25, critmin.RoleInput, "B"),
	}
	for _, c := range []struct {
		name  string
		e     critmin.LotEdge
		lines []critmin.RunLine
		upTo  int64
		want  time.Time
	}{
		{"e1 A→O1", edge("A", "e1", 10, false), lines, 1, day(10)},
		{"e2 B→O1 Carried, at its own event", edge("B", "e2", 20, true), lines, 2, day(20)},
		{"e3 C→O1 Carried, back-dated: at the first output", edge("C", "e3", 5, true), lines, 3, day(10)},
		{"e4 B→O1 Carried", edge("B", "e4", 25, true), lines, 4, day(25)},
		{"C captured first: e1's C→O1", edge("C", "e1", 10, false),
			[]critmin.RunLine{line(1, "e3", 5, critmin.RoleInput, "C"), line(2, "e1", 10, critmin.RoleInput, "A"), line(2, "e1", 10, critmin.RoleOutput, "O1")}, 2, day(10)},
	} {
		if got := critmin.LinkTime(c.e, c.lines, c.upTo); !got.Equal(c.want) {
			t.Errorf("%s: dated %s, want %s", c.name, got.Format(time.DateOnly), c.want.Format(time.DateOnly))
		}
	}
}
