package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// testDeclaredTripTonnes (new-user check r2, W5–W8 and R1; EPCIS 2.0
// §7.4.1.2: a declaration in error has every projection ignore the
// event, and the record it leaves must still be one capture would
// take). A declaration whose remaining record breaks a receipt rule
// capture enforces for a new event — a receipt of a lot on no trip
// (whereabouts), a receipt with no bill of lading taking more than is
// in transit to its site (beyondInTransit), a second receipt of what
// was received already (receivedNoBill) — is refused 409 naming the
// declared event and the receipt it would leave standing on nothing;
// nothing is stored. Declared together with that receipt it is taken,
// and the lot's tonnes are conserved. Declarations apply before the
// document is judged: a receipt declared with its corrective receipt
// is judged as gone. Each case in a store of its own; every lot
// 10,000 kg commissioned at mb on Oct 1, shipped mb → khi with no bill
// of lading; at khi / at mb / in transit / in all (teWant):
//   - W5 (DS, by lines): "DS 4,000 kg" shipped on Oct 3, received at
//     khi on Oct 5: 4 / 6 / 0 / 10. The shipping declared alone: refused
//     naming the receipt ds-recv (without the shipping DS stands at mb
//     on no trip; the receipt would read the lot as 4 t at khi, the
//     6 t at mb lost: 4 t in all); still 4 / 6 / 0 / 10. Shipping and
//     receipt declared together: taken, 0 / 10 / 0 / 10.
//   - W6 (DC, a container): 6,000 kg packed into C on Oct 2 (4 t loose),
//     [C] shipped on Oct 3 and received at khi on Oct 5: 6 / 4 / 0 / 10.
//     The shipping declared alone: refused naming dc-recv (was taken:
//     6 t at khi, the 4 t at mb lost); both declared: 0 / 10 / 0 / 10.
//   - W7 (DT, two trips one receipt): "DT 4,000 kg" shipped on Oct 3,
//     "DT 3,000 kg" on Oct 4, "DT 7,000 kg" received on Oct 5:
//     7 / 3 / 0 / 10. The 3 t shipping declared alone: refused naming
//     dt-recv (7 t received of 4 t in transit, 3 t beyond; was taken:
//     6 + 7 = 13 t); still 7 / 3 / 0 / 10. Declared with the receipt:
//     taken, the 4 t trip stays in transit: 0 / 10 − 4 = 6 / 4 / 10.
//   - W8 (DW, two containers, two receipts): 6,000 kg into C1, 4,000 kg
//     into C2 on Oct 2, [C1, C2] shipped on Oct 3; R1 receives [C1] on
//     Oct 5, R2 [C2] on Oct 6: 10 / 0 / 0 / 10. R1 declared with its
//     corrective rc receiving [C1, C2] on Oct 5: refused naming R2 (once
//     rc received both, R2 receives what is no longer in transit; was
//     taken: 4 t at khi); still 10 / 0 / 0 / 10. R1 and R2 declared with
//     rc: taken, 10 / 0 / 0 / 10.
//   - R1 (DR): "DR 4,000 kg" shipped on Oct 3, received at khi on Oct 5
//     (dr-recv): 4 / 6 / 0 / 10. dr-recv declared with its corrective
//     dr-rc receiving "DR 4,000 kg" on Oct 5: taken (was refused
//     "nothing of it is in transit … already received (event dr-recv)",
//     counting the receipt the document declares): 4 / 6 / 0 / 10.
//
// Verify with its rebuild is clean at the end of each.
func testDeclaredTripTonnes(t *testing.T, open Opener) {
	recv := func(id string, day int, boxes []string, lots ...string) string {
		return teRecv("nobill", "receiving", id, "", day, boxes, lots...)
	}
	// refused wants decl refused 409 naming the declared event and the
	// receipt, nothing stored (refusedNaming), and a conflict field
	// naming the receipt.
	refused := func(t *testing.T, s critmin.Store, what string, decl []string, declaredID, receipt string) {
		t.Helper()
		svc := custody.NewService(s)
		err := refusedNaming(t, s, svc, what, decl, "urn:t:ev:"+receipt)
		if err == nil {
			return
		}
		if msg := critmin.ErrorMessage(err); !strings.Contains(msg, "urn:t:ev:"+declaredID) {
			t.Errorf("%s: the refusal does not name the declared event urn:t:ev:%s:\n%s", what, declaredID, msg)
		}
		found := false
		for _, f := range critmin.ErrorFields(err) {
			found = found || f.Conflict && strings.Contains(f.Reason, "urn:t:ev:"+receipt)
		}
		if !found {
			t.Errorf("%s: no conflict field names urn:t:ev:%s: %+v", what, receipt, critmin.ErrorFields(err))
		}
	}
	t.Run("W5", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:DS"
		ship := teShip("nobill", "ds-ship", "", 3, nil, "DS:4000")
		rc := recv("ds-recv", 5, nil, "DS:4000")
		MustCapture(t, svc, ctDoc(csLot("DS")))
		MustCapture(t, svc, ctDoc(ship))
		MustCapture(t, svc, ctDoc(rc))
		teWant(t, s, "4 t shipped and received", lot, 4, 6, 0, 10)
		refused(t, s, "the shipping declared alone under its receipt", []string{declaredWith(t, ship)}, "ds-ship", "ds-recv")
		teWant(t, s, "the refusal", lot, 4, 6, 0, 10)
		MustCapture(t, svc, ctDoc(declaredWith(t, ship), declaredWith(t, rc)))
		teWant(t, s, "shipping and receipt declared", lot, 0, 10, 0, 10)
		qeVerified(t, s, "W5")
	})
	t.Run("W6", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:DC"
		box := []string{csBox}
		ship := teShip("nobill", "dc-ship", "", 3, box)
		rc := recv("dc-recv", 5, box)
		MustCapture(t, svc, ctDoc(csLot("DC"), ctPack("dc-pack", "ADD", csBox, 2, "DC:6000")))
		MustCapture(t, svc, ctDoc(ship))
		MustCapture(t, svc, ctDoc(rc))
		teWant(t, s, "[C] shipped and received", lot, 6, 4, 0, 10)
		refused(t, s, "[C]'s shipping declared alone under its receipt", []string{declaredWith(t, ship)}, "dc-ship", "dc-recv")
		teWant(t, s, "the refusal", lot, 6, 4, 0, 10)
		MustCapture(t, svc, ctDoc(declaredWith(t, ship), declaredWith(t, rc)))
		teWant(t, s, "shipping and receipt declared", lot, 0, 10, 0, 10)
		qeVerified(t, s, "W6")
	})
	t.Run("W7", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:DT"
		ship2 := teShip("nobill", "dt-ship2", "", 4, nil, "DT:3000")
		rc := recv("dt-recv", 5, nil, "DT:7000")
		MustCapture(t, svc, ctDoc(csLot("DT")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "dt-ship1", "", 3, nil, "DT:4000")))
		MustCapture(t, svc, ctDoc(ship2))
		MustCapture(t, svc, ctDoc(rc))
		teWant(t, s, "4 t and 3 t shipped, 7 t received", lot, 7, 3, 0, 10)
		refused(t, s, "the 3 t shipping declared alone under the 7 t receipt", []string{declaredWith(t, ship2)}, "dt-ship2", "dt-recv")
		teWant(t, s, "the refusal", lot, 7, 3, 0, 10)
		MustCapture(t, svc, ctDoc(declaredWith(t, ship2), declaredWith(t, rc)))
		teWant(t, s, "the 3 t shipping and the receipt declared", lot, 0, 6, 4, 10)
		qeVerified(t, s, "W7")
	})
	t.Run("W8", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:DW"
		both := []string{csBox, cbC1}
		r1 := recv("dw-r1", 5, []string{csBox})
		r2 := recv("dw-r2", 6, []string{cbC1})
		corr := recv("dw-rc", 5, both)
		MustCapture(t, svc, ctDoc(csLot("DW"), ctPack("dw-pack1", "ADD", csBox, 2, "DW:6000"), ctPack("dw-pack2", "ADD", cbC1, 2, "DW:4000")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "dw-ship", "", 3, both)))
		teWant(t, s, "[C1, C2] shipped", lot, 0, 0, 10, 10)
		MustCapture(t, svc, ctDoc(r1))
		MustCapture(t, svc, ctDoc(r2))
		teWant(t, s, "[C1] and [C2] received", lot, 10, 0, 0, 10)
		refused(t, s, "R1 declared with a corrective receipt of [C1, C2] under R2", []string{declaredWith(t, r1, "urn:t:ev:dw-rc"), corr}, "dw-r1", "dw-r2")
		teWant(t, s, "the refusal", lot, 10, 0, 0, 10)
		MustCapture(t, svc, ctDoc(declaredWith(t, r1, "urn:t:ev:dw-rc"), declaredWith(t, r2), corr))
		teWant(t, s, "R1 and R2 declared, [C1, C2] received by rc", lot, 10, 0, 0, 10)
		qeVerified(t, s, "W8")
	})
	t.Run("R1", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		const lot = "urn:t:lot:DR"
		rc := recv("dr-recv", 5, nil, "DR:4000")
		MustCapture(t, svc, ctDoc(csLot("DR")))
		MustCapture(t, svc, ctDoc(teShip("nobill", "dr-ship", "", 3, nil, "DR:4000")))
		MustCapture(t, svc, ctDoc(rc))
		teWant(t, s, "4 t shipped and received", lot, 4, 6, 0, 10)
		MustCapture(t, svc, ctDoc(declaredWith(t, rc, "urn:t:ev:dr-rc"), recv("dr-rc", 5, nil, "DR:4000")))
		teWant(t, s, "the receipt declared with its corrective", lot, 4, 6, 0, 10)
		qeVerified(t, s, "R1")
	})
}
