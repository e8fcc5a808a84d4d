package custody_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestRunCreditWhateverEventOrder (fix9r F1): a run's credits are bounded
// by the run's whole products, each output line once, whatever the order
// in which its events are captured and however its lines are grouped into
// events (EPCIS 2.0 §7.4.6: the events of one transformationID are one
// transformation). Site mb, REE → NdPr oxide on Nd + Pr, factor 0.9:
//
//	PK (Pakistan) 100 t at Nd 4 % + Pr 1 % = 5 t Nd+Pr
//	CN (China) 20 t at the same grade = 1 t Nd+Pr
//	run tA: a (Oct 5) PK 100 t → OA 2 t; a3 (Oct 6) output OB 2 t only;
//	  a4 (Oct 7) input CN 20 t only. Outputs at 80 % Nd+Pr: (2 + 2) × 0.8
//	  = 3.2 t; consumption 6 × 0.9 = 5.4 t. Credit min(5.4, 3.2) = 3.2 t,
//	  shared by input Nd+Pr 5 : 1: PAK 3.2 × 5/6 = 2.666667 t, CHN 3.2 ×
//	  1/6 = 0.533333 t. (Captured a, a3, a4 it read PAK 4, CHN 0.8: a
//	  bound of 6 t of oxide, OA and OB counted twice.)
//
// The same holds when a3 and a4 are one event (aB: CN 20 t → OB 2 t).
func TestRunCreditWhateverEventOrder(t *testing.T) {
	events := map[string]string{
		"a":  run9p("a", "tA", "2025-10-05T00:00:00Z", []string{"PK:100"}, "OA", 2, ""),
		"a3": run9p("a3", "tA", "2025-10-06T00:00:00Z", nil, "OB", 2, ""),
		"a4": run9p("a4", "tA", "2025-10-07T00:00:00Z", []string{"CN:20"}, "", 0, ""),
		"aB": run9p("a3", "tA", "2025-10-06T00:00:00Z", []string{"CN:20"}, "OB", 2, ""),
	}
	for _, order := range [][]string{
		{"a", "a3", "a4"}, {"a", "a4", "a3"}, {"a3", "a", "a4"},
		{"a3", "a4", "a"}, {"a4", "a", "a3"}, {"a4", "a3", "a"}, {"a", "aB"},
	} {
		t.Run(strings.Join(order, ","), func(t *testing.T) {
			st := mbfxRunOrder(t, "2025-10-08T01:00:00Z", events, order, mbfxREE("PK", "PAK", 100), mbfxREE("CN", "CHN", 20))
			pak, chn := line(t, st, "ree", "PAK"), line(t, st, "ree", "CHN")
			if math.Abs(pak.Credits-8.0/3) > 1e-9 || math.Abs(chn.Credits-1.6/3) > 1e-9 {
				t.Errorf("credits PAK %v CHN %v, want 2.666667 and 0.533333 (3.2 t of oxide Nd+Pr shared 5:1)", pak.Credits, chn.Credits)
			}
			if err := custody.CheckStatement(st); err != nil {
				t.Error(err)
			}
			for _, n := range append(pak.Notes, chn.Notes...) {
				if strings.Contains(n, "in 6 t") {
					t.Errorf("note %q counts 6 t of oxide; OA and OB are 4 t", n)
				}
			}
		})
	}
}

// TestRunInputAfterOutputOnlyEventLeavesClaimShort (fix9r F1): the
// figures a buyer reads when run tA's input CN arrives after its
// output-only event. Site mb as in TestRunCreditWhateverEventOrder:
//
//	a (Oct 5): PK 100 t (5 t Nd+Pr) → OA 2 t (1.6 t) claiming Pakistan
//	  100 %: credit min(4.5, 1.6) = 1.6 t PAK; claim 1.6 → accepted.
//	a3 (Oct 6): output OB 2 t (1.6 t) claiming Pakistan 100 %: bound
//	  (2 + 2) × 0.8 = 3.2 t, PAK 3.2; claims 1.6 + 1.6 = 3.2 → accepted.
//	a4 (Oct 7): input CN 20 t (1 t): PAK 3.2 × 5/6 = 2.666667 t, CHN
//	  0.533333 t. OA takes 1.6 first; OB's 1.6 t against the 1.066667 t
//	  left: not covered, booked, shortfall 0.533333 t; PAK closing
//	  2.666667 − 3.2 = −0.533333 t.
//	d (Oct 8): CN3 100 t (5 t) → OD 4.5 t (3.6 t) claiming Pakistan
//	  100 % = 3.6 t: PAK balance −0.533333 → refused, shortfall 3.6 +
//	  0.533333 = 4.133333 t.
func TestRunInputAfterOutputOnlyEventLeavesClaimShort(t *testing.T) {
	db := mbfxStore(t, false, mbfxREE("PK", "PAK", 100), mbfxREE("CN", "CHN", 20), mbfxREE("CN3", "CHN", 100))
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-05T01:00:00Z", "a", run9p("a", "tA", "2025-10-05T00:00:00Z", []string{"PK:100"}, "OA", 2, claimPAK))
	mbfxCapture(t, svc, "2025-10-06T01:00:00Z", "a3", run9p("a3", "tA", "2025-10-06T00:00:00Z", nil, "OB", 2, claimPAK))
	mbfxCapture(t, svc, "2025-10-07T01:00:00Z", "a4", run9p("a4", "tA", "2025-10-07T00:00:00Z", []string{"CN:20"}, "", 0, ""))
	for lot, short := range map[string]float64{"OA": 0, "OB": 1.6 / 3} {
		cl := mbfxClaim(t, db, lot)
		if short == 0 && cl.Status != custody.ClaimAccepted {
			t.Errorf("%s: %s (%s), want accepted", lot, cl.Status, cl.Error)
		}
		if short > 0 && (cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-short) > 1e-9 || strings.Join(cl.RunChangedBy, " ") != "urn:t:ev:a4") {
			t.Errorf("%s: status %s shortfall %v runChangedBy %v, want not_covered, 0.533333 t short, naming urn:t:ev:a4", lot, cl.Status, cl.Shortfall, cl.RunChangedBy)
		}
		if err := custody.CheckClaimShares("urn:t:lot:"+lot, cl); err != nil {
			t.Error(err)
		}
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Credits-8.0/3) > 1e-9 || math.Abs(l.Claims-3.2) > 1e-9 || math.Abs(l.Closing+1.6/3) > 1e-9 {
		t.Errorf("October PAK %+v, want credits 2.666667, claims 3.2, closing −0.533333", l)
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	err := mbfxTry(svc, "2025-10-08T01:00:00Z", run9p("d", "tD", "2025-10-08T00:00:00Z", []string{"CN3:100"}, "OD", 4.5, claimPAK))
	if err == nil || !strings.Contains(err.Error(), "shortfall 4.133333 t") {
		t.Errorf("d (3.6 t Pakistan against −0.533333 t): %v, want refused with shortfall 4.133333 t", err)
	}
}
