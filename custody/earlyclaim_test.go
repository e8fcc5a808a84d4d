package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestClaimBookedAtItsOwnEvent (issue 9, new-user check 3): a claim made
// by a later ObjectEvent ADD is booked to that event and its time, never
// moved to the run that made the lot.
//
// Site mb (mbStore, clock November 25, 2025: October ended, November
// open). Run FF on November 20 turns 1 t of C2 into OXFF, 0.1 t NdPr oxide
// at Nd 60 % + Pr 20 % = 0.08 t Nd+Pr, no claim. November's PAK balance
// then holds 0.9 t (mbStore), so a claim booked at the run would pass:
//
//   - an ADD dated October 15 (ended period, and before OXFF existed):
//     refused at capture, nothing stored;
//   - an ADD dated November 3 (open period, before OXFF existed on
//     November 20): refused "before the lot existed";
//   - read back from a store that took such a claim unchecked, the lot's
//     claim is refused, names the ADD event (not the run) and its own
//     period 2025-11.
func TestClaimBookedAtItsOwnEvent(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	if err := capture(svc, oxideRun("FF", "2025-11-20T00:00:00Z", "OXFF", 0.1, "")); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, claimADD("ff-oct", "OXFF", "2025-10-15T00:00:00Z", "1"))
	// Both reasons, the more basic first (fix9b item 2): the lot did not
	// exist on October 15, and October has ended.
	if msg := critmin.ErrorMessage(err); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(msg, "urn:t:lot:OXFF") ||
		!strings.Contains(msg, "before the lot existed: the run of event urn:t:ev:FF (no transformationID, 2025-11-20T00:00:00Z) made it") || !strings.Contains(msg, "period 2025-10 (2025-10-01 to 2025-11-01) ended on 2025-11-01") ||
		strings.Index(msg, "before the lot existed") > strings.Index(msg, "ended on") {
		t.Fatalf("claim dated October 15 on a lot made November 20: %v, want refused before the lot existed, then in the ended October period", err)
	}
	err = capture(svc, claimADD("ff-nov3", "OXFF", "2025-11-03T00:00:00Z", "1"))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "before the lot existed: the run of event urn:t:ev:FF (no transformationID, 2025-11-20T00:00:00Z) made it") {
		t.Fatalf("claim dated November 3 on a lot made November 20: %v, want refused before the lot existed", err)
	}
	if l, err := db.FindLot(ctx, "urn:t:lot:OXFF"); err != nil || l.OriginClaim != nil {
		t.Fatalf("refused claim stored: %+v %v", l, err)
	}
	// Stored without the capture check (a store from before it): read
	// back, the claim is refused at its own event.
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(claimADD("ff-nov3", "OXFF", "2025-11-03T00:00:00Z", "1"))}); err != nil {
		t.Fatal(err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:OXFF", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimRefused || cl.Event != "urn:t:ev:ff-nov3" || cl.Period != "2025-11" || !strings.Contains(cl.Error, "before the lot existed") {
		t.Errorf("claim %+v, want refused at urn:t:ev:ff-nov3 in 2025-11, before the lot existed", cl)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)) // November ended: expiry expired
	if err != nil {
		t.Fatal(err)
	}
	// November's PAK claims stay those of mbStore: O3 0.8 + K 0.4 = 1.2 t.
	sameLine(t, "Nov", line(t, st, "ree", "PAK"), 2.9, 0.9, 1.2, 1.7, 0.9)
	var found bool
	for _, r := range st.Refused {
		found = found || r.Lot == "urn:t:lot:OXFF" && r.Event == "urn:t:ev:ff-nov3"
	}
	if !found {
		t.Errorf("November's refused claims %+v lack OXFF's claim by ff-nov3", st.Refused)
	}
}

// TestClaimDrawsOnBalanceAtItsTime: a claim made after its lot but
// before the credits it needs draws on the balance of its own time.
// December (laterclaim's site, October's credits expired at November's
// end): Dec 2 run X: C (China, 10 t) → LX, 0.5 t at Nd 60 % + Pr 20 % =
// 0.4 t Nd+Pr. Dec 10 run Y: A2 (Pakistan, 20 t at 5 %) → credit PAK
// 20 × 0.05 × 0.9 = 0.9 t (its oxide LY, 1.2 t at Nd 64 % + Pr 16 % =
// 0.96 t, holds it: fix9c). A claim on LX dated Dec 5: the PAK balance
// then is 0 → refused, shortfall 0.4000 t (0.4 − 0). The same claim
// dated Dec 12: 0.4 ≤ 0.9, accepted, booked at its own event in 2025-12.
func TestClaimDrawsOnBalanceAtItsTime(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		feed("A2", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1")))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-12-21T00:00:00Z")
	if err := capture(svc, runOf("X", "mb", "2025-12-02T00:00:00Z", []string{"C:10"}, product{lot: "LX", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}}),
		runOf("Y", "mb", "2025-12-10T00:00:00Z", []string{"A2:20"}, product{lot: "LY", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:64", "Pr:16"}})); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, claimADD("c5", "LX", "2025-12-05T00:00:00Z", "1"))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.4 t") {
		t.Fatalf("claim dated before the credits: %v, want shortfall 0.4 t", err)
	}
	if err := capture(svc, claimADD("c12", "LX", "2025-12-12T00:00:00Z", "1")); err != nil {
		t.Fatalf("claim dated after the credits: %v", err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:LX", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimAccepted || cl.Event != "urn:t:ev:c12" || cl.Period != "2025-12" || !near(cl.Tonnes, 0.4) {
		t.Errorf("claim %+v, want accepted 0.4 t at urn:t:ev:c12 in 2025-12", cl)
	}
}

// TestEarlyClaimNamesRunAndEvent (issue 9, new-user check fix9j 2): a
// claim refused as dated before its lot existed names the run by its
// transformationID and the event that made the lot apart — never an event
// ID called "run". Run urn:t:run:GG (event urn:t:ev:GG, November 20)
// makes OXGG; an ADD dated November 3 claims it.
func TestEarlyClaimNamesRunAndEvent(t *testing.T) {
	_, svc := mbSvc(t)
	run := strings.Replace(oxideRun("GG", "2025-11-20T00:00:00Z", "OXGG", 0.1, ""), `"bizStep"`, `"transformationID": "urn:t:run:GG", "bizStep"`, 1)
	if err := capture(svc, run); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, claimADD("gg-nov3", "OXGG", "2025-11-03T00:00:00Z", "1"))
	const want = "before the lot existed: run urn:t:run:GG (event urn:t:ev:GG, 2025-11-20T00:00:00Z) made it"
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "run urn:t:ev:") {
		t.Fatalf("claim dated before its lot: %v, want %q", err, want)
	}
}
