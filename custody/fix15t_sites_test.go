package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// fix15tHub is a third site a part is shipped on to.
const fix15tHub = "urn:t:site:hub"

// TestPartReceiptsAtTheirSites (issue 15, fix15t item 1): lot NB2, 30 t
// at the mine, leaves whole as two 15 t parts, A to the port and B to the
// quay. Every part's receipt at its own destination is taken, whatever
// the other parts did: B received at the quay first, then A at the port
// (was refused as "in transit ... to the quay"); then 15 t shipped on
// from the port to the hub (C) and received there (was refused too).
// After it all the lot stands 15 t at the quay and 15 t at the hub:
// 15 + 15 = 30 t.
func TestPartReceiptsAtTheirSites(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending", "quay": "controlled_blending", "hub": "controlled_blending"},
		feedAt("NB2", "ree_concentrate", "PAK", 30, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "NB2", "15", fix15rMine, fix15rPort, "A", ""),
		fix15rShip("d2", "2025-10-02T06:00:00Z", "NB2", "15", fix15rMine, fix15rQuay, "B", ""),
		fix15rRecv("r2", "2025-10-04T00:00:00Z", "NB2", "15", fix15rQuay, "B")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	for _, c := range []struct{ what, ev string }{
		{"A's receipt at the port", fix15rRecv("r1", "2025-10-05T00:00:00Z", "NB2", "15", fix15rPort, "A")},
		{"C shipped on from the port", fix15rShip("d3", "2025-10-06T00:00:00Z", "NB2", "15", fix15rPort, fix15tHub, "C", "")},
		{"C's receipt at the hub", fix15rRecv("r3", "2025-10-08T00:00:00Z", "NB2", "15", fix15tHub, "C")},
	} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, c.ev))}); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
	}
	l, err := db.FindLot(ctx, "urn:t:lot:NB2")
	if err != nil {
		t.Fatal(err)
	}
	for site, want := range map[string]float64{fix15rQuay: 15, fix15tHub: 15, fix15rPort: 0, fix15rMine: 0} {
		if wet, _ := custody.StandingMass(l, site); math.Abs(wet-want) > 1e-9 {
			t.Errorf("standing at %s: %v t, want %v", site, wet, want)
		}
	}
	if math.Abs(l.WetTonnes-30) > 1e-9 {
		t.Errorf("lot NB2 reads %v t, want 30", l.WetTonnes)
	}
}

// TestNoBodyWeighingElsewhereSaysWhereItStands (issue 15, fix15t item 2):
// lot NB3, 30 t, leaves the mine whole as 15 t to the port and 15 t to
// the quay, both received. A ticket at the mine, where nothing of it
// stands, is refused — saying where it stands (15 t at the port, 15 t at
// the quay), not that it is in transit from the mine.
func TestNoBodyWeighingElsewhereSaysWhereItStands(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending", "quay": "controlled_blending"},
		feedAt("NB3", "ree_concentrate", "PAK", 30, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "NB3", "15", fix15rMine, fix15rPort, "A", ""),
		fix15rShip("d2", "2025-10-02T06:00:00Z", "NB3", "15", fix15rMine, fix15rQuay, "B", ""),
		fix15rRecv("r1", "2025-10-04T00:00:00Z", "NB3", "15", fix15rPort, "A"),
		fix15rRecv("r2", "2025-10-04T06:00:00Z", "NB3", "15", fix15rQuay, "B")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rWeigh("w", "2025-10-06T00:00:00Z", "NB3", "15", fix15rMine)))})
	if err == nil {
		t.Fatal("a ticket at the mine, where nothing of lot NB3 stands, was taken")
	}
	for _, want := range []string{"nothing of lot urn:t:lot:NB3 stands at " + fix15rMine, "15 t at " + fix15rPort, "15 t at " + fix15rQuay} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q\n does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "in transit at") {
		t.Errorf("refusal %q says the lot is in transit; both parts were received", err)
	}
}

// TestStandingMassAfterRun (issue 15, fix15t item 3): what stands of a
// lot at a site is what runs there left of it.
//   - lot RT, 10 t at the mine; a run there takes 4 t: 10 − 4 = 6 t
//     stand there, and a 6 t ticket is (6 − 6) / 6 = 0 %, taken (was
//     judged against 10 t, −40 %, refused). The lot then reads 10 t in
//     all (6 standing + 4 taken), 6 t remaining.
//   - lot RN, 30 t, leaves whole as 15 t to the port and 15 t to the
//     quay (last), both received; a run at the quay takes 5 t of the
//     quay's part: 15 − 5 = 10 t stand there, 15 t at the port; a
//     10 t ticket at the quay is taken.
func TestStandingMassAfterRun(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending", "quay": "controlled_blending", "mine-PAK": "controlled_blending"},
		feedAt("RT", "ree_concentrate", "PAK", 10, "Nd:5", "Pr:2"),
		runT("run1", "run1", "2025-10-02T00:00:00Z", "mine-PAK", "RT", 4, "RTO", 0.3, ""),
		feedAt("RN", "ree_concentrate", "PAK", 30, "Nd:5", "Pr:2"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "RN", "15", fix15rMine, fix15rPort, "A", ""),
		fix15rShip("d2", "2025-10-02T06:00:00Z", "RN", "15", fix15rMine, fix15rQuay, "B", ""),
		fix15rRecv("r1", "2025-10-04T00:00:00Z", "RN", "15", fix15rPort, "A"),
		fix15rRecv("r2", "2025-10-04T06:00:00Z", "RN", "15", fix15rQuay, "B"),
		runT("run2", "run2", "2025-10-05T00:00:00Z", "quay", "RN", 5, "RNO", 0.3, "")))
	rt, err := db.FindLot(ctx, "urn:t:lot:RT")
	if err != nil {
		t.Fatal(err)
	}
	if wet, _ := custody.StandingMass(rt, fix15rMine); math.Abs(wet-6) > 1e-9 {
		t.Errorf("lot RT standing at the mine %v t, want 6 (10 − 4 taken)", wet)
	}
	rn, err := db.FindLot(ctx, "urn:t:lot:RN")
	if err != nil {
		t.Fatal(err)
	}
	for site, want := range map[string]float64{fix15rQuay: 10, fix15rPort: 15} {
		if wet, _ := custody.StandingMass(rn, site); math.Abs(wet-want) > 1e-9 {
			t.Errorf("lot RN standing at %s: %v t, want %v", site, wet, want)
		}
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rWeigh("w1", "2025-10-06T00:00:00Z", "RT", "6", fix15rMine)))}); err != nil {
		t.Errorf("6 t ticket of lot RT where 6 t stand: %v", err)
	} else if rt, _ = db.FindLot(ctx, "urn:t:lot:RT"); math.Abs(rt.WetTonnes-10) > 1e-9 || math.Abs(rt.RemainingWetTonnes()-6) > 1e-9 {
		t.Errorf("lot RT reads %v t, %v t remaining; want 10 t (6 + 4 taken), 6 t remaining", rt.WetTonnes, rt.RemainingWetTonnes())
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rWeigh("w2", "2025-10-06T00:00:00Z", "RN", "10", fix15rQuay)))}); err != nil {
		t.Errorf("10 t ticket of lot RN at the quay where 10 t stand: %v", err)
	} else if rn, _ = db.FindLot(ctx, "urn:t:lot:RN"); math.Abs(rn.WetTonnes-30) > 1e-9 {
		t.Errorf("lot RN reads %v t, want 30 (15 port + 10 quay + 5 taken)", rn.WetTonnes)
	}
}
