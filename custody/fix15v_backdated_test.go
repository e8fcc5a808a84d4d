package custody_test

import (
	"context"
	"math"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestBackdatedWeighingAtItsOwnSite (issue 15, fix15v, docs/forms.md
// "Weighing tolerance"): a back-dated weighing is replayed in event-time
// order, so it sets the mass at its own site when no later event there
// restates it. Lot BW, 30 t at the mine; 10 t shipped to the port on the
// 2nd, received the 4th; the rest weighed 20 t at the mine on the 10th.
// A ticket of 9.9 t at the port dated the 6th (before the 10th, the lot's
// latest event) is the latest event at the port: the port's part stands
// at 9.9 t and the lot at 20 + 9.9 = 29.9 t. A ticket of 19.95 t at the
// mine dated the 8th is followed there by the 20 t of the 10th: the mine
// still stands at 20 t.
func TestBackdatedWeighingAtItsOwnSite(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		feedAt("BW", "ree_concentrate", "PAK", 30, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "BW", "10", fix15rMine, fix15rPort, "A", ""),
		fix15rRecv("r1", "2025-10-04T00:00:00Z", "BW", "10", fix15rPort, "A"),
		fix15rWeigh("w10", "2025-10-10T00:00:00Z", "BW", "20", fix15rMine)))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	for _, ev := range []string{fix15rWeigh("w6", "2025-10-06T00:00:00Z", "BW", "9.9", fix15rPort), fix15rWeigh("w8", "2025-10-08T00:00:00Z", "BW", "19.95", fix15rMine)} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, ev))}); err != nil {
			t.Fatal(err)
		}
	}
	l, err := db.FindLot(ctx, "urn:t:lot:BW")
	if err != nil {
		t.Fatal(err)
	}
	for site, want := range map[string]float64{fix15rPort: 9.9, fix15rMine: 20} {
		if wet, _ := custody.StandingMass(l, site); math.Abs(wet-want) > 1e-9 {
			t.Errorf("standing at %s: %v t, want %v", site, wet, want)
		}
	}
	if math.Abs(l.WetTonnes-29.9) > 1e-9 {
		t.Errorf("lot BW reads %v t, want 20 + 9.9 = 29.9", l.WetTonnes)
	}
}
