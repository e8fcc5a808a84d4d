package custody

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"os"
	"strings"
	"time"

	"github.com/critmin/critmin"
)

// Signature is an Ed25519 signature over a document's canonical JSON
// (the document with its signature left out), with the signer's key.
type Signature struct {
	Alg       string `json:"alg"`
	PublicKey string `json:"publicKey"`
	Value     string `json:"value"`
}

// Bundle is a signed export of a contiguous run of the chain: the records
// with their chain hashes, the hash before the first, and the day roots in
// range. Anyone with the public key can check it offline.
type Bundle struct {
	Type      string                 `json:"type"`
	Version   int                    `json:"version"`
	Created   time.Time              `json:"created"`
	FromSeq   int64                  `json:"fromSeq"`
	ToSeq     int64                  `json:"toSeq"`
	PrevChain string                 `json:"prevChain"`
	Records   []*critmin.ChainRecord `json:"records"`
	Roots     []critmin.ChainRoot    `json:"roots"`
	// Checkpoint is a signed checkpoint of the log (version 2 on) and
	// Proofs the inclusion proof of each record in its tree, in order.
	Checkpoint string     `json:"checkpoint,omitempty"`
	Proofs     [][]string `json:"proofs,omitempty"`
	Signature  *Signature `json:"signature,omitempty"`
}

// BundleStore is what exporting reads.
type BundleStore interface {
	critmin.ChainStore
	critmin.LogStore
}

// BundleType names critmin chain bundles.
const BundleType = "critmin.ChainBundle"

// Export builds and signs a bundle of the records from–to (to 0: the last).
//
// Before signing, the records are checked (EvidenceChecker, when the store
// is one): a bundle is never signed over records that fail verification.
// Each record carries its inclusion proof against a checkpoint signed
// with the same key.
func Export(ctx context.Context, s BundleStore, from, to int64, key ed25519.PrivateKey, now time.Time) (*Bundle, error) {
	if from < 1 {
		from = 1
	}
	if to == 0 {
		to = 1<<62 - 1
	}
	if to < from {
		return nil, critmin.FieldErrorf("to", "%d is before from %d", to, from)
	}
	recs, err := s.ChainRange(ctx, from, to)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no records from %d to %d", from, to)
	}
	if ch, ok := s.(EvidenceChecker); ok {
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = r.EventID
		}
		if err := ch.CheckEvidence(ctx, nil, ids); err != nil {
			return nil, err
		}
	}
	head, err := s.LogHead(ctx)
	if err != nil {
		return nil, err
	}
	note, err := SignCheckpoint(head, key)
	if err != nil {
		return nil, err
	}
	proofs := make([][]string, len(recs))
	for i, r := range recs {
		p, err := ProveInclusion(ctx, s, r.Seq-1, head.Size)
		if err != nil {
			return nil, err
		}
		proofs[i] = EncodeProof(p)
	}
	b := &Bundle{Type: BundleType, Version: 2, Checkpoint: string(note), Proofs: proofs, Created: now.UTC(), FromSeq: recs[0].Seq, ToSeq: recs[len(recs)-1].Seq, PrevChain: recs[0].PrevChain, Records: recs}
	roots, err := s.ChainRoots(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range roots {
		if r.LastSeq >= b.FromSeq && r.LastSeq <= b.ToSeq {
			b.Roots = append(b.Roots, r)
		}
	}
	sig, err := Sign(b, key)
	if err != nil {
		return nil, err
	}
	b.Signature = sig
	return b, nil
}

// canonical is the JSON a signature covers: the value with no signature.
func canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	delete(m, "signature")
	delete(m, "proof")
	return json.Marshal(m) // map keys marshal sorted: a canonical order
}

// Sign signs a document's canonical JSON.
func Sign(v any, key ed25519.PrivateKey) (*Signature, error) {
	c, err := canonical(v)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(c)
	return &Signature{Alg: "Ed25519", PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)), Value: base64.StdEncoding.EncodeToString(ed25519.Sign(key, sum[:]))}, nil
}

// CheckSignature verifies sig over v with the expected public key.
func CheckSignature(v any, sig *Signature, pub ed25519.PublicKey) error {
	if sig == nil {
		return fmt.Errorf("not signed")
	}
	if sig.Alg != "Ed25519" {
		return fmt.Errorf("signature algorithm %q is not Ed25519", sig.Alg)
	}
	if sig.PublicKey != base64.StdEncoding.EncodeToString(pub) {
		return fmt.Errorf("signed by another key than the one given")
	}
	val, err := base64.StdEncoding.DecodeString(sig.Value)
	if err != nil {
		return fmt.Errorf("signature is not base64")
	}
	c, err := canonical(v)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(c)
	if !ed25519.Verify(pub, sum[:], val) {
		return fmt.Errorf("signature does not match the content: it was changed after signing")
	}
	return nil
}

// VerifyBundle checks a bundle offline: its signature with the public
// key, then the chain of its records and its day roots.
func VerifyBundle(data []byte, pub ed25519.PublicKey) (*Report, error) {
	var b Bundle
	if err := jsonstrict.Check(data, &b); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil || b.Type != BundleType {
		return nil, critmin.Errorf(critmin.EINVALID, "not a critmin chain bundle: %v", err)
	}
	if err := CheckSignature(&b, b.Signature, pub); err != nil {
		return nil, critmin.Errorf(critmin.EINVALID, "bundle signature: %v", err)
	}
	v := NewVerifier(b.FromSeq, b.PrevChain)
	v.Roots = map[int64]critmin.ChainRoot{}
	for _, r := range b.Roots {
		v.Roots[r.LastSeq] = r
	}
	rep := &Report{Roots: len(b.Roots)}
	for _, r := range b.Records {
		r.StoredContextHash = ContextHash([]byte(r.Context))
		if p := v.Check(r); p != nil {
			rep.Problem = p
			break
		}
	}
	rep.Records = v.N
	if rep.Problem == nil && v.N > 0 && b.Records[len(b.Records)-1].Seq != b.ToSeq {
		rep.Problem = &Problem{Kind: Deleted, Seq: b.ToSeq, Detail: "the bundle ends before the position it claims"}
	}
	if rep.Problem != nil {
		return rep, nil
	}
	// Version 2: every record is in the signed log.
	if b.Version >= 2 {
		cp, err := OpenCheckpoint([]byte(b.Checkpoint), pub)
		if err != nil {
			return nil, err
		}
		if len(b.Proofs) != len(b.Records) {
			return nil, critmin.Errorf(critmin.EINVALID, "bundle has %d proofs for %d records", len(b.Proofs), len(b.Records))
		}
		for i, r := range b.Records {
			if err := CheckEntry(&LogEntry{Index: r.Seq - 1, Record: r, Proof: b.Proofs[i]}, cp); err != nil {
				rep.Problem = &Problem{Kind: LogRewritten, Seq: r.Seq, PK: r.PK, EventID: r.EventID, Detail: err.Error()}
				return rep, nil
			}
		}
		rep.LogSize = cp.Size
	}
	return rep, nil
}

// GenerateKey makes an Ed25519 key and writes the private half to path
// (PKCS #8 PEM, mode 0600); it returns the public key in base64.
func GenerateKey(path string) (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(pub), nil
}

// LoadPrivateKey reads a key written by GenerateKey.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 key", path)
	}
	return priv, nil
}

// ParsePublicKey reads an Ed25519 public key in any form critmin hands
// out, or a file holding one: base64 (critmin keygen), a signed-note
// verifier key (name+hash+key, as in checkpoints), a PEM "PUBLIC KEY",
// or the JSON of GET /api/v1/signing-key exactly as downloaded.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	if b, err := os.ReadFile(s); err == nil {
		s = string(b)
	}
	s = strings.TrimSpace(s)
	bad := critmin.FieldErrorf("pubkey", "not an Ed25519 public key: give the base64 key critmin keygen prints, the signed-note key, a PEM public key or the JSON of GET /api/v1/signing-key")
	switch {
	case strings.HasPrefix(s, "{"):
		var doc struct {
			PublicKey string `json:"publicKey"`
		}
		if err := json.Unmarshal([]byte(s), &doc); err != nil || doc.PublicKey == "" {
			return nil, bad
		}
		s = doc.PublicKey
	case strings.HasPrefix(s, "-----BEGIN"):
		blk, _ := pem.Decode([]byte(s))
		if blk == nil {
			return nil, bad
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if pub, ok := k.(ed25519.PublicKey); err == nil && ok {
			return pub, nil
		}
		return nil, bad
	}
	// name+hash+base64(0x01 ‖ key): c2sp.org/signed-note. (A bare base64
	// key may hold "+" too, so the form is tried, not assumed.)
	if parts := strings.SplitN(s, "+", 3); len(parts) == 3 && len(parts[1]) == 8 {
		raw, err := base64.StdEncoding.DecodeString(parts[2])
		if err == nil && len(raw) == 1+ed25519.PublicKeySize && raw[0] == 1 {
			return ed25519.PublicKey(raw[1:]), nil
		}
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, bad
	}
	return ed25519.PublicKey(raw), nil
}
