package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// testOneBillEqualParts (new-user check W4; docs/epcis.md "Several
// shippings under one bill"): a second shipping (bizStep shipping) of a
// lot by a line under the bill of lading of a part still in transit
// from the same site is another part of that trip, whatever its weight;
// a departing or a loading after the shipping is a further step of the
// part (CBV 2.0 §7.2: shipping is the whole of staging, loading and
// departing; EPCIS 2.0 §7.3.6: the bizTransactionList names the bill).
// Before, "L 4 t" shipped twice under B read as one 4 t part's two
// steps: 6 t at mb and 4 t in transit, while the receipt check read 8 t
// shipped — an 8 t receipt left 14 t of a 10 t lot, and a run at mb
// taking the 6 t the lot page showed there was refused as in transit.
func testOneBillEqualParts(t *testing.T, open Opener) {
	const bol = "urn:t:bol:B"
	t.Run("two shippings of 4 t", func(t *testing.T) {
		// EQ 10 t at mb; "EQ 4,000 kg" shipped under B on Oct 3 and
		// again on Oct 4: 4 + 4 = 8 t in transit, 10 − 8 = 2 t at mb.
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:EQ"
		MustCapture(t, svc, ctDoc(csLot("EQ")))
		MustCapture(t, svc, ctDoc(ccShip("eq-ship1", bol, 3, nil, "EQ:4000")))
		MustCapture(t, svc, ctDoc(ccShip("eq-ship2", bol, 4, nil, "EQ:4000")))
		teWant(t, s, "4 t and 4 t shipped under B", lot, 0, 2, 8, 10)
		// A store written before (its lots row's parts edited away):
		// verify names the lots table; migration 0154 replays the
		// projection: 2 t at mb, 8 t in transit; run twice, no change.
		db := s.(*sqldb.DB)
		tamper(t, s, `UPDATE lots SET parts = '[]' WHERE id = '`+lot+`'`, `DELETE FROM schema_migrations WHERE version = 154`)
		if rep := verifyFull(t, s, nil, true); rep.OK() || rep.Difference == nil || rep.Difference.Table != "lots" {
			t.Fatalf("verify of the old row: ok %v, difference %+v; want lots named", rep.OK(), rep.Difference)
		}
		for run := 1; run <= 2; run++ {
			if err := sqldb.Migrate(context.Background(), db.Write, db.Dialect, db.Migrations); err != nil {
				t.Fatalf("migration 0154 (run %d): %v", run, err)
			}
			teWant(t, s, fmt.Sprintf("migration 0154 (run %d)", run), lot, 0, 2, 8, 10)
			qeVerified(t, s, fmt.Sprintf("after migration 0154 (run %d)", run))
			tamper(t, s, `DELETE FROM schema_migrations WHERE version = 154`)
		}
		// A receipt of 12 t under B: 12 > 8 t shipped, refused 409.
		ccRefused(t, s, "a 12 t receipt under B", ctDoc(teRecv("bill", "receiving", "eq-recv12", bol, 5, nil, "EQ:12000")), "8 t")
		// A run at mb taking 6 t: 2 t stand there, refused.
		ccRefused(t, s, "a run at mb taking 6 t", ctDoc(cfRun("eq-run6", 5, nil, []string{"EQ:6000"}, "OP-eq-run6", 1000)), lot)
		// The 8 t receipt under B: 8 t at khi, 2 t at mb, 10 t in all.
		MustCapture(t, svc, ctDoc(teRecv("bill", "receiving", "eq-recv", bol, 6, nil, "EQ:8000")))
		teWant(t, s, "the 8 t receipt under B", lot, 8, 2, 0, 10)
		// A run at mb taking the 2 t there: taken.
		MustCapture(t, svc, ctDoc(cfRun("eq-run2", 7, nil, []string{"EQ:2000"}, "OP-eq-run2", 1000)))
		teWant(t, s, "the run taking the 2 t at mb", lot, 8, 0, 0, 10)
		qeVerified(t, s, "EQ")
	})
	for _, step := range []string{"departing", "loading"} {
		t.Run("shipping then "+step, func(t *testing.T) {
			// "ES 4,000 kg" shipped under B on Oct 3, then "ES 4,000
			// kg" <step> under B on Oct 4: one part's further step,
			// 4 t in transit, 10 − 4 = 6 t at mb; received 4 t at khi.
			s := open(t)
			svc := custody.NewService(s)
			const lot = "urn:t:lot:ES"
			MustCapture(t, svc, ctDoc(csLot("ES")))
			MustCapture(t, svc, ctDoc(ccShip("es-ship", bol, 3, nil, "ES:4000")))
			MustCapture(t, svc, ctDoc(ctStep("es-step", step, bol, 4, nil, "ES:4000")))
			teWant(t, s, "4 t shipped then "+step+" under B", lot, 0, 6, 4, 10)
			MustCapture(t, svc, ctDoc(teRecv("bill", "receiving", "es-recv", bol, 5, nil, "ES:4000")))
			teWant(t, s, "the 4 t receipt under B", lot, 4, 6, 0, 10)
			qeVerified(t, s, "ES")
		})
	}
	t.Run("departing then shipping", func(t *testing.T) {
		// "ED 4,000 kg" departing mb under B on Oct 3, then "ED 4,000
		// kg" shipping under B on Oct 4 (the one consignment's
		// shipping recorded after its departure): the shipping is a
		// further step of the part the departing sent
		// (LotPart.DispatchStep): 4 t in transit, 6 t at mb.
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:ED"
		MustCapture(t, svc, ctDoc(csLot("ED")))
		MustCapture(t, svc, ctDoc(ctStep("ed-dep", "departing", bol, 3, nil, "ED:4000")))
		MustCapture(t, svc, ctDoc(ccShip("ed-ship", bol, 4, nil, "ED:4000")))
		teWant(t, s, "4 t departing then shipping under B", lot, 0, 6, 4, 10)
		MustCapture(t, svc, ctDoc(teRecv("bill", "receiving", "ed-recv", bol, 5, nil, "ED:4000")))
		teWant(t, s, "the 4 t receipt under B", lot, 4, 6, 0, 10)
		qeVerified(t, s, "ED")
	})
}
