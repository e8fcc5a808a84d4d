package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// testBillessReceiptChecked: a receipt of a trip with no bill of lading
// is judged against what is in transit to it (new-user check nu12 W3;
// EPCIS 2.0 §7.3.6 makes bizTransactionList optional, CBV 2.0 §7.2:
// `shipping` puts goods in transit, `receiving` ends the trip). With no
// bill the trip is known by what it carries (TripNoBillLine): a receipt
// may not take more of a lot than the outstanding trips that can end at
// its site carry, plus the 0.5 % outturn tolerance (ledger.
// OutturnTolerance), as a receipt under a bill may not take more than
// its bill's shipments carried. Each case in a store of its own; lot
// 10,000 kg at mb on Oct 1; at khi / at mb / in transit / in all:
//   - BL (a line): "BL 4,000 kg" shipped mb → khi on Oct 3 with no bill:
//     0 / 6 / 4 / 10; "BL 7,000 kg" received at khi on Oct 5 is refused
//     409 naming BL, the receipt, 4 t in transit and the 7 − 4 = 3 t
//     excess, nothing stored (was taken: 6 + 7 = 13 t of a 10 t lot);
//     "BL 4,000 kg" received instead: 4 / 6 / 0 / 10.
//   - BC (a container): 4,000 kg packed into C on Oct 2 (6 t loose), [C]
//     shipped with no bill: 0 / 6 / 4 / 10; [C] received with
//     "BC 7,000 kg": refused the same (3 t excess); [C] received with
//     "BC 4,000 kg": 4 / 6 / 0 / 10.
//   - BT (two trips, one receipt): "BT 4,000 kg" shipped on Oct 3,
//     "BT 3,000 kg" on Oct 4, both with no bill: 0 / 3 / 7 / 10;
//     "BT 8,000 kg" received on Oct 5 is refused (4 + 3 = 7 t in transit,
//     1 t excess); "BT 7,000 kg" received: both trips end, 7 / 3 / 0 / 10
//     (was 3 t left in transit as well: 13 t).
//   - BB (two shippings under ONE bill B, one receipt): "BB 4,000 kg" and
//     "BB 3,000 kg" shipped under B: 0 / 3 / 7 / 10; "BB 7,000 kg"
//     received under B: one trip, 7 / 3 / 0 / 10 (the 3 t part stayed in
//     transit: 13 t).
//   - BS (a second part to a site where one stands): "BS 4,000 kg"
//     shipped and received: 4 / 6 / 0 / 10; "BS 3,000 kg" shipped on
//     Oct 6: 4 / 3 / 3 / 10; received on Oct 7: 7 / 3 / 0 / 10 (refused
//     "recorded at 10 t and weighed at 6 t" before).
//   - BO (two trips outstanding, two receipts): "BO 4,000 kg" on Oct 3 and
//     "BO 3,000 kg" on Oct 4 shipped: 0 / 3 / 7 / 10; "BO 4,000 kg"
//     received on Oct 5: 4 / 3 / 3 / 10; "BO 3,000 kg" received on Oct 6:
//     7 / 3 / 0 / 10 (refused "nothing of it is in transit" before).
//
// Verify with its rebuild is clean at the end of each.
func testBillessReceiptChecked(t *testing.T, open Opener) {
	recv := func(id string, day int, boxes []string, lots ...string) string {
		return teRecv("nobill", "receiving", id, "", day, boxes, lots...)
	}
	t.Run("BL", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:BL"
		MustCapture(t, svc, ctDoc(csLot("BL")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "bl-ship", "", 3, nil, "BL:4000")))
		teWant(t, s, "4 t shipped", lot, 0, 6, 4, 10)
		ctRefusedWith(t, s, "BL 7 t received of 4 t in transit", ctDoc(recv("bl-recv7", 5, nil, "BL:7000")), critmin.ECONFLICT, "/epcisBody/eventList/0/quantityList/0/quantity", lot, "bl-recv7", "4", "3")
		teWant(t, s, "the refusal", lot, 0, 6, 4, 10)
		MustCapture(t, svc, ctDoc(recv("bl-recv4", 5, nil, "BL:4000")))
		teWant(t, s, "the 4 t receipt", lot, 4, 6, 0, 10)
		qeVerified(t, s, "BL")
	})
	t.Run("BC", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:BC"
		box := []string{csBox}
		MustCapture(t, svc, ctDoc(csLot("BC"), ctPack("bc-pack", "ADD", csBox, 2, "BC:4000")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "bc-ship", "", 3, box)))
		teWant(t, s, "[C] shipped", lot, 0, 6, 4, 10)
		ctRefusedWith(t, s, "[C] received as BC 7 t", ctDoc(recv("bc-recv7", 5, box, "BC:7000")), critmin.ECONFLICT, "/epcisBody/eventList/0/quantityList/0/quantity", lot, "bc-recv7", "4", "3")
		teWant(t, s, "the refusal", lot, 0, 6, 4, 10)
		MustCapture(t, svc, ctDoc(recv("bc-recv4", 5, box, "BC:4000")))
		teWant(t, s, "[C] received at 4 t", lot, 4, 6, 0, 10)
		qeVerified(t, s, "BC")
	})
	t.Run("BT", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:BT"
		MustCapture(t, svc, ctDoc(csLot("BT")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "bt-ship1", "", 3, nil, "BT:4000")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "bt-ship2", "", 4, nil, "BT:3000")))
		teWant(t, s, "4 t and 3 t shipped", lot, 0, 3, 7, 10)
		ctRefusedWith(t, s, "BT 8 t received of 7 t in transit", ctDoc(recv("bt-recv8", 5, nil, "BT:8000")), critmin.ECONFLICT, "/epcisBody/eventList/0/quantityList/0/quantity", lot, "bt-recv8", "7", "1")
		teWant(t, s, "the refusal", lot, 0, 3, 7, 10)
		MustCapture(t, svc, ctDoc(recv("bt-recv7", 5, nil, "BT:7000")))
		teWant(t, s, "the 7 t receipt", lot, 7, 3, 0, 10)
		qeVerified(t, s, "BT")
		// A store written before: verify names the lots table, and
		// migration 0149 replays the projection (the store holds a
		// receipt); run again, no change.
		db, ok := s.(*sqldb.DB)
		if !ok {
			t.Fatalf("store %T is not a sqldb.DB", s)
		}
		const khi = "urn:t:site:khi"
		tamper(t, s, `UPDATE lots SET location = '`+khi+`', location_canon = '`+khi+`' WHERE id = '`+lot+`'`,
			`DELETE FROM schema_migrations WHERE version = 149`)
		if rep := verifyFull(t, s, nil, true); rep.OK() || rep.Difference == nil || rep.Difference.Table != "lots" {
			t.Fatalf("verify of the old row: ok %v, difference %+v; want lots named", rep.OK(), rep.Difference)
		}
		for run := 1; run <= 2; run++ {
			if err := sqldb.Migrate(context.Background(), db.Write, db.Dialect, db.Migrations); err != nil {
				t.Fatalf("migration 0149 (run %d): %v", run, err)
			}
			teWant(t, s, fmt.Sprintf("migration 0149 (run %d)", run), lot, 7, 3, 0, 10)
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify after migration 0149 (run %d): %v %v", run, rep.Problem, rep.Difference)
			}
			tamper(t, s, `DELETE FROM schema_migrations WHERE version = 149`)
		}
	})
	t.Run("BB", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot, bol = "urn:t:lot:BB", "urn:t:bol:BB"
		MustCapture(t, svc, ctDoc(csLot("BB")))
		MustCapture(t, svc, ctDoc(teShip("bill", "bb-ship1", bol, 3, nil, "BB:4000")))
		MustCapture(t, svc, ctDoc(teShip("bill", "bb-ship2", bol, 4, nil, "BB:3000")))
		teWant(t, s, "4 t and 3 t shipped under B", lot, 0, 3, 7, 10)
		MustCapture(t, svc, ctDoc(teRecv("bill", "receiving", "bb-recv", bol, 5, nil, "BB:7000")))
		teWant(t, s, "the 7 t receipt under B", lot, 7, 3, 0, 10)
		qeVerified(t, s, "BB")
	})
	t.Run("BS", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:BS"
		MustCapture(t, svc, ctDoc(csLot("BS")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "bs-ship1", "", 3, nil, "BS:4000")))
		MustCapture(t, svc, ctDoc(recv("bs-recv1", 4, nil, "BS:4000")))
		teWant(t, s, "the first part received", lot, 4, 6, 0, 10)
		MustCapture(t, svc, ctDoc(teShip("nobill", "bs-ship2", "", 6, nil, "BS:3000")))
		teWant(t, s, "the second part shipped", lot, 4, 3, 3, 10)
		MustCapture(t, svc, ctDoc(recv("bs-recv2", 7, nil, "BS:3000")))
		teWant(t, s, "the second part received", lot, 7, 3, 0, 10)
		qeVerified(t, s, "BS")
	})
	t.Run("BO", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:BO"
		MustCapture(t, svc, ctDoc(csLot("BO")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "bo-ship1", "", 3, nil, "BO:4000")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "bo-ship2", "", 4, nil, "BO:3000")))
		teWant(t, s, "4 t and 3 t shipped", lot, 0, 3, 7, 10)
		MustCapture(t, svc, ctDoc(recv("bo-recv1", 5, nil, "BO:4000")))
		teWant(t, s, "the 4 t receipt", lot, 4, 3, 3, 10)
		MustCapture(t, svc, ctDoc(recv("bo-recv2", 6, nil, "BO:3000")))
		teWant(t, s, "the 3 t receipt", lot, 7, 3, 0, 10)
		qeVerified(t, s, "BO")
	})
}
