package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// dcrUnpack is an unpacking of lines ("lot:kg") from container sscc at
// mb on day.
func dcrUnpack(id, sscc string, day int, lines ...string) string {
	return strings.Replace(ctPack(id, "DELETE", sscc, day, lines...), `"packing"`, `"unpacking"`, 1)
}

// dcrRefused captures decl and wants it refused 409 with a message
// naming every one of words (the declared event, the broken stored
// event, the container, the tonnes), nothing stored, and verify clean
// afterwards.
func dcrRefused(t *testing.T, s critmin.Store, svc *ledger.Service, what string, decl []string, words ...string) {
	t.Helper()
	n := ccEvents(t, s)
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(decl...))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("%s: %v; want refused 409 naming %v", what, err, words)
	} else {
		msg := critmin.ErrorMessage(err)
		for _, w := range words {
			found := false
			for _, alt := range strings.Split(w, "|") { // a container as captured or canonical
				found = found || strings.Contains(msg, alt)
			}
			if !found {
				t.Errorf("%s: the refusal does not name %q:\n%s", what, w, msg)
			}
		}
	}
	if ccEvents(t, s) != n {
		t.Errorf("%s: the refused declaration stored something", what)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("%s: after the refusal: %v %v %v; want ok", what, rep.Problem, rep.Difference, rep.ContainerRuleProblem)
	}
}

// dcrTaken captures decl and wants it taken, verify clean afterwards.
func dcrTaken(t *testing.T, s critmin.Store, svc *ledger.Service, what string, decl []string) {
	t.Helper()
	if _, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(decl...))}); err != nil {
		t.Errorf("%s: %v; want taken", what, err)
		return
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("%s: after the declaration: %v %v %v; want ok", what, rep.Problem, rep.Difference, rep.ContainerRuleProblem)
	}
}

// testDeclaredContainerRule (nu12 W4): an errorDeclaration (EPCIS 2.0
// §7.4.1.2), with or without corrective events, takes the declared event
// out of the record the rules read; where that leaves a stored live
// event breaking a container rule capture enforces (a line beside
// containers below what they held or above what they held plus the loose
// rest, fixQu; a run fed whole a container that then held nothing,
// fixQr; a dispatch of a container from where it did not stand, fixQl),
// the declaration is refused 409 naming the declared event, the broken
// event, the container and the tonnes, and nothing is stored — the
// record verify would otherwise flag (containerRuleProblem) is never
// made. Declared together with the events it would leave broken, it is
// taken.
func testDeclaredContainerRule(t *testing.T, open Opener) {
	c1 := cbC1 + "|" + epcis.Canonical(cbC1)
	// wAShip: lot WA 10 t at mb; 6 t packed into C1 (Oct 2); 5 t
	// unpacked from C1 (Oct 3): C1 holds 6 − 5 = 1 t, 4 + 5 = 9 t loose;
	// [C1] shipped from mb beside "WA 1,000 kg" (Oct 5): 1 t held, 1 t
	// line, taken.
	wAShip := func(t *testing.T, svc *ledger.Service) (unpack, ship string) {
		unpack = dcrUnpack("wa-unpack", cbC1, 3, "WA:5000")
		ship = ccShip("wa-ship", "urn:t:bol:BOL-WA", 5, []string{cbC1}, "WA:1000")
		MustCapture(t, svc, ctDoc(csLot("WA"), ctPack("wa-pack", "ADD", cbC1, 2, "WA:6000")))
		MustCapture(t, svc, ctDoc(unpack))
		MustCapture(t, svc, ctDoc(ship))
		return unpack, ship
	}
	t.Run("unpacking declared under a shipment's line", func(t *testing.T) {
		// wAShip; the unpacking declared: C1 holds 6 t on Oct 5 beside
		// the stored 1 t line: 6 t > 1 × 1.005 = 1.005 t, 5 t of WA left
		// behind at mb inside a container that went. Refused 409 naming
		// wa-unpack, wa-ship, C1, 1 t and 6 t.
		s := open(t)
		svc := custody.NewService(s)
		unpack, _ := wAShip(t, svc)
		dcrRefused(t, s, svc, "the unpacking declared", []string{ydDeclared(unpack)}, "urn:t:ev:wa-unpack", "urn:t:ev:wa-ship", c1, "1 t", "6 t")
		// A run of 9 t of WA at mb (Oct 6): 9 t loose at mb (10 − 1
		// shipped), taken.
		MustCapture(t, svc, ctDoc(cfRun("wa-R", 6, nil, []string{"WA:9000"}, "WAO", 1000)))
		qeVerified(t, s, "after the run")
	})
	t.Run("unpacking declared with the shipment", func(t *testing.T) {
		// wAShip; the unpacking and the shipment declared together: C1
		// holds 6 t at mb, WA 10 t at mb, nothing left beside a line.
		// Taken.
		s := open(t)
		svc := custody.NewService(s)
		unpack, ship := wAShip(t, svc)
		dcrTaken(t, s, svc, "the unpacking and the shipment declared", []string{ydDeclared(unpack), ydDeclared(ship)})
		pkStanding(t, s, "after the declaration", "WA", 10)
	})
	t.Run("unpacking declared with a corrective dated before the shipment", func(t *testing.T) {
		// wAShip; the unpacking declared with its corrective, 5 t
		// unpacked on Oct 4: C1 would hold 6 − 5 = 1 t on Oct 5 beside
		// the 1 t line, but the corrective is a packing change dated
		// before the recorded movement of C1 (Oct 5), which carries
		// what C1 held when it was captured: refused 409 naming wa-ship
		// (ContainerMovesDeclared's rule, checkContentsChanged).
		s := open(t)
		svc := custody.NewService(s)
		unpack, _ := wAShip(t, svc)
		dcrRefused(t, s, svc, "the unpacking declared with a 5 t corrective of Oct 4", []string{declaredWith(t, unpack, "urn:t:ev:wa-unpack2"), dcrUnpack("wa-unpack2", cbC1, 4, "WA:5000")}, "urn:t:ev:wa-ship", "would change what that movement carried")
	})
	t.Run("unpacking and shipment declared with a corrective shipment", func(t *testing.T) {
		// wAShip; the unpacking and the shipment declared, the shipment's
		// corrective [C1] beside "WA 6,000 kg" (Oct 5): C1 holds 6 t, the
		// line 6 t. Taken.
		s := open(t)
		svc := custody.NewService(s)
		unpack, ship := wAShip(t, svc)
		dcrTaken(t, s, svc, "the corrective ship of 6 t", []string{ydDeclared(unpack), declaredWith(t, ship, "urn:t:ev:wa-ship2"), ccShip("wa-ship2", "urn:t:bol:BOL-WA2", 5, []string{cbC1}, "WA:6000")})
	})
	t.Run("unpacking and shipment declared with a short corrective shipment", func(t *testing.T) {
		// The same, the corrective beside "WA 1,000 kg": C1 holds 6 t
		// on Oct 5: 6 t > 1 × 1.005 = 1.005 t. Refused 409 naming the
		// corrective (eventList/2), 1 t and 6 t (the document's own line,
		// heldBeside).
		s := open(t)
		svc := custody.NewService(s)
		unpack, ship := wAShip(t, svc)
		dcrRefused(t, s, svc, "the corrective ship of 1 t", []string{ydDeclared(unpack), declaredWith(t, ship, "urn:t:ev:wa-ship2"), ccShip("wa-ship2", "urn:t:bol:BOL-WA2", 5, []string{cbC1}, "WA:1000")}, "/epcisBody/eventList/2/quantityList", "1 t", "6 t")
	})
	t.Run("unpacking declared under a run's line", func(t *testing.T) {
		// Lot WB 10 t at mb; 6 t packed into C1 (Oct 2); 5 t unpacked
		// (Oct 3): C1 holds 1 t. Run wb-R at mb fed C1 whole beside "WB
		// 1,000 kg" (Oct 5): 1 t held, 1 t line, taken. The unpacking
		// declared: C1 holds 6 t beside the run's 1 t line: 6 t > 1.005
		// t, the run consumed C1 and left 5 t of what was inside it.
		// Refused 409 naming wb-unpack, wb-R, C1, 1 t and 6 t.
		s := open(t)
		svc := custody.NewService(s)
		unpack := dcrUnpack("wb-unpack", cbC1, 3, "WB:5000")
		MustCapture(t, svc, ctDoc(csLot("WB"), ctPack("wb-pack", "ADD", cbC1, 2, "WB:6000")))
		MustCapture(t, svc, ctDoc(unpack))
		MustCapture(t, svc, ctDoc(cfRun("wb-R", 5, []string{cbC1}, []string{"WB:1000"}, "WBO", 500)))
		dcrRefused(t, s, svc, "the unpacking declared", []string{ydDeclared(unpack)}, "urn:t:ev:wb-unpack", "urn:t:ev:wb-R", c1, "1 t", "6 t")
	})
	t.Run("unpacking declared under a line above", func(t *testing.T) {
		// Lot WC 10 t at mb; 6 t packed into C1 (Oct 2), 4 t into C2
		// (Oct 3); C2 unpacked whole (Oct 4): 4 t loose. [C1] shipped
		// beside "WC 10,000 kg" (Oct 5): 10 t ≤ (6 + 4) × 1.005 = 10.05
		// t, taken. C2's unpacking declared: on Oct 5 C2 holds 4 t, 0 t
		// loose: 10 t > 6 × 1.005 = 6.03 t, the line moved C2's 4 t
		// while C2 stayed at mb. Refused 409 naming wc-unpack, wc-ship,
		// C1, 10 t and 6 t.
		s := open(t)
		svc := custody.NewService(s)
		unpack := dcrUnpack("wc-unpack", cbC2, 4, "WC:4000")
		MustCapture(t, svc, ctDoc(csLot("WC"), ctPack("wc-p1", "ADD", cbC1, 2, "WC:6000"), ctPack("wc-p2", "ADD", cbC2, 3, "WC:4000")))
		MustCapture(t, svc, ctDoc(unpack))
		MustCapture(t, svc, ctDoc(ccShip("wc-ship", "urn:t:bol:BOL-WC", 5, []string{cbC1}, "WC:10000")))
		dcrRefused(t, s, svc, "C2's unpacking declared", []string{ydDeclared(unpack)}, "urn:t:ev:wc-unpack", "urn:t:ev:wc-ship", c1, "10 t", "6 t")
	})
	t.Run("shipment declared under a line above", func(t *testing.T) {
		// Lot WD 10 t at mb; 6 t packed into C1 (Oct 2), 4 t into C2
		// (Oct 2). [C2] shipped mb → khi (Oct 3) beside "WD 4,000 kg",
		// received at khi (Oct 4); there C2 unpacked whole (Oct 5): 4 t
		// loose at khi. Then at khi ... (see below). Declaring the
		// shipment and the receipt leaves C2 at mb, its unpacking at khi
		// stranded: refused 409 naming wd-unpack (the existing rule).
		s := open(t)
		svc := custody.NewService(s)
		ship := ccShip("wd-ship", "urn:t:bol:BOL-WD", 3, []string{cbC2}, "WD:4000")
		recv := ctRecvAt("wd-recv", "urn:t:bol:BOL-WD", "urn:t:site:khi", 4, []string{cbC2}, "WD:4000")
		MustCapture(t, svc, ctDoc(csLot("WD"), ctPack("wd-p1", "ADD", cbC1, 2, "WD:6000"), ctPack("wd-p2", "ADD", cbC2, 2, "WD:4000")))
		MustCapture(t, svc, ctDoc(ship))
		MustCapture(t, svc, ctDoc(recv))
		// [C1] shipped from mb beside "WD 6,000 kg" (Oct 6): 6 t held,
		// 0 t loose at mb, taken. Declaring the shipment of C2 and its
		// receipt: on Oct 6 C1 holds 6 t, C2 4 t at mb, 0 t loose: the
		// line, 6 t, stands. Taken.
		MustCapture(t, svc, ctDoc(ccShip("wd-ship2", "urn:t:bol:BOL-WD2", 6, []string{cbC1}, "WD:6000")))
		dcrTaken(t, s, svc, "C2's shipment and receipt declared", []string{ydDeclared(ship), ydDeclared(recv)})
	})
	t.Run("packing declared under a run fed the container", func(t *testing.T) {
		// Lot WE 10 t packed whole into C1 at mb (Oct 2); run we-R fed
		// C1 whole (Oct 5) took its 10 t. The packing declared: C1 holds
		// 0 t on Oct 5, the run consumes nothing the record knows.
		// Refused 409 naming we-pack and we-R.
		s := open(t)
		svc := custody.NewService(s)
		pack := ctPack("we-pack", "ADD", cbC1, 2, "WE:10000")
		MustCapture(t, svc, ctDoc(cfLot("WE", "PAK", 10000, "Nd:10"), pack))
		MustCapture(t, svc, ctDoc(cfRun("we-R", 5, []string{cbC1}, nil, "WEO", 1000)))
		dcrRefused(t, s, svc, "the packing declared", []string{ydDeclared(pack)}, "urn:t:ev:we-R")
	})
	t.Run("trip declared under an onward dispatch", func(t *testing.T) {
		// Lot WF 10 t packed whole into C1 at mb (Oct 2); [C1] shipped
		// mb → khi (Oct 3), received at khi (Oct 4), shipped on from khi
		// (Oct 6). The shipment and the receipt declared: C1 stands at
		// mb on Oct 6, and the onward shipment leaves khi with it.
		// Refused 409 naming wf-ship2.
		s := open(t)
		svc := custody.NewService(s)
		ship := ccShip("wf-ship", "urn:t:bol:BOL-WF", 3, []string{cbC1})
		recv := ctRecvAt("wf-recv", "urn:t:bol:BOL-WF", "urn:t:site:khi", 4, []string{cbC1})
		MustCapture(t, svc, ctDoc(csLot("WF"), ctPack("wf-pack", "ADD", cbC1, 2, "WF:10000")))
		MustCapture(t, svc, ctDoc(ship))
		MustCapture(t, svc, ctDoc(recv))
		MustCapture(t, svc, ctDoc(saLeave("wf-ship2", "shipping", "urn:t:bol:BOL-WF2", "urn:t:site:khi", "all", "urn:t:site:rtm", 6, []string{cbC1})))
		dcrRefused(t, s, svc, "the trip declared", []string{ydDeclared(ship), ydDeclared(recv)}, "urn:t:ev:wf-ship2")
	})
}
