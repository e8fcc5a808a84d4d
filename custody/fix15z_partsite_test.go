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

// fix15zPack packs t tonnes of lot into container c at site.
func fix15zPack(id, at, lot, t, site, c string) string {
	return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	 "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}, "parentID": "urn:t:container:` + c + `",
	 "childQuantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + t + `, "uom": "TNE"}]}`
}

// TestPackingAtPartSiteLeavesBody (issue 15, fix15z F1): lot C, 20 t at
// 8 % at the mine; 5 t shipped to the port (C1) and received there at
// 5 t: 15 t stand at the mine (body), 5 t at the port. Packing 2 t of C
// at the port concerns the part there: 15 t still stand at the mine and
// 5 t at the port (it read 20 t at the port: the body moved there with
// no shipment). So after it a shipment of 19 t from the port is refused
// (19 > 5 × 1.005 = 5.025 t), and one of 10 t from the mine is taken
// (10 ≤ 15 t).
func TestPackingAtPartSiteLeavesBody(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		strings.Replace(feedAt("C", "ree_concentrate", "PAK", 20, "Nd:5"), `"cm:moisture": 0,`, `"cm:moisture": 0.08,`, 1),
		fix15rShip("s", "2025-10-02T00:00:00Z", "C", "5", fix15rMine, fix15rPort, "C1", ""),
		fix15rRecv("r", "2025-10-03T00:00:00Z", "C", "5", fix15rPort, "C1"),
		fix15zPack("p", "2025-10-04T00:00:00Z", "C", "2", fix15rPort, "C3")))
	l, err := db.FindLot(ctx, "urn:t:lot:C")
	if err != nil {
		t.Fatal(err)
	}
	if l.Location != fix15rMine || len(l.Parts) != 1 || l.Parts[0].Status != critmin.PartReceived {
		t.Fatalf("lot C at %q, parts %+v; want at the mine, one received part", l.Location, l.Parts)
	}
	if wet, dry := custody.StandingMass(l, fix15rMine); math.Abs(wet-15) > 1e-9 || math.Abs(dry-15*0.92) > 1e-9 {
		t.Errorf("standing at the mine %v t wet, %v t dry; want 15, 13.8", wet, dry)
	}
	if wet, _ := custody.StandingMass(l, fix15rPort); math.Abs(wet-5) > 1e-9 {
		t.Errorf("standing at the port %v t, want 5", wet)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rShip("s2", "2025-10-05T00:00:00Z", "C", "19", fix15rPort, fix15rQuay, "C2", "")))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("19 t shipped from the port (5 t stand): %v; want refused", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rShip("s3", "2025-10-05T00:00:00Z", "C", "10", fix15rMine, fix15rQuay, "C4", "")))}); err != nil {
		t.Errorf("10 t shipped from the mine (15 t stand): %v", err)
	}
}

// TestPackingJudgedOnPartAtSite (issue 15, fix15z F1 2nd case and F6):
// lot D, 18.01 t at the mine; 10 t shipped to the port and received at
// 9.95 t: 8.01 t at the mine, total 17.96 t. Run R at the port takes
// 9 t: 9.95 − 9 = 0.95 t stand there. Packing 1.09 t at the port is
// refused: it exceeds the 0.95 t standing there by 0.14 t, beyond the
// tolerance of 0.5 % of what stands there (0.95 × 1.005 = 0.95475 t),
// not of the whole lot (17.96 × 0.005 = 0.0898 t: 1.0398 t) — so 1 t is
// refused too (it was taken: 1 ≤ 1.0398). 0.95 t is
// taken, and the port then still reads 0.95 t (not 17.96 t: the body
// stays at the mine).
func TestPackingJudgedOnPartAtSite(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		feedAt("D", "ree_concentrate", "PAK", 18.01, "Nd:5"),
		fix15rShip("s", "2025-10-02T00:00:00Z", "D", "10", fix15rMine, fix15rPort, "D1", ""),
		fix15rRecv("r", "2025-10-03T00:00:00Z", "D", "9.95", fix15rPort, "D1"),
		runOf("R", "port", "2025-10-04T00:00:00Z", []string{"D:9"}, product{lot: "DP", commodity: "ree_concentrate", t: 3, assays: []string{"Nd:5"}})))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15zPack("p1", "2025-10-05T00:00:00Z", "D", "1.09", fix15rPort, "D3")))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "only 0.95 t") {
		t.Errorf("1.09 t packed at the port (0.95 t stand): %v; want refused naming 0.95 t", err)
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15zPack("p1b", "2025-10-05T00:00:00Z", "D", "1", fix15rPort, "D3")))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "only 0.95 t") {
		t.Errorf("1 t packed at the port (0.95 t stand, at most 0.95475 t): %v; want refused naming 0.95 t", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15zPack("p2", "2025-10-05T00:00:00Z", "D", "0.95", fix15rPort, "D3")))}); err != nil {
		t.Fatalf("0.95 t packed at the port: %v", err)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:D")
	if err != nil {
		t.Fatal(err)
	}
	if wet, _ := custody.StandingMass(l, fix15rPort); math.Abs(wet-0.95) > 1e-9 {
		t.Errorf("standing at the port %v t, want 0.95", wet)
	}
	if wet, _ := custody.StandingMass(l, fix15rMine); math.Abs(wet-8.01) > 1e-9 {
		t.Errorf("standing at the mine %v t, want 8.01", wet)
	}
}
