package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// noQty drops an event's stated quantity of its lot line: the line names
// the lot and states nothing.
func noQty(ev, qty, uom string) string {
	return strings.Replace(ev, `, "quantity": `+qty+`, "uom": "`+uom+`"`, "", 1)
}

// TestNoQuantityMovementDrawsOnContainer (issue 15, fix15p): a movement
// of the lot itself stating no quantity — a shipment, a departure, a
// run's input — takes what stands of the lot at its site
// (ledger.ShippedStanding, ledger.HoldingOf), and draws on its
// containers there exactly as that quantity stated would. Lot PK, 10 t at
// the mine; 3 t packed into C (7 t loose); 8 t shipped: 7 t loose and
// 8 − 7 = 1 t out of C, which holds 3 − 1 = 2 t, and 10 − 8 = 2 t stand
// at the mine, all in C. Then a second shipment (or departure, or run
// input) with no quantity takes those 2 t: nothing loose, 2 − 0 = 2 t
// out of C, which holds 2 − 2 = 0 t (it read 2 t). With "2000" kg stated
// it already read 0 t.
func TestNoQuantityMovementDrawsOnContainer(t *testing.T) {
	ctx := context.Background()
	const lot, box = "urn:t:lot:PK", "urn:t:container:C"
	second := map[string]string{
		"shipment":  noQty(fix15rShip("s2", "2025-10-04T00:00:00Z", "PK", "2", fix15rMine, fix15rPort, "B", ""), "2", "TNE"),
		"departure": strings.Replace(noQty(fix15rShip("s2", "2025-10-04T00:00:00Z", "PK", "2", fix15rMine, fix15rPort, "B", ""), "2", "TNE"), `"shipping"`, `"departing"`, 1),
		"run input": strings.Replace(noQty(xformRun("r2", "mine-PAK", "PK", 2000, "OX", 1, ""), "2000", "KGM"), "2025-10-10T00:00:00Z", "2025-10-04T00:00:00Z", 1),
		"stated":    fix15rShip("s2", "2025-10-04T00:00:00Z", "PK", "2", fix15rMine, fix15rPort, "B", ""),
	}
	for name, ev := range second {
		t.Run(name, func(t *testing.T) {
			if name != "stated" && strings.Contains(ev, `"quantity": 2`) {
				t.Fatalf("the %s states a quantity of PK: %s", name, ev)
			}
			db := store(t, doc(map[string]string{"port": "controlled_blending"}, feedAt("PK", "ree_concentrate", "PAK", 10, "Nd:5"),
				fix15gPack("p1", "2025-10-02T00:00:00Z", "ADD", "3000", "C"),
				fix15rShip("s1", "2025-10-03T00:00:00Z", "PK", "8", fix15rMine, fix15rPort, "A", ""), ev))
			held := func(ps []critmin.Packing) float64 {
				var w float64
				for _, p := range ps {
					if p.Container == box {
						x, _ := ledger.PackedWet(p, 10)
						w += x
					}
				}
				return w
			}
			evs, err := db.LiveEventsOfLots(ctx, []string{lot})
			if err != nil {
				t.Fatal(err)
			}
			if w := held(custody.ContainedAt(lot, evs, time.Time{})); math.Abs(w) > 1e-9 {
				t.Errorf("ContainedAt(PK) after the %s of the 2 t standing: %v t in C; want 2 − 2 = 0 t", name, w)
			}
			ps, err := db.PackedIn(ctx, []string{lot}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if w := held(ps); math.Abs(w) > 1e-9 {
				t.Errorf("PackedIn(PK) after the %s: %+v (%v t in C); want 0 t", name, ps, w)
			}
			// Before it, C held 2 t.
			ps, err = db.PackedIn(ctx, []string{lot}, time.Date(2025, 10, 3, 12, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if w := held(ps); math.Abs(w-2) > 1e-9 {
				t.Errorf("PackedIn(PK) on 3 October, before the %s: %v t in C; want 3 − 1 = 2 t", name, w)
			}
		})
	}
}
