package custody_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// shareOf is country iso's share in b (0 if absent).
func shareOf(b custody.Breakdown, iso string) float64 {
	for _, s := range b.ByCountry {
		if s.Key == iso {
			return s.Share
		}
	}
	return 0
}

// cappedSiblings builds fix9o's items 2 and 6 at controlled-blending site b:
//
//	L5, Pakistan, 10 t dry at Nd 5 %; K5, China, 10 t dry at Nd 5 %
//	weighing wl (Oct 5): L5 is 12 t
//	RA5 (Oct 10): L5 6 t + K5 4 t → OA5 1 t at Nd 40 % (0.4 ≤ 0.5 t in)
//	RB5 (Oct 12): L5 6 t + K5 6 t → OB5 1 t at Nd 40 % (0.4 ≤ 0.6 t in)
//	wl retracted (Oct 20): L5 is 10 t again
//
// In time order RA5 took 6 of L5's 10 dmt (not capped); RB5 took 6 with
// 4 left → counts 4 dmt of L5 (over_consumed on RB5 only).
func cappedSiblings(t *testing.T) *sqldb.DB {
	wl := weighing("wl", "2025-10-05T00:00:00Z", "L5", 12)
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("L5", "ree_concentrate", "PAK", 10, "Nd:5"),
		feed("K5", "ree_concentrate", "CHN", 10, "Nd:5"),
		wl,
		runOf("RA5", "b", "2025-10-10T00:00:00Z", []string{"L5:6", "K5:4"}, product{lot: "OA5", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:40"}}),
		runOf("RB5", "b", "2025-10-12T00:00:00Z", []string{"L5:6", "K5:6"}, product{lot: "OB5", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:40"}}),
	))
	retractEvent(t, ledger.NewService(db), wl, "2025-10-20T00:00:00Z")
	return db
}

// TestDryMassViewFollowsCap (fix9o item 2): the dry-mass view counts what
// a capped run held of its input, as the element view does. OB5's feed:
// L5 4 dmt (capped from 6) + K5 6 dmt → Pakistan 4 / (4 + 6) = 40 %,
// China 6 / 10 = 60 % (not 6 / 12 = 50 % each). Its Nd: L5 4 × 5 % =
// 0.2 t, K5 6 × 5 % = 0.3 t in; OB5 holds 0.4 t → Pakistan 0.2 / 0.5 =
// 40 % by contained Nd too: one story in both views.
func TestDryMassViewFollowsCap(t *testing.T) {
	db := cappedSiblings(t)
	for i, c := range originsOf(t, db, "urn:t:lot:OB5") {
		if got := shareOf(c.Mass, "PAK"); math.Abs(got-0.4) > 1e-9 {
			t.Errorf("OB5 (%d): Pakistan %.4f of dry mass, want 0.4 (4 dmt of L5 held for RB5 of 10)", i, got)
		}
		if got := shareOf(c.Mass, "CHN"); math.Abs(got-0.6) > 1e-9 {
			t.Errorf("OB5 (%d): China %.4f of dry mass, want 0.6", i, got)
		}
		if got := shareOf(c.Elements["Nd"], "PAK"); math.Abs(got-0.4) > 1e-9 {
			t.Errorf("OB5 (%d): Pakistan %.4f of Nd, want 0.4", i, got)
		}
	}
}

// TestOverConsumedOnlyOnCappedRuns (fix9o item 6): RA5 took L5 first and
// was not capped (6 ≤ 10 dmt left): OA5 carries no over_consumed; OB5
// (RB5 capped: 6 dmt of which 4 were left) does, and so does L5.
func TestOverConsumedOnlyOnCappedRuns(t *testing.T) {
	db := cappedSiblings(t)
	for i, c := range originsOf(t, db, "urn:t:lot:OA5") {
		if anomalyWith(c.Anomalies, "over_consumed") {
			t.Errorf("OA5 (%d): over_consumed on a run that was not capped (%+v)", i, c.Anomalies)
		}
	}
	for i, c := range originsOf(t, db, "urn:t:lot:OB5") {
		if !anomalyWith(c.Anomalies, "over_consumed", "urn:t:lot:L5", "RB5") {
			t.Errorf("OB5 (%d): no over_consumed naming L5 and RB5 (%+v)", i, c.Anomalies)
		}
	}
	for i, c := range originsOf(t, db, "urn:t:lot:L5") {
		if !anomalyWith(c.Anomalies, "over_consumed", "urn:t:lot:L5", "RB5") {
			t.Errorf("L5 (%d): no over_consumed naming RB5 (%+v)", i, c.Anomalies)
		}
	}
}
