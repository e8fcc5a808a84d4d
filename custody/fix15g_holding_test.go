package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestWeighingAtSiteOfTwoHoldings (issue 15, fix15g item 1): lot GH,
// 10 t (dry) at the mine; d1 ships 4 t to the port under B/L A, received
// there for BUY (owning_party and possessing_party); d2 ships the rest
// (no quantity, 10 − 4 = 6 t) to the port, received there at 6 t naming
// no party. The port holds the body, 6 t, and BUY's part, 4 t, which
// does not rejoin it (fix15c3). A weighing there is judged against the
// holding it weighs (ledger.HoldingOf), as the ledger books it:
//   - 5.6 t naming no party weighs the body: (5.6 − 6) / 6 = −6.67 %,
//     beyond the 5 % a weighing may lose: refused (it was judged
//     against the port's 10 t, 9.6 / 10 = −4 %, and taken);
//   - 3.9 t naming BUY as its source owning_party weighs BUY's part:
//     (3.9 − 4) / 4 = −2.5 %: taken, and the lot reads 6 + 3.9 = 9.9 t
//     (the ledger set the body to 3.9 t: 7.9 t, and the capture refused
//     it at (7.9 − 10) / 10 = −21 %).
func TestWeighingAtSiteOfTwoHoldings(t *testing.T) {
	ctx := context.Background()
	const buy = "urn:t:party:BUY"
	sites := map[string]string{"port": "controlled_blending"}
	recvFor := `, "destinationList": [{"type": "owning_party", "destination": "` + buy + `"}, {"type": "possessing_party", "destination": "` + buy + `"}]`
	r1 := strings.TrimSuffix(fix15rRecv("r1", "2025-10-04T00:00:00Z", "GH", "4", fix15rPort, "A"), "}") + recvFor + "}"
	db := store(t, doc(sites,
		feedAt("GH", "ree_concentrate", "PAK", 10, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "GH", "4", fix15rMine, fix15rPort, "A", ""), r1,
		fix15r2Body("d2", "2025-10-03T00:00:00Z", "shipping", "GH", fix15rMine, fix15rPort),
		fix15rEv("r2", "2025-10-05T00:00:00Z", "receiving", `"quantityList": [{"epcClass": "urn:t:lot:GH", "quantity": 6, "uom": "TNE"}], "bizLocation": {"id": "`+fix15rPort+`"}`)))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	l, err := db.FindLot(ctx, "urn:t:lot:GH")
	if err != nil || l == nil || len(l.Parts) != 1 || l.PartOwner(l.Parts[0]) != buy || math.Abs(l.RemainingWetTonnes()-6) > 1e-9 || l.Location != fix15rPort {
		t.Fatalf("fixture: lot %+v, %v; want the 6 t body and BUY's 4 t part at the port", l, err)
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rWeigh("w1", "2025-10-06T00:00:00Z", "GH", "5.6", fix15rPort)))})
	if err == nil || !strings.Contains(err.Error(), "its body at "+fix15rPort+", the parts of other parties there aside) is recorded at 6 t and weighed at 5.6 t, a difference of −6.7 %") {
		t.Errorf("5.6 t weighing of the 6 t body: err %v; want refused: the body's 6 t weighed at 5.6 t, −6.7 %%", err)
	}
	named := strings.TrimSuffix(fix15rWeigh("w2", "2025-10-06T00:00:00Z", "GH", "3.9", fix15rPort), "}") + `, "sourceList": [{"type": "owning_party", "source": "` + buy + `"}]}`
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, named))}); err != nil {
		t.Fatalf("3.9 t weighing of BUY's 4 t part refused: %v", err)
	}
	l, _ = db.FindLot(ctx, "urn:t:lot:GH")
	if math.Abs(l.WetTonnes-9.9) > 1e-9 || math.Abs(l.RemainingWetTonnes()-6) > 1e-9 || math.Abs(l.Parts[0].LeftTonnes()-3.9) > 1e-9 {
		t.Errorf("after BUY's weighing: lot %v t, body %v t, part %v t; want 9.9, 6, 3.9", l.WetTonnes, l.RemainingWetTonnes(), l.Parts[0].LeftTonnes())
	}
}
