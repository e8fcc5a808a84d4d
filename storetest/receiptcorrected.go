package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testReceiptCorrectedAfterOnward (issue 8 §2, fixNn item 2): a receipt
// part of which was shipped on can be declared in error and corrected.
// Lot Z (c, 20 t at mine-a) is shipped whole to pkkhi (s, bill B),
// received there (r, 20 t, 2025-10-05) and 5 t of it shipped on to
// pkbqm (o, 2025-10-07). r is declared in error (EPCIS 2.0 §7.4.1.2):
//   - alone, o would ship from a lot still at sea: refused 409 naming o
//     (custody checkRetractedDraws; declare o too, or correct r);
//   - with its corrective receipt rc (19 t, 2025-10-05) in one document
//     — or with o declared too, then rc and a new onward shipment o2 —
//     it is taken: o stands on rc
//     as it stood on r, as a standing run's take counts against a
//     corrective commissioning (unmadelot.go). Z then holds
//     19 − 5 = 14 t at pkkhi, its 5 t part in transit to pkbqm, and
//     verify's rebuild agrees;
//   - with a corrective of 3 t, o's 5 t would overdraw it by 5 − 3 = 2 t:
//     refused 409, nothing stored.
//
// Before fixNn the corrective was refused "already received under bill
// of lading B (event r)", r being counted though the same document
// declared it, and then "a backdated event must agree with what was
// recorded after it".
func testReceiptCorrectedAfterOnward(t *testing.T, open Opener) {
	ctx := context.Background()
	record := []string{strandedCommission("c", "Z", "20"), strandedShip("s", "2025-10-02", "Z", "20", "mine-a", "pkkhi", "B"),
		strandedReceive("r", "2025-10-05", "Z", "20", "pkkhi", "B"), strandedShip("o", "2025-10-07", "Z", "5", "pkkhi", "pkbqm", "BO")}
	r, o := record[2], record[3]
	rc := func(tonnes string) string { return strandedReceive("rc", "2025-10-05", "Z", tonnes, "pkkhi", "B") }
	open2 := func(t *testing.T) (critmin.Store, *ledger.Service) {
		s := open(t)
		svc := service(s)
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		MustCapture(t, svc, retractDoc(record...))
		return s, svc
	}
	check := func(t *testing.T, s critmin.Store, onward string) {
		t.Helper()
		l := mustLot(t, s, "urn:t:lot:Z")
		// 19 t received by rc, 5 t of it shipped on by o: 14 t remain at pkkhi.
		if got := l.RemainingWetTonnes(); got < 14-1e-9 || got > 14+1e-9 || l.Location != "urn:t:site:pkkhi" {
			t.Errorf("lot Z after the correction: %v t remaining at %s; want 19 − 5 = 14 t at urn:t:site:pkkhi", got, l.Location)
		}
		found := false
		for _, p := range l.Parts {
			found = found || p.ShipEventID == onward && p.Tonnes == 5 && p.Status == critmin.PartInTransit && p.To == "urn:t:site:pkbqm"
		}
		if !found {
			t.Errorf("lot Z after the correction: parts %+v; want %s's 5 t in transit to pkbqm", l.Parts, onward)
		}
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	}
	t.Run("declared alone", func(t *testing.T) {
		_, svc := open2(t)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(strandedDeclared(t, r)))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "shipment urn:t:zk:o") {
			t.Fatalf("declaring r alone: %v; want a conflict naming the onward shipment o", err)
		}
	})
	t.Run("declared with its corrective", func(t *testing.T) {
		s, svc := open2(t)
		MustCapture(t, svc, retractDoc(strandedDeclared(t, r), rc("19")))
		check(t, s, "urn:t:zk:o")
	})
	t.Run("declared with the onward shipment, then corrected", func(t *testing.T) {
		s, svc := open2(t)
		MustCapture(t, svc, retractDoc(strandedDeclared(t, r), strandedDeclared(t, o)))
		MustCapture(t, svc, retractDoc(rc("19"), strandedShip("o2", "2025-10-07", "Z", "5", "pkkhi", "pkbqm", "BO2")))
		check(t, s, "urn:t:zk:o2")
	})
	t.Run("corrective short of the onward shipment", func(t *testing.T) {
		s, svc := open2(t)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(retractDoc(strandedDeclared(t, r), rc("3")))})
		if code := critmin.ErrorCode(err); code != critmin.ECONFLICT && code != critmin.EINVALID {
			t.Fatalf("declaring r with a 3 t corrective under o's 5 t: %v; want it refused", err)
		}
		if evs, _ := s.FindEventsByID(ctx, "urn:t:zk:rc"); len(evs) > 0 {
			t.Errorf("the 3 t corrective was refused, yet it is stored")
		}
	})
}
