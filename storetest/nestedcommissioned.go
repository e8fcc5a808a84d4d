package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testNestedCommissioned (new-user check, WRONG PASS; docs/epcis.md
// "Nested containers holding material are refused"): an event that makes
// an instance packed into a container that stands inside another
// container material is refused 409 as a packing of material would be,
// naming the instance, both containers and the event, nothing stored.
// The bag (qxBag, serial 812345.1001, no material yet) is packed into C1
// (4000000038) at mb on Oct 2; C1, holding nothing the record knows as
// material, is packed into P (4000000069) on Oct 3: taken. Then:
//   - the bag commissioned with ILMD (PAK, REE concentrate, no
//     quantity: a lot of known origin, unknown mass) dated Oct 4, after
//     the nesting, or back-dated to Oct 1, before both packings:
//     refused, nothing stored (the event count stays 2 documents' 2
//     events) — else P shipped mb → khi and received at khi leaves the
//     bag read at mb, and a run at mb fed the bag consumes material
//     that left;
//   - the same packing, nesting and commissioning in one document, as
//     a single event (POST /events) and streamed in batches of 2:
//     refused alike;
//   - the bag made by a run's outputEPCList with ILMD: refused alike;
//   - a class: urn:t:lot:QB named in C1's childEPCs, C1 into P, then QB
//     commissioned by quantityList (10,000 kg, ILMD): refused 409 by
//     the rule that a quantity list names classes (QB is an instance);
//   - the twin: the bag unpacked from C1 on Oct 3 (DELETE naming it),
//     C1 into P on Oct 4: commissioning the bag on Oct 5 is taken (the
//     bag was out of C1 before C1 went into P), and a run at mb fed the
//     bag consumes it;
//   - a declaration in error with the same effect: that unpacking of
//     the bag declared in error after the commissioning puts the bag
//     back in C1 from Oct 2 on, inside P from Oct 4: refused.
func testNestedCommissioned(t *testing.T, open Opener) {
	const mb, khi, b1 = "urn:t:site:mb", "urn:t:site:khi", "urn:t:bol:B1"
	const bagSerial, c1, p = "812345.1001", "4000000038", "4000000069"
	ctx := context.Background()
	bagIn := ncNest("bag-in", "ADD", cbC1, mb, 2, qxBag)
	nest := ncNest("nest", "ADD", ncP, mb, 3, cbC1)
	commission := func(day string) string {
		return strings.Replace(qxBagAt("qx-bag", mb, "PAK"), "2025-10-01T", "2025-10-"+day+"T", 1)
	}
	refused := func(t *testing.T, s critmin.Store, svc *ledger.Service, what string, req ledger.CaptureRequest, names ...string) {
		t.Helper()
		before := ccEvents(t, s)
		_, err := svc.Capture(ctx, req)
		msg := errString(err)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "nested containers are not followed") {
			t.Errorf("%s: %v; want 409 refusing material inside nested containers", what, err)
		}
		for _, n := range names {
			if !strings.Contains(msg, n) {
				t.Errorf("%s: refusal %q does not name %s", what, msg, n)
			}
		}
		if after := ccEvents(t, s); after != before {
			t.Errorf("%s: %d events stored after the refusal, had %d", what, after, before)
		}
	}
	t.Run("commissioned after or before the nesting", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(bagIn))
		MustCapture(t, svc, ctDoc(nest))
		refused(t, s, svc, "bag commissioned on Oct 4, inside C1 inside P", ledger.CaptureRequest{Body: []byte(ctDoc(commission("04")))},
			bagSerial, c1, p, "urn:t:ev:qx-bag")
		refused(t, s, svc, "bag commissioned back-dated to Oct 1", ledger.CaptureRequest{Body: []byte(ctDoc(commission("01")))},
			bagSerial, c1, p, "urn:t:ev:qx-bag")
		// The whole story in one document: commissioned, P shipped to
		// khi and received there, a run at mb fed the bag.
		refused(t, s, svc, "bag commissioned, P shipped and received, run at mb fed the bag", ledger.CaptureRequest{Body: []byte(ctDoc(
			commission("04"),
			saLeave("p-ship", "shipping", b1, mb, "all", khi, 5, []string{ncP}),
			ctRecvAt("p-recv", b1, khi, 6, []string{ncP}),
			cpRunAt("bag-run", mb, 7, []string{qxBag})))}, bagSerial, c1, p, "urn:t:ev:qx-bag")
		single := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], ` + strings.TrimPrefix(strings.TrimSpace(commission("04")), "{")
		refused(t, s, svc, "bag commissioned as a single event", ledger.CaptureRequest{Body: []byte(single), SingleEvent: true}, bagSerial, c1, p, "urn:t:ev:qx-bag")
		if n := ccEvents(t, s); n != 2 {
			t.Errorf("%d events stored; want the 2 packings", n)
		}
	})
	t.Run("one document and streamed", func(t *testing.T) {
		doc := ctDoc(bagIn, nest, commission("04"))
		s := open(t)
		svc := custody.NewService(s)
		refused(t, s, svc, "packing, nesting and commissioning in one document", ledger.CaptureRequest{Body: []byte(doc)}, bagSerial, c1, p, "urn:t:ev:qx-bag")
		svc.BatchEvents = 2
		refused(t, s, svc, "streamed in batches of 2", ledger.CaptureRequest{Body: []byte(doc)}, bagSerial, c1, p, "urn:t:ev:qx-bag")
		refused(t, s, svc, "streamed in batches of 2 under proceed", ledger.CaptureRequest{Body: []byte(doc), Behaviour: critmin.BehaviourProceed}, bagSerial, c1, p, "urn:t:ev:qx-bag")
		if n := ccEvents(t, s); n != 0 {
			t.Errorf("%d events stored; want none", n)
		}
	})
	t.Run("made by a run", func(t *testing.T) {
		// A run at mb on Oct 4 outputs the bag by outputEPCList with
		// its ILMD (NdPr oxide): the bag becomes material inside C1
		// inside P.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QX"), bagIn, nest))
		run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:bag-made", "eventTime": "2025-10-04T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		  "transformationID": "urn:t:run:bag-made", "inputQuantityList": [{"epcClass": "urn:t:lot:QX", "quantity": 2000, "uom": "KGM"}], "outputEPCList": ["` + qxBag + `"], "bizLocation": {"id": "urn:t:site:mb"},
		  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 50, "cm:unit": "%", "cm:basis": "dry"}]}}`
		refused(t, s, svc, "bag output by a run", ledger.CaptureRequest{Body: []byte(ctDoc(run))}, bagSerial, c1, p, "urn:t:ev:bag-made")
		cfLotState(t, s, "after the refusal", "QX", critmin.LotInStock, 10, "", false)
	})
	t.Run("class commissioned by quantity", func(t *testing.T) {
		// urn:t:lot:QB named by childEPCs in C1 on Oct 2 (an instance
		// then), C1 into P on Oct 3; QB commissioned by quantityList
		// (10,000 kg, PAK) on Oct 1 is refused 409 by the rule that a
		// quantity list names classes, naming QB and the packing that
		// names it as an instance: the nesting never holds it.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(ncNest("qb-in", "ADD", cbC1, mb, 2, "urn:t:lot:QB"), nest))
		before := ccEvents(t, s)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(ctDoc(csLot("QB")))})
		if msg := errString(err); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(msg, "urn:t:lot:QB is a container or other single object") || !strings.Contains(msg, "urn:t:ev:qb-in") {
			t.Errorf("class QB commissioned by quantity: %v; want 409 naming QB as an instance of event qb-in", err)
		}
		if after := ccEvents(t, s); after != before {
			t.Errorf("class QB: %d events stored after the refusal, had %d", after, before)
		}
	})
	t.Run("unpacked before the nesting", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		out := ncNest("bag-out", "DELETE", cbC1, mb, 3, qxBag)
		MustCapture(t, svc, ctDoc(bagIn, out, ncNest("nest", "ADD", ncP, mb, 4, cbC1)))
		MustCapture(t, svc, ctDoc(commission("05")))
		MustCapture(t, svc, ctDoc(cpRunAt("bag-run", mb, 6, []string{qxBag})))
		if l := mustLot(t, s, canonID(t, s, qxBag)); l.Status != critmin.LotConsumed {
			t.Errorf("bag fed at mb: status %s, want consumed", l.Status)
		}
		// Declaring the unpacking in error puts the bag, material, back
		// in C1 while C1 is inside P (Oct 4 on): refused.
		// (The declaration check names the bag canonically: GS1 Digital
		// Link .../21/1001.)
		refused(t, s, svc, "the bag's unpacking declared in error", ledger.CaptureRequest{Body: []byte(ctDoc(ydDeclared(out)))}, "21/1001", c1, p, "urn:t:ev:bag-out")
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
		}
	})
}

// testNestedEmptied (WRONG REFUSAL; docs/epcis.md "Nested containers
// holding material are refused"): a container is judged by what it
// holds at the nesting's time, not by whether material was ever packed
// into it: an emptied reusable container nests as empty packaging.
// QX, 10,000 kg at mb (Oct 1); 6,000 kg packed into C1 on Oct 2.
//   - C1 emptied on Oct 3 (a DELETE naming no child; or one unpacking
//     "QX 6,000 kg": 6 − 6 = 0 t left in C1), C1 packed into P on Oct 4:
//     taken; QX still 10 t in stock at mb (a packing moves nothing),
//     verify clean. Then QX 1,000 kg packed into C1 on Oct 5, while C1
//     is inside P: refused 409 naming C1, P and QX, nothing stored.
//   - C1 emptied on Oct 3 by a run fed it whole (QX 10 − 6 = 4 t left)
//     or by a line "QX 10,000 kg" shipped to khi (loose 4 t, then 6 t
//     out of C1: 0 t left in it): C1 into P on Oct 4 is taken;
//   - the nesting back-dated to Oct 1 (before the Oct 2 packing; no
//     unpacking of C1 from P between): C1 would hold QX's 6 t inside P
//     from Oct 2: refused 409 naming C1, P and the packing qx-c1.
//   - C1 still holding its 6 t on Oct 4 (no emptying): refused.
func testNestedEmptied(t *testing.T, open Opener) {
	const mb = "urn:t:site:mb"
	fill := cpPackAt("qx-c1", "ADD", cbC1, mb, 2, "QX:6000")
	for _, empty := range []string{ncNest("c1-empty", "DELETE", cbC1, mb, 3), cpPackAt("c1-empty", "DELETE", cbC1, mb, 3, "QX:6000")} {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QX"), fill, empty))
		MustCapture(t, svc, ctDoc(ncNest("nest", "ADD", ncP, mb, 4, cbC1)))
		cfLotState(t, s, "emptied C1 nested in P", "QX", critmin.LotInStock, 10, "", false)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
		}
		ncRefused(t, s, "QX packed into C1 again while inside P", ctDoc(cpPackAt("qx-c1-2", "ADD", cbC1, mb, 5, "QX:1000")), "4000000038", "4000000069", "urn:t:lot:QX")
	}
	// Emptied by a run fed C1 whole on Oct 3 (QX 10 − 6 = 4 t left), or
	// by a line "QX 10,000 kg" shipped to khi on Oct 3 (QX's loose 4 t,
	// then 6 t out of C1: 0 t left in C1): C1 into P on Oct 4 is taken.
	for _, empty := range []string{cpRunAt("c1-run", mb, 3, []string{cbC1}), saLeave("qx-ship", "shipping", "urn:t:bol:B1", mb, "all", "urn:t:site:khi", 3, nil, "QX:10000")} {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QX"), fill))
		MustCapture(t, svc, ctDoc(empty))
		MustCapture(t, svc, ctDoc(ncNest("nest", "ADD", ncP, mb, 4, cbC1)))
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
		}
	}
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QX"), fill, ncNest("c1-empty", "DELETE", cbC1, mb, 3)))
	ncRefused(t, s, "C1 nested in P back-dated before QX was packed into it", ctDoc(ncNest("nest", "ADD", ncP, mb, 1, cbC1)), "4000000038", "4000000069", "urn:t:ev:qx-c1")
	s = open(t)
	MustCapture(t, custody.NewService(s), ctDoc(csLot("QX"), fill))
	ncRefused(t, s, "C1 holding 6 t of QX nested in P", ctDoc(ncNest("nest", "ADD", ncP, mb, 4, cbC1)), "4000000038", "4000000069", "urn:t:lot:QX")
}
