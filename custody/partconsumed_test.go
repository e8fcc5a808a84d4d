package custody_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestPartConsumedLotStaysInStock (issue 9, new-user check): lot F is
// commissioned at 100 t (moisture 0, so 100 t dry). Run R takes 30 t of
// it: F stays in stock with 100 − 30 = 70 t remaining, and is listed in
// stock with that remainder. Run R2 then takes 69.8 t: 70 − 69.8 = 0.2 t
// remain, under the 0.5 % tolerance (100 × 0.005 = 0.5 t), so F is
// consumed and none remains. Lot G, named by run R3 without a quantity
// (all of it), is consumed at once.
func TestPartConsumedLotStaysInStock(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("F", "ree_concentrate", "PAK", 100, "Nd:2"),
		feed("G", "ree_concentrate", "PAK", 40, "Nd:2"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"F:30"}, product{lot: "Y", commodity: "ree_carbonate", t: 5, assays: []string{"Nd:5"}}),
	))
	f, err := db.FindLot(ctx, "urn:t:lot:F")
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != critmin.LotInStock || !near(f.TakenTonnes, 30) || !near(f.RemainingWetTonnes(), 70) || !near(f.RemainingDryTonnes(), 70) {
		t.Fatalf("after R: status %s taken %v remaining %v, want in_stock, 30, 70", f.Status, f.TakenTonnes, f.RemainingWetTonnes())
	}
	lots, _, err := db.FindLots(ctx, critmin.LotFilter{Status: critmin.LotInStock, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, l := range lots {
		if l.ID == "urn:t:lot:F" {
			listed = near(l.RemainingWetTonnes(), 70)
		}
	}
	if !listed {
		t.Errorf("F not listed in stock with 70 t remaining")
	}
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(map[string]string{"cb": "controlled_blending"},
		runOf("R2", "cb", "2025-10-11T00:00:00Z", []string{"F:69.8"}, product{lot: "Y2", commodity: "ree_carbonate", t: 5, assays: []string{"Nd:5"}}),
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:R3", "eventTime": "2025-10-12T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizLocation": {"id": "urn:t:site:cb"},
		  "inputQuantityList": [{"epcClass": "urn:t:lot:G"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Y3", "quantity": 5, "uom": "TNE"}]}`,
	))}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"urn:t:lot:F", "urn:t:lot:G"} {
		l, err := db.FindLot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if l.Status != critmin.LotConsumed || l.RemainingWetTonnes() != 0 {
			t.Errorf("%s: status %s remaining %v, want consumed, 0", id, l.Status, l.RemainingWetTonnes())
		}
	}
}
