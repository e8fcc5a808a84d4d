package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testBackDatedContainerRule: an event dated before events already
// stored (EPCIS 2.0 §7.4.3: eventTime is when it happened, recordTime when
// it was captured) is inserted into the record in event time; where that
// makes an already-stored later event break a container rule capture
// enforces (a line of a lot below what its named containers held, or
// above what they held plus the loose rest, fixQu; a run fed whole a
// container that then gave it nothing, fixQr), the back-dated event is
// refused 409 naming that later event, and nothing is stored: the record
// verify would otherwise flag later (ContainerRulesVerified) is never
// made.
func testBackDatedContainerRule(t *testing.T, open Opener) {
	t.Run("packing makes a later line below", func(t *testing.T) {
		// Lot QG 10 t at mb; 6 t packed into C1 (Oct 2); [C1] shipped
		// from mb beside "QG 6,000 kg" (Oct 5): C1 held 6 t, the line 6 t,
		// taken. Back-dated: 4 t more packed into C1 on Oct 3. On Oct 5
		// C1 would hold 6 + 4 = 10 t beside the stored 6 t line: 10 t >
		// 6 × 1.005 = 6.03 t, 4 t left behind at mb inside a container
		// that went. Refused 409 naming qg-ship.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QG"), ctPack("qg-p1", "ADD", cbC1, 2, "QG:6000")))
		MustCapture(t, svc, ctDoc(ccShip("qg-ship", "urn:t:bol:BOL-QG", 5, []string{cbC1}, "QG:6000")))
		refusedNaming(t, s, svc, "4 t packed into C1 on Oct 3, before the stored Oct 5 ship", []string{ctPack("qg-p2", "ADD", cbC1, 3, "QG:4000")}, "urn:t:ev:qg-ship")
		qeVerified(t, s, "after the refusal")
	})
	t.Run("packing makes a later run's line below", func(t *testing.T) {
		// Lot QK 10 t at mb; 6 t packed into C1 (Oct 2); run qk-R at mb
		// fed C1 whole beside "QK 6,000 kg" (Oct 5): C1 held 6 t, the
		// line 6 t, taken. Back-dated: 4 t more packed into C1 on Oct 3.
		// On Oct 5 C1 would hold 6 + 4 = 10 t beside the run's stored 6 t
		// line: 10 t > 6 × 1.005 = 6.03 t, the run consumed C1 and left
		// 4 t of what was inside it. Refused 409 naming qk-R (no movement
		// of C1 by its own identifier is recorded: only the run's line).
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QK"), ctPack("qk-p1", "ADD", cbC1, 2, "QK:6000")))
		MustCapture(t, svc, ctDoc(cfRun("qk-R", 5, []string{cbC1}, []string{"QK:6000"}, "QKO", 1000)))
		refusedNaming(t, s, svc, "4 t packed into C1 on Oct 3, before the stored Oct 5 run", []string{ctPack("qk-p2", "ADD", cbC1, 3, "QK:4000")}, "urn:t:ev:qk-R")
		qeVerified(t, s, "after the refusal")
	})
	t.Run("packing makes a later line above", func(t *testing.T) {
		// Lot QH 10 t at mb; 6 t packed into C1 (Oct 2), 4 t loose;
		// [C1] shipped beside "QH 10,000 kg" (Oct 5): 10 t ≤ (6 + 4) ×
		// 1.005 = 10.05 t, taken. Back-dated: the 4 t loose packed into C2
		// on Oct 3. On Oct 5 C1 would hold 6 t and 0 t stand loose: 10 t >
		// 6 × 1.005 = 6.03 t, the line moved C2's 4 t while C2 stayed at
		// mb. Refused 409 naming qh-ship.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QH"), ctPack("qh-p1", "ADD", cbC1, 2, "QH:6000")))
		MustCapture(t, svc, ctDoc(ccShip("qh-ship", "urn:t:bol:BOL-QH", 5, []string{cbC1}, "QH:10000")))
		refusedNaming(t, s, svc, "the 4 t loose packed into C2 on Oct 3, before the stored Oct 5 ship", []string{ctPack("qh-p2", "ADD", cbC2, 3, "QH:4000")}, "urn:t:ev:qh-ship")
		qeVerified(t, s, "after the refusal")
	})
	t.Run("unpacking empties a container a later run was fed", func(t *testing.T) {
		// Lot QR 10 t packed whole into C1 at mb (Oct 2); run qr-R at mb
		// fed C1 whole (Oct 5) took its 10 t. Back-dated: C1 unpacked
		// whole at mb on Oct 3. On Oct 5 C1 would hold 0 t: the stored
		// run would consume nothing the record knows. Refused 409 naming
		// qr-R.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(cfLot("QR", "PAK", 10000, "Nd:10"), ctPack("qr-pack", "ADD", cbC1, 2, "QR:10000")))
		MustCapture(t, svc, ctDoc(cfRun("qr-R", 5, []string{cbC1}, nil, "QRO", 1000)))
		unpack := strings.Replace(ctPack("qr-unpack", "DELETE", cbC1, 3, "QR:10000"), `"packing"`, `"unpacking"`, 1)
		refusedNaming(t, s, svc, "C1 unpacked whole on Oct 3, before the stored Oct 5 run fed it", []string{unpack}, "urn:t:ev:qr-R")
		// Back-dated: run qr-E fed C1 whole on Oct 4. It would take C1's
		// 10 t and leave it holding 0 t for the stored Oct 5 run: refused
		// 409 as consuming QR's 10 t a second time, naming the stored
		// run by its transformationID (0 t of 10 t remain).
		n := ccEvents(t, s)
		_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(cfRun("qr-E", 4, []string{cbC1}, nil, "QRE", 1000)))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "urn:t:run:qr-R") {
			t.Errorf("a run fed C1 whole on Oct 4, before the stored Oct 5 run fed it: %v; want refused 409 naming run urn:t:run:qr-R", err)
		}
		if ccEvents(t, s) != n {
			t.Errorf("the refused Oct 4 run stored something")
		}
		qeVerified(t, s, "after the refusals")
	})
}
