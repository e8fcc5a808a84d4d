package storetest

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// An empty container is acted on where it stands too (new-user check
// nuq8 b1, b6; fixQr, after fixQl's receipts and packings): its
// shipping, departing or loading leaves from where it stands, and a run
// fed it whole is refused when it holds nothing (it gives the run no
// material the record knows: the run's products would rest on nothing)
// or stands at another site than the run's.

// qrSampledAtKhi records container C2, never packed, seen by a sampling
// at khi on Oct 4 (cpSample): it holds nothing and stands at khi, placed
// by that sampling (its first sighting, ledger.PlaceAt).
func qrSampledAtKhi(t *testing.T, s critmin.Store) {
	t.Helper()
	MustCapture(t, custody.NewService(s), ctDoc(cpSample("qr-seen", "urn:t:site:khi", 4, []string{cbC2})))
}

// testEmptyContainerShippedElsewhere (nuq8 b1): C1 emptied at khi on
// Oct 6 (qlEmptiedAtKhi: lot QL, 10,000 kg packed into C1 at mb on Oct
// 2, [C1] shipped mb → khi under B1 on Oct 3 and received at khi on Oct
// 5, then unpacked at khi, "QL 10,000 kg": C1 holds 10 − 10 = 0 t and
// stands at khi since the unpacking; or fed whole to a run at khi, which
// does not place it: it stands at khi since its receipt, Oct 5). On Oct
// 8 a shipping of [C1] from mb (readPoint and bizLocation mb) to hou
// under B2 is refused 409 at its bizLocation naming C1, "holds nothing",
// khi and the event that put it there; so are a departing and a loading
// from mb, and an unpacking of everything in C1 at mb. Nothing is
// stored; QL stays 10 t in stock at khi (unpacked).
// C2, never packed and only sampled at khi on Oct 4, shipped from mb on
// Oct 8 is refused alike, naming the sampling. A shipping of [C1] from
// khi (where it stands) on Oct 9 is taken, and its receipt at hou under
// B2 on Oct 10 too.
func testEmptyContainerShippedElsewhere(t *testing.T, open Opener) {
	const mb, khi, hou, b2 = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou", "urn:t:bol:B2"
	const at = "/epcisBody/eventList/0/bizLocation"
	for _, byRun := range []bool{false, true} {
		how, since := "unpacked", "urn:t:ev:ql-empty"
		if byRun {
			how, since = "fed whole to a run", "urn:t:ev:ql-recv"
		}
		s := open(t)
		qlEmptiedAtKhi(t, s, byRun)
		for _, step := range []string{"shipping", "departing", "loading"} {
			ctRefusedWith(t, s, "[C1] "+how+" at khi, "+step+" from mb", ctDoc(saLeave("qr-"+step, step, b2, mb, "all", hou, 8, []string{cbC1})),
				critmin.ECONFLICT, at, cbC1, "holds nothing", khi, since)
		}
		// An unpacking of everything in C1 (a DELETE naming no
		// children) at mb is judged alike.
		ctRefusedWith(t, s, "[C1] "+how+" at khi, unpacked at mb", ctDoc(qlUnpackAt("qr-unpack-mb", cbC1, mb, 8)),
			critmin.ECONFLICT, at, cbC1, "holds nothing", khi, since)
		if !byRun {
			aqWant(t, s, "the refusals", "urn:t:lot:QL", critmin.LotInStock, khi, 10, 0)
		}
		qrSampledAtKhi(t, s)
		ctRefusedWith(t, s, "C2 only sampled at khi, shipped from mb", ctDoc(saLeave("qr-ship2", "shipping", b2, mb, "all", hou, 8, []string{cbC2})),
			critmin.ECONFLICT, at, cbC2, "holds nothing", khi, "urn:t:ev:qr-seen")
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(saLeave("qr-ship-khi", "shipping", b2, khi, "all", hou, 9, []string{cbC1, cbC2})))
		MustCapture(t, svc, ctDoc(ctRecvAt("qr-recv-hou", b2, hou, 10, []string{cbC1, cbC2})))
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	}
}

// testEmptyContainerFedRun (nuq8 b6): a run fed whole a container that
// holds nothing, or that stands at another site, is refused 409 at its
// inputEPCList member or bizLocation, naming the container and why, and
// none of its output (OP-<id>, 1,000 kg) is stored:
//   - C1 unpacked at khi on Oct 6 (qlEmptiedAtKhi: 10 − 10 = 0 t left),
//     a run at khi on Oct 8 fed [C1]: "holds nothing", since the
//     unpacking;
//   - the same run at hou: C1 stands at khi since the unpacking;
//   - C2 never packed, only sampled at khi on Oct 4, a run at khi fed
//     [C2]: "holds nothing", since the sampling; at hou: stands at khi;
//   - C1 emptied by a run at khi fed it whole: a second run at khi fed
//     it is refused as before (ledger.EmptiedError, naming the run).
//
// 409, not the 400 of a container never recorded (ContainerNotRecorded):
// the refusal rests on recorded events that say where the container
// stands and that it holds nothing, as the emptied-by-a-run refusal.
// Packed again at khi with 1,000 kg of QL on Oct 8 (C1 holds 1 t), a run
// at khi fed [C1] on Oct 9 is taken: QL 10 − 1 = 9 t in stock at khi.
func testEmptyContainerFedRun(t *testing.T, open Opener) {
	const khi, hou = "urn:t:site:khi", "urn:t:site:hou"
	const input, loc = "/epcisBody/eventList/0/inputEPCList/0", "/epcisBody/eventList/0/bizLocation"
	s := open(t)
	qlEmptiedAtKhi(t, s, false)
	qrSampledAtKhi(t, s)
	ctRefusedWith(t, s, "C1 unpacked at khi, fed to a run at khi", ctDoc(cpRunAt("qr-run1", khi, 8, []string{cbC1})),
		critmin.ECONFLICT, input, cbC1, "holds nothing", "urn:t:ev:ql-empty")
	ctRefusedWith(t, s, "C1 unpacked at khi, fed to a run at hou", ctDoc(cpRunAt("qr-run2", hou, 8, []string{cbC1})),
		critmin.ECONFLICT, loc, cbC1, "holds nothing", khi, "urn:t:ev:ql-empty")
	ctRefusedWith(t, s, "C2 only sampled at khi, fed to a run at khi", ctDoc(cpRunAt("qr-run3", khi, 8, []string{cbC2})),
		critmin.ECONFLICT, input, cbC2, "holds nothing", "urn:t:ev:qr-seen")
	ctRefusedWith(t, s, "C2 only sampled at khi, fed to a run at hou", ctDoc(cpRunAt("qr-run4", hou, 8, []string{cbC2})),
		critmin.ECONFLICT, loc, cbC2, "holds nothing", khi, "urn:t:ev:qr-seen")
	for _, id := range []string{"qr-run1", "qr-run2", "qr-run3", "qr-run4"} {
		if _, err := s.FindLot(context.Background(), "urn:t:lot:OP-"+id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("the refused run %s's output OP-%s is stored", id, id)
		}
	}
	aqWant(t, s, "the refusals", "urn:t:lot:QL", critmin.LotInStock, khi, 10, 0)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cpPackAt("qr-repack", "ADD", cbC1, khi, 8, "QL:1000")))
	MustCapture(t, svc, ctDoc(cpRunAt("qr-run5", khi, 9, []string{cbC1})))
	aqWant(t, s, "C1 (1 t) fed to a run at khi", "urn:t:lot:QL", critmin.LotInStock, khi, 9, 0)
	// Re-judged by a declaration: the repacking declared in error
	// alone would leave qr-run5 fed C1 holding 1 − 1 = 0 t — a run fed
	// an empty container — refused 409 naming qr-run5 (fedRunsStranded).
	cfRefused(t, svc, "qr-repack declared in error under qr-run5", ctDoc(ydDeclared(cpPackAt("qr-repack", "ADD", cbC1, khi, 8, "QL:1000"))), "urn:t:ev:qr-run5")
	aqWant(t, s, "the refused declaration", "urn:t:lot:QL", critmin.LotInStock, khi, 9, 0)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}

	s = open(t)
	qlEmptiedAtKhi(t, s, true)
	ctRefusedWith(t, s, "C1 emptied by a run at khi, fed again at khi", ctDoc(cpRunAt("qr-run6", khi, 8, []string{cbC1})),
		critmin.ECONFLICT, input, cbC1, "urn:t:ev:ql-empty")
}

// testEmptyContainerDeclared: the rules read the record as a
// declaration in the same document leaves it (ledger.PlaceAt and the
// packings without the declared events).
//   - C1 unpacked at khi on Oct 6 (qlEmptiedAtKhi); a document declaring
//     that unpacking in error with a run at khi fed [C1] on Oct 8 is
//     taken: without the unpacking C1 holds QL's 10 t again (packed Oct
//     2, shipped and received whole), and the run consumes them: QL
//     10 − 10 = 0 t, consumed, a parent of OP-qr-run7.
//   - C2, only sampled at khi on Oct 4: a document declaring the
//     sampling in error with a shipping of [C2] from mb on Oct 8 is
//     taken: no event places C2 any more (an empty container's first
//     event places it, ledger.PlaceAt).
func testEmptyContainerDeclared(t *testing.T, open Opener) {
	const mb, khi, hou, b2 = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou", "urn:t:bol:B2"
	s := open(t)
	qlEmptiedAtKhi(t, s, false)
	qrSampledAtKhi(t, s)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(ydDeclared(qlUnpackAt("ql-empty", cbC1, khi, 6, "QL:10000")), cpRunAt("qr-run7", khi, 8, []string{cbC1})))
	cfLotState(t, s, "the unpacking declared in error, C1 fed at khi", "QL", critmin.LotConsumed, 0, "OP-qr-run7", true)
	MustCapture(t, svc, ctDoc(ydDeclared(cpSample("qr-seen", khi, 4, []string{cbC2})), saLeave("qr-ship2", "shipping", b2, mb, "all", hou, 8, []string{cbC2})))
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
