package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testPackingAfterConsumed (builder packlater; WRONG PASS): a packing of
// material into a container is judged against the record in event time,
// like the shipping of it (ShipConsumedBody) and like other back-dated
// events (BackDatedContainerRule):
//   - a packing dated after a run at its site consumed what stood of the
//     lot there packs material that no longer exists (CBV 2.0: a
//     transformation's inputs go into its outputs): refused 409 naming the
//     lot, the site, the run and the tonnes;
//   - a packing into a container dated before a stored run fed that
//     container whole (inputEPCList) adds material the stored run, whose
//     consumption was read from the container's contents at its capture,
//     would have consumed and did not (EPCIS 2.0 §7.4.3: eventTime is when
//     it happened): refused 409 naming the packing, the container and the
//     run, nothing stored.
func testPackingAfterConsumed(t *testing.T, open Opener) {
	ctx := context.Background()
	refused := func(t *testing.T, s critmin.Store, svc *ledger.Service, what string, events []string, named ...string) {
		t.Helper()
		n := ccEvents(t, s)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(ctDoc(events...))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			t.Errorf("%s: %v; want refused 409 naming %v", what, err, named)
		} else {
			msg := critmin.ErrorMessage(err)
			for _, id := range named {
				if !strings.Contains(msg, id) {
					t.Errorf("%s: the refusal does not name %q:\n%s", what, id, msg)
				}
			}
		}
		if ccEvents(t, s) != n {
			t.Errorf("%s: the refused capture stored something", what)
		}
	}

	t.Run("whole lot consumed", func(t *testing.T) {
		// Lot PC 10,000 kg at mb (Oct 1); run pc-run at mb on Oct 5
		// takes its whole 10,000 kg by line: 10 − 10 = 0 t left, PC
		// consumed. 1,000 kg of PC packed into C1 at mb on Oct 6: 1 t
		// packed of 0 t standing. Refused 409 naming PC, the run
		// (urn:t:run:pc-run) and its tonnes ("0 t remain": the lot
		// consumed whole is refused by the consumed-lot rule before the
		// standing rule); PC stays consumed with 0 t.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PC")))
		MustCapture(t, svc, ctDoc(cfRun("pc-run", 5, nil, []string{"PC:10000"}, "PCO", 1000)))
		refused(t, s, svc, "1 t of PC packed at mb after pc-run consumed it", []string{ctPack("pc-pack", "ADD", cbC1, 6, "PC:1000")},
			"urn:t:lot:PC", "urn:t:run:pc-run", "10 t of its 10 t; 0 t remain")
		if l := mustLot(t, s, "urn:t:lot:PC"); l.Status != critmin.LotConsumed {
			t.Errorf("after the refusal: PC %s, want consumed", l.Status)
		}
		pkStanding(t, s, "after the refusal", "PC", 0)
	})
	t.Run("body consumed at the site", func(t *testing.T) {
		// Lot PB 10,000 kg at mb; 4,000 kg shipped mb → hou (Oct 2) and
		// received there (Oct 3): 4 t at hou, 10 − 4 = 6 t at mb; run
		// pb-run at mb on Oct 5 takes the body's 6,000 kg: 6 − 6 = 0 t
		// at mb, 4 t still at hou. 1,000 kg of PB packed into C1 at mb on
		// Oct 6: 1 t of the 0 t at mb. Refused 409 naming PB, mb, the run
		// and 1 t (before it was taken: nu12 minor); 4 t still stand (at
		// hou).
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PB")))
		MustCapture(t, svc, ctDoc(saLeave("pb-part", "shipping", "urn:t:bol:PB-P", "urn:t:site:mb", "all", "urn:t:site:hou", 2, nil, "PB:4000")))
		MustCapture(t, svc, ctDoc(ctRecvAt("pb-recv", "urn:t:bol:PB-P", "urn:t:site:hou", 3, nil, "PB:4000")))
		MustCapture(t, svc, ctDoc(cfRun("pb-run", 5, nil, []string{"PB:6000"}, "PBO", 600)))
		refused(t, s, svc, "1 t of PB packed at mb after pb-run consumed the body there", []string{ctPack("pb-pack", "ADD", cbC1, 6, "PB:1000")},
			"lot urn:t:lot:PB refused", "packs 1 t of it at urn:t:site:mb", "run urn:t:ev:pb-run consumed what stood of it there")
		pkStanding(t, s, "after the refusal", "PB", 4)
	})
	t.Run("consumed in the same document", func(t *testing.T) {
		// The run and the packing in one document: PD 10 t at mb, run
		// pd-run takes 10,000 kg on Oct 5, 1,000 kg packed into C1 on
		// Oct 6. Refused 409 naming PD and the run; nothing stored.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PD")))
		refused(t, s, svc, "the run and a later packing of PD in one document", []string{cfRun("pd-run", 5, nil, []string{"PD:10000"}, "PDO", 1000), ctPack("pd-pack", "ADD", cbC1, 6, "PD:1000")},
			"urn:t:lot:PD", "urn:t:run:pd-run", "0 t remain")
	})

	t.Run("back-dated packing into a container a stored run was fed whole", func(t *testing.T) {
		// Lot PF 10 t at mb; 6,000 kg packed into C1 (Oct 2), 4 t loose;
		// run pf-R fed C1 whole (inputEPCList, no line) on Oct 5: it
		// consumed C1's 6 t as captured; 4 t of PF stand loose at mb.
		// Back-dated: the 4,000 kg loose packed into C1 on Oct 3. On Oct
		// 5 C1 would hold 6 + 4 = 10 t, all of which the stored run
		// consumed, while the record books it 6 t: 4 t both consumed and
		// standing. Refused 409 naming pf-p2, C1 and pf-R; nothing
		// stored, 4 t still stand.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PF"), ctPack("pf-p1", "ADD", cbC1, 2, "PF:6000")))
		MustCapture(t, svc, ctDoc(cfRun("pf-R", 5, []string{cbC1}, nil, "PFO", 600)))
		pkStanding(t, s, "after the run", "PF", 4)
		refused(t, s, svc, "4 t packed into C1 on Oct 3, before the stored Oct 5 run fed it whole", []string{ctPack("pf-p2", "ADD", cbC1, 3, "PF:4000")},
			"urn:t:ev:pf-p2", cbC1, "urn:t:ev:pf-R")
		pkStanding(t, s, "after the refusal", "PF", 4)
		qeVerified(t, s, "after the refusal")
	})
	t.Run("back-dated packing of another lot into a container a stored run was fed whole", func(t *testing.T) {
		// Lots PG and PH 10 t each at mb; PG 10,000 kg packed into C1
		// (Oct 2); run pg-R fed C1 whole on Oct 5: it consumed PG's 10 t
		// (PG consumed), PH untouched (10 t). Back-dated: 3,000 kg of PH
		// packed into C1 on Oct 3: on Oct 5 C1 would hold PG 10 t + PH
		// 3 t, the run consuming the 3 t of PH the record still stands.
		// Refused 409 naming ph-p, C1 and pg-R; PH still 10 t.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PG"), csLot("PH"), ctPack("pg-p", "ADD", cbC1, 2, "PG:10000")))
		MustCapture(t, svc, ctDoc(cfRun("pg-R", 5, []string{cbC1}, nil, "PGO", 1000)))
		refused(t, s, svc, "3 t of PH packed into C1 on Oct 3, before the stored Oct 5 run fed it whole", []string{ctPack("ph-p", "ADD", cbC1, 3, "PH:3000")},
			"urn:t:ev:ph-p", cbC1, "urn:t:ev:pg-R")
		pkStanding(t, s, "after the refusal", "PH", 10)
	})
	t.Run("packing then run in two documents", func(t *testing.T) {
		// The same events captured in event order: PJ 10 t; 6,000 kg
		// into C1 (Oct 2), 4,000 kg into C1 (Oct 3), run pj-R fed C1
		// whole (Oct 5): it consumes C1's 10 t. Taken; PJ consumed, 0 t.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PJ"), ctPack("pj-p1", "ADD", cbC1, 2, "PJ:6000")))
		MustCapture(t, svc, ctDoc(ctPack("pj-p2", "ADD", cbC1, 3, "PJ:4000")))
		MustCapture(t, svc, ctDoc(cfRun("pj-R", 5, []string{cbC1}, nil, "PJO", 1000)))
		if l := mustLot(t, s, "urn:t:lot:PJ"); l.Status != critmin.LotConsumed {
			t.Errorf("PJ %s, want consumed", l.Status)
		}
		pkStanding(t, s, "after the run", "PJ", 0)
	})
	t.Run("one document, packing listed first", func(t *testing.T) {
		// After 6,000 kg of PK packed into C1 (Oct 2): one document
		// listing the Oct 3 packing of the 4,000 kg loose into C1, then
		// the run pk-R fed C1 whole (Oct 5): C1 holds 6 + 4 = 10 t when
		// the run reads it. Taken; PK consumed, 0 t.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PK"), ctPack("pk-p1", "ADD", cbC1, 2, "PK:6000")))
		MustCapture(t, svc, ctDoc(ctPack("pk-p2", "ADD", cbC1, 3, "PK:4000"), cfRun("pk-R", 5, []string{cbC1}, nil, "PKO", 1000)))
		if l := mustLot(t, s, "urn:t:lot:PK"); l.Status != critmin.LotConsumed {
			t.Errorf("PK %s, want consumed", l.Status)
		}
		pkStanding(t, s, "after the run", "PK", 0)
		qeVerified(t, s, "at the end")
	})
	t.Run("one document, run listed first", func(t *testing.T) {
		// The same document listing the run (Oct 5, fed C1 whole) before
		// the Oct 3 packing: the run would read C1's 6 t and the 4 t
		// packed after it in the document would stand though inside the
		// container it consumed (before: taken so, PK 4 t in stock).
		// Refused 400 (the document's own order, as a packing listed
		// after a movement of its container it predates) naming pk-p2,
		// C1 and pk-R; nothing stored, PK still 6 + 4 = 10 t (no run).
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PK"), ctPack("pk-p1", "ADD", cbC1, 2, "PK:6000")))
		n := ccEvents(t, s)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(ctDoc(cfRun("pk-R", 5, []string{cbC1}, nil, "PKO", 1000), ctPack("pk-p2", "ADD", cbC1, 3, "PK:4000")))})
		msg := critmin.ErrorMessage(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(msg, "urn:t:ev:pk-p2") || !strings.Contains(msg, cbC1) || !strings.Contains(msg, "run urn:t:ev:pk-R") {
			t.Errorf("the run listed before the packing it postdates: %v; want refused 400 naming pk-p2, C1 and pk-R", err)
		}
		if ccEvents(t, s) != n {
			t.Errorf("the refused document stored something")
		}
		pkStanding(t, s, "after the refusal", "PK", 10)
	})
	t.Run("unpacking after the body was consumed", func(t *testing.T) {
		// Lot PU 10,000 kg at mb; 4,000 kg shipped mb → hou (Oct 2) and
		// received there (Oct 3): 4 t at hou, 6 t at mb; 2,000 kg packed
		// into C1 at mb (Oct 4); run pu-run at mb takes the body's 6,000
		// kg (Oct 5): the 4 t loose and the 2 t in C1 (6 − 6 = 0 t at
		// mb, C1 holds 0 t of PU). Unpacking 2,000 kg of PU from C1 at mb
		// on Oct 6: 2 t out of a container holding 0 t. Refused 409
		// naming PU and C1; 4 t still stand (at hou).
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PU")))
		MustCapture(t, svc, ctDoc(saLeave("pu-part", "shipping", "urn:t:bol:PU-P", "urn:t:site:mb", "all", "urn:t:site:hou", 2, nil, "PU:4000")))
		MustCapture(t, svc, ctDoc(ctRecvAt("pu-recv", "urn:t:bol:PU-P", "urn:t:site:hou", 3, nil, "PU:4000"), ctPack("pu-pack", "ADD", cbC1, 4, "PU:2000")))
		MustCapture(t, svc, ctDoc(cfRun("pu-run", 5, nil, []string{"PU:6000"}, "PUO", 600)))
		unpack := strings.Replace(ctPack("pu-unpack", "DELETE", cbC1, 6, "PU:2000"), `"packing"`, `"unpacking"`, 1)
		refused(t, s, svc, "2 t of PU unpacked from C1 at mb after pu-run consumed the body there", []string{unpack}, "urn:t:lot:PU", cbC1)
		pkStanding(t, s, "after the refusal", "PU", 4)
	})
}
