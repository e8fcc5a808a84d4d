package custody_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestOutOfSystemClaimRepaidNamesOnlyTheSystem (fix9am; new-user check
// nu9h 4, 5): a claim out of its category's system whose share of the
// balance's deficit later credits repaid is no over-claim and names only
// the cause that leaves it short now. At site9aj (TestClaimOutOfSystem
// AndShortNamesBoth): xa then r1 declared in error — lace PAK credits 0,
// C2 (1.5 t) booked in full, deficit 1.5 t; then r5 (Oct 10): PK2
// (Pakistan, as PK) 10 t → C5 3 t, credits PAK 1.6 t as R1 did: 1.5
// repays the deficit, the line closes 0 + 1.6 − 1.5 = 0.1 t.
//
// C2 stays not covered (its run R2 consumes no lace input: short of all
// 1.5 t it claims, its category's system), its error no longer says
// "over-claim … but the balance holds 1.5 t", and it is "no longer
// covered since urn:t:ev:xa" alone: r1's effect was repaid by r5.
func TestOutOfSystemClaimRepaidNamesOnlyTheSystem(t *testing.T) {
	db, svc := site9aj(t, xa9aj, xb9aj, xo9aj)
	retractEvent(t, svc, xa9aj, "2025-10-08T00:00:00Z")
	retractEvent(t, svc, run9aj("r1", "R1", "2025-10-05T00:00:00Z", []string{"PK:10"}, []string{"C1:3"}, "La:25", "Ce:35"), "2025-10-09T00:00:00Z")
	mbfxCapture(t, svc, "2025-10-10T01:00:00Z", "PK2 and r5", feed("PK2", "ree_concentrate", "PAK", 10, full9aj...),
		run9aj("r5", "R5", "2025-10-10T00:00:00Z", []string{"PK2:10"}, []string{"C5:3"}, "La:25", "Ce:35"))
	sameLine(t, "Oct", line(t, mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)), "lace", "PAK"), 0, 1.6, 1.5, 0, 0.1)
	cl := mbfxClaim(t, db, "C2")
	if cl.Status != custody.ClaimNotCovered || cl.ShortOf != custody.ShortOfCategorySystem || strings.Join(cl.NotCoveredBy(), " ") != "urn:t:ev:xa" {
		t.Errorf("C2: %s, shortOf %s, not covered by %v; want not covered, category_system, by urn:t:ev:xa alone", cl.Status, cl.ShortOf, cl.NotCoveredBy())
	}
	if strings.Contains(cl.Error, "over-claim") || strings.Contains(cl.Error, "but the balance holds") ||
		!strings.HasPrefix(cl.Error, "claim not covered (its run left its category's mass-balance system; the balance covers it):") {
		t.Errorf("C2's error: %s; want it led by the category's system, no over-claim", cl.Error)
	}
	if txt := custody.RefusedClaimText(cl); !strings.Contains(txt, "no longer covered since urn:t:ev:xa;") {
		t.Errorf("C2's text: %s, want no longer covered since urn:t:ev:xa alone", txt)
	}
}
