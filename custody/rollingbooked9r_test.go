package custody_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestRollingAverageClaimLaterShortStaysBooked (fix9r F2): at a
// rolling-average site a claim accepted at capture that a later run event
// leaves above its window's share is not covered, not refused, and stays
// booked in full, so a later claim cannot take the credits it rests on
// (docs/origin.md "a claim no longer covered stays booked", "Not covered
// is not refused"), as at a credit-method site. Site mb, REE → NdPr oxide
// on Nd + Pr, factor 0.9, carry-forward 0 (October alone), all feeds at
// Nd 4 % + Pr 1 %:
//
//	r1 (Oct 5): PK (Pakistan) 10 t (0.5 t) + CN 10 t (0.5 t) → O1 1 t at
//	  Nd 60 % + Pr 20 % = 0.8 t; credit, element by element (fix9ad): Nd
//	  0.8 × 0.9 = 0.72 > 0.6 → × 0.6/0.72, Pr 0.2 × 0.9 = 0.18 ≤ 0.2 →
//	  kept: PAK 0.36 × 0.6/0.72 + 0.09 = 0.39, CHN 0.39.
//	r2 (Oct 6, run t2): CN2 30 t (1.5 t) → O2 1 t (0.8 t) claiming
//	  Pakistan 20 % = 0.16 t. Window PAK 0.5 / (0.5 + 0.5 + 1.5) = 20 %
//	  ≥ 20 %; PAK balance 0.4 ≥ 0.16 → accepted.
//	r3 (Oct 7): CN3 10 t (0.5 t) → O3 1 t, no claim.
//	r2b (Oct 8, run t2): input CN4 10 t (0.5 t). O2's window now PAK
//	  0.5 / 3.0 = 16.7 % < 20 %: not covered, yet booked at 0.16 t; PAK
//	  closing 0.39 − 0.16 = 0.23 t.
//	r5 (Oct 9): CN5 200 t (10 t) → O5 9 t (7.2 t) claiming Pakistan
//	  3.7 % = 0.2664 t. Window PAK 0.5 / (0.5 + 0.5 + 1.5 + 0.5 + 0.5 +
//	  10) = 0.5 / 13.5 = 3.7037 % ≥ 3.7 %; balance 0.23 < 0.2664 →
//	  refused, shortfall 0.2664 − 0.23 = 0.0364 t. (With O2 dropped from
//	  the account, PAK held 0.39 and O5 was wrongly accepted.)
func TestRollingAverageClaimLaterShortStaysBooked(t *testing.T) {
	db := mbfxStore(t, true, mbfxREE("PK", "PAK", 10), mbfxREE("CN", "CHN", 10), mbfxREE("CN2", "CHN", 30),
		mbfxREE("CN3", "CHN", 10), mbfxREE("CN4", "CHN", 10), mbfxREE("CN5", "CHN", 200))
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-05T01:00:00Z", "r1", run9p("r1", "t1", "2025-10-05T00:00:00Z", []string{"PK:10", "CN:10"}, "O1", 1, ""))
	mbfxCapture(t, svc, "2025-10-06T01:00:00Z", "r2", run9p("r2", "t2", "2025-10-06T00:00:00Z", []string{"CN2:30"}, "O2", 1, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.2}]`))
	mbfxCapture(t, svc, "2025-10-07T01:00:00Z", "r3", run9p("r3", "t3", "2025-10-07T00:00:00Z", []string{"CN3:10"}, "O3", 1, ""))
	mbfxCapture(t, svc, "2025-10-08T01:00:00Z", "r2b", run9p("r2b", "t2", "2025-10-08T00:00:00Z", []string{"CN4:10"}, "", 0, ""))
	if cl := mbfxClaim(t, db, "O2"); cl.Status != custody.ClaimNotCovered || len(cl.ByCountry) != 1 || math.Abs(cl.ByCountry[0].Tonnes-0.16) > 1e-9 || strings.Join(cl.RunChangedBy, " ") != "urn:t:ev:r2b" {
		t.Errorf("O2 after r2b: status %s shares %+v runChangedBy %v, want not_covered, Pakistan booked at 0.8 × 20 %% = 0.16 t, naming urn:t:ev:r2b", cl.Status, cl.ByCountry, cl.RunChangedBy)
	} else if err := custody.CheckClaimShares("urn:t:lot:O2", cl); err != nil {
		t.Error(err)
	} else if !strings.Contains(cl.Error, "not covered") || strings.Contains(cl.Error, "claim on lot urn:t:lot:O2 refused") {
		t.Errorf("O2's error %q, want not covered, never refused", cl.Error)
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Credits-0.39) > 1e-9 || math.Abs(l.Claims-0.16) > 1e-9 || math.Abs(l.Closing-0.23) > 1e-9 {
		t.Errorf("October PAK %+v, want credits 0.39, claims 0.16 (O2 booked), closing 0.23", l)
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	err := mbfxTry(svc, "2025-10-09T01:00:00Z", run9p("r5", "t5", "2025-10-09T00:00:00Z", []string{"CN5:200"}, "O5", 9, `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.037}]`))
	if err == nil || !strings.Contains(err.Error(), "shortfall 0.0364 t") {
		t.Errorf("r5 (0.2664 t Pakistan against 0.23 t): %v, want refused with shortfall 0.0364 t", err)
	}
}
