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

// TestLastPartAtPartsSiteNoBody (issue 15, fix15w D1): lot L3, 20 t at
// 8 % at the mine; L3-A ships 10 t to the port, then L3-B the last 10 t
// to the port (every tonne left as parts: no body). L3-A is received at
// 10 t and L3-B at 9.9 t at the port, where L3-A stands: L3-B stays a
// received part (it "rejoined" a 20 − 19.9 = 0.1 t body judged on the
// total before its receipt). Run R3 at the port takes 15 t first in first
// out: 10 t of L3-A, 5 t of L3-B. What stands at the port is
// 10 + 9.9 − 15 = 4.9 t wet, 4.9 × 0.92 = 4.508 t dry; the lot reads
// 19.9 t. A 4.9 t ticket at the port is (4.9 − 4.9) / 4.9 = 0 %: taken.
// A 10 t ticket is (10 − 4.9) / 4.9 = +104.1 %: refused. (Before: 10 t,
// 9.2 t dry stood at the port, the 4.9 t ticket was refused and the
// 10 t one taken.)
func TestLastPartAtPartsSiteNoBody(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		strings.Replace(feedAt("L3", "ree_concentrate", "PAK", 20, "Nd:5"), `"cm:moisture": 0,`, `"cm:moisture": 0.08,`, 1),
		fix15rShip("a", "2025-10-02T08:00:00Z", "L3", "10", fix15rMine, fix15rPort, "L3-A", ""),
		fix15rShip("b", "2025-10-02T09:00:00Z", "L3", "10", fix15rMine, fix15rPort, "L3-B", ""),
		fix15rRecv("ra", "2025-10-04T00:00:00Z", "L3", "10", fix15rPort, "L3-A"),
		fix15rRecv("rb", "2025-10-04T01:00:00Z", "L3", "9.9", fix15rPort, "L3-B"),
		runOf("R3", "port", "2025-10-05T00:00:00Z", []string{"L3:15"}, product{lot: "L3P", commodity: "ree_concentrate", t: 5, assays: []string{"Nd:5"}})))
	l, err := db.FindLot(ctx, "urn:t:lot:L3")
	if err != nil {
		t.Fatal(err)
	}
	if !ledger.NoBody(l) || len(l.Parts) != 2 || l.Parts[1].Status != critmin.PartReceived {
		t.Fatalf("lot L3: no body %v, parts %+v; want no body, L3-B received", ledger.NoBody(l), l.Parts)
	}
	if wet, dry := custody.StandingMass(l, fix15rPort); math.Abs(wet-4.9) > 1e-9 || math.Abs(dry-4.9*0.92) > 1e-9 {
		t.Errorf("standing at the port %v t wet, %v t dry; want 4.9, 4.508", wet, dry)
	}
	if wet, _ := custody.StandingMass(l, fix15rMine); wet != 0 {
		t.Errorf("standing at the mine %v t, want 0", wet)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rWeigh("w1", "2025-10-06T00:00:00Z", "L3", "10", fix15rPort)))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "recorded at 4.9 t and weighed at 10 t") {
		t.Errorf("10 t ticket at the port (4.9 t stand): %v; want refused", err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rWeigh("w2", "2025-10-06T00:00:00Z", "L3", "4.9", fix15rPort)))}); err != nil {
		t.Fatalf("4.9 t ticket at the port (4.9 t stand, 0 %%): %v", err)
	}
	if l, _ = db.FindLot(ctx, "urn:t:lot:L3"); math.Abs(l.WetTonnes-19.9) > 1e-9 {
		t.Errorf("lot L3 reads %v t, want 19.9 (4.9 standing + 15 its run took)", l.WetTonnes)
	}
}
