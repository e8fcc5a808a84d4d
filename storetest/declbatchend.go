package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// testDeclarationEndsBatch (issue 8, fixPb item 3): an errorDeclaration
// that is the last event of a capture batch (the batch cut by its count,
// ledger.Service.BatchEvents) takes effect before the next batch's
// checks read the lot, as one in the middle of a batch does. Before, it
// was applied only once an event of the next batch was projected: the
// next batch's checks read the lot still moved by the declared event.
//
// Lot DB, 10,000 kg at mb (Oct 1), shipped whole mb → khi under DB1 on
// Oct 3 (10 t in transit, 0 t at mb). Batches of 3 events (the
// projection unit 12). Each in its own store, one document:
//   - lots DX and DY commissioned at mb, the shipping declared in error
//     (event 3: the first batch ends with it); then 6,000 kg of DB
//     shipped from mb to khi under DB2 on Oct 5 (event 4, the second
//     batch) — taken, as in one batch of 12: with the shipping under DB1
//     declared in error, DB's 10 t stood at mb. After: 6 t in transit
//     (under DB2), 10 − 6 = 4 t at mb; verify clean. Before, the second
//     batch's check read DB still shipped whole under DB1 and refused
//     the 6 t as a −40 % weighing difference from its 10 t.
//   - lot DC, 10,000 kg at mb, shipped whole under DC1 on Oct 3 too;
//     the document: DX, DY, DB's shipping declared (ending the first
//     batch), DC's shipping declared (opening the second), 6,000 kg of
//     DB and 6,000 kg of DC each shipped from mb under DB2: each 6 t in
//     transit, 4 t at mb; verify, which rebuilds with no batches (the
//     declarations applied once, after the second), finds the same rows.
//   - the same three events alone (the declaration ends the document):
//     DB back at mb, 10 t in stock there, 0 t in transit; verify clean.
func testDeclarationEndsBatch(t *testing.T, open Opener) {
	const lot = "urn:t:lot:DB"
	ship := ccShip("db-ship", "urn:t:bol:DB1", 3, nil, "DB:10000")
	setup := func(t *testing.T) (critmin.Store, *ledger.Service) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("DB")))
		MustCapture(t, svc, ctDoc(ship))
		tsWant(t, s, "the shipping under DB1", lot, 0, 10, 0)
		svc.BatchEvents = 3
		s.(*sqldb.DB).ProjectUnit = 12
		return s, svc
	}
	t.Run("a batch follows", func(t *testing.T) {
		s, svc := setup(t)
		MustCapture(t, svc, ctDoc(csLot("DX"), csLot("DY"), ydDeclared(ship), ccShip("db-ship2", "urn:t:bol:DB2", 5, nil, "DB:6000")))
		tsWant(t, s, "the declaration ending a batch, then 6 t of DB shipped under DB2", lot, 4, 6, 0)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	t.Run("two declarations across the cut", func(t *testing.T) {
		s, svc := setup(t)
		shipC := ccShip("dc-ship", "urn:t:bol:DC1", 3, nil, "DC:10000")
		MustCapture(t, svc, ctDoc(csLot("DC")))
		MustCapture(t, svc, ctDoc(shipC))
		MustCapture(t, svc, ctDoc(csLot("DX"), csLot("DY"), ydDeclared(ship), ydDeclared(shipC),
			ccShip("db-ship2", "urn:t:bol:DB2", 5, nil, "DB:6000"), ccShip("dc-ship2", "urn:t:bol:DB2", 5, nil, "DC:6000")))
		tsWant(t, s, "the declarations across the cut, then 6 t shipped under DB2", lot, 4, 6, 0)
		tsWant(t, s, "the declarations across the cut, then 6 t shipped under DB2", "urn:t:lot:DC", 4, 6, 0)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	t.Run("the document ends", func(t *testing.T) {
		s, svc := setup(t)
		MustCapture(t, svc, ctDoc(csLot("DX"), csLot("DY"), ydDeclared(ship)))
		tsWant(t, s, "the declaration ending the document", lot, 10, 0, 0)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
}
