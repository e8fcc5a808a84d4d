package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestPartWeighedBelowTaken (fix9c item 4; issue 15, fix15t): a
// weighing of a part where it was received weighs what stands of it
// there — what runs there left of it — and is judged on that (ledger
// parts.go, custody StandingMass). Lot P, 10 t dry at the mine; 4 t ship
// to the port under B/L BP and are received there at 4 t; run R at the
// port takes 3 t of the part: 4 − 3 = 1 t stands there. A weighing at
// the port of 2 t is (2 − 1) / 1 = +100 %, beyond the weighing
// tolerance: refused, naming the part and both figures, and nothing is
// stored: P stays 10 t, its part unweighed. (Before fix15t it was judged
// as the part's whole mass, 3 t taken included.) A weighing of 0.99 t
// is −1 %, taken: the part is 0.99 + 3 taken = 3.99 t, the total
// 10 − 4 + 3.99 = 9.99 t, and the remaining at the mine 9.99 − 3.99 =
// 6 t.
func TestPartWeighedBelowTaken(t *testing.T) {
	ctx := context.Background()
	const port = "urn:t:site:port"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		feedAt("P", "ree_concentrate", "PAK", 10, "Nd:5"),
		ev("s", "2025-10-02T00:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 4, "uom": "TNE"}],
		 "readPoint": {"id": "urn:t:site:mine-PAK"}, "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BP"}]`),
		ev("r", "2025-10-05T00:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 4, "uom": "TNE"}],
		 "bizLocation": {"id": "`+port+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:BP"}]`),
		runOf("R", "port", "2025-10-06T00:00:00Z", []string{"P:3"}, product{lot: "O", commodity: "ree_concentrate", t: 2.9, assays: []string{"Nd:5"}})))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db) // as critmin serve and capture wire it
	weigh := func(id, tonnes string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, ev(id, "2025-10-07T00:00:00Z", "inspecting",
			`"quantityList": [{"epcClass": "urn:t:lot:P", "quantity": `+tonnes+`, "uom": "TNE"}], "bizLocation": {"id": "`+port+`"}`)))})
		return err
	}
	err := weigh("w1", "2")
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "the lot (the part of it at urn:t:site:port) is recorded at 1 t and weighed at 2 t") {
		t.Fatalf("weighing the part above what stands: %v", err)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:P")
	if err != nil {
		t.Fatal(err)
	}
	if !near(l.WetTonnes, 10) || len(l.Parts) != 1 || l.Parts[0].WeighedTonnes != nil || !near(l.Parts[0].TakenTonnes, 3) {
		t.Fatalf("refused weighing stored: total %v, parts %+v", l.WetTonnes, l.Parts)
	}
	if err := weigh("w2", "0.99"); err != nil {
		t.Fatalf("weighing the part at 0.99 t, 3 t taken of 4 t: %v", err)
	}
	if l, err = db.FindLot(ctx, "urn:t:lot:P"); err != nil {
		t.Fatal(err)
	}
	if !near(l.WetTonnes, 9.99) || !near(l.RemainingWetTonnes(), 6) || l.Parts[0].WeighedTonnes == nil || !near(*l.Parts[0].WeighedTonnes, 3.99) {
		t.Errorf("after the weighing of 0.99 t: total %v, remaining %v, parts %+v; want 9.99 t, 6 t, the part 3.99 t", l.WetTonnes, l.RemainingWetTonnes(), l.Parts)
	}
}
