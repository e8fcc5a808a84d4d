package custody_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestRollingAverageClaimSeveralOriginsLaterShort (fix9s, issue 9): at a
// rolling-average site a claim naming several origins, accepted at
// capture, that a later run event leaves above its window's share in
// more than one origin is not covered, booked in full, and carries every
// short origin's shortfall and their total, as a refusal does
// (shortfallByCountry), never the first origin's alone. Site mb, REE →
// NdPr oxide on Nd + Pr, factor 0.9, carry-forward 0 (October alone),
// all feeds at Nd 4 % + Pr 1 % (5 %):
//
//	r1 (Oct 5): PK (Pakistan) 10 t (0.5 t) + MM (Myanmar) 10 t (0.5 t)
//	  + CN (China) 10 t (0.5 t) → O1 1 t at 80 % = 0.8 t; credit
//	  min(1.5 × 0.9, 0.8) = 0.8 t: PAK, MMR, CHN 0.266667 t each.
//	r2 (Oct 6, run t2): CN2 10 t (0.5 t) → O2 1 t (0.8 t) claiming
//	  Pakistan 25 % + Myanmar 25 % = 0.2 t + 0.2 t. Window PAK 0.5 /
//	  (1.5 + 0.5) = 25 % ≥ 25 %, MMR the same; balances 0.266667 ≥ 0.2
//	  → accepted.
//	r2b (Oct 8, run t2): input CN4 10 t (0.5 t). Window PAK 0.5 / 2.5
//	  = 20 % < 25 %, MMR 20 % < 25 %: not covered in both origins, each
//	  short 0.2 − 0.8 × 20 % = 0.04 t, 0.08 t in all; booked in full:
//	  PAK and MMR closing 0.266667 − 0.2 = 0.066667 t (run t2's credit
//	  min(1.0 × 0.9, 0.8) = 0.8 t is all Chinese).
func TestRollingAverageClaimSeveralOriginsLaterShort(t *testing.T) {
	db := mbfxStore(t, true, mbfxREE("PK", "PAK", 10), mbfxREE("MM", "MMR", 10), mbfxREE("CN", "CHN", 10), mbfxREE("CN2", "CHN", 10), mbfxREE("CN4", "CHN", 10))
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-05T01:00:00Z", "r1", run9p("r1", "t1", "2025-10-05T00:00:00Z", []string{"PK:10", "MM:10", "CN:10"}, "O1", 1, ""))
	mbfxCapture(t, svc, "2025-10-06T01:00:00Z", "r2", run9p("r2", "t2", "2025-10-06T00:00:00Z", []string{"CN2:10"}, "O2", 1,
		`, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.25}, {"cm:country": "MMR", "cm:share": 0.25}]`))
	mbfxCapture(t, svc, "2025-10-08T01:00:00Z", "r2b", run9p("r2b", "t2", "2025-10-08T00:00:00Z", []string{"CN4:10"}, "", 0, ""))
	cl := mbfxClaim(t, db, "O2")
	if cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-0.08) > 1e-9 || len(cl.ShortfallByCountry) != 2 ||
		math.Abs(cl.ShortfallByCountry["PAK"]-0.04) > 1e-9 || math.Abs(cl.ShortfallByCountry["MMR"]-0.04) > 1e-9 {
		t.Errorf("O2 after r2b: status %s shortfall %v by origin %v, want not_covered, 0.08 t: Pakistan 0.04 t, Myanmar 0.04 t", cl.Status, cl.Shortfall, cl.ShortfallByCountry)
	}
	if err := custody.CheckClaimShares("urn:t:lot:O2", cl); err != nil {
		t.Error(err)
	}
	for _, want := range []string{"Myanmar", "Pakistan", "shortfall 0.08 t in all"} {
		if !strings.Contains(cl.Error, want) {
			t.Errorf("O2's error %q does not name %q", cl.Error, want)
		}
	}
	for _, f := range cl.RefusedFigures() {
		if f.Status != custody.ClaimNotCovered || math.Abs(f.Shortfall-0.04) > 1e-9 {
			t.Errorf("O2's %s figure %+v, want not covered, shortfall 0.04 t", f.Key, f)
		}
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	for _, iso := range []string{"PAK", "MMR"} {
		if l := line(t, st, "ree", iso); math.Abs(l.Credits-0.8/3) > 1e-9 || math.Abs(l.Claims-0.2) > 1e-9 || math.Abs(l.Closing-(0.8/3-0.2)) > 1e-9 {
			t.Errorf("October %s %+v, want credits 0.266667, claims 0.2 (O2 booked), closing 0.066667", iso, l)
		}
	}
	rows := map[string]float64{}
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "claim" && e.Lot == "urn:t:lot:O2" {
				if e.Status != custody.ClaimNotCovered {
					t.Errorf("O2's %s claim entry reads %s, want not_covered", e.Country, e.Status)
				}
				rows[e.Country] += e.Shortfall
			}
		}
	}
	if math.Abs(rows["PAK"]-0.04) > 1e-9 || math.Abs(rows["MMR"]-0.04) > 1e-9 {
		t.Errorf("O2's claim entries' shortfalls %v, want Pakistan 0.04 t, Myanmar 0.04 t", rows)
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	// The statement's rows: one per short origin, booked, each claimed
	// 0.2 − available 0.8 × 20 % = 0.16 → shortfall 0.04 t.
	got := map[string]float64{}
	for _, r := range st.Refused {
		if r.Lot != "urn:t:lot:O2" {
			continue
		}
		if !r.Booked || math.Abs(r.Claimed-0.2) > 1e-9 || math.Abs(r.Available-0.16) > 1e-9 {
			t.Errorf("O2's %s row %+v, want booked, claimed 0.2, available 0.16", r.Country, r)
		}
		got[r.Country] += r.Shortfall
	}
	if len(got) != 2 || math.Abs(got["PAK"]-0.04) > 1e-9 || math.Abs(got["MMR"]-0.04) > 1e-9 {
		t.Errorf("O2's statement rows %v, want Pakistan 0.04 t, Myanmar 0.04 t", got)
	}
}
