package custody_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestSplitRunJoinedAtCapture (issue 9): an event that joins a stored run
// (same transformationID, EPCIS 2.0 §7.4.6) with only inputs is linked by
// the store to the run's earlier outputs; the capture-time claim check
// must replay the same links, or it judges a claim on credits the stored
// account does not hold (and the reverse).
//
// Site mb (declaration(): REE factor 0.9, monthly periods). December:
// document 1 — run J, event ja: feed P (China, 10 t dry, Nd 4 % + Pr 1 %)
// → JA, 0.5 t NdPr oxide at Nd 60 % + Pr 20 %; no claim.
//
//	credit CHN = 10 × 5 % × 0.9 = 0.45 t Nd+Pr
//
// Document 2 — event jb of run J with input Q (Pakistan, 10 t at 5 %
// Nd+Pr) and no output, and an ObjectEvent jc claiming JA 100 % Pakistan:
//
//	credit PAK = 10 × 5 % × 0.9 = 0.45 t (Q is linked to JA through run J)
//	claim JA   = 0.5 × (60 % + 20 %) = 0.40 t ≤ 0.45 → accepted,
//	PAK closing 0.45 − 0.40 = 0.05 t
//
// Before the fix the capture replay gave jb no edges (it has no output of
// its own), so PAK credits were 0 and the claim was refused at capture
// although the stored account accepts it. With Q only 4 t the credit is
// 4 × 5 % × 0.9 = 0.18 t and the claim is refused, shortfall 0.40 − 0.18
// = 0.22 t, at capture as in the stored account.
//
// Document 2 also carries jr, an output-only event of run J making JR
// (no claim), so that the run's products hold its credits (fix9c: a run
// never credits more than its products contain), each element within
// the inputs:
//
//	covered: JR 0.7 t at Nd 64 % + Pr 12 % = 0.532 t; products 0.932 ≥
//	         0.9 t (Nd 0.748 ≤ 0.8, Pr 0.184 ≤ 0.2)
//	short:   JR 0.4 t at Nd 60 % + Pr 9 % = 0.276 t; products 0.676 ≥
//	         0.45 + 0.18 = 0.63 t (Nd 0.54 ≤ 0.56, Pr 0.136 ≤ 0.14)
func TestSplitRunJoinedAtCapture(t *testing.T) {
	for _, tc := range []struct {
		name      string
		q         string // tonnes of Q the joining event consumes
		shortfall string // "" when accepted
		jr        string // JR's tonnes, Nd % and Pr %
	}{
		{name: "covered", q: "10", jr: "0.7:64:12"},
		{name: "short", q: "4", shortfall: "shortfall 0.22 t", jr: "0.4:60:9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := store(t, doc(map[string]string{"mb": "mass_balance"},
				feed("P", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
				feed("Q", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1")))
			if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			svc := ledger.NewService(db)
			svc.ClaimCheck = custody.CaptureClaimCheck(db)
			svc.Now = clockAt("2025-12-11T00:00:00Z") // December is open
			if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(splitEvent("ja", "J", "mb", "P:10", "JA", "0.5", ""))}); err != nil {
				t.Fatal(err)
			}
			jb := `{"type": "TransformationEvent", "eventID": "urn:t:ev:jb", "eventTime": "2025-12-10T01:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:J",
			 "inputQuantityList": [{"epcClass": "urn:t:lot:Q", "quantity": ` + tc.q + `, "uom": "TNE"}], "outputQuantityList": [], "bizLocation": {"id": "urn:t:site:mb"}}`
			jc := `{"type": "ObjectEvent", "eventID": "urn:t:ev:jc", "eventTime": "2025-12-10T02:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
			 "quantityList": [{"epcClass": "urn:t:lot:JA"}], "ilmd": {"cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}`
			f := strings.Split(tc.jr, ":")
			jrT, _ := strconv.ParseFloat(f[0], 64)
			jr := stockEvent("jr", "urn:t:run:J", "urn:t:site:mb", "2025-12-10T01:00:00Z", "JR", jrT, f[1], f[2])
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(jb, jr, jc)})
			if tc.shortfall != "" {
				if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "urn:t:lot:JA") || !strings.Contains(err.Error(), tc.shortfall) {
					t.Fatalf("capture: %v, want EINVALID naming JA and %q", err, tc.shortfall)
				}
				return
			}
			if err != nil {
				t.Fatalf("claim of 0.40 t on 0.45 t of PAK credits from the joining input: %v", err)
			}
			if err := custody.CheckClaim(ctx, db, "urn:t:lot:JA"); err != nil {
				t.Errorf("stored verdict on JA: %v, want accepted as at capture", err)
			}
			st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-12", nil, time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			sameLine(t, "2025-12 PAK", line(t, st, "ree", "PAK"), 0, 0.45, 0.40, 0, 0.05)
			sameLine(t, "2025-12 CHN", line(t, st, "ree", "CHN"), 0, 0.45, 0, 0, 0.45)
		})
	}
}
