package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestCoveredAgainStatesItsOwnShortfall (fix9am; new-user check nu9h 3):
// a claim that met a balance already in deficit from earlier periods'
// claims, and is covered again by later credits, states its own
// shortfall, never the whole deficit. fix9aiStore at carry-forward 1
// with R4, then:
//
//	R5 (Dec 6): CN3 (China) 10 t → O5 0.25 t at Nd 60 % + Pr 20 % =
//	  0.2 t, claiming Pakistan: December holds R4's 0.45 t (October's
//	  0.05 t left expired at November's end): accepted.
//	R1 and R4 declared in error (Dec 20): October closes −0.4 t (O2, O3
//	  0.2 t each), carried into December; December credits 0, O5 meets
//	  −0.4 t: replayed 0.2 + 0.4 = 0.6 t short, its own share 0.2 t (the
//	  deficit is the later claims' first: min(0.2, 0.6)).
//	R6 (Dec 8) and R7 (Dec 9), PK3 and PK4 (Pakistan) 10 t each like R1:
//	  credits 0.45 t each, recorded Dec 21: December opens −0.4, credits
//	  0.9, claims 0.2, closes −0.4 + 0.9 − 0.2 = 0.3 t.
//
// O5 reads covered again "left not covered by a later fact (shortfall
// 0.2 t)", on the claim and its December entry. Before: 0.6 t.
func TestCoveredAgainStatesItsOwnShortfall(t *testing.T) {
	db, svc, ev := fix9aiStore(t, 1, true)
	mbfxCapture(t, svc, "2025-12-05T13:00:00Z", "feeds CN3, PK3, PK4", mbfxREE("CN3", "CHN", 10), mbfxREE("PK3", "PAK", 10), mbfxREE("PK4", "PAK", 10))
	mbfxCapture(t, svc, "2025-12-06T12:00:00Z", "R5 (0.2 t on 0.45 t)", fix9aiRun("R5", "2025-12-06T00:00:00Z", "CN3", "O5", 0.25, "Pr:20", claimPAK))
	retractEvent(t, svc, ev["R1"], "2025-12-20T00:00:00Z")
	retractEvent(t, svc, ev["R4"], "2025-12-20T01:00:00Z")
	if cl := mbfxClaim(t, db, "O5"); cl.Status != custody.ClaimNotCovered || !near(cl.Shortfall, 0.2) {
		t.Fatalf("O5 with R1 and R4 declared in error: %s short %v, want not covered 0.2 t", cl.Status, cl.Shortfall)
	}
	mbfxCapture(t, svc, "2025-12-21T00:00:00Z", "R6 and R7",
		fix9aiRun("R6", "2025-12-08T00:00:00Z", "PK3", "O6", 0.6, "Pr:15", ""), fix9aiRun("R7", "2025-12-09T00:00:00Z", "PK4", "O7", 0.6, "Pr:15", ""))
	want := "left not covered by a later fact (shortfall 0.2 t)"
	if cl := mbfxClaim(t, db, "O5"); cl.Status != custody.ClaimAccepted || !strings.Contains(cl.CoverageNote, want) {
		t.Errorf("O5: %s %q, want covered again, %s", cl.Status, cl.CoverageNote, want)
	}
	dec := mbfxStatement(t, db, "2025-12", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	sameLine(t, "Dec", fix9aiPAK(dec), -0.4, 0.9, 0.2, 0, 0.3)
	for _, c := range dec.Categories {
		for _, e := range c.Entries {
			if e.Kind == "claim" && (e.Lot != "urn:t:lot:O5" || !strings.Contains(e.Note, want)) {
				t.Errorf("Dec entry %s: %q, want O5's, %s", e.Lot, e.Note, want)
			}
		}
	}
}
