package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestSecondReceiptUnderBillOfLadingRefused (issue 15, fix15j, a wrong
// pass): a receipt (CBV 2.0 bizStep receiving) under a bill of lading
// (CBV 2.0 §8.5 bol) receives what that B/L carried and is still in
// transit. Once that shipment was received, a second receipt under it
// receives nothing: it is refused naming the lot, the B/L, the first
// receipt and its time, and suggesting a weighing.
//   - part: lot P2 10 t at mine-PAK; 8 t shipped to cb under P2A;
//     received there at 8 t (2 t at the mine + 8 t at cb = 10 t). P2A
//     received again at 8,000 kg: before, accepted and the lot read
//     8 + 8 = 16 t with its body at cb; now refused, lot still 10 t.
//   - body: lot B2 10 t shipped whole (no quantity) under B2A, received
//     at 10 t; received again at 10,000 kg: refused.
//   - P2 received at cb again naming no bill of lading: nothing of P2 is
//     in transit, its 8 t part stands received at cb and its 2 t body at
//     mine-PAK: refused naming the earlier receipt (before: 16 t).
//   - one document holding both receipts of lot D2 (10 t shipped whole
//     under D2A, received twice): refused.
func TestSecondReceiptUnderBillOfLadingRefused(t *testing.T) {
	ctx := context.Background()
	sites := map[string]string{"cb": "controlled_blending"}
	db := store(t, doc(sites, feedAt("P2", "ree_concentrate", "PAK", 10, "Nd:2"), feedAt("B2", "ree_concentrate", "PAK", 10, "Nd:2"), feedAt("D2", "ree_concentrate", "PAK", 10, "Nd:2")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	capt := func(evs ...string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, evs...))})
		return err
	}
	bol := func(b string) string {
		return `"bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + b + `"}]`
	}
	shipOn := func(id, lot, kg, b string) string {
		q := ""
		if kg != "" {
			q = `, "quantity": ` + kg + `, "uom": "KGM"`
		}
		return strings.Replace(cbEvent(id, "10", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:`+lot+`"`+q+`}], "destinationList": [{"type": "location", "destination": "urn:t:site:cb"}], `+bol(b)),
			`"urn:t:site:cb"}, "type"`, `"urn:t:site:mine-PAK"}, "type"`, 1)
	}
	receive := func(id, day, lot, kg, b string) string {
		return cbEvent(id, day, `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+kg+`, "uom": "KGM"}], `+bol(b))
	}
	for _, c := range []struct {
		lot, ship, b, kg string
	}{{"P2", "8000", "P2A", "8000"}, {"B2", "", "B2A", "10000"}} {
		if err := capt(shipOn("s"+c.lot, c.lot, c.ship, c.b)); err != nil {
			t.Fatalf("%s shipping: %v", c.lot, err)
		}
		if err := capt(receive("r"+c.lot, "12", c.lot, c.kg, c.b)); err != nil {
			t.Fatalf("%s first receipt: %v", c.lot, err)
		}
		err := capt(receive("x"+c.lot, "14", c.lot, c.kg, c.b))
		want := "lot urn:t:lot:" + c.lot + " was already received under bill of lading urn:t:bol:" + c.b + " (event urn:t:ev:r" + c.lot + " at 2025-10-12T00:00:00Z)"
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "weighing") {
			t.Errorf("%s second receipt: %v; want ECONFLICT containing %q and a weighing hint", c.lot, err, want)
		}
		if l, err := db.FindLot(ctx, "urn:t:lot:"+c.lot); err != nil || !near(l.WetTonnes, 10) {
			t.Errorf("%s after the refused receipt: %+v %v; want 10 t", c.lot, l, err)
		}
	}
	err := capt(strings.Replace(receive("yP2", "15", "P2", "8000", "P2A"), `, `+bol("P2A"), "", 1))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "lot urn:t:lot:P2 is received at urn:t:site:cb with no bill of lading, but nothing of it is in transit: what was shipped there was already received (event urn:t:ev:rP2)") {
		t.Errorf("P2 received again with no B/L: %v", err)
	}
	if l, err := db.FindLot(ctx, "urn:t:lot:P2"); err != nil || !near(l.WetTonnes, 10) {
		t.Errorf("P2 after the refused receipt with no B/L: %+v %v; want 10 t", l, err)
	}
	if err := capt(shipOn("sD2", "D2", "", "D2A")); err != nil {
		t.Fatal(err)
	}
	err = capt(receive("rD2", "12", "D2", "10000", "D2A"), receive("xD2", "14", "D2", "10000", "D2A"))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "lot urn:t:lot:D2 was already received under bill of lading urn:t:bol:D2A (event urn:t:ev:rD2") {
		t.Errorf("two receipts of D2 in one document: %v", err)
	}
}
