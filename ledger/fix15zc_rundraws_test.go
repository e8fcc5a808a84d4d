package ledger_test

import (
	"math"
	"slices"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// fix15zcLot is the new-user check's lots M1 and M2 (nu15g items 1 and
// 2): 10,000 kg commissioned at Loe Shilman (LS); 4,000 kg shipped LS→R
// (the refinery) under M-a and received at R, 4,000 kg, for USSM (r1);
// with smelter, 3,000 kg shipped LS→R under M-b and received, 3,000 kg,
// for the smelter (r2); then a run at R naming no party takes run kg.
func fix15zcLot(smelter bool, run float64) []*critmin.Event {
	const id, ls, r = "urn:lot:M", "urn:site:LS", "urn:site:R"
	c := noBodyCommission(id, ls, 10000)
	evs := []*critmin.Event{c,
		noBodyEv(id, "s1", 2, "shipping", ls, r, "M-a", kg(4000)),
		partyEv(id, "r1", 3, "receiving", r, "", "M-a", 4000, critmin.SourceDest{Type: "owning_party", ID: "urn:party:ussm"})}
	if smelter {
		evs = append(evs, noBodyEv(id, "s2", 4, "shipping", ls, r, "M-b", kg(3000)),
			partyEv(id, "r2", 5, "receiving", r, "", "M-b", 3000, critmin.SourceDest{Type: "owning_party", ID: "urn:party:smelter"}))
	}
	return append(evs, fix15gRun(id, r, kg(run)))
}

func without(evs []*critmin.Event, ids ...string) []*critmin.Event {
	var out []*critmin.Event
	for _, ev := range evs {
		if !slices.Contains(ids, ev.EventID) {
			out = append(out, ev)
		}
	}
	return out
}

// TestDrawsRedrawnByDeclaredReceipt (issue 15, fix15zc; nu15g items 1 and
// 2):
//   - lot M1 (fix15zcLot without the smelter, run 3.5 t): the run took
//     3.5 t of USSM's 4 t part at R (part s1). Replayed without the
//     receipt r1 the part is at sea again and the run takes its 3.5 t of
//     the 6 t body at LS — the body reads 6 − 3.5 = 2.5 t at R, where it
//     never went. DrawsRedrawn(r1) lists the run: was part s1, now the
//     body, 3.5 t at R;
//   - lot M2 (with the smelter's 3 t part at R): without r1 the run takes
//     3.5 t of the smelter's 3 t part (3 − 3.5 = −0.5 t, CheckHoldings
//     fails: the HTTP 500). DrawsRedrawn(r1) lists it: was s1, now s2;
//   - declaring the run itself with r1 lists nothing; declaring r2 in
//     M2 lists nothing (the run drew on USSM's part, which stays);
//   - a 2 t shipment from R naming no party, in place of the run: in M2
//     it shipped of USSM's part (alone, or with the smelter's pro rata)
//     and would ship the smelter's alone (listed: was s1, now s2); in M1 it is flagged as shipping from a receipt
//     declared in error, takes nothing, and is not listed;
//   - in M2 a run naming USSM as its source owning_party takes nothing
//     once USSM's receipt goes (NamedAbsent: the smelter holds there)
//     and is not listed here (in M1, where nobody else holds at R, it
//     is: it too would take of the body).
func TestDrawsRedrawnByDeclaredReceipt(t *testing.T) {
	t.Parallel()
	const id = "urn:lot:M"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	decl := func(ids ...string) map[string]bool {
		m := map[string]bool{}
		for _, x := range ids {
			m[x] = true
		}
		return m
	}
	m1 := fix15zcLot(false, 3500)
	got := ledger.DrawsRedrawn(id, m1, decl("r1"), nil)
	if len(got) != 1 || got[0].EventID != "run" || got[0].Site != "urn:site:R" || !got[0].Stated || !near(got[0].Tonnes, 3.5) ||
		!slices.Equal(got[0].Was, []string{ledger.PartHolder("s1")}) || !slices.Equal(got[0].Now, []string{ledger.BodyHolder}) {
		t.Errorf("M1, r1 declared: %+v; want the run, 3.5 t at R, was part s1, now the body", got)
	}
	m2 := fix15zcLot(true, 3500)
	if err := ledger.CheckHoldings(projectAll(id, without(m2, "r1")...)); err == nil {
		t.Errorf("M2 without r1: CheckHoldings holds; want the smelter's part at 3 − 3.5 = −0.5 t")
	}
	got = ledger.DrawsRedrawn(id, m2, decl("r1"), nil)
	if len(got) != 1 || got[0].EventID != "run" || got[0].Kind != ledger.DrawRun || !slices.Equal(got[0].Was, []string{ledger.PartHolder("s1")}) || !slices.Equal(got[0].Now, []string{ledger.PartHolder("s2")}) {
		t.Errorf("M2, r1 declared: %+v; want the run, was part s1, now part s2", got)
	}
	// A 2 t shipment from R naming no party in place of the run: it
	// shipped 2 t of USSM's part on (s1); without r1 it would ship the
	// smelter's (s2), 3 − 2 = 1 t left of it.
	ship := noBodyEv(id, "s9", 8, "shipping", "urn:site:R", "urn:site:H", "M-z", kg(2000))
	got = ledger.DrawsRedrawn(id, append(without(m2, "run"), ship), decl("r1"), nil)
	if len(got) != 1 || got[0].EventID != "s9" || got[0].Kind != ledger.DrawDispatch || !near(got[0].Tonnes, 2) ||
		!slices.Contains(got[0].Was, ledger.PartHolder("s1")) || !slices.Equal(got[0].Now, []string{ledger.PartHolder("s2")}) {
		t.Errorf("M2 with a 2 t shipment from R, r1 declared: %+v; want the shipment s9, 2 t, was part s1 (and s2, shared pro rata), now part s2 alone", got)
	}
	for _, c := range []struct {
		name string
		evs  []*critmin.Event
		decl map[string]bool
	}{
		{"M1, r1 and the run declared", m1, decl("r1", "run")},
		{"M2, r2 declared", m2, decl("r2")},
		// Nothing else stands at R: the shipment is flagged, shipping from
		// a receipt declared in error (DeclarationDependents).
		{"M1, a 2 t shipment from R, r1 declared", append(without(m1, "run"), noBodyEv(id, "s9", 8, "shipping", "urn:site:R", "urn:site:H", "M-z", kg(2000))), decl("r1")},
		{"M2, a run naming USSM, r1 declared", append(without(m2, "run"), fix15gNamed(fix15gRun(id, "urn:site:R", kg(3500)), "urn:party:ussm")), decl("r1")},
	} {
		if got := ledger.DrawsRedrawn(id, c.evs, c.decl, nil); len(got) != 0 {
			t.Errorf("%s: %+v; want none", c.name, got)
		}
	}
}
