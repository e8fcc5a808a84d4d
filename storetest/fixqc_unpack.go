package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// An unpacking takes out of a container at most what the holdings rule
// says it holds (ledger.Holdings.HeldAt: packings, trips, weighed
// receipts), less what the lot's own line draws took out of it, within
// the weighbridge tolerance ledger.UnpackTolerance (0.5 %) (issue 9,
// new-user check nuq1 s21/s23, builder fixQc).

// qcSetup is the nuq1 s4 corridor to its receipts: Ua (Pakistan,
// 10,000 kg, Nd 10 %) and Ub (China, 10,000 kg, Nd 5 %) at mb; 6,000 kg
// of Ua and 4,000 kg of Ub packed into C1 on Oct 2; [C1] shipped to khi
// under BOL-U on Oct 3 with Ua's other 4,000 kg by a line; [C1]
// received at khi on Oct 4 with its weighed line "Ua 5,700 kg" (C1
// holds Ua 5.7 t, Ub 4 t: 0.3 t lost), Ua's 4,000 kg received loose on
// Oct 5.
func qcSetup(t *testing.T, svc *ledger.Service) {
	t.Helper()
	const bol, khi = "urn:t:bol:BOL-U", "urn:t:site:khi"
	MustCapture(t, svc, ctDoc(cfLot("Ua", "PAK", 10000, "Nd:10"), cfLot("Ub", "CHN", 10000, "Nd:5"), ctPack("U-pack", "ADD", cbC1, 2, "Ua:6000", "Ub:4000")))
	MustCapture(t, svc, ctDoc(ccShip("U-ship1", bol, 3, []string{cbC1}), ccShip("U-ship2", bol, 3, nil, "Ua:4000")))
	MustCapture(t, svc, ctDoc(ctRecvAt("U-recv1", bol, khi, 4, []string{cbC1}, "Ua:5700")))
	MustCapture(t, svc, ctDoc(ctRecvAt("U-recv2", bol, khi, 5, nil, "Ua:4000")))
}

// qcUnpack is an unpacking of "Ua kg" out of C1 at khi on day.
func qcUnpack(id string, day int, kg string) string {
	return strings.Replace(ctPack(id, "DELETE", cbC1, day, "Ua:"+kg), `"bizStep": "packing"`, `"bizStep": "unpacking"`, 1)
}

func qcAtKhi(ev string) string {
	return strings.ReplaceAll(ev, `{"id": "urn:t:site:mb"}`, `{"id": "urn:t:site:khi"}`)
}

// qcRefused wants body refused with a conflict whose first field is the
// unpacking's quantity line and whose reason names C1 and each of words
// (the held figure, the weighed receipt); nothing stored.
func qcRefused(t *testing.T, s critmin.Store, what, body string, words ...string) {
	t.Helper()
	before := ccEvents(t, s)
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(body)})
	var e *critmin.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: %v; want refused", what, err)
		return
	}
	if e.Code != critmin.ECONFLICT {
		t.Errorf("%s: code %s; want %s (%v)", what, e.Code, critmin.ECONFLICT, err)
	}
	if len(e.Fields) == 0 || !strings.HasSuffix(e.Fields[0].Pointer, "/childQuantityList/0/quantity") {
		t.Errorf("%s: fields %+v; want the first on /childQuantityList/0/quantity", what, e.Fields)
	}
	for _, w := range append([]string{cbC1}, words...) {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: refusal %q does not name %q", what, err.Error(), w)
		}
	}
	if after := ccEvents(t, s); after != before {
		t.Errorf("%s: %d events stored after a refusal, had %d", what, after, before)
	}
}

// testUnpackReadsHeldAt (nuq1 s23, s21, WRONG PASSES): after qcSetup C1
// holds Ua 5.7 t (weighed by U-recv1; 6 t were packed). An unpacking
// may take at most 5.7 × (1 + 0.005) = 5.7285 t of Ua: "Ua 6,000 kg"
// (the packed figure, +5.3 %) and "Ua 5,800 kg" (+1.75 %) are refused
// naming the quantity line, C1, 5.7 t and U-recv1 (both were taken);
// "Ua 5,720 kg" (+0.35 %) is taken.
//
// After run R1 on Oct 6 at khi takes "Ua 6,000 kg" by line — 4 t loose
// first, then 2 t out of C1 — C1 holds 5.7 − 2 = 3.7 t of Ua: at most
// 3.7 × 1.005 = 3.7185 t may be unpacked; "Ua 3,800 kg" is refused
// (refused before this check by the document's packings check, which
// reads 6 packed − 2.3 drawn = 3.7 t: it counts the packed 6 t, not the
// weighed 5.7 t, in C1 when it splits R1's draw, and the two errors
// cancel), "Ua 3,700 kg" taken.
func testUnpackReadsHeldAt(t *testing.T, open Opener) {
	t.Run("weighed", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		qcSetup(t, svc)
		qcRefused(t, s, "unpack Ua 6 t", ctDoc(qcAtKhi(qcUnpack("U-un1", 6, "6000"))), "holds 5.7 t", "weighed by receipt urn:t:ev:U-recv1", "5.7285 t")
		qcRefused(t, s, "unpack Ua 5.8 t", ctDoc(qcAtKhi(qcUnpack("U-un2", 6, "5800"))), "holds 5.7 t", "weighed by receipt urn:t:ev:U-recv1", "5.7285 t")
		MustCapture(t, svc, ctDoc(qcAtKhi(qcUnpack("U-un3", 6, "5720"))))
	})
	t.Run("after a line draw", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		qcSetup(t, svc)
		MustCapture(t, svc, ctDoc(peRunAt("U-R1", "urn:t:site:khi", 6, nil, []string{"Ua:6000"}, "Up1", 500)))
		qcRefused(t, s, "unpack Ua 3.8 t", ctDoc(qcAtKhi(qcUnpack("U-un4", 7, "3800"))), "3.7 t")
		MustCapture(t, svc, ctDoc(qcAtKhi(qcUnpack("U-un5", 7, "3700"))))
	})
}
