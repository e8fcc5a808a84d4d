package custody_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestRollingAverageShareOfQualifyingInput (fix9p F2): at a
// rolling-average site an output may claim of an origin at most that
// origin's share of the qualifying input over the window (ISO
// 22095:2020, rolling-average percentage; docs/origin.md) — the
// contained qualifying element consumed, not the credits the runs'
// product bounds leave of it. Site mb, REE → NdPr oxide on Nd + Pr,
// factor 0.9, carry-forward 0 (October alone):
//
//	PK (Pakistan) 10 t at Nd 4 % + Pr 1 % = 0.5 t Nd+Pr
//	CN, CN2, CN3 (China) 30, 100, 2 t, same grade = 1.5, 5.0, 0.1 t
//	A (Oct 5): PK + CN → OA 2 t at Nd 60 % + Pr 20 % = 1.6 t, claiming
//	  Pakistan 20 % = 0.32 t. Window: PAK 0.5 / (0.5 + 1.5) = 25 % ≥
//	  20 %; credits, element by element (fix9ad): Nd 1.6 × 0.9 = 1.44 >
//	  1.2 → × 1.2/1.44, Pr 0.4 × 0.9 = 0.36 ≤ 0.4 → kept: PAK 0.36 ×
//	  1.2/1.44 + 0.09 = 0.39 t ≥ 0.32 → accepted.
//	B (Oct 6): CN2 100 t → OB 0.1 t (0.08 t), no claim. Window PAK
//	  0.5 / (0.5 + 1.5 + 5.0) = 0.5 / 7 = 7.142857 %. (Counted in
//	  credits, PAK 0.39 / (1.56 + 0.08) = 23.8 %: the old, wrong basis.)
//	C (Oct 7): CN3 2 t → OC 0.1 t (0.08 t) claiming Pakistan 20 % =
//	  0.016 t. Window PAK 0.5 / 7.1 = 7.042254 % < 20 % → refused:
//	  available 0.08 × 0.5/7.1 = 0.005634 t, shortfall 0.016 − 0.005634
//	  = 0.010366 t. (On credits: 0.39 / 1.72 = 22.7 % — wrongly accepted.)
func TestRollingAverageShareOfQualifyingInput(t *testing.T) {
	db := mbfxStore(t, true, mbfxREE("PK", "PAK", 10), mbfxREE("CN", "CHN", 30), mbfxREE("CN2", "CHN", 100), mbfxREE("CN3", "CHN", 2))
	svc := mbfxService(db)
	claim20 := `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.2}]`
	mbfxCapture(t, svc, "2025-10-05T01:00:00Z", "A (20 % of a 25 % window)", run9p("A", "tA", "2025-10-05T00:00:00Z", []string{"PK:10", "CN:30"}, "OA", 2, claim20))
	mbfxCapture(t, svc, "2025-10-06T01:00:00Z", "B", run9p("B", "tB", "2025-10-06T00:00:00Z", []string{"CN2:100"}, "OB", 0.1, ""))
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	// PAK 0.5 / 7.0 of the qualifying input; credits 0.39 t, claim 0.32 t.
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Percent-0.5/7) > 1e-9 || math.Abs(l.Credits-0.39) > 1e-9 || math.Abs(l.Claims-0.32) > 1e-9 {
		t.Errorf("October PAK %+v, want percent 0.5/7 = 0.071429 (of qualifying input), credits 0.39, claims 0.32", l)
	}
	err := mbfxTry(svc, "2025-10-07T01:00:00Z", run9p("C", "tC", "2025-10-07T00:00:00Z", []string{"CN3:2"}, "OC", 0.1, claim20))
	if err == nil || !strings.Contains(err.Error(), "only 7.0 % of the qualifying input") || !strings.Contains(err.Error(), "shortfall 0.010366 t") {
		t.Errorf("C (20 %% claimed of a 7.04 %% window): %v, want refused, only 7.0 %% of the qualifying input, shortfall 0.010366 t", err)
	}
}

// TestShortfallFigureBelowRounding (fix9p F4): a shortfall below display
// rounding (6 decimals) never reads "0": 0.0000004 t → "< 0.000001";
// 0.0000006 t rounds to 0.000001 and reads so; none reads "0".
func TestShortfallFigureBelowRounding(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{4e-7, "< 0.000001"}, {6e-7, "0.000001"}, {0.266667, "0.266667"}, {0, "0"}} {
		if got := custody.ShortfallFigure(c.v); got != c.want {
			t.Errorf("ShortfallFigure(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
