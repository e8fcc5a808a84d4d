package custody_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// issue9ao issues a certificate on lot under the built-in pack at now.
func issue9ao(t *testing.T, db *sqldb.DB, lot string, now time.Time) custody.Certificate {
	t.Helper()
	dir := t.TempDir()
	if _, err := custody.GenerateKey(filepath.Join(dir, "k")); err != nil {
		t.Fatal(err)
	}
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	cert, err := custody.Issue(context.Background(), db, lot, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, now)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// g1Store is the fix9d case (TestLateInputAssayUncoversClaim): in
// mbStore, captured on November 25, November's Pakistani balance is
// October's 2.9 t + A2's 20 t × (4 + 1) % × 0.9 = 0.9 t, less O3's 0.8 t
// and K's 0.4 t: 2.6 t. G1 (Nov 20: 100 t of CBIG → 3.125 t oxide at 80 %
// Nd+Pr) claims Pakistan 100 %: 3.125 × 0.8 = 2.5 t ≤ 2.6 t, accepted.
// as2 is the late assay of input A2 at Nd 2 % (dated Nov 9): A2 then
// credits 20 × (2 + 1) % × 0.9 = 0.54 t, the balance G1 meets is 2.9 +
// 0.54 − 0.8 − 0.4 = 2.24 t, 0.26 t short: not covered. Declared in
// error, A2 is 4 % again, credits 0.9 t, and G1 is covered again.
func g1Store(t *testing.T) (*sqldb.DB, *ledger.Service, string) {
	t.Helper()
	dbs, svc := mbSvc(t)
	if err := capture(svc, oxideRunFrom("G1", "2025-11-20T00:00:00Z", "G1", 3.125, claimPAK, "CBIG", 100)); err != nil {
		t.Fatalf("G1: %v", err)
	}
	return dbs.(*sqldb.DB), svc, lateAssay9d("AS2", "2025-11-09T00:00:00Z", "urn:t:lot:A2", "2")
}

// TestCertIssuedAfterRetractionStands (fix9ao item 1): a certificate
// issued after a declaration of error stands. G1's claim (g1Store) was
// not covered while AS2 stood (shortfall 0.26 t) and is covered again
// since AS2 was declared in error (Nov 27): the claim's coverage note
// names AS2. The certificate issued on Nov 28 rests only on events that
// stand: AS2 is neither a traceability event nor any verdict's evidence
// (cm:claimCoverage still names it), so its status reads standing.
// Before fix9ao AS2 was listed as evidence (the mass-balance verdict's
// CoveredAgainBy) and the certificate read superseded at once, "declared
// in error: urn:t:ev:AS2".
func TestCertIssuedAfterRetractionStands(t *testing.T) {
	ctx := context.Background()
	db, svc, as2 := g1Store(t)
	svc.Now = clockAt("2025-11-26T00:00:00Z")
	if err := capture(svc, as2); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-11-27T00:00:00Z")
	if err := capture(svc, declared9d(as2, "2025-11-27T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	cert := issue9ao(t, db, "urn:t:lot:G1", time.Date(2025, 11, 28, 0, 0, 0, 0, time.UTC))
	subj := cert["credentialSubject"].(map[string]any)
	cov, _ := subj["cm:claimCoverage"].(map[string]any)
	if cov == nil || !strings.Contains(cov["note"].(string), "urn:t:ev:AS2") {
		t.Fatalf("premise: G1's certificate states no coverage note naming AS2: %v", subj["cm:claimCoverage"])
	}
	for _, id := range custody.EvidenceIDs(cert) {
		if id == "urn:t:ev:AS2" {
			t.Errorf("the certificate lists the declared assay AS2 as a traceability event")
		}
	}
	for _, c := range subj["conformityClaim"].([]any) {
		m := c.(map[string]any)
		for _, e := range m["evidence"].([]any) {
			if e == "urn:t:ev:AS2" {
				t.Errorf("rule %v lists the declared assay AS2 as evidence", m["id"])
			}
		}
	}
	st, err := custody.Standing(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Stands || st.Superseded {
		t.Errorf("a certificate issued after the declaration reads superseded: %s", reasonsText(st))
	}
}

// TestCertAssayAndRetractionStands (fix9ao item 1, the related case): a
// certificate on G1 issued on Nov 25 (claim accepted, 2.5 t of 2.6 t).
// AS2 recorded on Nov 26 leaves the claim not covered (0.26 t short):
// superseded, saying so. AS2 declared in error on Nov 27: A2 credits
// 0.9 t again, the balance is 2.6 t, the claim is covered on the same
// figures (2.5 t, 100 % Pakistan) and every physical figure is as
// issued; only the claim's coverage note (naming AS2's declaration) is
// new. The certificate stands. Before fix9ao it read superseded with
// JSON paths ("credentialSubject.cm:claimCoverage, …").
func TestCertAssayAndRetractionStands(t *testing.T) {
	ctx := context.Background()
	db, svc, as2 := g1Store(t)
	cert := issue9ao(t, db, "urn:t:lot:G1", time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC))
	svc.Now = clockAt("2025-11-26T00:00:00Z")
	if err := capture(svc, as2); err != nil {
		t.Fatal(err)
	}
	st, err := custody.Standing(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	if got := reasonsText(st); st.Stands || !strings.Contains(got, "the claimed origin was accepted and is now not covered") || strings.Contains(got, "credentialSubject.") {
		t.Errorf("while AS2 stands: stands %v, reasons %s", st.Stands, got)
	}
	svc.Now = clockAt("2025-11-27T00:00:00Z")
	if err := capture(svc, declared9d(as2, "2025-11-27T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if st, err = custody.Standing(ctx, db, cert); err != nil {
		t.Fatal(err)
	}
	if !st.Stands || st.Superseded {
		t.Errorf("after AS2 and its declaration in error, every figure as issued: %s", reasonsText(st))
	}
}

// TestCertDeclaredEvidenceFigures (fix9ao item 2): a declaration of an
// evidence event names, with it, the figures it changed, old and new. In
// mbStore K (0.5 t, Nd 60 % + Pr 20 %) claims 0.4 t Pakistani Nd+Pr. KA
// reassays K at Nd 66 % before the certificate: Nd 0.5 × 0.66 = 0.33 t,
// Nd+Pr 0.33 + 0.1 = 0.43 t, the claim 0.4 ÷ 0.43 = 93.0 %. The
// certificate rests on KA. KA declared in error: Nd 0.5 × 0.6 = 0.3 t,
// Nd+Pr 0.4 t, the claim 0.4 ÷ 0.4 = 100.0 %. One reason, the
// declaration, with both figures; before fix9ao the declaration gave no
// figures, the claim's figure was a second reason counted as "changed
// through other events" and the physical Nd figure was not named.
func TestCertDeclaredEvidenceFigures(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t).(*sqldb.DB)
	ka := reassayK("KA", "2025-11-20T00:00:00Z", "66")
	captureK(t, db, ka)
	cert := issue9ao(t, db, "urn:t:lot:K", time.Date(2025, 11, 21, 0, 0, 0, 0, time.UTC))
	captureK(t, db, declared9d(ka, "2025-11-22T00:00:00Z"))
	st, err := custody.Status(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	got := reasonsText(st)
	if !st.Superseded || len(st.Reasons) != 1 || st.Reasons[0].EventID != "urn:t:ev:KA" {
		t.Fatalf("after KA declared in error: %s", got)
	}
	for _, want := range []string{
		"declared in error: urn:t:ev:KA (reason incorrect_data",
		"claimed origin Pakistan was 0.4 t (93.0 %) of 0.43 t, is now 0.4 t (100.0 %) of 0.4 t",
		"Nd (physical origin, contained element): China was 0.33 t (100.0 %) of 0.33 t, is now 0.3 t (100.0 %) of 0.3 t",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("reasons lack %q:\n%s", want, got)
		}
	}
	if s := st.Summary(); s != "1 evidence event(s) declared in error since the certificate was issued" {
		t.Errorf("summary %q", s)
	}
}

// TestFigureChangesEqualFigures (fix9ao item 3): a figure whose old and
// new values print the same is no change. Nd was Pakistan 0.3 t (100 %)
// and China 0 t (0 %) of 0.3 t; it is Pakistan 0.33 t (100 %) and China
// 0 t (0 %) of 0.33 t: China's own figure, 0 t (0.0 %), is unchanged —
// only the total it is a share of moved, which Pakistan's line says.
// Pakistan's 0.3000000001 t prints 0.3 t: Pr is unchanged. Before fix9ao
// "China was 0 t (0.0 %) of 0.3 t, is now 0 t (0.0 %) of 0.33 t" was
// listed. The claim alike: China's 0 t (0.0 %) no longer stated is no
// change; Pakistan's 0.4 t (100 %) of 0.4 t stays.
func TestFigureChangesEqualFigures(t *testing.T) {
	line := func(name, country, code string, tonnes, share float64) map[string]any {
		return map[string]any{"name": name, "countryName": country, "originCountry": code, "massFraction": share, "mass": map[string]any{"value": tonnes, "unit": "TNE"}, "cm:originBasis": custody.ReadsPhysical}
	}
	const nd, pr = "Nd (physical origin, contained element)", "Pr (physical origin, contained element)"
	cert := func(pak float64, prPak float64) map[string]any {
		return map[string]any{"credentialSubject": map[string]any{"materialsProvenance": []any{
			line(nd, "Pakistan", "PAK", pak, 1), line(nd, "China", "CHN", 0, 0),
			line(pr, "Pakistan", "PAK", prPak, 1),
		}}}
	}
	got := custody.FigureChanges(cert(0.3, 0.1), cert(0.33, 0.1000000001))
	want := "Nd (physical origin, contained element): Pakistan was 0.3 t (100.0 %) of 0.3 t, is now 0.33 t (100.0 %) of 0.33 t"
	if len(got) != 1 || got[0] != want {
		t.Errorf("figure changes %q, want only %q", got, want)
	}
	was := map[string]any{"status": "accepted", "tonnes": 0.4, "contains": 0.4, "byCountry": []any{
		map[string]any{"key": "PAK", "name": "Pakistan", "tonnes": 0.4, "share": 1.0},
		map[string]any{"key": "CHN", "name": "China", "tonnes": 0.0, "share": 0.0}}}
	now := &custody.Claim{Status: custody.ClaimAccepted, Tonnes: 0.4, Contains: 0.4, ByCountry: []custody.Share{{Key: "PAK", Name: "Pakistan", Tonnes: 0.4, Share: 1}}}
	if got := custody.ClaimFigureChanges(was, now); len(got) != 0 {
		t.Errorf("claim figure changes %q, want none", got)
	}
}

// TestRestatedReasonInWords (fix9ao item 1): what differs beyond the
// figures reads in words, never as JSON paths. K's certificate with one
// traceability event and the last custody step taken out (not signed
// again: the statement alone is compared) differs from today's
// statement in the events it rests on and in the custody chain.
func TestRestatedReasonInWords(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t).(*sqldb.DB)
	cert := issueK(t, db, custody.DefaultPack())
	subj := cert["credentialSubject"].(map[string]any)
	info := subj["traceabilityInformation"].([]any)[0].(map[string]any)
	evs := info["traceabilityEvents"].([]any)
	gone := evs[0].(map[string]any)["linkName"].(string)
	info["traceabilityEvents"] = evs[1:]
	chain := subj["cm:custodyChain"].([]any)
	subj["cm:custodyChain"] = chain[:len(chain)-1]
	msg, err := custody.RestatedChanged(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"what the certificate states differs from today's record", "the events it rests on (now also " + gone, "the custody chain"} {
		if !strings.Contains(msg, want) {
			t.Errorf("reason lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "credentialSubject") || strings.Contains(msg, "[0]") {
		t.Errorf("reason names JSON paths: %s", msg)
	}
}

// TestChangeCausesBounded (fix9ao item 4): the events named as a
// change's causes are read from the log after the certificate's
// checkpoint in pages and up to a cap, the cut said. After K's
// certificate: KA (K's reassay at Nd 66 %, the change: claim 0.4 of
// 0.43 t) and then X1 and X2, assays of N9 (site mb2, outside K's
// genealogy and the claim's site). With pages of 1 record and a cap of
// 2, KA is named and the reason says later records were not searched;
// with the defaults, KA alone is named and nothing is cut.
func TestChangeCausesBounded(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t).(*sqldb.DB)
	cert := issueK(t, db, custody.DefaultPack())
	captureK(t, db, reassayK("KA", "2025-11-20T00:00:00Z", "66"))
	captureK(t, db, lateAssay9d("X1", "2025-11-21T00:00:00Z", "urn:t:lot:N9", "62"))
	captureK(t, db, lateAssay9d("X2", "2025-11-22T00:00:00Z", "urn:t:lot:N9", "62"))
	st, err := custody.Status(ctx, db, cert)
	if err != nil {
		t.Fatal(err)
	}
	got := reasonsText(st)
	if !strings.Contains(got, "urn:t:ev:KA (inspecting)") || strings.Contains(got, "not searched") || strings.Contains(got, "urn:t:ev:X1") {
		t.Errorf("default bounds: %s", got)
	}
	defer custody.SetCauseBounds(1, 2)()
	if st, err = custody.Status(ctx, db, cert); err != nil {
		t.Fatal(err)
	}
	got = reasonsText(st)
	if !strings.Contains(got, "(log size "+custody.CertLogSize(cert)+"; only the 2 records after it read, later records not searched): urn:t:ev:KA (inspecting)") {
		t.Errorf("capped at 2 records: %s", got)
	}
}
