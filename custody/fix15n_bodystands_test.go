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

// TestPackingWhereTheBodyLeftCapture (issue 15, fix15n): each step
// captured through the capture check, as the web forms do.
//  1. lot A, 10 t commissioned at the mine M, owner fwo;
//  2. 4 t shipped M→port K on B1, received there 4 t by ussm (a part
//     of its own: it does not rejoin fwo's body);
//  3. the 6 t body shipped M→K on B2 and received there for fwo, both
//     stating no quantity (the body moves whole);
//  4. the body shipped K→H on B3 with NO quantity: fwo's 6 t leave,
//     ussm's 4 t part stays at K.
//
// Packing 9,000 kg at K is refused (4 t stand there; it was judged
// against 6 + 4 = 10 t and moved the body back to K, in stock) and
// nothing is stored; packing 4,000 kg there is taken, and the lot stays
// in transit, 10 t.
func TestPackingWhereTheBodyLeftCapture(t *testing.T) {
	ctx := context.Background()
	const lot, k, h = "urn:t:lot:A", fix15rPort, fix15rRefin
	commission := strings.Replace(feedAt("A", "ree_concentrate", "PAK", 10, "Nd:5"), `"ilmd"`, `"destinationList": [{"type": "owning_party", "destination": "urn:t:party:fwo"}], "ilmd"`, 1)
	db := store(t, doc(nil, commission))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	recv := func(id, at, tonnes, bol, owner string) string {
		return fix15rEv(id, at, "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": `+tonnes+`, "uom": "TNE"}],
		 "bizLocation": {"id": "`+k+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}]`)
	}
	for _, s := range []string{
		fix15rShip("s1", "2025-10-02T00:00:00Z", "A", "4", fix15rMine, k, "B1", ""),
		recv("r1", "2025-10-03T00:00:00Z", "4", "B1", "ussm"),
		fix15nShipNoQty("s2", "2025-10-04T00:00:00Z", "A", fix15rMine, k, "B2"),
		strings.Replace(recv("r2", "2025-10-05T00:00:00Z", "6", "B2", "fwo"), `, "quantity": 6, "uom": "TNE"`, "", 1),
		fix15nShipNoQty("s3", "2025-10-06T00:00:00Z", "A", k, h, "B3"),
	} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, s))}); err != nil {
			t.Fatalf("capture %.60s…: %v", s, err)
		}
	}
	lotNow := func() *critmin.Lot {
		l, err := db.FindLot(ctx, lot)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if l := lotNow(); l.Status != critmin.LotInTransit || !near(l.WetTonnes, 10) {
		t.Fatalf("after B3: lot %s, %v t; want in transit, 10 t", l.Status, l.WetTonnes)
	}
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, f15hPack("p9", "2025-10-07T00:00:00Z", "9000", k, "C1")))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("9,000 kg packed at K where 4 t stand: %v; want refused", err)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:p9"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused packing was stored: %v", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, f15hPack("p4", "2025-10-07T00:00:00Z", "4000", k, "C1")))}); err != nil {
		t.Errorf("4,000 kg packed at K where 4 t stand: %v", err)
	}
	if l := lotNow(); l.Status != critmin.LotInTransit || !near(l.WetTonnes, 10) || ledger.BodyStands(l, k) {
		t.Errorf("after packing 4 t at K: lot %s at %s, %v t; want the body still in transit, 10 t", l.Status, l.Location, l.WetTonnes)
	}
}

// TestZeroQuantityDispatchRefused (issue 15, fix15n): a shipping,
// departing, loading or transporting event stating 0 t moves nothing:
// refused at capture (EINVALID, /quantityList/0/quantity), nothing
// stored. A shipment stating no quantity is still taken.
func TestZeroQuantityDispatchRefused(t *testing.T) {
	ctx := context.Background()
	for _, step := range []string{"shipping", "departing", "loading", "transporting"} {
		db := store(t, doc(nil, feedAt("Z", "ree_concentrate", "PAK", 10, "Nd:5")))
		svc := ledger.NewService(db)
		svc.ClaimCheck = custody.CaptureClaimCheck(db)
		ev := strings.Replace(fix15rShip("z", "2025-10-02T00:00:00Z", "Z", "0", fix15rMine, fix15rPort, "B1", ""), `"bizStep": "shipping"`, `"bizStep": "`+step+`"`, 1)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, ev))})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "/quantityList/0/quantity") {
			t.Errorf("%s of 0 t: %v; want EINVALID at /quantityList/0/quantity", step, err)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:z"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s of 0 t was stored: %v", step, err)
		}
		errs, err := svc.Validate(ctx, []byte(doc(nil, ev)))
		if err != nil || len(errs) != 1 || len(errs[0]) == 0 || !strings.HasSuffix(errs[0][0].Pointer, "/quantityList/0/quantity") {
			t.Errorf("%s of 0 t validated: %+v, %v; want refused at /quantityList/0/quantity", step, errs, err)
		}
	}
	db := store(t, doc(nil, feedAt("Z", "ree_concentrate", "PAK", 10, "Nd:5")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15nShipNoQty("n", "2025-10-02T00:00:00Z", "Z", fix15rMine, fix15rPort, "B1")))}); err != nil {
		t.Errorf("shipment stating no quantity: %v; want taken", err)
	}
}
