package ledger_test

import (
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestRunTakingNothingFedByNoLeg (issue 15, fix15za item 1): site S of
// fix15gSite holds A's 6 t body, brought by sb (its bill of lading b),
// and B's 4 t part, brought by sa (a). A run at S that takes nothing of
// the lot — naming X, who holds nothing there, as its source party
// (NamedAbsent: body 6 t, B's 4 t, taken 0 t), or stating 0 kg — was
// fed, by LotLegs, the body's leg sb (Fed["run"] = [sb]), so the
// genealogy drew voyage b into a run that took 0 t. Now no leg feeds
// it (Fed has no "run") and Nothing["run"] says why. A run at S taking
// 3,000 kg naming nobody takes of the body (6 − 3 = 3 t) and is fed sb,
// as before.
func TestRunTakingNothingFedByNoLeg(t *testing.T) {
	t.Parallel()
	id, s, evs := fix15gSite()
	legOf := func(g ledger.HoldingLegs, eventID string) int {
		return slices.IndexFunc(g.Legs, func(l ledger.HoldingLeg) bool { return l.EventID == eventID && l.Container == "" })
	}
	for _, c := range []struct {
		name, why string
		run       *critmin.Event
	}{
		{"naming X", "it named urn:party:X as its source party, who held nothing of the lot at urn:site:S then", fix15gNamed(fix15gRun(id, s, kg(3000)), "urn:party:X")},
		{"0 kg", "it stated 0 t of the lot", fix15gRun(id, s, kg(0))},
	} {
		g := ledger.LotLegs(id, append(slices.Clone(evs), c.run))
		if fed, ok := g.Fed["run"]; ok {
			t.Errorf("%s: the run is fed legs %v; it took nothing", c.name, fed)
		}
		if g.Nothing["run"] != c.why {
			t.Errorf("%s: Nothing[run] %q; want %q", c.name, g.Nothing["run"], c.why)
		}
		if l := projectAll(id, append(slices.Clone(evs), c.run)...); math.Abs(l.TakenTonnes) > 1e-9 || math.Abs(l.RemainingWetTonnes()-6) > 1e-9 {
			t.Errorf("%s: taken %v t, body %v t; want 0 and 6", c.name, l.TakenTonnes, l.RemainingWetTonnes())
		}
	}
	g := ledger.LotLegs(id, append(slices.Clone(evs), fix15gRun(id, s, kg(3000))))
	if sb := legOf(g, "sb"); sb < 0 || !slices.Equal(g.Fed["run"], []int{sb}) || g.Nothing["run"] != "" {
		t.Errorf("3 t naming nobody: Fed %v, Nothing %q; want the body's leg sb (%d), nothing said", g.Fed["run"], g.Nothing["run"], sb)
	}
}

// TestDeclarationDependentsListsRunTakingNothing (issue 15, fix15za
// item 1): at S of fix15gSite a run naming B takes 3 t of B's 4 t part
// (received by ra). Declaring ra in error leaves B nothing at S (its
// part in transit again) while A's 6 t body stands there: the run then
// names a party holding nothing there and takes nothing (NamedAbsent;
// the body stays 6 t). DeclarationDependents of ra listed nothing (no
// shipment flagged, no receipt emptied); it lists the run, stating 3 t
// at S, taking nothing, and why.
func TestDeclarationDependentsListsRunTakingNothing(t *testing.T) {
	t.Parallel()
	id, s, evs := fix15gSite()
	evs = append(evs, fix15gNamed(fix15gRun(id, s, kg(3000)), "urn:party:B"))
	deps := ledger.DeclarationDependents(id, evs, "ra")
	want := ledger.Dependent{EventID: "run", Kind: ledger.DependentRun, To: s, Tonnes: 3, Nothing: true,
		Reason: "it named urn:party:B as its source party, who held nothing of the lot at urn:site:S then"}
	if len(deps) != 1 || !reflect.DeepEqual(deps[0], want) {
		t.Errorf("DeclarationDependents of ra: %+v; want only %+v", deps, want)
	}
	// Declaring the run itself lists no run.
	for _, d := range ledger.DeclarationDependents(id, evs, "run") {
		if d.Kind == ledger.DependentRun {
			t.Errorf("declaring the run lists %+v", d)
		}
	}
}
