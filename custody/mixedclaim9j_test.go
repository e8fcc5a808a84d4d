package custody_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// fix9j: a claim of two origins booked in full although no longer
// covered reads, origin by origin, its own status and shortfall; the
// deficit clause of another claim names only claims still short; a
// claim covered again keeps the note of a later lower reassay.

// claimPAKCHN claims the lot Pakistan 50 %, China 50 %.
const claimPAKCHN = `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}, {"cm:country": "CHN", "cm:share": 0.5}]`

// mixed9j captures, on setup9g (R1 credits 0.8 t PAK):
//
//	R3 (Oct 6 00:00): CN 10 t → O3 0.4375 t × 80 % = 0.35 t claiming
//	  PAK 100 %: 0.35 ≤ 0.8, accepted; 0.45 t PAK left. R3 consumes CN
//	  (CHN) 10 t: CHN credit min(10 × 5 % × 0.9 = 0.45, what O3 holds).
//	R2 (Oct 6 01:00): CN 10 t → O2 0.5 t × 80 % = 0.4 t claiming PAK
//	  50 % (0.2 t) and CHN 50 % (0.2 t): 0.2 ≤ 0.45 PAK; CHN is credited
//	  by R3 and R2 themselves (each 10 t × 5 % × 0.9 = 0.45 t at most),
//	  so 0.2 t CHN is covered. Accepted.
//	AS1 (dated Oct 5, recorded Oct 8): O1 is Nd 5 %: R1 credits
//	  1 × (5 + 20) % = 0.25 t PAK. PAK claims 0.35 + 0.2 = 0.55 t:
//	  deficit 0.55 − 0.25 = 0.3 t, from the last booked back: O2
//	  min(0.2, 0.3) = 0.2 t, O3 min(0.35, 0.1) = 0.1 t; 0.2 + 0.1 = 0.3.
//	  China is not short: O2's CHN entry is covered, shortfall 0.
func mixed9j(t *testing.T) (func(lot string) *custody.Claim, func(period string) *custody.Statement, func(docs ...string)) {
	t.Helper()
	_, claim, stmt, more := mixedSvc9j(t)
	return claim, stmt, more
}

// mixedSvc9j is mixed9j with its ledger service.
func mixedSvc9j(t *testing.T) (*ledger.Service, func(lot string) *custody.Claim, func(period string) *custody.Statement, func(docs ...string)) {
	t.Helper()
	svc, claim, stmt := setup9g(t)
	svc.Now = clockAt("2025-10-07T00:00:00Z")
	if err := capture(svc, oxide9g("R3", "2025-10-06T00:00:00Z", "O3", 0.4375),
		mbfxOxide("R2", "2025-10-06T01:00:00Z", []string{"CN:10"}, "O2", 0.5, claimPAKCHN)); err != nil {
		t.Fatalf("O3 0.35 t PAK, O2 0.2 t PAK + 0.2 t CHN: %v", err)
	}
	mbfxCapture(t, svc, "2025-10-08T00:00:00Z", "", lateAssay9d("AS1", "2025-10-05T00:00:00Z", "urn:t:lot:O1", "5"))
	at := 9
	more := func(docs ...string) {
		t.Helper()
		at++
		svc.Now = clockAt("2025-10-" + twoDigits(at) + "T12:00:00Z")
		if err := capture(svc, docs...); err != nil {
			t.Fatal(err)
		}
	}
	return svc, claim, stmt, more
}

func twoDigits(n int) string {
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// claimEntries9j are lot's claim entries of the ree category by origin.
func claimEntries9j(st *custody.Statement, lot string) map[string]custody.Entry {
	out := map[string]custody.Entry{}
	for _, e := range line9gEntries(st, "claim") {
		if e.Lot == "urn:t:lot:"+lot {
			out[e.Country] = e
		}
	}
	return out
}

// TestMixedClaimPerOriginStatus (fix9j item 1): O2's Pakistan share is
// short 0.2 t, its China share is covered; each entry (statement entry,
// refused row, the claim's figures on the lot page and certificate)
// says so for its own origin, never the other's shortfall.
func TestMixedClaimPerOriginStatus(t *testing.T) {
	svc, claim, stmt, _ := mixedSvc9j(t)
	st := stmt("2025-10")
	sameLine(t, "Oct PAK", line(t, st, "ree", "PAK"), 0, 0.25, 0.55, 0, -0.3)
	if cn := line(t, st, "ree", "CHN"); cn.Closing < 0 || len(cn.DeficitBy) != 0 {
		t.Fatalf("CHN line %+v, want no deficit", cn)
	}
	es := claimEntries9j(st, "O2")
	pk, cn := es["PAK"], es["CHN"]
	if pk.Status != custody.ClaimNotCovered || math.Abs(pk.Shortfall-0.2) > 1e-9 || !strings.Contains(pk.Note, "shortfall 0.2 t") {
		t.Errorf("O2 PAK entry: status %q shortfall %v note %q, want not covered, shortfall 0.2 t", pk.Status, pk.Shortfall, pk.Note)
	}
	if cn.Status != custody.OriginCovered || cn.Shortfall != 0 || strings.Contains(cn.Note, "shortfall") || strings.HasPrefix(cn.Note, "not covered") {
		t.Errorf("O2 CHN entry: status %q shortfall %v note %q, want covered, no shortfall", cn.Status, cn.Shortfall, cn.Note)
	}
	if o3 := claimEntries9j(st, "O3")["PAK"]; o3.Status != custody.ClaimNotCovered || math.Abs(o3.Shortfall-0.1) > 1e-9 || !strings.Contains(o3.Note, "shortfall 0.1 t") {
		t.Errorf("O3 PAK entry: status %q shortfall %v note %q, want not covered, shortfall 0.1 t", o3.Status, o3.Shortfall, o3.Note)
	}
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O2" && r.Country != "PAK" {
			t.Errorf("refused row of O2 in %s (shortfall %v), want PAK alone", r.Country, r.Shortfall)
		}
	}
	cl := claim("O2")
	if cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-0.2) > 1e-9 {
		t.Fatalf("O2: status %s shortfall %v, want not covered, 0.2 t", cl.Status, cl.Shortfall)
	}
	figs := map[string]custody.RefusedFigure{}
	for _, f := range cl.RefusedFigures() {
		figs[f.Key] = f
	}
	if f := figs["PAK"]; f.Status != custody.ClaimNotCovered || math.Abs(f.Shortfall-0.2) > 1e-9 || !strings.Contains(f.Text, "shortfall 0.2 t") {
		t.Errorf("O2's PAK figure %+v, want not covered, shortfall 0.2 t", f)
	}
	if f := figs["CHN"]; f.Status != custody.OriginCovered || f.Shortfall != 0 || strings.Contains(f.Text, "shortfall") || strings.Contains(f.Text, "not covered") {
		t.Errorf("O2's CHN figure %+v, want covered, no shortfall", f)
	}
	// The certificate's cm:refusedClaim states each origin's own standing.
	b := mbfxCert(t, svc, "urn:t:lot:O2", time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	var cs struct {
		Subject struct {
			Refused struct {
				Status string                `json:"status"`
				Stated []custody.StatedShare `json:"stated"`
			} `json:"cm:refusedClaim"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	stated := map[string]custody.StatedShare{}
	for _, s := range cs.Subject.Refused.Stated {
		stated[s.Country] = s
	}
	if s := stated["PAK"]; cs.Subject.Refused.Status != custody.ClaimNotCovered || s.Status != custody.ClaimNotCovered || math.Abs(s.Shortfall-0.2) > 1e-9 {
		t.Errorf("certificate's PAK %+v (claim %s), want not covered, shortfall 0.2 t", s, cs.Subject.Refused.Status)
	}
	if s := stated["CHN"]; s.Status != custody.OriginCovered || s.Shortfall != 0 {
		t.Errorf("certificate's CHN %+v, want covered, no shortfall", s)
	}
	// CheckStatement refuses a shortfall carried on another origin's
	// entry: O2's 0.2 t moved from its PAK entry to its CHN entry.
	for i, c := range st.Categories {
		for j, e := range c.Entries {
			if e.Kind == "claim" && e.Lot == "urn:t:lot:O2" {
				if e.Country == "PAK" {
					st.Categories[i].Entries[j].Shortfall, st.Categories[i].Entries[j].Status = 0, custody.OriginCovered
				} else {
					st.Categories[i].Entries[j].Shortfall, st.Categories[i].Entries[j].Status = 0.2, custody.ClaimNotCovered
				}
			}
		}
	}
	if err := custody.CheckStatement(st); err == nil || !strings.Contains(err.Error(), "shortfall") {
		t.Errorf("CheckStatement with O2's PAK shortfall on its CHN entry: %v, want refused", err)
	}
}

// TestCoveredAgainClaimsDeficitClause (fix9j item 3): once O3 reads
// covered again, O2's error no longer names O3 as a cause of the deficit.
//
//	As mixed9j: when O2 is replayed the PAK balance is already short by
//	  O3's 0.1 t, so O2's error carries the clause "in deficit … because
//	  the claim(s) on lot O3"; PAK deficit 0.3 t, O2 0.2, O3 0.1 t.
//	R4 (Oct 10): PK2 5 t → O4 1 t at 80 %: credit min(5 × 5 % × 0.9 =
//	  0.225, 0.8) = 0.225 t repays the deficit: 0.3 − 0.225 = 0.075 t
//	  left, from the last: O2 min(0.2, 0.075) = 0.075 t, O3 0 → O3
//	  covered again. O2 is still short: its clause must not name O3
//	  (and, no other claim being short, it has none).
func TestCoveredAgainClaimsDeficitClause(t *testing.T) {
	claim, stmt, more := mixed9j(t)
	more(mbfxOxide("R4", "2025-10-10T00:00:00Z", []string{"PK2:5"}, "O4", 1, ""))
	if cl := claim("O3"); cl.Status != custody.ClaimAccepted {
		t.Errorf("O3 after R4: status %s shortfall %v, want covered again (0.3 − 0.225 = 0.075 t left, O2's)", cl.Status, cl.Shortfall)
	}
	o2 := claim("O2")
	if o2.Status != custody.ClaimNotCovered || math.Abs(o2.Shortfall-0.075) > 1e-9 {
		t.Errorf("O2 after R4: status %s shortfall %v, want not covered, 0.075 t", o2.Status, o2.Shortfall)
	}
	st := stmt("2025-10")
	for _, n := range line(t, st, "ree", "PAK").Notes {
		if strings.Contains(n, "deficit") && strings.Contains(n, "urn:t:lot:O3") {
			t.Errorf("PAK note %q names O3, covered again", n)
		}
	}
	for _, r := range st.Refused {
		if strings.Contains(r.Error, "urn:t:lot:O3") && r.Lot != "urn:t:lot:O3" {
			t.Errorf("%s's error %q names O3, covered again", r.Lot, r.Error)
		}
	}
	if strings.Contains(o2.Error, "because the claim(s) on lot urn:t:lot:O3") {
		t.Errorf("O2's error %q names O3 in its deficit clause, covered again", o2.Error)
	}
}

// TestCoveredAgainThenReassayedKeepsBothNotes (fix9j item 2): a claim
// left not covered, covered again by a later credit and then reassayed
// lower keeps its tonnes and names both: the credit that covered it
// (coveredBy) and the assay (reassayedBy).
//
//	As TestDeficitRepaidCoversClaim: deficit 0.55 t, O3 0.4, O2 0.15 t;
//	  R4 (Oct 12): credit 0.45 t: 0.10 t left, O3's; O2 covered by R4.
//	AS2 (O2 Nd 20 %): 0.5 × (20 + 20) % = 0.2 t now; the claim keeps
//	  0.4 t; PAK still credits 0.7, claims 0.8, closing −0.1 (O3's).
//	  Dated Oct 13 (after the claim) or Oct 6 (at it, recorded late).
func TestCoveredAgainThenReassayedKeepsBothNotes(t *testing.T) {
	for _, dated := range []string{"2025-10-13T00:00:00Z", "2025-10-06T00:00:00Z"} {
		t.Run(dated[:10], func(t *testing.T) {
			svc, claim, stmt := setup9g(t)
			mbfxDeficit9g(t, svc)
			mbfxCapture(t, svc, "2025-10-12T12:00:00Z", "", mbfxOxide("R4", "2025-10-12T00:00:00Z", []string{"PK2:10"}, "O4", 1, ""))
			mbfxCapture(t, svc, "2025-10-13T12:00:00Z", "", lateAssay9d("AS2", dated, "urn:t:lot:O2", "20"))
			cl := claim("O2")
			if cl.Status != custody.ClaimAccepted || math.Abs(cl.Tonnes-0.4) > 1e-9 || strings.Join(cl.CoveredBy, " ") != "urn:t:ev:R4" || !strings.Contains(cl.CoverageNote, "urn:t:ev:R4") {
				t.Errorf("O2: status %s tonnes %v coveredBy %v note %q, want covered again by R4, keeping 0.4 t", cl.Status, cl.Tonnes, cl.CoveredBy, cl.CoverageNote)
			}
			if strings.Join(cl.ReassayedBy, " ") != "urn:t:ev:AS2" || !strings.Contains(cl.ReassayNote, "claimed lot reassayed by urn:t:ev:AS2: it holds 0.2 t Nd+Pr by its assays now; the claim rests on the 0.4 t Nd+Pr it held when claimed") {
				t.Errorf("O2: reassayedBy %v note %q, want naming AS2 (now 0.2 t, keeps 0.4 t)", cl.ReassayedBy, cl.ReassayNote)
			}
			st := stmt("2025-10")
			sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.7, 0.8, 0, -0.1)
			e := claimEntries9j(st, "O2")["PAK"]
			if !strings.Contains(e.Note, "urn:t:ev:R4") || !strings.Contains(e.Note, "urn:t:ev:AS2") || e.Status != custody.ClaimAccepted {
				t.Errorf("O2's claim entry: status %q note %q, want covered, naming R4 and AS2", e.Status, e.Note)
			}
		})
	}
}

// TestMixedClaimBothOriginsShort (fix9j item 1): when both origins of a
// claim are short, each refused row carries its own origin's shortfall,
// and the claim's error words each origin by its own share.
//
//	As mixed9j: PAK deficit 0.3 t, O2's Pakistan share 0.2 t.
//	AS2 (dated Oct 1, recorded Oct 9): CN is Nd 0 %: inputs × factor
//	  10 × (0 + 1) % × 0.9 = 0.09 t per run, bounded by what each run's
//	  product holds capped per element at its input (fix9m: a gain earns
//	  no credit): R3's O3 0.4375 t holds Nd 0.2625 t capped at the 0 t
//	  in (element_gain) + Pr 0.4375 × 20 % = 0.0875 t → 0.0875 t; R2's
//	  O2 0.5 t holds Nd 0 (capped) + Pr 0.1 t ≥ 0.09 → 0.09 t. CHN
//	  0.0875 + 0.09 = 0.1775 t against O2's 0.2 t China: deficit 0.0225
//	  t, O2's China share 0.0225 t (before fix9m O3's gained Nd was
//	  counted: 0.18 t, deficit 0.02 t).
func TestMixedClaimBothOriginsShort(t *testing.T) {
	claim, stmt, more := mixed9j(t)
	more(lateAssay9d("AS2", "2025-10-01T00:00:00Z", "urn:t:lot:CN", "0"))
	cl := claim("O2")
	if math.Abs(cl.ShortfallByCountry["PAK"]-0.2) > 1e-9 || math.Abs(cl.ShortfallByCountry["CHN"]-0.0225) > 1e-9 {
		t.Fatalf("O2 shortfall by origin %v, want PAK 0.2, CHN 0.0225 t", cl.ShortfallByCountry)
	}
	st := stmt("2025-10")
	rows := map[string]custody.RefusedClaim{}
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O2" {
			rows[r.Country] = r
		}
	}
	if r := rows["PAK"]; math.Abs(r.Shortfall-0.2) > 1e-9 {
		t.Errorf("O2's PAK row %+v, want shortfall 0.2 t", r)
	}
	// The error words each origin by its own share: China's 0.0225 t in
	// the over-claim clause (never the claim's 0.2225 t, above the 0.2 t
	// claimed of China), Pakistan's 0.2 t after it.
	for c, r := range rows {
		if !strings.Contains(r.Error, "claims 0.2 t Nd+Pr of China origin but the balance holds 0.1775 t (shortfall 0.0225 t") ||
			!strings.Contains(r.Error, "of Pakistan origin it claims 0.2 t, 0.2 t of it short") || strings.Contains(r.Error, "0.2225 t") {
			t.Errorf("O2's %s row error %q, want China's 0.0225 t and Pakistan's 0.2 t, each its own", c, r.Error)
		}
	}
	if r := rows["CHN"]; math.Abs(r.Shortfall-0.0225) > 1e-9 {
		t.Errorf("O2's CHN row %+v, want shortfall 0.0225 t", r)
	}
	if e := claimEntries9j(st, "O2")["CHN"]; e.Status != custody.ClaimNotCovered || math.Abs(e.Shortfall-0.0225) > 1e-9 {
		t.Errorf("O2's CHN entry %+v, want not covered, shortfall 0.0225 t", e)
	}
}
