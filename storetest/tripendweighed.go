package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// testTripEndWeighed: every step that ends a trip (receiving, arriving,
// unloading, accepting; ledger's receiptSteps, CBV 2.0 §7.2) is weighed
// against the trips it ends, under a bill of lading or not, and a
// document's events are judged against the record as its earlier events
// left it (new-user check on suitetime: W1, W2, W3, W11, R2). Each case
// in a store of its own; lot 10,000 kg at mb on Oct 1; at khi / at mb /
// in transit / in all (stands + in transit + consumed = commissioned ±
// weighings, nothing consumed here):
//   - W1 (one document): "L 4,000 kg" shipped mb → khi with no bill on
//     Oct 3 and "L 10,000 kg" received at khi on Oct 5 in ONE document:
//     refused 409 naming the lot, the receipt, 4 t in transit and the
//     10 − 4 = 6 t excess, nothing stored: 0 / 10 / 0 / 10 (was taken:
//     6 + 10 = 16 t of a 10 t lot).
//   - W1M (made in the document): the lot commissioned, shipped 4 t and
//     received 10 t in one document: refused the same, nothing stored.
//   - W1C (a container): 4 t packed into C, [C] shipped and "L 10,000 kg"
//     received in one document: refused (4 t in transit, 6 t excess).
//   - W1T (a second receipt in the document): "L 4,000 kg" shipped,
//     received 4 t on Oct 5 and 4 t again on Oct 6 in one document:
//     refused 409 at the second receipt (index 2), "nothing of it is in
//     transit", as that receipt alone in a document of its own is.
//   - W2 (an arrival): "L 4,000 kg" shipped: 0 / 6 / 4 / 10; arriving,
//     unloading and accepting "L 10,000 kg" at khi each refused 409 (4 t
//     in transit, 6 t excess): 0 / 6 / 4 / 10 (was 6 + 10 = 16 t).
//   - W2B (under bill B): "L 4,000 kg" shipped under B; arriving under B
//     "L 10,000 kg": refused 409 (6 t excess), 0 / 6 / 4 / 10.
//   - W2W (the whole lot): "L 10,000 kg" shipped; arriving "L 15,000 kg"
//     refused 409 (10 t in transit, 5 t excess): 0 / 0 / 10 / 10.
//   - W3 (an arrival short of its trip): "L 4,000 kg" shipped; arriving
//     "L 2,000 kg": 2 / 6 / 0 / 8 (2 t lost: 4 − 2), flagged
//     transit_loss as a receiving of 2 t is.
//   - W11 (one receipt, two trips): "L 4,000 kg" and "L 3,000 kg"
//     shipped with no bill, "L 7,000 kg" received: 7 / 3 / 0 / 10 and
//     no transit_gain (the receipt ended 4 + 3 = 7 t of trips).
//
// Verify with its rebuild is clean at the end of each taken case.
func testTripEndWeighed(t *testing.T, open Opener) {
	const ptr0 = "/epcisBody/eventList/0/quantityList/0/quantity"
	recv := func(step, id string, day int, boxes []string, lots ...string) string {
		return teRecv("nobill", step, id, "", day, boxes, lots...)
	}
	t.Run("W1", func(t *testing.T) {
		s := open(t)
		const lot = "urn:t:lot:WA"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WA")))
		ctRefusedWith(t, s, "4 t shipped and 10 t received in one document",
			ctDoc(teShip("nobill", "wa-ship", "", 3, nil, "WA:4000"), recv("receiving", "wa-recv", 5, nil, "WA:10000")),
			critmin.ECONFLICT, "/epcisBody/eventList/1/quantityList/0/quantity", lot, "wa-recv", "4 t", "6 t")
		teWant(t, s, "the refusal", lot, 0, 10, 0, 10)
	})
	t.Run("W1M", func(t *testing.T) {
		s := open(t)
		ctRefusedWith(t, s, "made, 4 t shipped and 10 t received in one document",
			ctDoc(csLot("WM"), teShip("nobill", "wm-ship", "", 3, nil, "WM:4000"), recv("receiving", "wm-recv", 5, nil, "WM:10000")),
			critmin.ECONFLICT, "/epcisBody/eventList/2/quantityList/0/quantity", "urn:t:lot:WM", "wm-recv", "4 t", "6 t")
	})
	t.Run("W1C", func(t *testing.T) {
		s := open(t)
		const lot = "urn:t:lot:WC"
		box := []string{csBox}
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WC")))
		ctRefusedWith(t, s, "4 t packed into C, [C] shipped and 10 t received in one document",
			ctDoc(ctPack("wc-pack", "ADD", csBox, 2, "WC:4000"), teShip("nobill", "wc-ship", "", 3, box), recv("receiving", "wc-recv", 5, nil, "WC:10000")),
			critmin.ECONFLICT, "/epcisBody/eventList/2/quantityList/0/quantity", lot, "wc-recv", "4 t", "6 t")
		teWant(t, s, "the refusal", lot, 0, 10, 0, 10)
	})
	t.Run("W1T", func(t *testing.T) {
		s := open(t)
		const lot = "urn:t:lot:WT"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WT")))
		ctRefusedWith(t, s, "4 t shipped, received 4 t twice in one document",
			ctDoc(teShip("nobill", "wt-ship", "", 3, nil, "WT:4000"), recv("receiving", "wt-recv1", 5, nil, "WT:4000"), recv("receiving", "wt-recv2", 6, nil, "WT:4000")),
			critmin.ECONFLICT, "/epcisBody/eventList/2/quantityList/0", lot, "nothing of it is in transit")
		teWant(t, s, "the refusal", lot, 0, 10, 0, 10)
	})
	t.Run("W1R", func(t *testing.T) {
		s := open(t)
		const lot = "urn:t:lot:WE"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WE")))
		ctRefusedWith(t, s, "4 t shipped and 7 t received in one document",
			ctDoc(teShip("nobill", "we-ship", "", 3, nil, "WE:4000"), recv("receiving", "we-recv", 5, nil, "WE:7000")),
			critmin.ECONFLICT, "/epcisBody/eventList/1/quantityList/0/quantity", lot, "we-recv", "4 t", "3 t")
		teWant(t, s, "the refusal", lot, 0, 10, 0, 10)
	})
	t.Run("W1D", func(t *testing.T) {
		s := open(t)
		const lot = "urn:t:lot:WD"
		ship := teShip("nobill", "wd-ship", "", 3, nil, "WD:4000")
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WD")))
		MustCapture(t, custody.NewService(s), ctDoc(ship))
		ctRefusedWith(t, s, "a declaration, its corrective 4 t shipping and 10 t received in one document",
			ctDoc(qhDeclared(ship, "wd-ship2"), teShip("nobill", "wd-ship2", "", 3, nil, "WD:4000"), recv("receiving", "wd-recv", 5, nil, "WD:10000")),
			critmin.ECONFLICT, "/epcisBody/eventList/2/quantityList/0/quantity", lot, "wd-recv", "4 t", "6 t")
		teWant(t, s, "the refusal", lot, 0, 6, 4, 10)
	})
	t.Run("W1S", func(t *testing.T) {
		// Streamed in batches of one event: judged as in one batch.
		s := open(t)
		const lot = "urn:t:lot:WQ"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WQ")))
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		svc.BatchEvents = 1
		s.(*sqldb.DB).ProjectUnit = 1
		before := ccEvents(t, s)
		_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(teShip("nobill", "wq-ship", "", 3, nil, "WQ:4000"), recv("receiving", "wq-recv", 5, nil, "WQ:10000")))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(fmt.Sprint(err), "wq-recv") {
			t.Errorf("streamed 4 t shipped and 10 t received: %v; want refused 409 naming wq-recv", err)
		}
		if after := ccEvents(t, s); after != before {
			t.Errorf("streamed: %d events stored after a refusal, had %d", after, before)
		}
		teWant(t, s, "the refusal", lot, 0, 10, 0, 10)
	})
	t.Run("W2", func(t *testing.T) {
		s := open(t)
		const lot = "urn:t:lot:WR"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WR")))
		MustCapture(t, custody.NewService(s), ctDoc(teShip("nobill", "wr-ship", "", 3, nil, "WR:4000")))
		teWant(t, s, "4 t shipped", lot, 0, 6, 4, 10)
		for _, step := range []string{"arriving", "unloading", "accepting"} {
			ctRefusedWith(t, s, step+" 10 t of a 4 t trip", ctDoc(recv(step, "wr-"+step, 5, nil, "WR:10000")),
				critmin.ECONFLICT, ptr0, lot, "wr-"+step, "4 t", "6 t")
			teWant(t, s, "the refused "+step, lot, 0, 6, 4, 10)
		}
		qeVerified(t, s, "W2")
	})
	t.Run("W2B", func(t *testing.T) {
		s := open(t)
		const lot, bol = "urn:t:lot:WB", "urn:t:bol:WB"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WB")))
		MustCapture(t, custody.NewService(s), ctDoc(teShip("bill", "wb-ship", bol, 3, nil, "WB:4000")))
		ctRefusedWith(t, s, "arriving 10 t under B of a 4 t trip", ctDoc(teRecv("bill", "arriving", "wb-arr", bol, 5, nil, "WB:10000")),
			critmin.ECONFLICT, ptr0, lot, "wb-arr", "4 t", "6 t")
		teWant(t, s, "the refusal", lot, 0, 6, 4, 10)
	})
	t.Run("W2W", func(t *testing.T) {
		s := open(t)
		const lot = "urn:t:lot:WW"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WW")))
		MustCapture(t, custody.NewService(s), ctDoc(teShip("nobill", "ww-ship", "", 3, nil, "WW:10000")))
		teWant(t, s, "the lot shipped", lot, 0, 0, 10, 10)
		ctRefusedWith(t, s, "arriving 15 t of a 10 t trip", ctDoc(recv("arriving", "ww-arr", 5, nil, "WW:15000")),
			critmin.ECONFLICT, ptr0, lot, "ww-arr", "10 t", "5 t")
		teWant(t, s, "the refusal", lot, 0, 0, 10, 10)
	})
	t.Run("W3", func(t *testing.T) {
		s := open(t)
		const lot = "urn:t:lot:WS"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WS")))
		MustCapture(t, custody.NewService(s), ctDoc(teShip("nobill", "ws-ship", "", 3, nil, "WS:4000")))
		MustCapture(t, custody.NewService(s), ctDoc(recv("arriving", "ws-arr", 5, nil, "WS:2000")))
		teWant(t, s, "arriving 2 t of a 4 t trip", lot, 2, 6, 0, 8)
		if a := weAnomalies(t, s, lot); !strings.Contains(a, "transit_loss") || !strings.Contains(a, "ws-arr") {
			t.Errorf("WS after arriving 2 t of 4 t: anomalies %q; want transit_loss naming ws-arr", a)
		}
		qeVerified(t, s, "W3")
	})
	t.Run("W11", func(t *testing.T) {
		s := open(t)
		const lot = "urn:t:lot:WG"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WG")))
		MustCapture(t, custody.NewService(s), ctDoc(teShip("nobill", "wg-ship1", "", 3, nil, "WG:4000")))
		MustCapture(t, custody.NewService(s), ctDoc(teShip("nobill", "wg-ship2", "", 4, nil, "WG:3000")))
		MustCapture(t, custody.NewService(s), ctDoc(recv("receiving", "wg-recv", 5, nil, "WG:7000")))
		teWant(t, s, "the 7 t receipt", lot, 7, 3, 0, 10)
		if a := weAnomalies(t, s, lot); strings.Contains(a, "transit_") {
			t.Errorf("WG after 7 t received of 4 + 3 t: anomalies %q; want no transit flag", a)
		}
		qeVerified(t, s, "W11")
	})
	t.Run("R2", func(t *testing.T) {
		// "L 4 t" and "L 3 t" shipped; arriving "L 4 t" ends the first
		// trip (4 / 3 / 3 / 10); receiving "L 7 t" is the same end of
		// that trip with the second's: 7 / 3 / 0 / 10.
		s := open(t)
		const lot = "urn:t:lot:WJ"
		MustCapture(t, custody.NewService(s), ctDoc(csLot("WJ")))
		MustCapture(t, custody.NewService(s), ctDoc(teShip("nobill", "wj-ship1", "", 3, nil, "WJ:4000")))
		MustCapture(t, custody.NewService(s), ctDoc(teShip("nobill", "wj-ship2", "", 4, nil, "WJ:3000")))
		MustCapture(t, custody.NewService(s), ctDoc(recv("arriving", "wj-arr", 5, nil, "WJ:4000")))
		teWant(t, s, "arriving 4 t", lot, 4, 3, 3, 10)
		MustCapture(t, custody.NewService(s), ctDoc(recv("receiving", "wj-recv", 6, nil, "WJ:7000")))
		teWant(t, s, "receiving 7 t", lot, 7, 3, 0, 10)
		qeVerified(t, s, "R2")
		// A store written before: migration 0150 replays the
		// projection (the store holds a receipt step); run again, no
		// change.
		db, ok := s.(*sqldb.DB)
		if !ok {
			t.Fatalf("store %T is not a sqldb.DB", s)
		}
		tamper(t, s, `UPDATE lots SET quantity = 14000, wet_t = 14 WHERE id = '`+lot+`'`, `DELETE FROM schema_migrations WHERE version = 150`)
		for run := 1; run <= 2; run++ {
			if err := sqldb.Migrate(context.Background(), db.Write, db.Dialect, db.Migrations); err != nil {
				t.Fatalf("migration 0150 (run %d): %v", run, err)
			}
			teWant(t, s, fmt.Sprintf("migration 0150 (run %d)", run), lot, 7, 3, 0, 10)
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify after migration 0150 (run %d): %v %v", run, rep.Problem, rep.Difference)
			}
			tamper(t, s, `DELETE FROM schema_migrations WHERE version = 150`)
		}
	})
}

// weAnomalies is lot's origin anomalies, kind and detail, one a line.
func weAnomalies(t *testing.T, s critmin.Store, lot string) string {
	t.Helper()
	o, err := custody.OriginOf(context.Background(), s.(custody.Store), lot, false)
	if err != nil {
		t.Fatalf("origin of %s: %v", lot, err)
	}
	var b strings.Builder
	for _, a := range o.Anomalies {
		b.WriteString(a.Kind + ": " + a.Detail + "\n")
	}
	return b.String()
}
