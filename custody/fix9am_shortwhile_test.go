package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestCoveredAgainStatesShortfallWhileAssayStood (fix9am; new-user check
// nu9h 2): a claim covered again after an assay of its own lot is
// declared in error states the shortfall it met while the assay stood,
// on the content it was claimed on — a claim keeps what it took.
//
//	PKN Pakistan 10 t at Nd 5 %; CNP China 10 t at Pr 5 % (site mb,
//	  factor 0.9).
//	R13 (Oct 4): PKN + CNP → P3 1 t NdPr oxide at Nd 30 % + Pr 10 %
//	  (0.4 t Nd+Pr), claiming Pakistan 75 %: 0.75 × 0.4 = 0.3 t.
//	  Credits PAK Nd min(10 × 5 % × 0.9 = 0.45, 0.3 in P3) = 0.3 t,
//	  CHN Pr min(0.45, 0.1) = 0.1 t: 0.3 ≤ 0.3, accepted.
//	AS31 (dated Oct 15, recorded Oct 16) puts P3 at Nd 20 %: PAK credit
//	  min(0.45, 0.2) = 0.2 t; the claim keeps its 0.3 t: short 0.1 t.
//	AS31 declared in error (Oct 17): covered again; the note says "while
//	  urn:t:ev:AS31 stood (shortfall 0.1 t)". Before: 0.025 t =
//	  0.75 × (0.2 + 0.1) − 0.2, the claim re-figured on the reassayed
//	  content.
func TestCoveredAgainStatesShortfallWhileAssayStood(t *testing.T) {
	run := runOf("R13", "mb", "2025-10-04T00:00:00Z", []string{"PKN:10", "CNP:10"},
		product{lot: "P3", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:30", "Pr:10"}, extra: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.75}]`})
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("PKN", "ree_concentrate", "PAK", 10, "Nd:5", "Pr:0"), feed("CNP", "ree_concentrate", "CHN", 10, "Nd:0", "Pr:5")))
	if err := custody.DeclareMassBalance(context.Background(), db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-04T12:00:00Z", "R13 (0.3 t on 0.3 t)", run)
	as := lateAssay9d("AS31", "2025-10-15T00:00:00Z", "urn:t:lot:P3", "20")
	mbfxCapture(t, svc, "2025-10-16T00:00:00Z", "AS31", as)
	if cl := mbfxClaim(t, db, "P3"); cl.Status != custody.ClaimNotCovered || !near(cl.Shortfall, 0.1) {
		t.Fatalf("P3 with AS31: %s short %v, want not covered 0.1 t", cl.Status, cl.Shortfall)
	}
	retractEvent(t, svc, as, "2025-10-17T00:00:00Z")
	cl := mbfxClaim(t, db, "P3")
	if cl.Status != custody.ClaimAccepted || !strings.Contains(cl.CoverageNote, "while urn:t:ev:AS31 stood (shortfall 0.1 t)") {
		t.Errorf("P3 after AS31 declared in error: %s %q, want covered again, shortfall 0.1 t while AS31 stood", cl.Status, cl.CoverageNote)
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "claim" && !strings.Contains(e.Note, "(shortfall 0.1 t)") {
				t.Errorf("statement entry %s: %q, want shortfall 0.1 t while AS31 stood", e.Lot, e.Note)
			}
		}
	}
}
