package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// testCertClaimedProvenance (issue 9 §2, nuq9, builder fixQv): a
// certificate's materialsProvenance, the UNTP array of the product's
// material origins, holds physical-origin lines only; a mass-balance
// claim's lines are in cm:claimedProvenance. A certificate stored before
// (its claimed lines in materialsProvenance) still reads current on an
// unchanged record and superseded on a changed one.
//
// At mb (mass balance, ree: concentrate → NdPr oxide on Nd + Pr, factor
// 0.9): Pv (Pakistan, 10,000 kg dry, Nd 10 % + Pr 2 %) and Kv (China,
// 5,000 kg, the same grade). R1 (Oct 5) takes Pv 5,000 kg → Ov1, 500 kg
// at Nd 60 % + Pr 20 %: Pakistan's credit Nd min(5 × 10 % × 0.9 = 0.45,
// 0.5 × 60 % = 0.3) = 0.3 + Pr min(5 × 2 % × 0.9 = 0.09, 0.1) = 0.09 →
// 0.39 t. R2 (Oct 6) takes Kv 5,000 kg → Ov2, 500 kg at Nd 60 % + Pr 20 %
// (Nd 0.3 + Pr 0.1 = 0.4 t) and claims Pakistan at share 0.5: 0.5 ×
// 0.4 = 0.2 t ≤ 0.39, accepted: one claimed line, Pakistan 0.5 (0.2 t).
// Ov2 is physically all China.
// The old-layout certificate stands; a reassay of Ov2 at Nd 66 % (0.33 +
// 0.1 = 0.43 t; R2 out 0.33 ≤ in 0.5 t Nd) leaves the claim its 0.2 t of
// 0.43 t (46.5 %): superseded, naming it.
func testCertClaimedProvenance(t *testing.T, open Opener) {
	s := open(t)
	cs, svc := claimService(s)
	ctx := context.Background()
	MustCapture(t, svc, ctDoc(cfLot("Pv", "PAK", 10000, "Nd:10", "Pr:2"), cfLot("Kv", "CHN", 5000, "Nd:10", "Pr:2")))
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 0,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(ctx, cs, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	MustCapture(t, svc, ctDoc(piRun("qv-R1", 5, nil, []string{"Pv:5000"}, "Ov1", "")))
	MustCapture(t, svc, ctDoc(piRun("qv-R2", 6, nil, []string{"Kv:5000"}, "Ov2", `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.5}]`)))
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)
	cert, err := custody.Issue(ctx, s.(custody.CertStore), "urn:t:lot:Ov2", custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, issued)
	if err != nil {
		t.Fatal(err)
	}
	subj := cert["credentialSubject"].(map[string]any)
	sums := map[string]float64{}
	for _, p := range subj["materialsProvenance"].([]any) {
		l := p.(map[string]any)
		if l["cm:originBasis"] != custody.ReadsPhysical || l["originCountry"] != "CHN" {
			t.Errorf("materialsProvenance line %v, want China, physical origin only", l)
		}
		sums[l["name"].(string)] += l["massFraction"].(float64)
	}
	if len(sums) != 3 {
		t.Errorf("materialsProvenance views %v, want dry mass, Nd, Pr", sums)
	}
	for name, sum := range sums {
		if !ctNear(sum, 1) {
			t.Errorf("%s: fractions sum to %v, want 1", name, sum)
		}
	}
	cp, _ := subj["cm:claimedProvenance"].([]any)
	if len(cp) != 1 {
		t.Fatalf("cm:claimedProvenance %v, want Pakistan 0.5", cp)
	}
	if l := cp[0].(map[string]any); l["cm:originBasis"] != custody.ReadsClaimed || l["originCountry"] != "PAK" || !ctNear(l["massFraction"].(float64), 0.5) ||
		!ctNear(l["mass"].(map[string]any)["value"].(float64), 0.2) || !strings.Contains(l["name"].(string), "claimed origin") {
		t.Errorf("claimed line %v, want Pakistan 0.5 (0.2 t), claimed origin", l)
	}
	// The same certificate as issued before fixQv: the claimed lines
	// after the physical ones in materialsProvenance; its own id (the
	// digest of its statement), signed and stored as Issue did.
	b, _ := json.Marshal(cert)
	var old custody.Certificate
	if err := json.Unmarshal(b, &old); err != nil {
		t.Fatal(err)
	}
	os := old["credentialSubject"].(map[string]any)
	os["materialsProvenance"] = append(os["materialsProvenance"].([]any), os["cm:claimedProvenance"].([]any)...)
	delete(os, "cm:claimedProvenance")
	delete(old, "proof")
	stmt := custody.Certificate{}
	for k, v := range old {
		if k != "id" && k != "validFrom" && k != "cm:log" {
			stmt[k] = v
		}
	}
	raw, _ := json.Marshal(stmt)
	sum := sha256.Sum256(raw)
	evidence := hex.EncodeToString(sum[:])
	old["id"] = custody.CertificateID(evidence, 0)
	proof, err := custody.SignProof(old, key, issued)
	if err != nil {
		t.Fatal(err)
	}
	old["proof"] = proof
	doc, _ := json.Marshal(old)
	if err := s.(custody.CertificateStore).SaveCertificate(ctx, &custody.StoredCertificate{ID: old["id"].(string), Lot: "urn:t:lot:Ov2", Evidence: evidence, Signer: custody.PublicKeyID(key), Body: string(doc), IssuedAt: issued}); err != nil {
		t.Fatal(err)
	}
	if _, err := custody.VerifyCertificate(doc, key.Public().(ed25519.PublicKey), nil); err != nil {
		t.Fatalf("old-layout certificate: %v", err)
	}
	words := func(st *custody.CertStatus) string {
		var out []string
		for _, r := range st.Reasons {
			out = append(out, r.Text())
		}
		return strings.Join(out, "; ")
	}
	for _, c := range []custody.Certificate{cert, old} {
		st, err := custody.Standing(ctx, s, c)
		if err != nil || !st.Stands {
			t.Fatalf("certificate %v on an unchanged record: %+v %s %v; want it to stand", c["id"], st, words(st), err)
		}
	}
	MustCapture(t, svc, ctDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:qv-AS", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	  "quantityList": [{"epcClass": "urn:t:lot:Ov2"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 66, "uom": "P1", "cm:basis": "dry"}]}]}`))
	const want = "claimed origin Pakistan was 0.2 t (50.0 %) of 0.4 t, is now 0.2 t (46.5 %) of 0.43 t"
	for _, c := range []custody.Certificate{cert, old} {
		st, err := custody.Standing(ctx, s, c)
		if err != nil || st.Stands || !st.Superseded || !strings.Contains(words(st), want) {
			t.Errorf("certificate %v after the reassay: %v %s; want superseded: %s", c["id"], err, words(st), want)
		}
	}
}
