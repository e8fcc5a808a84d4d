package custody_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// fixQv (issue 9 §2, nuq9): a certificate's materialsProvenance — the
// standard UNTP array a reader takes as the product's material origins —
// holds physical-origin lines only; a mass-balance claim's lines (and the
// "unclaimed: held beyond the claim" line) are in cm:claimedProvenance,
// beside cm:claimedOrigin, still labelled cm:originBasis claimed_origin.
//
// Lot K (mbStore): 0.5 t of NdPr oxide made at run E6 from Chinese C2
// (CHN, physically 100 % in every view), claiming 0.4 t Pakistani Nd+Pr.
// Reassayed at KA (Nd 66 %): Nd 0.5 × 0.66 = 0.33 t, Pr 0.5 × 0.20 =
// 0.1 t, Nd+Pr 0.43 t. The claim keeps its 0.4 t: Pakistan 0.4 / 0.43 =
// 0.930233 (93.0 %), unclaimed 0.03 / 0.43 = 0.069767.

// kCert issues a certificate on mbStore's lot K with a key of its own,
// returning the certificate and the key.
func kCert(t *testing.T, db *sqldb.DB) (custody.Certificate, ed25519.PrivateKey) {
	t.Helper()
	return issueKeyed(t, db, "urn:t:lot:K", "T", time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
}

func TestCertClaimedLinesNotMaterialsProvenance(t *testing.T) {
	db := mbStore(t).(*sqldb.DB)
	captureK(t, db, reassayK("KA", "2025-11-20T00:00:00Z", "66"))
	cert, _ := kCert(t, db)
	subj := cert["credentialSubject"].(map[string]any)
	// Each physical view is a partition of its own: the fractions of
	// the dry-mass lines sum to 1, and those of each element's lines.
	sums := map[string]float64{}
	for _, p := range subj["materialsProvenance"].([]any) {
		l := p.(map[string]any)
		if l["cm:originBasis"] != custody.ReadsPhysical || l["originCountry"] == "PAK" || l["countryName"] == custody.Unclaimed {
			t.Errorf("materialsProvenance holds a line that is not physical origin: %v", l)
		}
		sums[l["name"].(string)] += l["massFraction"].(float64)
	}
	for _, name := range []string{"total dry mass (physical origin, dry-mass view)", "Nd (physical origin, contained element)", "Pr (physical origin, contained element)"} {
		if math.Abs(sums[name]-1) > 1e-6 {
			t.Errorf("%s: fractions sum to %v, want 1 (China 100 %%)", name, sums[name])
		}
	}
	if len(sums) != 3 {
		t.Errorf("materialsProvenance views %v, want dry mass, Nd and Pr", sums)
	}
	cp, _ := subj["cm:claimedProvenance"].([]any)
	if len(cp) != 2 {
		t.Fatalf("cm:claimedProvenance %v, want the claimed line and the unclaimed line", cp)
	}
	pak, rest := cp[0].(map[string]any), cp[1].(map[string]any)
	if pak["cm:originBasis"] != custody.ReadsClaimed || pak["originCountry"] != "PAK" || math.Abs(pak["massFraction"].(float64)-0.930233) > 1e-6 ||
		!strings.Contains(pak["name"].(string), "claimed origin, mass balance at urn:t:site:mb") || !strings.Contains(pak["name"].(string), "not physical") {
		t.Errorf("claimed line %v, want PAK 0.930233 labelled claimed origin, not physical", pak)
	}
	if _, has := rest["originCountry"]; has || rest["cm:originBasis"] != custody.ReadsClaimed || rest["countryName"] != custody.Unclaimed || math.Abs(rest["massFraction"].(float64)-0.069767) > 1e-6 {
		t.Errorf("unclaimed line %v, want no country, unclaimed, 0.069767", rest)
	}
	if _, ok := subj["cm:claimedOrigin"].(map[string]any); !ok {
		t.Error("cm:claimedOrigin missing beside cm:claimedProvenance")
	}
}

// toOldLayout is cert as issued before fixQv: the claimed lines of
// cm:claimedProvenance after the physical lines of materialsProvenance,
// no cm:claimedProvenance. The copy is unsigned and has no id.
func toOldLayout(t *testing.T, cert custody.Certificate) custody.Certificate {
	t.Helper()
	b, _ := json.Marshal(cert)
	var old custody.Certificate
	if err := json.Unmarshal(b, &old); err != nil {
		t.Fatal(err)
	}
	delete(old, "proof")
	delete(old, "id")
	subj := old["credentialSubject"].(map[string]any)
	cp, _ := subj["cm:claimedProvenance"].([]any)
	if len(cp) == 0 {
		t.Fatal("premise: no cm:claimedProvenance to move back")
	}
	subj["materialsProvenance"] = append(subj["materialsProvenance"].([]any), cp...)
	delete(subj, "cm:claimedProvenance")
	return old
}

// TestOldLayoutCertificateStillReads: a certificate signed and stored
// before fixQv, its claimed lines in materialsProvenance, reads as it
// did: current while the record is unchanged (its layout is a form, not a
// restatement), restated when a claimed line it states differs from
// today's, superseded when a later assay changes the claim's figures.
func TestOldLayoutCertificateStillReads(t *testing.T) {
	ctx := context.Background()
	db := mbStore(t).(*sqldb.DB)
	captureK(t, db, reassayK("KA", "2025-11-20T00:00:00Z", "66"))
	cert, key := kCert(t, db)
	old := toOldLayout(t, cert)
	// Issued and stored as Issue did then: id from the digest of its
	// statement (less validFrom and cm:log), signed, kept.
	stmt := custody.Certificate{}
	for k, v := range old {
		if k != "validFrom" && k != "cm:log" {
			stmt[k] = v
		}
	}
	body, err := custody.Canonical(stmt)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	evidence := hex.EncodeToString(sum[:])
	old["id"] = custody.CertificateID(evidence, 0)
	if old["id"] == cert["id"] {
		t.Fatal("premise: the old layout has the new one's id")
	}
	proof, err := custody.SignProof(old, key, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	old["proof"] = proof
	doc, _ := json.Marshal(old)
	if err := db.SaveCertificate(ctx, &custody.StoredCertificate{ID: old["id"].(string), Lot: "urn:t:lot:K", Evidence: evidence, Signer: custody.PublicKeyID(key), Body: string(doc), IssuedAt: time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), `"originCountry":"PAK"`) || strings.Contains(string(doc), "cm:claimedProvenance") {
		t.Fatalf("premise: the old layout states PAK in materialsProvenance: %s", doc)
	}
	if _, err := custody.VerifyCertificate(doc, key.Public().(ed25519.PublicKey), nil); err != nil {
		t.Fatalf("old-layout certificate does not verify: %v", err)
	}
	st, err := custody.Standing(ctx, db, old)
	if err != nil || !st.Stands || st.Superseded || st.NotStored != "" {
		t.Fatalf("old-layout certificate, nothing changed: stands %v, %s %q %v", st != nil && st.Stands, reasonsText(st), st.NotStored, err)
	}
	// Not current when a claimed line it states is not today's: the
	// claimed line read 0.9 instead of 0.930233.
	forged := toOldLayout(t, cert)
	prov := forged["credentialSubject"].(map[string]any)["materialsProvenance"].([]any)
	for _, p := range prov {
		if l := p.(map[string]any); l["originCountry"] == "PAK" {
			l["massFraction"] = 0.9
		}
	}
	if msg, err := custody.RestatedChanged(ctx, db, forged); err != nil || !strings.Contains(msg, "the claimed origin lines") {
		t.Errorf("old-layout certificate with another claimed line: %q %v, want restated in the claimed origin lines", msg, err)
	}
	// A later assay (KB, Nd 68 %: Nd 0.34 t, Nd+Pr 0.44 t) supersedes
	// it on the claim's figures: 0.4 / 0.44 = 90.9 %.
	captureK(t, db, reassayK("KB", "2025-11-21T00:00:00Z", "68"))
	st, err = custody.Standing(ctx, db, old)
	if err != nil {
		t.Fatal(err)
	}
	if want := "claimed origin Pakistan was 0.4 t (93.0 %) of 0.43 t, is now 0.4 t (90.9 %) of 0.44 t"; st.Stands || !st.Superseded || !strings.Contains(reasonsText(st), want) {
		t.Errorf("after KB: %s, want superseded: %s", reasonsText(st), want)
	}
}
