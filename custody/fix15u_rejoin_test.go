package custody_test

import (
	"context"
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRejoinedPartNotStillSent (issue 15, fix15u item 2): lot RJ, 30 t
// at the mine M; D1 ships 10 t to the port P, received there; D2 ships
// those 10 t on from P back to M, received there, where they rejoin the
// body (20 + 10 = 30 t at M again). D3 then ships 20 t from M to the
// quay Q. The whereabouts check counted D1's 10 t as still sent:
// 10 + 20 = 30 t sent of 30 t, so the lot had no body, and a ticket at M
// was refused ("nothing of lot RJ stands at M"). What stands: the body,
// 30 − 20 = 10 t at M; 20 t in transit to Q. A 10 t ticket at M is the
// body's mass and is taken; D3's receipt at Q (20 t) is taken; the lot
// then stands 10 t at M (its body) and 20 t at Q: 10 + 20 = 30 t.
func TestRejoinedPartNotStillSent(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending", "quay": "controlled_blending"},
		feedAt("RJ", "ree_concentrate", "PAK", 30, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "RJ", "10", fix15rMine, fix15rPort, "D1", ""),
		fix15rRecv("r1", "2025-10-03T00:00:00Z", "RJ", "10", fix15rPort, "D1")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	for _, c := range []struct{ what, ev string }{
		{"D2 shipped on from the port back to the mine", fix15rShip("d2", "2025-10-04T00:00:00Z", "RJ", "10", fix15rPort, fix15rMine, "D2", "")},
		{"D2's receipt at the mine (rejoins the body)", fix15rRecv("r2", "2025-10-05T00:00:00Z", "RJ", "10", fix15rMine, "D2")},
		{"D3 shipped from the mine to the quay", fix15rShip("d3", "2025-10-06T00:00:00Z", "RJ", "20", fix15rMine, fix15rQuay, "D3", "")},
		{"a 10 t ticket at the mine, where the body's 10 t stand", fix15rWeigh("w1", "2025-10-07T00:00:00Z", "RJ", "10", fix15rMine)},
		{"D3's receipt at the quay", fix15rRecv("r3", "2025-10-08T00:00:00Z", "RJ", "20", fix15rQuay, "D3")},
	} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, c.ev))}); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
	}
	l, err := db.FindLot(ctx, "urn:t:lot:RJ")
	if err != nil {
		t.Fatal(err)
	}
	if ledger.NoBody(l) || l.Status == critmin.LotInTransit || l.Location != fix15rMine {
		t.Errorf("lot RJ: status %s at %s, no body %v; want in stock at the mine with its body", l.Status, l.Location, ledger.NoBody(l))
	}
	for site, want := range map[string]float64{fix15rMine: 10, fix15rQuay: 20, fix15rPort: 0} {
		if wet, _ := custody.StandingMass(l, site); math.Abs(wet-want) > 1e-9 {
			t.Errorf("standing at %s: %v t, want %v", site, wet, want)
		}
	}
	if math.Abs(l.WetTonnes-30) > 1e-9 {
		t.Errorf("lot RJ reads %v t, want 30 (10 at the mine + 20 at the quay)", l.WetTonnes)
	}
}
