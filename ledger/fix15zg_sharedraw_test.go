package ledger_test

import (
	"slices"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestDrawsRedrawnSharedOwnerlessDispatch (issue 15, fix15zg; new-user
// check nu15h): lot P9, 12 t at the mine; 6 t shipped to Houston (H)
// under P9-a and received there for USSM (r1); 4 t under P9-b, received
// for the smelter (r2). P9-c, 5 t shipped from H naming no party, takes
// pro rata: 5 / 10 of each holding — 3 t of USSM's part (s1), 2 t of the
// smelter's (s2) (fix15zb).
//   - Declaring r2 is refused (fix15zc): without it P9-c takes 5 t of
//     USSM's 6 t alone (listed: was s1 and s2, now s1).
//   - Declaring r1: without it only the smelter's 4 t stands at H, and
//     P9-c's 5 t overdraw it (5 > 4): it is booked as taking nothing
//     (flagged), so the 2 t it drew on the smelter's part — which still
//     stands — go back to the smelter (4 t, not 2 t) and the 5 t shipped
//     are counted nowhere. Before, DrawsRedrawn skipped a draw that takes
//     nothing once declared and the declaration was accepted; it must be
//     listed (was s1 and s2, now nothing). So is declaring USSM's
//     shipment P9-a (s1), whose receipt then receives nothing.
//   - As before (fix15zc), a dispatch that drew only on the holding the
//     declaration removes, and then takes nothing, is flagged and not
//     listed here (DeclarationDependents warns of it).
func TestDrawsRedrawnSharedOwnerlessDispatch(t *testing.T) {
	t.Parallel()
	const id, mine, h = "urn:lot:P9", "urn:site:mine", "urn:site:houston"
	evs := []*critmin.Event{noBodyCommission(id, mine, 12000),
		noBodyEv(id, "s1", 2, "shipping", mine, h, "P9-a", kg(6000)),
		partyEv(id, "r1", 3, "receiving", h, "", "P9-a", 6000, critmin.SourceDest{Type: "owning_party", ID: "urn:party:ussm"}),
		noBodyEv(id, "s2", 4, "shipping", mine, h, "P9-b", kg(4000)),
		partyEv(id, "r2", 5, "receiving", h, "", "P9-b", 4000, critmin.SourceDest{Type: "owning_party", ID: "urn:party:smelter"}),
		noBodyEv(id, "s3", 6, "shipping", h, "urn:site:rotterdam", "P9-c", kg(5000)),
	}
	l := projectAll(id, evs...)
	if p, ok := ledger.ShippedPart(l, "s3"); !ok || len(p.OnwardFrom) != 2 || !nearT(p.OnwardFrom[0].Tonnes, 3) || !nearT(p.OnwardFrom[1].Tonnes, 2) {
		t.Fatalf("P9-c %+v; want 3 t of s1 and 2 t of s2", p)
	}
	both := []string{ledger.PartHolder("s1"), ledger.PartHolder("s2")}
	decl := func(x string) map[string]bool { return map[string]bool{x: true} }
	got := ledger.DrawsRedrawn(id, evs, decl("r2"), nil)
	if len(got) != 1 || got[0].EventID != "s3" || !slices.Equal(got[0].Was, both) {
		t.Errorf("r2 declared: %+v; want P9-c, was s1 and s2", got)
	}
	got = ledger.DrawsRedrawn(id, evs, decl("r1"), nil)
	if len(got) != 1 || got[0].EventID != "s3" || got[0].Kind != ledger.DrawDispatch || !nearT(got[0].Tonnes, 5) ||
		!slices.Equal(got[0].Was, both) || len(got[0].Now) != 0 {
		t.Errorf("r1 declared: %+v; want P9-c, 5 t, was s1 and s2, now nothing", got)
	}
	// Declaring USSM's shipment P9-a (s1) instead: its receipt then
	// receives nothing, and P9-c is left as above.
	got = ledger.DrawsRedrawn(id, evs, decl("s1"), nil)
	if len(got) != 1 || got[0].EventID != "s3" || len(got[0].Now) != 0 {
		t.Errorf("s1 declared: %+v; want P9-c, now nothing", got)
	}
	// Without the smelter's part, P9-c (5 t of USSM's 6 t) drew on r1's
	// holding alone: flagged once r1 goes, not listed (fix15zc).
	alone := without(evs, "s2", "r2")
	if got := ledger.DrawsRedrawn(id, alone, decl("r1"), nil); len(got) != 0 {
		t.Errorf("USSM alone at H, r1 declared: %+v; want none", got)
	}
}
