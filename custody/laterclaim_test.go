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

// claimADD is an ObjectEvent ADD on lot at `when` whose ILMD claims
// `share` of Pakistani origin: a claim made after the lot was produced.
func claimADD(id, lot, when, share string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "quantityList": [{"epcClass": "urn:t:lot:` + lot + `"}], "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": ` + share + `}]}}`
}

// TestLaterClaimBookedWhenMade: ISO 22095-2 — a claim is made in the
// period it is made and draws on that period's balance. Site mb
// (declaration(): factor 0.9, carry-forward 1 period):
//
//	Oct 10 R1: A (Pakistan, 100 t at 5 % Nd+Pr) → L, 1 t oxide at 80 %
//	           Nd+Pr = 0.8 t, no claim. Credit PAK 100 × 5 % × 0.9 = 4.5 t,
//	           usable in October and November, expired at November's end.
//	           R1 also makes LR, 5 t at 62 % Nd + 15 % Pr = 3.85 t, so its
//	           products hold 4.65 ≥ 4.5 t (fix9c; Nd 3.7 ≤ 4, Pr 0.95 ≤ 1).
//	Dec 15 C1: ObjectEvent ADD claims L 100 % Pakistan: 0.8 t in December,
//	           whose PAK balance is 0 (October's 4.5 t expired):
//	           refused, shortfall 0.8 t. Booked in October (the lot's
//	           production period) it would pass on expired credits and
//	           rewrite October's closed statement.
//
// With a December run R2 (A2, Pakistan, 20 t → 1 t × 0.9 = 0.9 t credit;
// its oxide L2, 1.2 t at 64 % Nd + 16 % Pr = 0.96 t, holds it)
// the same claim fits: 0.8 ≤ 0.9, accepted, booked in 2025-12 under event
// C1; October's statement shows no claim. A second claim on L (C2, Dec 20)
// is refused: L already carries C1's claim.
func TestLaterClaimBookedWhenMade(t *testing.T) {
	ctx := context.Background()
	mk := func(t *testing.T) (critmin.Store, *ledger.Service) {
		db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"), feed("A2", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
			runOf("R1", "mb", "2025-10-10T00:00:00Z", []string{"A:100"}, product{lot: "L", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}},
				product{lot: "LR", commodity: "ndpr_oxide", t: 5, assays: []string{"Nd:62", "Pr:15"}})))
		if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		svc := ledger.NewService(db)
		svc.ClaimCheck = custody.CaptureClaimCheck(db)
		svc.Now = clockAt("2025-12-21T00:00:00Z") // December is open
		return db, svc
	}
	t.Run("expired credits", func(t *testing.T) {
		_, svc := mk(t)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(claimADD("C1", "L", "2025-12-15T00:00:00Z", "1"))})
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Fatalf("December claim on expired October credits: %v, want EINVALID", err)
		}
		for _, want := range []string{"period 2025-12", "shortfall 0.8 t"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
	})
	t.Run("December credits", func(t *testing.T) {
		db, svc := mk(t)
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("R2", "mb", "2025-12-01T00:00:00Z", []string{"A2:20"}, product{lot: "L2", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:64", "Pr:16"}}))}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(claimADD("C1", "L", "2025-12-15T00:00:00Z", "1"))}); err != nil {
			t.Fatalf("December claim on December credits: %v", err)
		}
		c, err := custody.OriginOf(ctx, db, "urn:t:lot:L", false)
		if err != nil {
			t.Fatal(err)
		}
		if cl := c.Claimed; cl == nil || cl.Status != custody.ClaimAccepted || cl.Period != "2025-12" || cl.Event != "urn:t:ev:C1" {
			t.Errorf("claim %+v, want accepted in 2025-12 by urn:t:ev:C1", cl)
		}
		now := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
		dec, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-12", nil, now)
		if err != nil {
			t.Fatal(err)
		}
		// Opening 0 (October's 4.5 expired at November's end), credits 0.9,
		// claims 0.8, closing 0.1.
		sameLine(t, "2025-12", line(t, dec, "ree", "PAK"), 0, 0.9, 0.8, 0, 0.1)
		oct, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, now)
		if err != nil {
			t.Fatal(err)
		}
		sameLine(t, "2025-10", line(t, oct, "ree", "PAK"), 0, 4.5, 0, 0, 4.5)
		_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(claimADD("C2", "L", "2025-12-20T00:00:00Z", "0.5"))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "already carries the claim made by event urn:t:ev:C1") {
			t.Errorf("re-claim: %v, want refused naming C1", err)
		}
	})
}
