package custody_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestCertificateProofSignsItsOptions: a certificate's proof is a Data
// Integrity proof whose options are signed with the document. Worked by
// hand here, independently of custody.proofMessage: the signed message is
// SHA-256 of the proof without proofValue (keys sorted) followed by
// SHA-256 of the certificate without proof, 32 + 32 = 64 bytes, and
// proofValue is the Ed25519 signature of those 64 bytes. Changing created,
// verificationMethod, proofPurpose or adding a member to the proof fails
// verification; a legacy Ed25519Signature2020 proof (document only) still
// verifies, flagged LegacyProof; an unknown proof type is refused.
func TestCertificateProofSignsItsOptions(t *testing.T) {
	db := demoStore(t)
	dir := t.TempDir()
	pub64, _ := custody.GenerateKey(filepath.Join(dir, "k"))
	key, _ := custody.LoadPrivateKey(filepath.Join(dir, "k"))
	pub, _ := custody.ParsePublicKey(pub64)
	created := time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)
	cert, err := custody.Issue(context.Background(), db, ndpr, custody.DefaultPack(), key, custody.Issuer{ID: custody.PublicKeyID(key), Name: "T"}, created)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(cert)
	clone := func() custody.Certificate {
		var c custody.Certificate
		_ = json.Unmarshal(data, &c)
		return c
	}

	// By hand.
	c := clone()
	proof := c["proof"].(map[string]any)
	if proof["type"] != "DataIntegrityProof" || proof["cryptosuite"] != "critmin-ed25519-2026" || proof["created"] != "2025-11-20T00:00:00Z" ||
		proof["proofPurpose"] != "assertionMethod" || proof["verificationMethod"] != base64.StdEncoding.EncodeToString(pub) {
		t.Fatalf("proof %v", proof)
	}
	sig, err := base64.StdEncoding.DecodeString(proof["proofValue"].(string))
	if err != nil {
		t.Fatal(err)
	}
	delete(proof, "proofValue")
	opts, _ := json.Marshal(proof)
	if want := `{"created":"2025-11-20T00:00:00Z","cryptosuite":"critmin-ed25519-2026","proofPurpose":"assertionMethod","type":"DataIntegrityProof","verificationMethod":"` + pub64 + `"}`; string(opts) != want {
		t.Fatalf("options %s; want %s", opts, want)
	}
	delete(c, "proof")
	doc, _ := json.Marshal(c)
	ho, hd := sha256.Sum256(opts), sha256.Sum256(doc)
	if msg := append(ho[:], hd[:]...); len(msg) != 64 || !ed25519.Verify(pub, msg, sig) {
		t.Fatal("proofValue is not the Ed25519 signature of SHA-256(options) ‖ SHA-256(document)")
	}
	if chk, err := custody.VerifyCertificate(data, pub, nil); err != nil || chk.LegacyProof {
		t.Fatalf("genuine certificate: %v (legacy %v)", err, chk != nil && chk.LegacyProof)
	}

	// Every option is covered.
	_, otherKey, _ := ed25519.GenerateKey(nil)
	otherPub := base64.StdEncoding.EncodeToString(otherKey.Public().(ed25519.PublicKey))
	for _, e := range []struct {
		name, want string
		edit       func(p map[string]any)
	}{
		{"created back-dated", "changed after signing", func(p map[string]any) { p["created"] = "2020-01-01T00:00:00Z" }},
		{"member added", "changed after signing", func(p map[string]any) { p["expires"] = "2099-01-01T00:00:00Z" }},
		{"purpose changed", "proof purpose", func(p map[string]any) { p["proofPurpose"] = "authentication" }},
		{"verification method changed", "another key", func(p map[string]any) { p["verificationMethod"] = otherPub }},
		{"cryptosuite changed", "cryptosuite", func(p map[string]any) { p["cryptosuite"] = "eddsa-jcs-2022" }},
		{"unknown type", "neither", func(p map[string]any) { p["type"] = "RsaSignature2018" }},
	} {
		c := clone()
		e.edit(c["proof"].(map[string]any))
		b, _ := json.Marshal(c)
		if _, err := custody.VerifyCertificate(b, pub, nil); err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("%s: %v; want refused with %q", e.name, err, e.want)
		}
	}

	// A certificate issued before: Ed25519Signature2020 over the document
	// alone. It verifies, reported as legacy.
	c = clone()
	delete(c, "proof")
	old, err := custody.Sign(c, key)
	if err != nil {
		t.Fatal(err)
	}
	c["proof"] = map[string]any{"type": "Ed25519Signature2020", "created": "2025-11-20T00:00:00Z", "proofPurpose": "assertionMethod", "verificationMethod": old.PublicKey, "proofValue": old.Value}
	b, _ := json.Marshal(c)
	if chk, err := custody.VerifyCertificate(b, pub, nil); err != nil || !chk.LegacyProof {
		t.Errorf("legacy certificate: %v; want verified and flagged legacy", err)
	}
	c["credentialSubject"].(map[string]any)["id"] = "urn:critmin:demo:lot:OTHER"
	b, _ = json.Marshal(c)
	if _, err := custody.VerifyCertificate(b, pub, nil); err == nil {
		t.Error("legacy certificate with its subject changed verified")
	}
}
