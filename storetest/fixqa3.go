package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A run dated before later movements of its input is judged against the
// lot as it stood at the run's eventTime (custody checkFedAtSite,
// lotsThen; builder fixQa), not as the record stands now.

// qaParted: lot QA, 10,000 kg at mb (Oct 1); 6,000 kg of it shipped from
// mb to khi on Oct 5 under BOL-QA, received at khi on Oct 9. The lot's
// body stays at mb with 10 − 6 = 4 t; a part of 6 t stands at khi from
// Oct 9. With more, QA's last 4 t are shipped to khi on Oct 10 (BOL-QB)
// and received there on Oct 11: nothing of QA stands at mb now.
func qaParted(t *testing.T, svc *ledger.Service, more bool) {
	t.Helper()
	MustCapture(t, svc, ctDoc(csLot("QA")))
	MustCapture(t, svc, ctDoc(ccShip("qa-ship", "urn:t:bol:BOL-QA", 5, nil, "QA:6000")))
	MustCapture(t, svc, ctDoc(ctRecvAt("qa-recv", "urn:t:bol:BOL-QA", "urn:t:site:khi", 9, nil, "QA:6000")))
	if more {
		MustCapture(t, svc, ctDoc(ccShip("qa-ship2", "urn:t:bol:BOL-QB", 10, nil, "QA:4000"), ctRecvAt("qa-recv2", "urn:t:bol:BOL-QB", "urn:t:site:khi", 11, nil, "QA:4000")))
	}
}

// testBackdatedRunJudgedAtItsDate:
//   - qaParted, then a run at mb dated Oct 3 (captured after) takes
//     "QA 4,000 kg": on Oct 3 all 10 t stood at mb; the Oct 5 shipment
//     of 6 t then leaves 10 − 4 − 6 = 0 t. Taken; QA taken 4 t; verify
//     agrees.
//   - qaParted with the last 4 t shipped on, then a run at mb dated
//     Oct 3 takes "QA 8,000 kg": on Oct 3 10 t stood at mb, so the run
//     alone fits; what is wrong is that it leaves 10 − 8 = 2 t for the
//     Oct 5 shipment of 6 t (4 t more). Refused 409 naming qa-ship, dated
//     after the run, nothing stored. It was refused by the run-at-site
//     check judging the lot as it stands now — "nothing of lot QA stands
//     at mb; the lot stands as 10 t at mb", a reason that contradicts
//     itself and names no event to correct.
//   - the same record, a run at khi dated Oct 10 takes "QA 8,000 kg":
//     only the 6 t received on Oct 9 stood at khi then (the other 4 t
//     arrived on Oct 11), so it is refused, "only 6 t of its 10 t stood
//     there then", though all 10 t stand at khi now.
func testBackdatedRunJudgedAtItsDate(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	qaParted(t, svc, false)
	MustCapture(t, svc, ctDoc(peRunAt("qa-run", "urn:t:site:mb", 3, nil, []string{"QA:4000"}, "QAX", 500)))
	cfaTaken(t, s, "after the run dated Oct 3", "QA", 4)
	piBalanced(t, s, "QA")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("verify: %v %v", rep.Problem, rep.Difference)
	}

	s = open(t)
	svc = custody.NewService(s)
	qaParted(t, svc, true)
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(peRunAt("qa-run", "urn:t:site:mb", 3, nil, []string{"QA:8000"}, "QAX", 500)))})
	if err == nil {
		t.Fatal("run at mb dated Oct 3 taking 8 t of QA, 6 t shipped on Oct 5: accepted; want refused")
	}
	for _, w := range []string{"urn:t:ev:qa-ship", "dated before the recorded event", "took 6 t, 4 t more"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("run at mb dated Oct 3: refusal %q does not say %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "nothing of lot urn:t:lot:QA stands at urn:t:site:mb") {
		t.Errorf("run at mb dated Oct 3: refusal %q judges the lot as it stands now", err)
	}
	cfaAbsent(t, s, "after the refused run", "QAX")
	ccRefused(t, s, "run at khi dated Oct 10 taking 8 t", ctDoc(peRunAt("qa-run2", "urn:t:site:khi", 10, nil, []string{"QA:8000"}, "QAY", 500)),
		"only 6 t of its 10 t stood there then")
}
