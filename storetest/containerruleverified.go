package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// ContainerRulesVerified: the container rules capture enforces (fixQr: a
// run fed a container that holds nothing; fixQu: a line of a lot beside
// containers holding it below what they hold) are functions of the
// ledger reading (ledger.StoredContainerRule, ledger.BesideFault) that
// verify applies to the stored record too. A record stored before the
// rules (here through the unchecked ledger service, as migration suites
// store legacy records) replays the same in verify's rebuild as it was
// stored, so every derived table equals its rebuild; verify still names
// the event, the lot or container and the site.
func testContainerRulesVerified(t *testing.T, open Opener) {
	t.Run("line below held", func(t *testing.T) {
		// Lot QD 10 t at mb: 6 t packed into C1, 4 t into C2 (clhLot),
		// nothing loose. Stored unchecked: [C1, C2] shipped from mb beside
		// "QD 1,000 kg". The containers held 6 + 4 = 10 t of QD; the line
		// states 1 t; 10 t > 1 × 1.005 = 1.005 t, so 9 t stayed at mb
		// inside containers that left. Capture refuses it (ContainerLineBelow).
		s := open(t)
		clhLot(t, custody.NewService(s), "QD")
		MustCapture(t, service(s), ctDoc(ctStep("qd-ship", "shipping", "urn:t:bol:BOL-QD", 3, []string{cbC1, cbC2}, "QD:1000")))
		for _, rebuild := range []bool{true, false} {
			rep := verifyFull(t, s, nil, rebuild)
			if rep.Difference != nil || rep.Problem != nil {
				t.Fatalf("rebuild %v: %v %v; want the tables equal to their rebuild", rebuild, rep.Problem, rep.Difference)
			}
			crvWant(t, rep.ContainerRuleProblem, "rebuild "+map[bool]string{true: "on", false: "off"}[rebuild],
				"urn:t:ev:qd-ship", "urn:t:site:mb", "urn:t:lot:QD", epcis.Canonical(cbC1), epcis.Canonical(cbC2), "1 t", "10 t")
			if rep.OK() {
				t.Errorf("rebuild %v: verify ok; want the stored 1 t line named", rebuild)
			}
		}
	})
	t.Run("line within held", func(t *testing.T) {
		// The same beside "QD 9,960 kg": 10 t ≤ 9.96 × 1.005 = 10.0098 t,
		// taken by capture and by verify.
		s := open(t)
		svc := custody.NewService(s)
		clhLot(t, svc, "QD")
		MustCapture(t, svc, ctDoc(ctStep("qd-ship", "shipping", "urn:t:bol:BOL-QD", 3, []string{cbC1, cbC2}, "QD:9960")))
		qeVerified(t, s, "at the end")
	})
	t.Run("run fed empty container", func(t *testing.T) {
		// Lot QX 10 t packed whole into C1 at mb (Oct 2), unpacked whole
		// (Oct 3): C1 holds 0 t. Stored unchecked: run qx-R at mb fed C1
		// whole (Oct 4). It took 0 t, and its product's origin rests on
		// nothing. Capture refuses it (EmptyContainerFedRun).
		s := open(t)
		svc := custody.NewService(s)
		unpack := strings.Replace(ctPack("qx-unpack", "DELETE", cbC1, 3, "QX:10000"), `"packing"`, `"unpacking"`, 1)
		MustCapture(t, svc, ctDoc(cfLot("QX", "PAK", 10000, "Nd:10"), ctPack("qx-pack", "ADD", cbC1, 2, "QX:10000")))
		MustCapture(t, svc, ctDoc(unpack))
		MustCapture(t, service(s), ctDoc(cfRun("qx-R", 4, []string{cbC1}, nil, "QO", 1000)))
		rep := verifyFull(t, s, nil, true)
		if rep.Difference != nil || rep.Problem != nil {
			t.Fatalf("%v %v; want the tables equal to their rebuild", rep.Problem, rep.Difference)
		}
		crvWant(t, rep.ContainerRuleProblem, "stored", "urn:t:ev:qx-R", "urn:t:site:mb", cbC1, "held nothing")
		// The unpacking declared in error: C1 held QX's 10 t on Oct 4
		// and the run took them (recontained): nothing to flag.
		MustCapture(t, svc, ctDoc(ydDeclared(unpack)))
		qeVerified(t, s, "after the declaration")
	})
	t.Run("line above held and loose", func(t *testing.T) {
		// Lot QU 10 t at mb: 6 t packed into C1, 4 t into C2 (clhLot),
		// nothing loose. Stored unchecked: [C1] shipped from mb beside
		// "QU 10,000 kg". C1 held 6 t of QU and 0 t stood loose: 10 t >
		// (6 + 0) × 1.005 = 6.03 t, so the line moved C2's 4 t as well
		// while C2 stayed at mb holding them. Capture refuses it
		// (ContainerLineAbove).
		s := open(t)
		clhLot(t, custody.NewService(s), "QU")
		MustCapture(t, service(s), ctDoc(ctStep("qu-ship", "shipping", "urn:t:bol:BOL-QU", 3, []string{cbC1}, "QU:10000")))
		for _, rebuild := range []bool{true, false} {
			rep := verifyFull(t, s, nil, rebuild)
			if rep.Difference != nil || rep.Problem != nil {
				t.Fatalf("rebuild %v: %v %v; want the tables equal to their rebuild", rebuild, rep.Problem, rep.Difference)
			}
			crvWant(t, rep.ContainerRuleProblem, "rebuild "+map[bool]string{true: "on", false: "off"}[rebuild],
				"urn:t:ev:qu-ship", "urn:t:site:mb", "urn:t:lot:QU", epcis.Canonical(cbC1), "10 t", "6 t", "0 t")
			if rep.OK() {
				t.Errorf("rebuild %v: verify ok; want the stored 10 t line named", rebuild)
			}
		}
	})
	t.Run("line within held and loose", func(t *testing.T) {
		// Lot QV 10 t at mb: 6 t into C1, 4 t loose. [C1] beside
		// "QV 10,000 kg": 10 t ≤ (6 + 4) × 1.005 = 10.05 t, taken by
		// capture and by verify.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QV"), ctPack("qv-p1", "ADD", cbC1, 2, "QV:6000")))
		MustCapture(t, svc, ctDoc(ccShip("qv-ship", "urn:t:bol:BOL-QV", 3, []string{cbC1}, "QV:10000")))
		qeVerified(t, s, "at the end")
	})
	t.Run("back-dated packing left a run's line below", func(t *testing.T) {
		// Lot QK 10 t at mb; 6 t packed into C1 (Oct 2); run qk-R at mb
		// fed C1 whole beside "QK 6,000 kg" (Oct 5), taken: its stored
		// contents are C1's 6 t. Stored unchecked, back-dated: 4 t more
		// packed into C1 on Oct 3 (capture refuses it naming qk-R,
		// BackDatedContainerRule). The run's contents stay as captured
		// (6 t), and the rebuild, in capture order, gives them again; in
		// event time C1 held 6 + 4 = 10 t on Oct 5 beside the run's 6 t
		// line: 10 t > 6 × 1.005 = 6.03 t. Verify names qk-R.
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QK"), ctPack("qk-p1", "ADD", cbC1, 2, "QK:6000")))
		MustCapture(t, svc, ctDoc(cfRun("qk-R", 5, []string{cbC1}, []string{"QK:6000"}, "QKO", 1000)))
		MustCapture(t, service(s), ctDoc(ctPack("qk-p2", "ADD", cbC1, 3, "QK:4000")))
		rep := verifyFull(t, s, nil, true)
		if rep.Difference != nil || rep.Problem != nil {
			t.Fatalf("%v %v; want the tables equal to their rebuild", rep.Problem, rep.Difference)
		}
		crvWant(t, rep.ContainerRuleProblem, "stored", "urn:t:ev:qk-R", "urn:t:lot:QK", epcis.Canonical(cbC1), "urn:t:site:mb", "6 t", "10 t")
	})
	t.Run("empty container shipped from elsewhere", func(t *testing.T) {
		// Lot QP 10 t packed whole into C1 at mb (Oct 2), unpacked whole
		// at mb (Oct 3): C1 holds 0 t and stands at mb (emptied there).
		// Stored unchecked: C1 shipped from the port (Oct 4) — a
		// container moves only by a trip, and none took C1 to the port.
		// Capture refuses it (EmptyContainerUsedElsewhere, placeCheck).
		s := open(t)
		svc := custody.NewService(s)
		unpack := strings.Replace(ctPack("qp-unpack", "DELETE", cbC1, 3, "QP:10000"), `"packing"`, `"unpacking"`, 1)
		MustCapture(t, svc, ctDoc(cfLot("QP", "PAK", 10000, "Nd:10"), ctPack("qp-pack", "ADD", cbC1, 2, "QP:10000")))
		MustCapture(t, svc, ctDoc(unpack))
		ship := strings.ReplaceAll(ccShip("qp-ship", "urn:t:bol:BOL-QP", 4, []string{cbC1}), `{"id": "urn:t:site:mb"}`, `{"id": "urn:t:site:port"}`)
		ctRefusedWith(t, s, "C1 (empty, at mb) shipped from the port", ctDoc(ship), critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", "urn:t:site:mb")
		MustCapture(t, service(s), ctDoc(ship))
		rep := verifyFull(t, s, nil, true)
		if rep.Difference != nil || rep.Problem != nil {
			t.Fatalf("%v %v; want the tables equal to their rebuild", rep.Problem, rep.Difference)
		}
		crvWant(t, rep.ContainerRuleProblem, "stored", "urn:t:ev:qp-ship", epcis.Canonical(cbC1), "urn:t:site:port", "urn:t:site:mb", "urn:t:ev:qp-unpack")
		// Shipped from mb, where it stands: nothing to flag.
		s2 := open(t)
		svc2 := custody.NewService(s2)
		MustCapture(t, svc2, ctDoc(cfLot("QP", "PAK", 10000, "Nd:10"), ctPack("qp-pack", "ADD", cbC1, 2, "QP:10000")))
		MustCapture(t, svc2, ctDoc(unpack))
		MustCapture(t, svc2, ctDoc(ccShip("qp-ship", "urn:t:bol:BOL-QP", 4, []string{cbC1})))
		if rep := verifyFull(t, s2, nil, true); !rep.OK() {
			t.Errorf("shipped from mb: %v %v %v; want ok", rep.Problem, rep.Difference, rep.ContainerRuleProblem)
		}
	})
}

// crvWant wants p named, its words holding each of words.
func crvWant(t *testing.T, p *ledger.ContainerRuleProblem, when string, words ...string) {
	t.Helper()
	if p == nil {
		t.Errorf("%s: no container rule problem; want one naming %v", when, words)
		return
	}
	msg := p.Error()
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: %q does not name %q", when, msg, w)
		}
	}
}
