package custody_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// fix9o: a claim refused at capture names every short origin with its
// own shortfall; a claim refused while its origin is in deficit says the
// balance holds none of it; a mixed claim covered again names the origin
// covered again; a mixed claim not covered in one origin attributes
// nothing in any.

// mixedOver9o is R2 (Oct 6) on setup9g: CN 10 t → O2 2.5 t at Nd 60 % +
// Pr 20 % = 2.5 × 0.8 = 2 t Nd+Pr, claiming Pakistan 50 % (1 t) and
// China 50 % (1 t).
//
//	PAK: R1 credits min(100 × 5 % × 0.9 = 4.5, 1 × 0.8) = 0.8 t;
//	  shortfall 1 − 0.8 = 0.2 t.
//	CHN: R2 itself credits min(10 × 5 % × 0.9 = 0.45, 2) = 0.45 t;
//	  shortfall 1 − 0.45 = 0.55 t.
//	Total shortfall 0.2 + 0.55 = 0.75 t.
func mixedOver9o() string {
	return mbfxOxide("R2", "2025-10-06T00:00:00Z", []string{"CN:10"}, "O2", 2.5, claimPAKCHN)
}

// TestOverClaimNamesEveryShortOrigin (fix9o item 1): refused at capture,
// the error names both short origins with their own shortfalls and the
// total (figures in mixedOver9o), origins in the order of their codes
// (CHN, PAK).
func TestOverClaimNamesEveryShortOrigin(t *testing.T) {
	svc, _, _ := setup9g(t)
	err := mbfxTry(svc, "2025-10-07T00:00:00Z", mixedOver9o())
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("O2 over-claimed in PAK and CHN: %v, want EINVALID", err)
	}
	for _, want := range []string{
		"over-claim refused: site urn:t:site:mb, category ree, period 2025-10: lot urn:t:lot:O2 claims 1 t Nd+Pr of China origin but the balance holds 0.45 t (shortfall 0.55 t)",
		"; it claims 1 t Nd+Pr of Pakistan origin but the balance holds 0.8 t (shortfall 0.2 t)",
		"; shortfall 0.75 t in all (0.55 + 0.2)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestRefusedMixedClaimShortfallByOrigin (fix9o item 1): the same claim
// read from a store that holds it (the account refuses it): shortfall
// 0.75 t, by origin PAK 0.2 t and CHN 0.55 t; the statement lists one
// refused row per short origin, each claimed − available = shortfall;
// the API JSON states each origin's shortfall and nothing attributed.
func TestRefusedMixedClaimShortfallByOrigin(t *testing.T) {
	db := mbfxStore(t, false, mbfxREE("PK", "PAK", 100), mbfxREE("CN", "CHN", 100),
		mbfxOxide("R1", "2025-10-05T00:00:00Z", []string{"PK:100"}, "O1", 1, ""), mixedOver9o())
	cl := mbfxClaim(t, db, "O2")
	if cl.Status != custody.ClaimRefused || math.Abs(cl.Shortfall-0.75) > 1e-9 ||
		math.Abs(cl.ShortfallByCountry["PAK"]-0.2) > 1e-9 || math.Abs(cl.ShortfallByCountry["CHN"]-0.55) > 1e-9 || len(cl.ShortfallByCountry) != 2 {
		t.Errorf("O2 claim: status %s shortfall %v by origin %v, want refused, 0.75 t = PAK 0.2 + CHN 0.55", cl.Status, cl.Shortfall, cl.ShortfallByCountry)
	}
	if err := custody.CheckClaimShares("O2", cl); err != nil {
		t.Error(err)
	}
	b, err := json.Marshal(cl)
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Tonnes    float64           `json:"tonnes"`
		ByCountry []json.RawMessage `json:"byCountry"`
		Refused   []custody.RefusedFigure
		Short     map[string]float64 `json:"shortfallByCountry"`
	}
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	var rj struct {
		Refused []custody.RefusedFigure `json:"claimedRefused"`
	}
	if err := json.Unmarshal(b, &rj); err != nil {
		t.Fatal(err)
	}
	if js.Tonnes != 0 || len(js.ByCountry) != 0 {
		t.Errorf("refused claim JSON attributes %v t, %d origins; want nothing", js.Tonnes, len(js.ByCountry))
	}
	want := map[string]string{"PAK": "claimed 1 t, refused (shortfall 0.2 t)", "CHN": "claimed 1 t, refused (shortfall 0.55 t)"}
	for _, f := range rj.Refused {
		if f.Text != want[f.Key] || math.Abs(f.Shortfall-cl.ShortfallByCountry[f.Key]) > 1e-9 {
			t.Errorf("claimedRefused %s: %q shortfall %v, want %q", f.Key, f.Text, f.Shortfall, want[f.Key])
		}
	}
	if len(rj.Refused) != 2 {
		t.Errorf("claimedRefused %+v, want PAK and CHN", rj.Refused)
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	rows := map[string]custody.RefusedClaim{}
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O2" {
			rows[r.Country] = r
		}
	}
	for c, w := range map[string][3]float64{"PAK": {1, 0.8, 0.2}, "CHN": {1, 0.45, 0.55}} {
		r, ok := rows[c]
		if !ok || math.Abs(r.Claimed-w[0]) > 1e-9 || math.Abs(r.Available-w[1]) > 1e-9 || math.Abs(r.Shortfall-w[2]) > 1e-9 || r.Booked {
			t.Errorf("refused row %s %+v, want claimed %v, available %v, shortfall %v", c, r, w[0], w[1], w[2])
		}
		if !strings.Contains(r.Error, "shortfall 0.75 t in all") {
			t.Errorf("refused row %s error %q lacks the total", c, r.Error)
		}
	}
}

// TestOverClaimOneShortOriginOfMixed (fix9o items 1 and 4): a mixed claim
// short in one origin only is refused naming that origin, and says it
// attributes nothing in the origin its balance covers.
//
//	R2 (Oct 6): CN 10 t → O2 1.5 t × 80 % = 1.2 t, PAK 50 % = 0.6 t
//	  (≤ 0.8, covered), CHN 50 % = 0.6 t against R2's own credit
//	  min(0.45, 1.2) = 0.45 t: shortfall 0.6 − 0.45 = 0.15 t.
func TestOverClaimOneShortOriginOfMixed(t *testing.T) {
	svc, _, _ := setup9g(t)
	err := mbfxTry(svc, "2025-10-07T00:00:00Z", mbfxOxide("R2", "2025-10-06T00:00:00Z", []string{"CN:10"}, "O2", 1.5, claimPAKCHN))
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("O2 over-claimed in CHN: %v, want EINVALID", err)
	}
	for _, want := range []string{
		"lot urn:t:lot:O2 claims 0.6 t Nd+Pr of China origin but the balance holds 0.45 t (shortfall 0.15 t)",
		"the claim attributes nothing, not even in the origin(s) its balance covers (Pakistan)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "in all") {
		t.Errorf("error %q totals a single short origin", err)
	}
}

// TestOverClaimInDeficitWords (fix9o item 3): a claim refused at capture
// while its origin is in deficit says the balance holds none of it,
// never a negative holding.
//
//	As TestDeficitAllocatedFromLast: O2 and O3 claim 0.4 t PAK each; AS1
//	  leaves R1's credit 0.25 t: PAK deficit 0.8 − 0.25 = 0.55 t.
//	R5 (Oct 9): CN 10 t → O5 0.25 t × 80 % = 0.2 t claiming PAK: the
//	  balance is −0.55 t: shortfall 0.2 + 0.55 = 0.75 t (what credits in
//	  would have to bring to cover it: repay the deficit, then the claim).
func TestOverClaimInDeficitWords(t *testing.T) {
	svc, _, _ := setup9g(t)
	mbfxDeficit9g(t, svc)
	err := mbfxTry(svc, "2025-10-09T12:00:00Z", oxide9g("R5", "2025-10-09T00:00:00Z", "O5", 0.25))
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("O5 claimed in deficit: %v, want EINVALID", err)
	}
	want := "lot urn:t:lot:O5 claims 0.2 t Nd+Pr of Pakistan origin but the balance holds none of it (shortfall 0.75 t: the whole 0.2 t claimed plus the 0.55 t by which the Pakistan balance is in deficit, which later credits repay first)"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
	if strings.Contains(err.Error(), "holds -") || strings.Contains(err.Error(), "holds −") {
		t.Errorf("error %q prints a negative holding", err)
	}
}

// TestCoveredAgainNamesOrigin (fix9o item 2): a mixed claim of which one
// origin was short and covered again names it in its lot-level note
// (figures as TestCoveredAgainNoteOnlyOnRepaidOrigin: PAK deficit 0.3 t
// repaid by R4's 0.45 t; China never short).
func TestCoveredAgainNamesOrigin(t *testing.T) {
	claim, _, more := mixed9j(t)
	more(mbfxOxide("R4", "2025-10-10T00:00:00Z", []string{"PK2:10"}, "O4", 1, ""))
	cl := claim("O2")
	if cl.Status != custody.ClaimAccepted {
		t.Fatalf("O2 after R4: %s, want covered again", cl.Status)
	}
	for _, want := range []string{"claim on lot urn:t:lot:O2 covered again in its Pakistan origin (China was never short)", "urn:t:ev:R4"} {
		if !strings.Contains(cl.CoverageNote, want) {
			t.Errorf("O2 coverage note %q lacks %q", cl.CoverageNote, want)
		}
	}
	// A claim of one origin reads as before.
	if n := claim("O3").CoverageNote; !strings.Contains(n, "claim on lot urn:t:lot:O3 covered again: accepted at capture") {
		t.Errorf("O3 coverage note %q", n)
	}
}

// TestMixedClaimShortInOneOriginAttributesNothing (fix9o item 4): a
// mixed claim not covered in one origin attributes nothing in any, not
// even in the origin its own balance covers. As mixed9j after AS1: O2
// claims 0.2 t PAK + 0.2 t CHN; PAK deficit 0.3 t, O2's share 0.2 t;
// China covers its 0.2 t. The certificate has no claimed-origin line and
// no cm:claimedOrigin; cm:refusedClaim states PAK not covered (0.2 t)
// and CHN covered, shortfall 0.2 t in all; the mass-balance-claim
// verdict does not pass, and dfars-covered-countries reads the physical
// origin only (O2 is made from Chinese feed CN: fail).
func TestMixedClaimShortInOneOriginAttributesNothing(t *testing.T) {
	svc, claim, _, _ := mixedSvc9j(t)
	cl := claim("O2")
	if cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-0.2) > 1e-9 || math.Abs(cl.ShortfallByCountry["PAK"]-0.2) > 1e-9 || cl.ShortfallByCountry["CHN"] != 0 {
		t.Fatalf("O2: %s shortfall %v by origin %v, want not covered, PAK 0.2 t", cl.Status, cl.Shortfall, cl.ShortfallByCountry)
	}
	b := mbfxCert(t, svc, "urn:t:lot:O2", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	var c struct {
		Subject struct {
			Prov    []custody.Provenance `json:"materialsProvenance"`
			Claimed json.RawMessage      `json:"cm:claimedOrigin"`
			Refused struct {
				Status    string  `json:"status"`
				Shortfall float64 `json:"shortfall"`
				Stated    []struct {
					Country   string  `json:"country"`
					Status    string  `json:"status"`
					Shortfall float64 `json:"shortfall"`
				} `json:"stated"`
			} `json:"cm:refusedClaim"`
			Claims []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"conformityClaim"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Subject.Prov {
		if p.Basis != custody.ReadsPhysical {
			t.Errorf("provenance line %+v: a claim not covered attributes nothing", p)
		}
	}
	if len(c.Subject.Claimed) > 0 && string(c.Subject.Claimed) != "null" {
		t.Errorf("cm:claimedOrigin %s, want none", c.Subject.Claimed)
	}
	rc := c.Subject.Refused
	got := map[string]string{}
	for _, s := range rc.Stated {
		got[s.Country] = s.Status + " " + custody.Figure(s.Shortfall)
	}
	if rc.Status != custody.ClaimNotCovered || math.Abs(rc.Shortfall-0.2) > 1e-9 || got["PAK"] != "not_covered 0.2" || got["CHN"] != "covered 0" {
		t.Errorf("cm:refusedClaim %+v, want not_covered 0.2 t: PAK not_covered 0.2, CHN covered 0", rc)
	}
	verdict := map[string]string{}
	for _, v := range c.Subject.Claims {
		verdict[v.ID] = v.Status
	}
	if verdict["mass-balance-claim"] == string(custody.Pass) || verdict["dfars-covered-countries"] != string(custody.Fail) {
		t.Errorf("verdicts %v: want mass-balance-claim not pass, dfars-covered-countries fail (physical origin China)", verdict)
	}
}
