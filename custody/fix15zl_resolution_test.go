package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestDispatchBelowResolutionRefused (issue 15, W7): a shipment of 1e-300 t
// was taken (and the lot shown "Part shipped 0 wmt") while 0 t was refused.
// The smallest mass a movement may carry is 1 g (units.MinMovedKg):
// 1e-300 TNE = 1e-297 kg and 0.0000009 TNE = 0.0009 kg = 0.9 g are under it
// and refused as 0 is, naming /quantityList/0/quantity, nothing stored;
// 0.000001 TNE = 0.001 kg = 1 g is at it and taken.
func TestDispatchBelowResolutionRefused(t *testing.T) {
	ctx := context.Background()
	for _, q := range []string{"1e-300", "0.0000009"} {
		db := store(t, doc(nil, feedAt("Z", "ree_concentrate", "PAK", 10, "Nd:5")))
		svc := ledger.NewService(db)
		svc.ClaimCheck = custody.CaptureClaimCheck(db)
		ev := fix15rShip("z", "2025-10-02T00:00:00Z", "Z", q, fix15rMine, fix15rPort, "B1", "")
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, ev))})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "/quantityList/0/quantity") || !strings.Contains(err.Error(), "moves nothing") {
			t.Errorf("shipping %s t: %v; want EINVALID at /quantityList/0/quantity, moves nothing", q, err)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:z"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("shipping %s t was stored: %v", q, err)
		}
	}
	db := store(t, doc(nil, feedAt("Z", "ree_concentrate", "PAK", 10, "Nd:5")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rShip("g", "2025-10-02T00:00:00Z", "Z", "0.000001", fix15rMine, fix15rPort, "B1", "")))}); err != nil {
		t.Errorf("shipping 1 g: %v; want taken", err)
	}
}
