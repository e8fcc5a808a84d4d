package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestNoQuantityShipmentFromPartsSiteCapture (issue 15, fix15h): the
// new-user check, each step captured on its own through the capture
// check, as the web forms do.
//  1. lot A commissioned: 20 t at 8 % moisture at the mine M, owner fwo;
//  2. 8 t shipped M→port K on B1, 5 t on B2: the 7 t body stays at M;
//  3. received at K: 7.95 t on B1 (owner ussm), 5.01 t on B2 (owner
//     carrier): 7 at M + 12.96 at K = 19.96 t;
//  4. 4 t packed into C1 at K, C1 shipped with the lot at 4 t on B3 to
//     the refinery H: 8.96 t stand at K;
//  5. the lot shipped from K on B4 with no quantity: it ships the 8.96 t
//     standing at K, both parties' parts; the 7 t body stays at M. Lot:
//     19.96 t = 7 (M) + 0 (K) + 4 (B3) + 8.96 (B4) in transit, in stock
//     at M (it read in transit from K, the 7 t at M gone);
//  6. B4 received at H, 8.95 t: 20 − 0.05 + 0.01 − 0.01 = 19.95 t
//     = 7 (M) + 8.95 (H) + 4 (B3) (it read 21.91 t);
//  7. 8.96 t shipped again from K on B5: nothing stands at K (all of it
//     left on B4): refused, and the refusal calls it a shipment, not a
//     weighing (it read "weighing of lot A refused: … weighed at 0 t … a
//     weighing of 0 kg weighs nothing").
func TestNoQuantityShipmentFromPartsSiteCapture(t *testing.T) {
	ctx := context.Background()
	const lot, k, h = "urn:t:lot:A", fix15rPort, fix15rRefin
	commission := strings.Replace(feedAt("A", "ree_concentrate", "PAK", 20, "Nd:5"), `"cm:moisture": 0`, `"cm:moisture": 0.08`, 1)
	commission = strings.Replace(commission, `"ilmd"`, `"destinationList": [{"type": "owning_party", "destination": "urn:t:party:fwo"}], "ilmd"`, 1)
	db := store(t, doc(nil, commission))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	recv := func(id, at, tonnes, bol, owner string) string {
		return fix15rEv(id, at, "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}],
		 "bizLocation": {"id": "`+k+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}]`)
	}
	b3 := fix15rShip("s3", "2025-10-07T00:00:00Z", "A", "4", k, h, "B3", "")
	b3 = strings.Replace(b3, `"quantityList"`, `"epcList": ["urn:t:container:C1"], "quantityList"`, 1)
	steps := []string{
		fix15rShip("s1", "2025-10-02T00:00:00Z", "A", "8", fix15rMine, k, "B1", ""),
		fix15rShip("s2", "2025-10-02T06:00:00Z", "A", "5", fix15rMine, k, "B2", ""),
		recv("r1", "2025-10-04T00:00:00Z", "7.95", "B1", "ussm"),
		recv("r2", "2025-10-04T06:00:00Z", "5.01", "B2", "carrier"),
		f15hPack("p", "2025-10-06T00:00:00Z", "4000", k, "C1"),
		b3,
		fix15nShipNoQty("s4", "2025-10-08T00:00:00Z", "A", k, h, "B4"),
	}
	for _, s := range steps {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, s))}); err != nil {
			t.Fatalf("capture %.60s…: %v", s, err)
		}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	lotNow := func() *critmin.Lot {
		l, err := db.FindLot(ctx, lot)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := lotNow()
	mine, _ := custody.StandingMass(l, fix15rMine)
	atK, _ := custody.StandingMass(l, k)
	if l.Status == critmin.LotInTransit || l.Location != fix15rMine || !near(l.WetTonnes, 19.96) || !near(mine, 7) || atK > 1e-9 || !near(l.InTransitTonnes(), 12.96) {
		t.Errorf("after B4: lot %s at %s, %v t: %v at M, %v at K, %v in transit; want in stock at M, 19.96 = 7 + 0 + 12.96", l.Status, l.Location, l.WetTonnes, mine, atK, l.InTransitTonnes())
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rEv("r4", "2025-10-20T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 8950, "uom": "KGM"}],
		 "bizLocation": {"id": "`+h+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B4"}]`)))}); err != nil {
		t.Fatalf("receipt of B4: %v", err)
	}
	l = lotNow()
	mine, _ = custody.StandingMass(l, fix15rMine)
	atH, _ := custody.StandingMass(l, h)
	if !near(l.WetTonnes, 19.95) || !near(mine, 7) || !near(atH, 8.95) || !near(l.InTransitTonnes(), 4) {
		t.Errorf("after B4's receipt: %v t: %v at M, %v at H, %v in transit; want 19.95 = 7 + 8.95 + 4", l.WetTonnes, mine, atH, l.InTransitTonnes())
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rShip("s5", "2025-10-21T00:00:00Z", "A", "8.96", k, h, "B5", "")))})
	if err == nil {
		t.Fatal("8.96 t shipped again from K, where nothing stands: taken")
	}
	if msg := err.Error(); strings.Contains(msg, "weighing of lot") || !strings.Contains(msg, "(shipping) event") || !strings.Contains(msg, "only 0 t of its 19.95 t stood there") {
		t.Errorf("8.96 t shipped again from K: %v; want the shipment refused against the 0 t standing at K, not as a weighing", err)
	}
}

// TestShipmentRefusalCalledShipment (issue 15, fix15h): a dispatch that
// sets the mass of a lot in transit as a whole (shipped on under a new
// weight, ledger's moveLot) is judged as a weighing would be, but its
// refusal names it a shipment. Lot S, 20 t (dry, 0 % moisture), shipped
// whole on B1 to the refinery; shipped on from the port, a stop on the
// way, under the same B1 (a transshipment leg; from the trip's
// destination before its receipt it is refused as at sea since fixOa)
// stating 15 t: (15 − 20) / 20 = −25 %, beyond −5 %: refused as
// "shipment of lot … refused", never "weighing of lot … refused" (it was
// worded as a weighing).
func TestShipmentRefusalCalledShipment(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(nil, feedAt("S", "ree_concentrate", "PAK", 20, "Nd:5"),
		fix15rShip("s1", "2025-10-02T00:00:00Z", "S", "20", fix15rMine, fix15rRefin, "B1", "")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rShip("s2", "2025-10-05T00:00:00Z", "S", "15", fix15rPort, fix15rRefin, "B1", "")))})
	if err == nil || strings.Contains(err.Error(), "weighing of lot") || !strings.Contains(err.Error(), "shipment of lot urn:t:lot:S refused") {
		t.Errorf("20 t in transit shipped on at 15 t: %v; want refused as a shipment", err)
	}
}

// f15hPack packs kg of lot A into container c at site.
func f15hPack(id, at, kg, site, c string) string {
	return strings.ReplaceAll(f15ccPack(id, at, kg, site, c), "urn:t:lot:L2", "urn:t:lot:A")
}
