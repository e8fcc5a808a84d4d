package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// What a container holds after every kind of step, read once by one rule
// (ledger.Holdings.HeldAt) for the packing check, the unpacking check
// and a run fed the container whole (new-user check after fixNe):
// packings less unpackings, less what the lot's own movements drew out
// of the container beyond its loose rest (custody.ContainedAt), less
// what its trips did not carry (ledger.Carried), and nothing once a run
// fed it whole, until it is packed again.

// cfaCapture captures body through the checked service, as critmin serve
// does (custody.NewService).
func cfaCapture(t *testing.T, s critmin.Store, what, body string) {
	t.Helper()
	if _, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(body)}); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// cfaTaken checks what runs consumed of lot, wet tonnes: of its body
// and of its parts received elsewhere.
func cfaTaken(t *testing.T, s critmin.Store, when, lot string, taken float64) {
	t.Helper()
	l, err := s.FindLot(context.Background(), "urn:t:lot:"+lot)
	if err != nil {
		t.Fatalf("%s: lot %s: %v", when, lot, err)
	}
	got := l.TakenTonnes
	for _, p := range l.Parts {
		got += p.TakenTonnes
	}
	if !ctNear(got, taken) {
		t.Errorf("%s: lot %s taken %v t (body and parts); want %v t", when, lot, got, taken)
	}
}

// cfaAbsent wants lot not stored.
func cfaAbsent(t *testing.T, s critmin.Store, when, lot string) {
	t.Helper()
	if _, err := s.FindLot(context.Background(), "urn:t:lot:"+lot); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("%s: lot %s: %v; want not found (nothing stored)", when, lot, err)
	}
}

// cfaAt moves an event of the storetest helpers (site mb) to site.
func cfaAt(ev, site string) string {
	return strings.ReplaceAll(ev, `{"id": "urn:t:site:mb"}`, `{"id": "`+site+`"}`)
}

// testContainerFedAgain: a run fed a container whole empties it; fed
// again before anything is packed into it, it is refused.
//
//	L (Pakistan, 10,000 kg, Nd 4 %) at mb; 6,000 kg packed into E1 on
//	Oct 2, 4,000 kg loose. Run RA (Oct 5) fed E1 whole consumes 6 t:
//	10 − 6 = 4 t remain, in stock; L is a parent of XA. Run RB (Oct 6)
//	fed E1 whole again is refused 409 at inputEPCList/0, naming E1 and
//	the run RA that emptied it; nothing stored: L keeps 4 t, XB is not
//	made (it was accepted and took L's loose 4 t). L's loose 4 t are then
//	fed by a line (RL, Oct 6): consumed, taken 6 + 4 = 10 t.
//	M (Pakistan, 5,000 kg) packed 3,000 kg into the emptied E1 on Oct 7:
//	run RM (Oct 8) fed E1 whole takes 3 t of M (5 − 3 = 2 t remain) and
//	nothing of L.
func testContainerFedAgain(t *testing.T, open Opener) {
	s := open(t)
	const e1 = "urn:epc:id:sscc:0614141.3200000001"
	cfaCapture(t, s, "L packed", ctDoc(cfLot("L", "PAK", 10000, "Nd:4"), cfLot("M", "PAK", 5000, "Nd:4"), ctPack("pe1", "ADD", e1, 2, "L:6000")))
	cfaCapture(t, s, "RA", ctDoc(cfRun("RA", 5, []string{e1}, nil, "XA", 200)))
	cfLotState(t, s, "after RA", "L", critmin.LotInStock, 4, "XA", true)
	cfaTaken(t, s, "after RA", "L", 6)

	ctRefusedWith(t, s, "E1 fed again after RA emptied it", ctDoc(cfRun("RB", 6, []string{e1}, nil, "XB", 100)), critmin.ECONFLICT,
		"/epcisBody/eventList/0/inputEPCList/0", e1, "urn:t:ev:RA")
	cfLotState(t, s, "after RB refused", "L", critmin.LotInStock, 4, "XB", false)
	cfaTaken(t, s, "after RB refused", "L", 6)
	cfaAbsent(t, s, "after RB refused", "XB")

	cfaCapture(t, s, "RL", ctDoc(cfRun("RL", 6, nil, []string{"L:4000"}, "XL", 100)))
	cfLotState(t, s, "after RL", "L", critmin.LotConsumed, 0, "XL", true)
	cfaTaken(t, s, "after RL", "L", 10)

	cfaCapture(t, s, "M packed into E1", ctDoc(ctPack("pm", "ADD", e1, 7, "M:3000")))
	cfaCapture(t, s, "RM", ctDoc(cfRun("RM", 8, []string{e1}, nil, "XM", 100)))
	cfLotState(t, s, "after RM", "M", critmin.LotInStock, 2, "XM", true)
	cfLotState(t, s, "after RM", "L", critmin.LotConsumed, 0, "XM", false)
	cfaTaken(t, s, "after RM", "M", 3)
	cfaTaken(t, s, "after RM", "L", 10)

	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testContainerDrawnThenFed: a run fed a container whole takes what the
// container holds once the lot's own movements drew on it.
//
//	A: L (10,000 kg) at mb, 6,000 kg packed into E1 on Oct 2 (4 t
//	   loose); 8,000 kg of L shipped by a line from mb on Oct 3: 4 t
//	   loose and 8 − 4 = 4 t out of E1, which holds 6 − 4 = 2 t. Run RA
//	   (Oct 5) fed E1 whole takes 2 t (it took 6 t, and the capture
//	   failed: "its body holds −4 t"): taken 2 t, 10 − 8 − 2 = 0 t
//	   remain at mb (the lot stays in stock: 8 t are in transit).
//	B: K (10,000 kg) at mb, 6,000 kg packed into E2 on Oct 2; E2 shipped
//	   alone to khi on Oct 3 and received there on Oct 4 (K's 6 t part at
//	   khi, all in E2; 4 t of the body at mb). On Oct 5, 4,000 kg of K
//	   shipped by a line from khi: nothing loose at khi, 4 t out of E2,
//	   which holds 6 − 4 = 2 t. Run RB at khi (Oct 6) fed E2 whole takes
//	   2 t of K, of its part at khi: taken 2 t; the body's 4 t at mb
//	   untouched, in stock.
func testContainerDrawnThenFed(t *testing.T, open Opener) {
	s := open(t)
	const e1, e2 = "urn:epc:id:sscc:0614141.3200000002", "urn:epc:id:sscc:0614141.3200000003"
	cfaCapture(t, s, "A", ctDoc(cfLot("L", "PAK", 10000, "Nd:4"), ctPack("pe1", "ADD", e1, 2, "L:6000"),
		ccShip("ls", "urn:t:bol:LS", 3, nil, "L:8000")))
	cfaCapture(t, s, "RA", ctDoc(cfRun("RA", 5, []string{e1}, nil, "XA", 100)))
	cfaTaken(t, s, "after RA", "L", 2)
	cfLotState(t, s, "after RA", "L", critmin.LotInStock, 0, "XA", true)

	cfaCapture(t, s, "B", ctDoc(cfLot("K", "PAK", 10000, "Nd:4"), ctPack("pe2", "ADD", e2, 2, "K:6000"),
		ccShip("e2s", "urn:t:bol:E2", 3, []string{e2}), ccRecv("e2r", e2, "urn:t:bol:E2", 4),
		cfaAt(strings.Replace(ccShip("ks", "urn:t:bol:KS", 5, nil, "K:4000"), "urn:t:site:khi", "urn:t:site:elsewhere", 1), "urn:t:site:khi")))
	cfaCapture(t, s, "RB", ctDoc(cfaAt(cfRun("RB", 6, []string{e2}, nil, "XB", 100), "urn:t:site:khi")))
	cfaTaken(t, s, "after RB", "K", 2)
	cfLotState(t, s, "after RB", "K", critmin.LotInStock, 4, "XB", true)

	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testPackedDrawnByLineShipment: the packing check and the unpacking
// check read what a container holds by one rule, the lot's line draws
// included.
//
//	L (10,000 kg) at mb, 6,000 kg packed into E1 on Oct 2 (4 t loose).
//	On Oct 3, 8,000 kg of L shipped by a line from mb to khi: 4 t loose
//	and 4 t out of E1, which holds 6 − 4 = 2 t; received at khi on
//	Oct 4 (8 t loose there). On Oct 5, 8,000 kg packed into E2 at khi:
//	2 t in E1 + 8 = 10 t ≤ 10 t, taken (it was refused: 6 + 8 = 14 t
//	read as packed). On Oct 6, 3,000 kg unpacked from E1 at mb is refused
//	409 naming 2 t packed there (3 > 2 × 1.005); 2,000 kg is taken, and
//	then E1 holds nothing: 1,000 kg more is refused naming none of it.
func testPackedDrawnByLineShipment(t *testing.T, open Opener) {
	s := open(t)
	const e1, e2 = "urn:epc:id:sscc:0614141.3200000004", "urn:epc:id:sscc:0614141.3200000005"
	cfaCapture(t, s, "L", ctDoc(cfLot("L", "PAK", 10000, "Nd:4"), ctPack("pe1", "ADD", e1, 2, "L:6000"),
		ccShip("ls", "urn:t:bol:LS", 3, nil, "L:8000"), ctRecvAt("lr", "urn:t:bol:LS", "urn:t:site:khi", 4, nil, "L:8000")))
	// The form preview (Service.Validate) judges it as capture does.
	pe2 := ctDoc(cfaAt(ctPack("pe2", "ADD", e2, 5, "L:8000"), "urn:t:site:khi"))
	if errs, err := service(s).Validate(context.Background(), []byte(pe2)); err != nil || len(errs) != 1 || len(errs[0]) != 0 {
		t.Errorf("preview of 8 t into E2 at khi: %+v, %v; want no error", errs, err)
	}
	cfaCapture(t, s, "8 t into E2 at khi", pe2)
	unpack := func(id string, kg string) string {
		return strings.Replace(ctPack(id, "DELETE", e1, 6, "L:"+kg), `"bizStep": "packing"`, `"bizStep": "unpacking"`, 1)
	}
	ctRefusedWith(t, s, "3 t out of E1", ctDoc(unpack("u3", "3000")), critmin.ECONFLICT,
		"/epcisBody/eventList/0/childQuantityList/0/quantity", "only 2 t of it is packed there")
	cfaCapture(t, s, "2 t out of E1", ctDoc(unpack("u2", "2000")))
	ctRefusedWith(t, s, "1 t more out of E1", ctDoc(strings.Replace(unpack("u1", "1000"), "2025-10-06", "2025-10-07", 1)), critmin.ECONFLICT,
		"/epcisBody/eventList/0/childQuantityList/0/quantity", "none of it is packed there")
	in, err := s.PackedIn(context.Background(), []string{"urn:t:lot:L"}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var inE2 float64
	for _, p := range in {
		w, _ := ledger.PackedWet(p, 10)
		if p.Container == e2 {
			inE2 += w
		} else if w > 1e-9 {
			t.Errorf("L still in %s: %v t; want E1 empty", p.Container, w)
		}
	}
	if !ctNear(inE2, 8) {
		t.Errorf("L in E2: %v t; want 8 t", inE2)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
