package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestFirstSightingIsAReceiptOnly (fixQj, issue 8, nuq5 a11): docs said a
// lot whose first event is an arrival is taken as its first sighting, but
// at a site master data knows only a receipt is (fix15s, checkReceipts:
// its bill of lading is checked, the Receive preview warns, and a
// declaration in error reads the receipt as the lot's maker); `arriving`,
// `unloading` and `accepting` are a carrier's and consignee's steps of a
// trip (CBV 2.0), not a move of their own. The docs now say so. An
// arriving of unrecorded lot A (31,000 kg = 31 t) at site cb is refused
// 400 "lot not known", naming the lot line and telling to receive it as
// its first sighting, and stores nothing; the same event as a receiving
// is taken: A is at cb with 31 t.
func TestFirstSightingIsAReceiptOnly(t *testing.T) {
	ctx := context.Background()
	db, capt := cbHoldingS(t)
	ev := func(id, step string) string {
		return cbEvent(id, "14", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "`+step+`", "disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 31000, "uom": "KGM"}]`)
	}
	for _, step := range []string{"arriving", "unloading", "accepting"} {
		err := capt(ev("x"+step, step))
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "lot not known: no event recorded lot urn:t:lot:A") || !strings.Contains(err.Error(), "receive it, as its first sighting") {
			t.Errorf("%s as A's first event: %v, want 400 lot not known, receive it as its first sighting", step, err)
		}
		if _, err := db.FindLot(ctx, "urn:t:lot:A"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("refused %s stored A: %v", step, err)
		}
	}
	if err := capt(ev("r", "receiving")); err != nil {
		t.Fatalf("receiving as A's first sighting: %v", err)
	}
	if l, err := db.FindLot(ctx, "urn:t:lot:A"); err != nil || !near(l.WetTonnes, 31) || l.Location != "urn:t:site:cb" {
		t.Errorf("A after its receipt: %+v %v, want 31 t at urn:t:site:cb", l, err)
	}
}
