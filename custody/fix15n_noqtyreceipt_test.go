package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// fix15nShipNoQty ships lot from site to dest under bill of lading bol
// with no quantity: the whole of what stands of it there.
func fix15nShipNoQty(id, at, lot, from, dest, bol string) string {
	return fix15rEv(id, at, "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:`+lot+`"}],
	 "readPoint": {"id": "`+from+`"}, "bizLocation": {"id": "`+from+`"}, "destinationList": [{"type": "location", "destination": "`+dest+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
}

// TestReceiptGainOfNoQuantityShipment (issue 15, fix15n N2): a shipment
// stating no quantity shipped what stood of the lot where it left, and
// its receipt's gain is checked against that (docs/origin.md,
// "Receipts": at most 0.5 % more than shipped).
//   - plain: 15 t at the mine shipped with no quantity: 15 t. 16 t
//     received: +1 / 15 = +6.67 % > 0.5 %: refused (it was taken);
//     15.05 t: +0.33 %: taken.
//   - split: 20 t at the mine; 5 t shipped to the quay and received; the
//     rest, 20 − 5 = 15 t, shipped to the port with no quantity (stored
//     before the receipt). 16 t received: +6.67 %: refused (it was
//     taken, the lot read 21 t); 14 t received: −1 / 15 = −6.67 %,
//     taken, and flagged on the lot's origin as more than 5 % short
//     (it read 5 t shipped, a gain, and no flag).
func TestReceiptGainOfNoQuantityShipment(t *testing.T) {
	ctx := context.Background()
	capture := func(t *testing.T, setup string, body string) error {
		db := store(t, setup)
		svc := ledger.NewService(db)
		svc.ClaimCheck = custody.CaptureClaimCheck(db)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(body)})
		return err
	}
	plain := doc(nil, feedAt("NP", "ree_concentrate", "PAK", 15, "Nd:5"))
	for _, c := range []struct {
		recv   string
		refuse bool
	}{{"16", true}, {"15.05", false}} {
		err := capture(t, plain, doc(nil, fix15nShipNoQty("s", "2025-10-02T00:00:00Z", "NP", fix15rMine, fix15rPort, "B"),
			fix15rRecv("r", "2025-10-03T00:00:00Z", "NP", c.recv, fix15rPort, "B")))
		if c.refuse != (err != nil) || (c.refuse && !strings.Contains(err.Error(), "shipped at 15 t")) {
			t.Errorf("plain lot, 15 t shipped with no quantity, %s t received: %v; want refused %v (naming 15 t shipped)", c.recv, err, c.refuse)
		}
	}
	split := doc(nil, feedAt("NS", "ree_concentrate", "PAK", 20, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "NS", "5", fix15rMine, fix15rQuay, "B1", ""),
		fix15rRecv("r1", "2025-10-03T00:00:00Z", "NS", "5", fix15rQuay, "B1"),
		fix15nShipNoQty("d2", "2025-10-04T00:00:00Z", "NS", fix15rMine, fix15rPort, "B2"))
	err := capture(t, split, doc(nil, fix15rRecv("r2", "2025-10-05T00:00:00Z", "NS", "16", fix15rPort, "B2")))
	if err == nil || !strings.Contains(err.Error(), "shipped at 15 t") {
		t.Errorf("split lot, 15 t shipped with no quantity, 16 t received: %v; want refused, naming 15 t shipped", err)
	}
	db := store(t, split)
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, fix15rRecv("r2", "2025-10-05T00:00:00Z", "NS", "14", fix15rPort, "B2")))}); err != nil {
		t.Fatalf("split lot, 14 t received of 15 t: %v", err)
	}
	comp, err := custody.Origin(ctx, db, "urn:t:lot:NS")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range comp.Anomalies {
		if a.Kind == "transit_loss" && strings.Contains(a.Detail, "14 t of the 15 t shipped") {
			found = true
		}
	}
	if !found {
		t.Errorf("anomalies %+v; want transit_loss: 14 t of the 15 t shipped (6.7 %% short)", comp.Anomalies)
	}
}

// TestReceiptOfPartAtSeaAfterBodyReceipt (issue 15, fix15n N1): lot NA,
// 20 t at the mine; 5 t shipped to the quay under B1 (at sea); the rest
// shipped to the port under B2 with no quantity (20 − 5 = 15 t) and
// received there at 14.95 t: the receipt closes B2's shipment, not the
// part at sea. The part's own receipt at the quay, 5 t under B1, is then
// taken (it was refused: the part read received at the port), and the
// lot reads 14.95 + 5 = 19.95 t (it read 29.95 t).
func TestReceiptOfPartAtSeaAfterBodyReceipt(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(nil, feedAt("NA", "ree_concentrate", "PAK", 20, "Nd:5"),
		fix15rShip("d1", "2025-10-02T00:00:00Z", "NA", "5", fix15rMine, fix15rQuay, "B1", ""),
		fix15nShipNoQty("d2", "2025-10-04T00:00:00Z", "NA", fix15rMine, fix15rPort, "B2")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	for _, body := range []string{fix15rRecv("r2", "2025-10-05T00:00:00Z", "NA", "14.95", fix15rPort, "B2"),
		fix15rRecv("r1", "2025-10-06T00:00:00Z", "NA", "5", fix15rQuay, "B1")} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, body))}); err != nil {
			t.Fatalf("receipt: %v", err)
		}
	}
	l, err := db.FindLot(ctx, "urn:t:lot:NA")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Parts) != 1 || l.Parts[0].Status != "received" || l.Parts[0].To != fix15rQuay || l.WetTonnes < 19.95-1e-9 || l.WetTonnes > 19.95+1e-9 {
		t.Errorf("lot %v t, parts %+v; want 19.95 t, the 5 t part received at the quay", l.WetTonnes, l.Parts)
	}
}
