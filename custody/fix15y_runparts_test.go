package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRunDriesEachPartAtItsOwnMoisture (issue 15, fix15y item 1): a run
// at a port where two parts of one lot were received at different
// moistures dries each tonne it took at the moisture of the part it came
// from, and the run's element balance reads that dry figure.
//
// Lot K, 30 t at the mine at 8 %, Nd 5 % (dry). D1 ships 10 t to the
// port (B/L A), received 10 t; a ticket there reads it 10 000 kg at
// 10 % (its own moisture: 9.0 t dry). D2 ships 10 t more (B/L B), at the
// body's 8 %, received 10 t. Run R at the port takes 15 t of K, first in
// first out by the order the parts were shipped: all 10 t of D1, then
// 5 t of D2:
//   - dry: 10 × 0.90 + 5 × 0.92 = 9.0 + 4.6 = 13.6 t (it read D1's 10 %
//     for all 15 t: 15 × 0.90 = 13.5 t);
//   - Nd in: 13.6 × 0.05 = 0.68 t (it read 0.675 t).
//
// Left at the port: 5 t of D2, 5 × 0.92 = 4.6 t dry.
func TestRunDriesEachPartAtItsOwnMoisture(t *testing.T) {
	ctx := context.Background()
	const port, mine, lot = "urn:t:site:port", "urn:t:site:mine-PAK", "urn:t:lot:K"
	ev := func(id, at, step, body string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
	}
	ship := func(id, at, bol string) string {
		return ev(id, at, "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 10, "uom": "TNE"}],
		 "bizLocation": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+port+`"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
	}
	recv := func(id, at, bol string) string {
		return ev(id, at, "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 10, "uom": "TNE"}],
		 "bizLocation": {"id": "`+port+`"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:`+bol+`"}]`)
	}
	db := store(t, doc(map[string]string{"port": "controlled_blending"},
		strings.Replace(feedAt("K", "ree_concentrate", "PAK", 30, "Nd:5"), `"cm:moisture": 0,`, `"cm:moisture": 0.08,`, 1),
		ship("s1", "2025-10-02T00:00:00Z", "A"), recv("r1", "2025-10-05T00:00:00Z", "A")))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	for _, body := range []string{
		ticketAt("p1", "2025-10-06T00:00:00Z", port, lot, "10000", "10"),
		ship("s2", "2025-10-07T00:00:00Z", "B"),
		recv("r2", "2025-10-09T00:00:00Z", "B"),
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		 "inputQuantityList": [{"epcClass": "` + lot + `", "quantity": 15, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:KO", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "` + port + `"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`,
	} {
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(nil, body))}); err != nil {
			t.Fatalf("capture: %v\n%s", err, body)
		}
	}
	l, err := db.FindLot(ctx, lot)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Parts) != 2 || l.Parts[0].Moisture == nil || !near(*l.Parts[0].Moisture, 0.10) || !near(l.Parts[0].TakenTonnes, 10) || !near(l.Parts[1].TakenTonnes, 5) {
		t.Fatalf("parts %+v; want D1 at 10 %% taken 10 t, D2 taken 5 t", l.Parts)
	}
	fifteen := 15.0
	if d := custody.InputMass(critmin.LotEdge{Parent: lot, EventID: "urn:t:ev:R", ParentQty: &fifteen, ParentUOM: "TNE", BizLocation: port}, l); !near(d, 13.6) {
		t.Errorf("15 t taken by run R: %v t dry, want 10 × 0.90 + 5 × 0.92 = 13.6 t", d)
	}
	if wet, dry := custody.StandingMass(l, port); !near(wet, 5) || !near(dry, 4.6) {
		t.Errorf("standing at the port %v t, %v t dry; want 5 t, 5 × 0.92 = 4.6 t", wet, dry)
	}
	c, err := custody.OriginOf(ctx, db, "urn:t:lot:KO", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Runs) != 1 || len(c.Runs[0].Elements) != 1 {
		t.Fatalf("runs %+v, want run R with its Nd line", c.Runs)
	}
	if in := c.Runs[0].Elements[0].In; !near(in, 0.68) {
		t.Errorf("run R's Nd in %v t, want 13.6 × 0.05 = 0.68 t", in)
	}
}
