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

// fix15r2Body ships (step "shipping", to dest) or receives (step
// "receiving", dest "") lot at site with no quantity: the whole of what
// stands there, the lot's body.
func fix15r2Body(id, at, step, lot, site, dest string) string {
	body := `"quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "bizLocation": {"id": "` + site + `"}`
	if dest != "" {
		body += `, "readPoint": {"id": "` + site + `"}, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "` + dest + `"}]`
	}
	return fix15rEv(id, at, step, body)
}

// TestBodyShipmentOfSplitLot (issue 15, fix15r2 item 1): lot BS, 30 t at
// the mine M; D1 ships 10 t to the port P, received there (R1). The
// body, 30 − 10 = 20 t, stands at M. A shipment of the lot from M with
// no quantity (S1) ships that body — the one way it reaches the part's
// site — and is taken (it was refused: "lot BS is at P since R1", the
// part's receipt read as the lot's once the part rejoined the body). Its
// receipt at P (R2) rejoins the part there: the lot stands 20 + 10 =
// 30 t at P, all of it its body, nothing at M. A shipment with no
// quantity from M after that (nothing of the lot stands there) is still
// refused, naming M.
func TestBodyShipmentOfSplitLot(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		feedAt("BS", "ree_concentrate", "PAK", 30, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "BS", "10", fix15rMine, fix15rPort, "D1", ""),
		fix15rRecv("r1", "2025-10-03T00:00:00Z", "BS", "10", fix15rPort, "D1")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	// One document: the body's shipment and its receipt (as the forms
	// and the import send them).
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil,
		fix15r2Body("s1", "2025-10-04T00:00:00Z", "shipping", "BS", fix15rMine, fix15rPort),
		fix15r2Body("r2", "2025-10-05T00:00:00Z", "receiving", "BS", fix15rPort, "")))}); err != nil {
		t.Fatalf("the body shipped from the mine and received at the port, no quantity: %v", err)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:BS")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Parts) != 1 || l.Parts[0].Status != critmin.PartRejoined || l.Parts[0].RejoinedBy() != "urn:t:ev:r2" || l.Parts[0].ReceiptEventID != "urn:t:ev:r1" {
		t.Errorf("parts %+v; want one part received by r1, rejoined by r2", l.Parts)
	}
	if l.Location != fix15rPort || l.Status == critmin.LotInTransit {
		t.Errorf("lot BS: %s at %s; want in stock at the port", l.Status, l.Location)
	}
	// Stands: 20 t body + 10 t rejoined part = 30 t at P, one record, the
	// body's; nothing at M.
	st := ledger.StandsAt(l)
	if len(st) != 1 || st[0].Site != fix15rPort || !st[0].Body || math.Abs(st[0].WetTonnes-30) > 1e-9 {
		t.Errorf("stands at %+v; want 30 t at the port, the body", st)
	}
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15r2Body("s2", "2025-10-06T00:00:00Z", "shipping", "BS", fix15rMine, fix15rQuay)))})
	if err == nil || !strings.Contains(err.Error(), "not at "+fix15rMine) {
		t.Errorf("a shipment with no quantity from the mine, where nothing of the lot stands: %v; want refused, naming the mine", err)
	}
}
