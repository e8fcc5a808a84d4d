package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testSplitTripFedWords (new-user check n8e-6): a run's line refused
// for more than stands at its site describes the lot as the lot API
// does: what is at sea is in transit, under its bill of lading, in the
// container still on the trip.
//
//	L (Pakistan, 10,000 kg) at mb; 6,000 kg packed into D1 and 4,000 kg
//	into D2 on Oct 2; [D1, D2] shipped to khi under B1 on Oct 3; [D1]
//	alone received at khi on Oct 4 (6 t there; D2's 4 t still at sea).
//	A run at khi on Oct 5 taking "L 7,000 kg" is refused: 7 > 6 t there;
//	the other 10 − 6 = 4 t are in transit under B1 in D2 (it read "0 t
//	in transit, 4 t remaining at mb").
func testSplitTripFedWords(t *testing.T, open Opener) {
	s := open(t)
	const d1, d2 = "urn:epc:id:sscc:0614141.3500000001", "urn:epc:id:sscc:0614141.3500000002"
	cfaCapture(t, s, "L packed and shipped", ctDoc(cfLot("L", "PAK", 10000, "Nd:10"),
		ctPack("p1", "ADD", d1, 2, "L:6000"), ctPack("p2", "ADD", d2, 2, "L:4000"),
		ccShip("s1", "urn:t:bol:B1", 3, []string{d1, d2}), ccRecv("rd1", d1, "urn:t:bol:B1", 4)))
	run := cfaAt(cfRun("R7", 5, nil, []string{"L:7000"}, "O7", 100), "urn:t:site:khi")
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(run))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("run at khi taking L 7 t: %v; want refused 409", err)
	}
	msg := err.Error()
	for _, w := range []string{"only 6 t of it is there", "4 t in transit under urn:t:bol:B1", d2} {
		if !strings.Contains(msg, w) {
			t.Errorf("refusal %q does not say %q", msg, w)
		}
	}
	for _, w := range []string{"0 t in transit", "remaining at urn:t:site:mb"} {
		if strings.Contains(msg, w) {
			t.Errorf("refusal %q says %q: the 4 t are at sea in D2", msg, w)
		}
	}
}
