package custody

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// Certificate proofs. A certificate issued since fix8 carries a proof in
// the manner of W3C VC Data Integrity 1.0 (§4.2, "hashing"): the proof's
// own options — type, cryptosuite, created, verificationMethod,
// proofPurpose, and any other member but proofValue — are signed with the
// document, so that none of them can be changed after signing:
//
//	proofValue = base64(Ed25519(key, SHA-256(options) ‖ SHA-256(document)))
//
// where options is the proof object without proofValue and document the
// certificate without its proof, each as canonical JSON (members sorted,
// no spaces: canonical). The cryptosuite is critmin's own, not eddsa-jcs-2022:
// the canonical JSON is Go's (sorted keys) rather than RFC 8785's, and the
// key and value are plain base64 rather than multibase.
//
// Certificates issued before carry an Ed25519Signature2020 proof whose
// signature covers the document only; they still verify, reported as
// legacy (CertCheck.LegacyProof), their proof options unprotected.
const (
	ProofType       = "DataIntegrityProof"
	ProofSuite      = "critmin-ed25519-2026"
	ProofPurpose    = "assertionMethod"
	LegacyProofType = "Ed25519Signature2020"
)

// SignProof returns the Data Integrity proof of cert (its members other
// than "proof") by key, created at created.
func SignProof(cert Certificate, key ed25519.PrivateKey, created time.Time) (map[string]any, error) {
	proof := map[string]any{"type": ProofType, "cryptosuite": ProofSuite, "created": created.UTC().Format(time.RFC3339),
		"verificationMethod": base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)), "proofPurpose": ProofPurpose}
	msg, err := proofMessage(cert, proof)
	if err != nil {
		return nil, err
	}
	proof["proofValue"] = base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg))
	return proof, nil
}

// proofMessage is what a Data Integrity proof signs: SHA-256 of the
// proof's options (the proof without proofValue) followed by SHA-256 of
// the document without its proof, 64 bytes.
func proofMessage(cert Certificate, proof map[string]any) ([]byte, error) {
	opts := make(map[string]any, len(proof))
	for k, v := range proof {
		if k != "proofValue" {
			opts[k] = v
		}
	}
	o, err := json.Marshal(opts) // map keys marshal sorted: a canonical order
	if err != nil {
		return nil, err
	}
	d, err := canonical(cert)
	if err != nil {
		return nil, err
	}
	ho, hd := sha256.Sum256(o), sha256.Sum256(d)
	return append(ho[:], hd[:]...), nil
}

// checkProof verifies a certificate's proof with pub. It reports whether
// the proof is a legacy one (Ed25519Signature2020: options unsigned).
func checkProof(cert Certificate, proof map[string]any, pub ed25519.PublicKey) (legacy bool, err error) {
	typ, _ := proof["type"].(string)
	vm, _ := proof["verificationMethod"].(string)
	val, _ := proof["proofValue"].(string)
	switch typ {
	case LegacyProofType:
		return true, CheckSignature(cert, &Signature{Alg: "Ed25519", PublicKey: vm, Value: val}, pub)
	case ProofType:
	default:
		return false, fmt.Errorf("proof type %q is neither %s nor the legacy %s", typ, ProofType, LegacyProofType)
	}
	if s, _ := proof["cryptosuite"].(string); s != ProofSuite {
		return false, fmt.Errorf("cryptosuite %q is not %s", s, ProofSuite)
	}
	if p, _ := proof["proofPurpose"].(string); p != ProofPurpose {
		return false, fmt.Errorf("proof purpose %q is not %s", p, ProofPurpose)
	}
	if vm != base64.StdEncoding.EncodeToString(pub) {
		return false, fmt.Errorf("signed by another key than the one given")
	}
	sig, err := base64.StdEncoding.DecodeString(val)
	if err != nil {
		return false, fmt.Errorf("proofValue is not base64")
	}
	msg, err := proofMessage(cert, proof)
	if err != nil {
		return false, err
	}
	if !ed25519.Verify(pub, msg, sig) {
		return false, fmt.Errorf("signature does not match the content or the proof's options: changed after signing")
	}
	return false, nil
}
