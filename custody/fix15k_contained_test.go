package custody_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestContainedAtAfterShipmentOfPackedLot (issue 15, fix15k): what a
// container holds of a lot is read by one rule, the unpacking check's
// (custody.ContainedAt; docs/forms.md): packings less unpackings less
// what movements of the lot itself drew out of it. Lot PK, 10 t at the
// mine; 3 t packed into C on 2 October (7 t loose); 8 t shipped from the
// mine on 3 October: 7 t loose and 8 − 7 = 1 t out of C, which holds
// 3 − 1 = 2 t (Unpacked 1 t). The store's PackedIn (origin, genealogy
// and the container page read it) says the same: 2 t now, and 3 t on
// 2 October, before the shipment. It said 3 t now.
func TestContainedAtAfterShipmentOfPackedLot(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"}, feedAt("PK", "ree_concentrate", "PAK", 10, "Nd:5"),
		fix15gPack("p1", "2025-10-02T00:00:00Z", "ADD", "3000", "C"),
		fix15rShip("s1", "2025-10-03T00:00:00Z", "PK", "8", fix15rMine, fix15rPort, "A", "")))
	const lot, box = "urn:t:lot:PK", "urn:t:container:C"
	held := func(ps []critmin.Packing) (float64, int) {
		var w float64
		n := 0
		for _, p := range ps {
			if p.Container == box {
				x, _ := ledger.PackedWet(p, 10)
				w += x
				n++
			}
		}
		return w, n
	}
	evs, err := db.LiveEventsOfLots(ctx, []string{lot})
	if err != nil {
		t.Fatal(err)
	}
	if w, n := held(custody.ContainedAt(lot, evs, time.Time{})); n != 1 || math.Abs(w-2) > 1e-9 {
		t.Errorf("ContainedAt(PK) now: %v t in C (%d packings); want 3 − 1 = 2 t", w, n)
	}
	ps, err := db.PackedIn(ctx, []string{lot}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if w, n := held(ps); n != 1 || math.Abs(w-2) > 1e-9 {
		t.Errorf("PackedIn(PK) now: %+v (%v t in C); want 3 − 1 = 2 t", ps, w)
	}
	before := time.Date(2025, 10, 2, 12, 0, 0, 0, time.UTC)
	ps, err = db.PackedIn(ctx, []string{lot}, before)
	if err != nil {
		t.Fatal(err)
	}
	if w, n := held(ps); n != 1 || math.Abs(w-3) > 1e-9 {
		t.Errorf("PackedIn(PK) on 2 October, before the shipment: %+v (%v t in C); want 3 t", ps, w)
	}
}
