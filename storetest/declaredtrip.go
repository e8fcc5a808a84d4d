package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A declaration in error that takes away the trip a later arrival stood
// on (issue 8 §2, new-user check nuq5 W1, fixQk): at Karachi lot L is
// packed into container C, [C] is shipped to Houston under bill B and
// [C] arrives at Houston under B. Declaring the shipping in error alone
// was taken, and L stayed at Houston, where a run could consume it:
// nothing carried C or L there once the shipping never happened, and
// the arriving — captured fresh on that record it is refused, a lot's
// place changes only by a receipt of a trip it is on (fixQg) — stood on
// nothing.

const (
	qkKhi = "urn:t:site:khi"
	qkHou = "urn:t:site:hou"
	qkBol = "urn:t:bol:QK-B"
)

// qkAtKhi is ev with every mention of site mb made Karachi.
func qkAtKhi(ev string) string {
	return strings.ReplaceAll(ev, `{"id": "urn:t:site:mb"}`, `{"id": "`+qkKhi+`"}`)
}

// qkTrip records lot (10,000 kg commissioned at Karachi on Oct 1) and,
// when boxed, its packing whole into cbC1 at Karachi on Oct 2; its
// shipping Karachi → Houston under qkBol on Oct 3 ([C], or the line
// "lot 10,000 kg" loose); its arriving at Houston under qkBol on Oct 5
// ([C], or the line). It returns the packing ("" loose), the shipping
// and the arriving as captured.
func qkTrip(t *testing.T, svc *ledger.Service, lot string, boxed bool) (pack, ship, arr string) {
	t.Helper()
	id := strings.ToLower(lot)
	var boxes, lines []string
	if boxed {
		boxes = []string{cbC1}
		pack = qkAtKhi(ctPack(id+"-pack", "ADD", cbC1, 2, lot+":10000"))
	} else {
		lines = []string{lot + ":10000"}
	}
	ship = saLeave(id+"-ship", "shipping", qkBol, qkKhi, "all", qkHou, 3, boxes, lines...)
	arr = aqStep(ctRecvAt(id+"-arr", qkBol, qkHou, 5, boxes, lines...), "arriving")
	first := []string{qkAtKhi(csLot(lot))}
	if pack != "" {
		first = append(first, pack)
	}
	MustCapture(t, svc, ctDoc(first...))
	MustCapture(t, svc, ctDoc(ship))
	MustCapture(t, svc, ctDoc(arr))
	return pack, ship, arr
}

// qkRefused captures the declarations decl and wants them refused 409
// naming every one of named (eventIDs) in the message and in a conflict
// field, saying what to do, storing nothing: the lot still at where.
func qkRefused(t *testing.T, s critmin.Store, svc *ledger.Service, what, lot, where string, decl []string, named ...string) {
	t.Helper()
	if err := refusedNaming(t, s, svc, what, decl, named...); err != nil {
		for _, id := range named {
			found := false
			for _, f := range critmin.ErrorFields(err) {
				found = found || f.Conflict && strings.Contains(f.Reason, " "+id+" ")
			}
			if !found {
				t.Errorf("%s: no conflict field names %s: %+v", what, id, critmin.ErrorFields(err))
			}
		}
		if msg := critmin.ErrorMessage(err); !strings.Contains(msg, "in the same document") {
			t.Errorf("%s: the refusal does not say to declare them in the same document:\n%s", what, msg)
		}
	}
	if l := mustLot(t, s, lot); l.Location != where || l.Status != critmin.LotInStock {
		t.Errorf("%s: %s %s at %s after the refusal; want in stock at %s", what, lot, l.Status, l.Location, where)
	}
}

// testDeclaredTripUnderArrival (W1 and its kin). Each lot is 10 t
// commissioned at Karachi, shipped to Houston under QK-B and arrived
// there: in stock at Houston.
//   - W1: L packed whole into C; [C] shipped, [C] arriving. Declaring
//     the shipping alone: refused 409 naming the arriving urn:t:ev:qk-arr
//     (captured on the record without the shipping, C and L stand at
//     Karachi, on no trip); nothing stored, L still at Houston.
//   - The same loose (line "QL 10,000 kg" shipped and arriving): refused
//     naming urn:t:ev:ql-arr (a regression guard for the lot form).
//   - The packing declared after [C] arrived (lot QP) and QP was
//     inspected at Houston on Oct 6: without the packing C held nothing
//     of QP, its trip carried none of it and QP never left Karachi, so
//     the inspection at Houston stands on nothing; refused naming
//     urn:t:ev:qp-insp; nothing stored, QP still at Houston. With the
//     inspection declared too it is taken (a container that travelled
//     empty is an honest record, ContainerPackingDeclaredMoved): QP in
//     stock at Karachi, and a run at Houston fed it is refused 409.
//   - The shipping and the arriving declared together (W1's L, then the
//     loose lot): taken; the lot stands at Karachi again (in stock), and a
//     run at Houston fed it by a line is refused 409 (nothing of it
//     stands at Houston).
func testDeclaredTripUnderArrival(t *testing.T, open Opener) {
	t.Run("W1 container shipping declared", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:QK"
		_, ship, arr := qkTrip(t, svc, "QK", true)
		if l := mustLot(t, s, lot); l.Location != qkHou || l.Status != critmin.LotInStock {
			t.Fatalf("QK after [C] arrived at Houston: %s at %s; want in stock at %s", l.Status, l.Location, qkHou)
		}
		qkRefused(t, s, svc, "[C]'s shipping declared alone", lot, qkHou, []string{declaredWith(t, ship)}, "urn:t:ev:qk-arr")
		MustCapture(t, svc, ctDoc(declaredWith(t, ship), declaredWith(t, arr)))
		qkBackAtKhi(t, s, "QK", "shipping and arriving")
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	t.Run("loose shipping declared", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:QL"
		_, ship, arr := qkTrip(t, svc, "QL", false)
		qkRefused(t, s, svc, "QL's shipping declared alone", lot, qkHou, []string{declaredWith(t, ship)}, "urn:t:ev:ql-arr")
		MustCapture(t, svc, ctDoc(declaredWith(t, ship), declaredWith(t, arr)))
		qkBackAtKhi(t, s, "QL", "shipping and arriving")
	})
	t.Run("packing declared after the container arrived", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:QP"
		pack, _, _ := qkTrip(t, svc, "QP", true)
		insp := strings.ReplaceAll(strings.ReplaceAll(ydInspect("qp-insp", 6), "urn:t:lot:YD", lot), "urn:t:site:khi", qkHou)
		MustCapture(t, svc, ctDoc(insp))
		qkRefused(t, s, svc, "QP's packing declared alone under its inspection at Houston", lot, qkHou, []string{declaredWith(t, pack)}, "urn:t:ev:qp-insp")
		// With the inspection: taken. [C]'s trip carried nothing of QP
		// (a container travelling empty, as ContainerPackingDeclaredMoved
		// takes it), and QP never left Karachi.
		MustCapture(t, svc, ctDoc(declaredWith(t, pack), declaredWith(t, insp)))
		qkBackAtKhi(t, s, "QP", "packing and inspection")
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
}

// qkBackAtKhi checks that lot urn:t:lot:<name> stands in stock at
// Karachi once what its events named (what) was declared in error, and
// that a run at Houston fed 10 t of it is refused 409 at the run's
// bizLocation, naming the lot and Karachi; nothing is stored.
func qkBackAtKhi(t *testing.T, s critmin.Store, name, what string) {
	t.Helper()
	lot := "urn:t:lot:" + name
	if l := mustLot(t, s, lot); l.Location != qkKhi || l.Status != critmin.LotInStock {
		t.Errorf("%s after its %s were declared: %s at %s; want in stock at %s", name, what, l.Status, l.Location, qkKhi)
	}
	lower := strings.ToLower(name)
	ctRefusedWith(t, s, "a run at Houston fed "+name+", which stands at Karachi", ctDoc(peRunAt(lower+"-run", qkHou, 7, nil, []string{name + ":10000"}, name+"X", 1000)),
		critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", lot, qkKhi)
}
