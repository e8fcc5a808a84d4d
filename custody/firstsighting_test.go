package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestReceiptIsFirstSightingOfAnOutsideLot: a receipt of a lot no event
// recorded is the lot's first sighting — material arriving from outside
// the platform, as in GS1's EPCIS 2.0 example 9.6.2 — and enters the
// record at the receiving site when it contradicts nothing. Lot S (20 t)
// is shipped on bill of lading A. Accepted: lot F received with no bill
// of lading (31 t at urn:t:site:cb), lot G received under bill of lading
// X, which no recorded shipment carries. Refused, storing nothing: lot U
// received under A, whose recorded shipment carries S and not U, naming
// U and A; and the same within one document, a shipment of S under B
// followed by a receipt of V under B.
func TestReceiptIsFirstSightingOfAnOutsideLot(t *testing.T) {
	ctx := context.Background()
	db, capt := cbHoldingS(t)
	bol := func(b string) string {
		if b == "" {
			return ""
		}
		return `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + b + `"}]`
	}
	ship := func(id, lot, b string) string {
		return cbEvent(id, "12", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:`+lot+`"}]`+bol(b))
	}
	receipt := func(id, lot, b string) string {
		return cbEvent(id, "14", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": 31000, "uom": "KGM"}]`+bol(b))
	}
	if err := capt(ship("s1", "S", "A")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lot, bol string }{{"F", ""}, {"G", "X"}} {
		if err := capt(receipt("r"+c.lot, c.lot, c.bol)); err != nil {
			t.Errorf("first sighting of %s (bill of lading %q): %v", c.lot, c.bol, err)
			continue
		}
		// 31,000 kg = 31 t, at the receiving site.
		if l, err := db.FindLot(ctx, "urn:t:lot:"+c.lot); err != nil || !near(l.WetTonnes, 31) || l.Location != "urn:t:site:cb" {
			t.Errorf("lot %s after its first sighting: %+v %v, want 31 t at urn:t:site:cb", c.lot, l, err)
		}
	}
	for _, c := range []struct {
		name, lot, bol string
		evs            []string
	}{
		{"under a stored shipment of another lot", "U", "A", []string{receipt("rU", "U", "A")}},
		{"under a shipment of another lot earlier in the document", "V", "B", []string{ship("s2", "S", "B"), receipt("rV", "V", "B")}},
	} {
		err := capt(c.evs...)
		want := "lot urn:t:lot:" + c.lot + " was not shipped on bill of lading urn:t:bol:" + c.bol
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want ECONFLICT (409, a conflict with the record) naming %q", c.name, err, want)
		}
		if _, err := db.FindLot(ctx, "urn:t:lot:"+c.lot); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: lot %s after the refusal: %v, want not found", c.name, c.lot, err)
		}
	}
}

// cbHoldingS is a store whose controlled-blending site cb holds lot S
// (20 t of Pakistani REE concentrate at 2 % Nd), and capt, which captures
// events at cb (with the capture's claim checks) on 21 Oct 2025.
func cbHoldingS(t *testing.T) (critmin.Store, func(evs ...string) error) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"}, atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2"))))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	return db, func(evs ...string) error {
		_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc(map[string]string{"cb": "controlled_blending"}, evs...))})
		return err
	}
}
