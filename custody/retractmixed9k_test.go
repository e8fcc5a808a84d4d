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

// fix9k: a retraction that leaves one origin of a two-origin claim short
// states that origin's shortfall (shortfallByCountry) like any other
// fact that changes a claim's shortfall.

// TestRetractionMixedClaimPerOrigin (fix9k): on setup9g (R1, Oct 5:
// PK 100 t → O1, credit min(100 × 5 % × 0.9 = 4.5, 1 × 80 % = 0.8) =
// 0.8 t PAK):
//
//	R2 (Oct 6): CN 10 t → O2 0.5 t × (60 + 20) % = 0.4 t claiming PAK
//	  50 % (0.2 t) and CHN 50 % (0.2 t). PAK: 0.2 ≤ 0.8; CHN is credited
//	  by R2 itself: min(10 × 5 % × 0.9 = 0.45, 0.4) = 0.4 ≥ 0.2.
//	  Accepted.
//	R1 declared in error (Oct 20): PAK credits 0, claims 0.2: closing
//	  0 − 0.2 = −0.2 t, O2's Pakistan share short 0.2 t; China still
//	  0.4 ≥ 0.2, covered. O2: not covered, shortfall 0.2 = PAK 0.2 +
//	  CHN 0, naming the retraction.
func TestRetractionMixedClaimPerOrigin(t *testing.T) {
	svc, claim, stmt := setup9g(t)
	mbfxCapture(t, svc, "2025-10-07T00:00:00Z", "O2 0.2 t PAK + 0.2 t CHN", mbfxOxide("R2", "2025-10-06T00:00:00Z", []string{"CN:10"}, "O2", 0.5, claimPAKCHN))
	if cl := claim("O2"); cl.Status != custody.ClaimAccepted {
		t.Fatalf("O2 before the retraction: %s %q, want accepted", cl.Status, cl.Error)
	}
	r1 := mbfxOxide("R1", "2025-10-05T00:00:00Z", []string{"PK:100"}, "O1", 1, "")
	r1, _, _ = strings.Cut(r1, ",{\"type\": \"ObjectEvent\"") // the TransformationEvent alone
	retractEvent(t, svc, r1, "2025-10-20T00:00:00Z")

	cl := claim("O2")
	if cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-0.2) > 1e-9 || !strings.Contains(cl.Error, "retraction of") || len(cl.RetractedBy) == 0 {
		t.Errorf("O2 after R1's retraction: status %s shortfall %v error %q retractedBy %v, want not covered, 0.2 t, naming the retraction", cl.Status, cl.Shortfall, cl.Error, cl.RetractedBy)
	}
	if len(cl.ShortfallByCountry) != 1 || math.Abs(cl.ShortfallByCountry["PAK"]-0.2) > 1e-9 {
		t.Errorf("O2 shortfall by origin %v, want PAK 0.2 t alone", cl.ShortfallByCountry)
	}
	var sum float64
	for _, v := range cl.ShortfallByCountry {
		sum += v
	}
	if math.Abs(sum-cl.Shortfall) > 1e-9 {
		t.Errorf("O2 shortfall by origin %v sums to %v, claim's shortfall %v", cl.ShortfallByCountry, sum, cl.Shortfall)
	}
	if err := custody.CheckClaimShares("urn:t:lot:O2", cl); err != nil {
		t.Errorf("CheckClaimShares: %v", err)
	}
	// CheckClaimShares refuses a claim whose origins' shortfalls do not
	// add up to its own (0.1 ≠ 0.2), or one on an origin beyond what it
	// claims of it (CHN 0.3 > 0.2 claimed).
	for _, by := range []map[string]float64{{"PAK": 0.1}, {"PAK": 0.2, "CHN": 0.3}} {
		bad := *cl
		bad.ShortfallByCountry = by
		if err := custody.CheckClaimShares("urn:t:lot:O2", &bad); err == nil || !strings.Contains(err.Error(), "shortfall") {
			t.Errorf("CheckClaimShares with shortfall by origin %v: %v, want refused", by, err)
		}
	}
	if strings.Contains(cl.Error, "China origin") && strings.Contains(cl.Error, "of it short") {
		t.Errorf("O2's error %q words China short", cl.Error)
	}
	figs := map[string]custody.RefusedFigure{}
	for _, f := range cl.RefusedFigures() {
		figs[f.Key] = f
	}
	if f := figs["PAK"]; f.Status != custody.ClaimNotCovered || math.Abs(f.Shortfall-0.2) > 1e-9 || !strings.Contains(f.Text, "shortfall 0.2 t") {
		t.Errorf("O2's PAK figure %+v, want not covered, shortfall 0.2 t", f)
	}
	if f := figs["CHN"]; f.Status != custody.OriginCovered || f.Shortfall != 0 || strings.Contains(f.Text, "shortfall") {
		t.Errorf("O2's CHN figure %+v, want covered, no shortfall", f)
	}
	// The lot API's JSON (Claim.MarshalJSON) carries the same.
	b, _ := json.Marshal(cl)
	var js struct {
		Status  string             `json:"status"`
		Short   float64            `json:"shortfall"`
		ByC     map[string]float64 `json:"shortfallByCountry"`
		Refused []struct {
			Key       string  `json:"key"`
			Status    string  `json:"status"`
			Shortfall float64 `json:"shortfall"`
		} `json:"claimedRefused"`
	}
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	if js.Status != custody.ClaimNotCovered || math.Abs(js.ByC["PAK"]-0.2) > 1e-9 || js.ByC["CHN"] != 0 || len(js.Refused) != 2 {
		t.Errorf("O2's JSON %s, want not covered, shortfallByCountry PAK 0.2", b)
	}
	for _, r := range js.Refused {
		if want := map[string]float64{"PAK": 0.2, "CHN": 0}[r.Key]; math.Abs(r.Shortfall-want) > 1e-9 {
			t.Errorf("O2's JSON %s origin %s shortfall %v, want %v", b, r.Key, r.Shortfall, want)
		}
	}

	st := stmt("2025-10")
	sameLine(t, "Oct PAK", line(t, st, "ree", "PAK"), 0, 0, 0.2, 0, -0.2)
	es := claimEntries9j(st, "O2")
	if pk := es["PAK"]; pk.Status != custody.ClaimNotCovered || math.Abs(pk.Shortfall-0.2) > 1e-9 || !strings.Contains(pk.Note, "shortfall 0.2 t") {
		t.Errorf("O2 PAK entry: status %q shortfall %v note %q, want not covered, shortfall 0.2 t", pk.Status, pk.Shortfall, pk.Note)
	}
	if cn := es["CHN"]; cn.Status != custody.OriginCovered || cn.Shortfall != 0 || strings.Contains(cn.Note, "shortfall") {
		t.Errorf("O2 CHN entry: status %q shortfall %v note %q, want covered, no shortfall", cn.Status, cn.Shortfall, cn.Note)
	}
	for _, r := range st.Refused {
		if r.Lot != "urn:t:lot:O2" {
			continue
		}
		if r.Country != "PAK" || math.Abs(r.Shortfall-0.2) > 1e-9 || !strings.Contains(r.Error, "retraction of") {
			t.Errorf("refused row of O2 %+v, want PAK alone, shortfall 0.2 t, naming the retraction", r)
		}
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Errorf("CheckStatement: %v", err)
	}

	// The certificate's cm:refusedClaim states each origin's own standing.
	certPerOrigin9k(t, svc, 0.2)
}

// TestRetractedWeighingOfClaimedLotMixedClaim (fix9k): a retraction that
// also changes the claimed lot's own figure leaves the claim, its
// origins, the statement and the certificate on one figure: the one the
// account books. On setup9g (R1 credits 0.8 t PAK):
//
//	R2 (Oct 6 00:00): CN 10 t → O2 0.5 t at (60 + 20) % = 0.4 t; CHN
//	  credit min(10 × 5 % × 0.9 = 0.45, 0.4) = 0.4 t.
//	wO (Oct 6 06:00): O2 weighed 0.75 t (a stated mass change) → 0.6 t.
//	C2 (Oct 7): O2 claims PAK 50 % (0.3 t ≤ 0.8) and CHN 50 % (0.3 t ≤
//	  0.4, the run's credit bounded by what O2 held when R2 ran).
//	  Accepted.
//	R1 and wO declared in error (Oct 20, 21): PAK credits 0; O2 as it
//	  was when claimed is 0.5 t again (wO dated before the claim), 0.4 t:
//	  PAK 0.2 t, CHN 0.2 t. PAK: 0 − 0.2 = −0.2 t, O2 short 0.2 t; CHN
//	  0.4 − 0.2 = 0.2 t, covered. Before fix9k the retraction restated
//	  the claim at 0.3 t PAK (shortfall 0.3 t) while the account booked
//	  0.2 t: shortfallByCountry said 0.2, the claim 0.3, and the
//	  statement failed its own check (500).
func TestRetractedWeighingOfClaimedLotMixedClaim(t *testing.T) {
	svc, claim, stmt := setup9g(t)
	svc.Now = clockAt("2025-10-06T12:00:00Z")
	wO := strings.Replace(weighing("wO", "2025-10-06T06:00:00Z", "O2", 0.75), `"sensorElementList"`, `"cm:massChangeReason": "reclaimed", "sensorElementList"`, 1)
	if err := capture(svc, mbfxOxide("R2", "2025-10-06T00:00:00Z", []string{"CN:10"}, "O2", 0.5, ""), wO); err != nil {
		t.Fatal(err)
	}
	mbfxCapture(t, svc, "2025-10-07T12:00:00Z", "", objectEv("C2", "2025-10-07T00:00:00Z", "urn:t:lot:O2", "ADD", `, "ilmd": {`+strings.TrimPrefix(claimPAKCHN, ", ")+`}`))
	if cl := claim("O2"); cl.Status != custody.ClaimAccepted || math.Abs(cl.Tonnes-0.6) > 1e-9 {
		t.Fatalf("O2 before the retractions: %s %v t %q, want accepted, 0.6 t", cl.Status, cl.Tonnes, cl.Error)
	}
	r1 := mbfxOxide("R1", "2025-10-05T00:00:00Z", []string{"PK:100"}, "O1", 1, "")
	r1, _, _ = strings.Cut(r1, ",{\"type\": \"ObjectEvent\"")
	retractEvent(t, svc, r1, "2025-10-20T00:00:00Z")
	retractEvent(t, svc, wO, "2025-10-21T00:00:00Z")

	st := stmt("2025-10") // fails CheckStatement before fix9k
	sameLine(t, "Oct PAK", line(t, st, "ree", "PAK"), 0, 0, 0.2, 0, -0.2)
	es := claimEntries9j(st, "O2")
	if pk := es["PAK"]; pk.Status != custody.ClaimNotCovered || math.Abs(pk.Shortfall-0.2) > 1e-9 || math.Abs(pk.Tonnes-0.2) > 1e-9 {
		t.Errorf("O2 PAK entry %+v, want 0.2 t, not covered, shortfall 0.2 t", pk)
	}
	if cn := es["CHN"]; cn.Status != custody.OriginCovered || cn.Shortfall != 0 {
		t.Errorf("O2 CHN entry %+v, want covered", cn)
	}
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O2" && (r.Country != "PAK" || math.Abs(r.Shortfall-0.2) > 1e-9 || math.Abs(r.Claimed-0.2) > 1e-9 || !strings.Contains(r.Error, "(shortfall 0.2 t)") || !strings.Contains(r.Error, "retraction of")) {
			t.Errorf("refused row of O2 %+v, want PAK, claimed 0.2, shortfall 0.2 t, naming the retraction", r)
		}
	}
	cl := claim("O2")
	if cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-0.2) > 1e-9 || !strings.Contains(cl.Error, "(shortfall 0.2 t)") || strings.Contains(cl.Error, "0.3 t") {
		t.Errorf("O2: status %s shortfall %v error %q, want not covered, 0.2 t", cl.Status, cl.Shortfall, cl.Error)
	}
	if len(cl.ShortfallByCountry) != 1 || math.Abs(cl.ShortfallByCountry["PAK"]-0.2) > 1e-9 {
		t.Errorf("O2 shortfall by origin %v, want PAK 0.2 t alone", cl.ShortfallByCountry)
	}
	figs := map[string]custody.RefusedFigure{}
	for _, f := range cl.RefusedFigures() {
		figs[f.Key] = f
	}
	if f := figs["PAK"]; f.Status != custody.ClaimNotCovered || math.Abs(f.Claimed-0.2) > 1e-9 || math.Abs(f.Shortfall-0.2) > 1e-9 {
		t.Errorf("O2's PAK figure %+v, want claimed 0.2 t, not covered, shortfall 0.2 t", f)
	}
	if f := figs["CHN"]; f.Status != custody.OriginCovered || f.Shortfall != 0 {
		t.Errorf("O2's CHN figure %+v, want covered", f)
	}
	certPerOrigin9k(t, svc, 0.2)
}

// certPerOrigin9k issues a certificate on O2 and checks its
// cm:refusedClaim: Pakistan not covered, short pak t; China covered.
func certPerOrigin9k(t *testing.T, svc *ledger.Service, pak float64) {
	t.Helper()
	cb := mbfxCert(t, svc, "urn:t:lot:O2", time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	var cs struct {
		Subject struct {
			Refused struct {
				Status string                `json:"status"`
				Stated []custody.StatedShare `json:"stated"`
			} `json:"cm:refusedClaim"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(cb, &cs); err != nil {
		t.Fatal(err)
	}
	stated := map[string]custody.StatedShare{}
	for _, s := range cs.Subject.Refused.Stated {
		stated[s.Country] = s
	}
	if s := stated["PAK"]; cs.Subject.Refused.Status != custody.ClaimNotCovered || s.Status != custody.ClaimNotCovered || math.Abs(s.Shortfall-pak) > 1e-9 {
		t.Errorf("certificate's PAK %+v (claim %s), want not covered, shortfall %v t", s, cs.Subject.Refused.Status, pak)
	}
	if s := stated["CHN"]; s.Status != custody.OriginCovered || s.Shortfall != 0 {
		t.Errorf("certificate's CHN %+v, want covered, no shortfall", s)
	}
}
