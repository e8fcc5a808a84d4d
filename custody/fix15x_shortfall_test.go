package custody_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestReceiptShortfallAtTheLimit (issue 15, fix15x item 4): a receipt is
// flagged transit_loss on the lot's origin when it is *more than* 5 %
// short (custody.ReceiptShortfallLimit; docs/origin.md "more than 5 %
// short"). Lot SF1, 13 t shipped to the port, received 12.35 t: 0.65 t
// short, 0.65 / 13 = 5 % exactly — at the limit, not flagged — though
// (12.35 − 13) / 13 is −0.05000000000000003 in binary floating point and
// was flagged. Lot SF2, 13 t, received 12.34 t: 0.66 / 13 = 5.08 %,
// flagged.
func TestReceiptShortfallAtTheLimit(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		feedAt("SF1", "ree_concentrate", "PAK", 13, "Nd:5"),
		feedAt("SF2", "ree_concentrate", "PAK", 13, "Nd:5")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	for _, c := range []struct {
		lot, received string
		flagged       bool
	}{{"SF1", "12.35", false}, {"SF2", "12.34", true}} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil,
			fix15rShip(c.lot+"s", "2025-10-02T00:00:00Z", c.lot, "13", fix15rMine, fix15rPort, c.lot, ""),
			fix15rRecv(c.lot+"r", "2025-10-04T00:00:00Z", c.lot, c.received, fix15rPort, c.lot)))}); err != nil {
			t.Fatalf("%s: %v", c.lot, err)
		}
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:"+c.lot, false)
		if err != nil {
			t.Fatal(err)
		}
		got := false
		for _, a := range o.Anomalies {
			got = got || a.Kind == "transit_loss"
		}
		if got != c.flagged {
			t.Errorf("lot %s, 13 t shipped, %s t received: transit_loss on its origin %v, want %v", c.lot, c.received, got, c.flagged)
		}
	}
}
