package custody

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// StoredCertificate is an issued certificate as kept: the signed document
// (Body, exactly as served), what it was issued for and on, and its
// revocation.
type StoredCertificate struct {
	ID       string    `json:"id"`
	Lot      string    `json:"lot"`
	Evidence string    `json:"evidence"`
	Signer   string    `json:"signer"`
	Body     string    `json:"-"`
	IssuedAt time.Time `json:"issued"`
	// RevokedAt is nil while the certificate stands.
	RevokedAt     *time.Time `json:"revoked,omitempty"`
	RevokedReason string     `json:"revokedReason,omitempty"`
}

// Revocation is one entry of a revocation list: a certificate the issuer
// revoked, or one that is superseded (Superseded; SupersededBy gives the
// declarations of its evidence, or the stated figures that changed, as
// GET /api/v1/certificates/{id}/status does), so that a verifier offline
// learns both.
type Revocation struct {
	ID           string         `json:"id"`
	At           time.Time      `json:"revoked"`
	Reason       string         `json:"reason"`
	Superseded   bool           `json:"superseded,omitempty"`
	SupersededBy []Supersession `json:"supersededBy,omitempty"`
}

// CertificateLister lists the certificates a store keeps that are not
// revoked (sqldb.DB.StandingCertificates), for the revocation list's
// superseded entries.
type CertificateLister interface {
	StandingCertificates(ctx context.Context) ([]*StoredCertificate, error)
}

// Supersessions returns a revocation-list entry for every certificate of
// certs that is superseded today (Status): At is when the first
// declaration that supersedes it was recorded (now when no declaration of
// its own evidence did: a stated verdict changed through other events),
// Reason "superseded by " and each reason's Text. A certificate resting on
// events the store does not hold is left out (Status: ENOTFOUND).
func Supersessions(ctx context.Context, s EventFinder, certs []*StoredCertificate, now time.Time) ([]Revocation, error) {
	var out []Revocation
	for _, c := range certs {
		var cert Certificate
		if err := json.Unmarshal([]byte(c.Body), &cert); err != nil {
			return nil, critmin.Errorf(critmin.ECONFLICT, "the evidence fails verification: table certificates, row id=%q, column body: stored document cannot be read (%v): it was edited outside critmin; `critmin verify` names every difference", c.ID, err)
		}
		st, err := Status(ctx, s, cert)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !st.Superseded {
			continue
		}
		at := now.UTC()
		texts := make([]string, 0, len(st.Reasons))
		for _, r := range st.Reasons {
			if !r.DeclaredAt.IsZero() && r.DeclaredAt.Before(at) {
				at = r.DeclaredAt.UTC()
			}
			texts = append(texts, r.Text())
		}
		out = append(out, Revocation{ID: c.ID, At: at, Reason: "superseded by " + strings.Join(texts, "; "), Superseded: true, SupersededBy: st.Reasons})
	}
	return out, nil
}

// CertificateStore keeps issued certificates and their revocations.
type CertificateStore interface {
	SaveCertificate(ctx context.Context, c *StoredCertificate) error
	FindCertificate(ctx context.Context, id string) (*StoredCertificate, error)
	FindCertificateByEvidence(ctx context.Context, lot, evidence, signer string) (*StoredCertificate, error)
	// RevokedOnEvidence counts the revoked certificates issued for a lot
	// on the same evidence by the same signer: the revocation generation
	// that goes into a new certificate's ID (docs/verify.md).
	RevokedOnEvidence(ctx context.Context, lot, evidence, signer string) (int, error)
	RevokeCertificate(ctx context.Context, id, reason, by string, at time.Time) error
	Revocations(ctx context.Context) ([]Revocation, error)
}

// EvidenceChecker verifies the records and derived rows a certificate or
// bundle is about to rest on (sqldb.DB.CheckEvidence); it returns an
// ECONFLICT error naming the first failing record.
type EvidenceChecker interface {
	CheckEvidence(ctx context.Context, nodes, eventIDs []string) error
}

// RecordFinder finds the chained records of events.
type RecordFinder interface {
	ChainRecordsByEventID(ctx context.Context, ids []string) ([]*critmin.ChainRecord, error)
}

// RevocationListType names critmin revocation lists.
const RevocationListType = "critmin.RevocationList"

// RevocationList is the issuer's signed list of revoked certificates,
// for verifiers offline.
type RevocationList struct {
	Type      string       `json:"type"`
	Issued    time.Time    `json:"issued"`
	Revoked   []Revocation `json:"revoked"`
	Signature *Signature   `json:"signature,omitempty"`
}

// SignRevocations signs a revocation list.
func SignRevocations(list []Revocation, key ed25519.PrivateKey, now time.Time) (*RevocationList, error) {
	if list == nil {
		list = []Revocation{}
	}
	rl := &RevocationList{Type: RevocationListType, Issued: now.UTC(), Revoked: list}
	sig, err := Sign(rl, key)
	if err != nil {
		return nil, err
	}
	rl.Signature = sig
	return rl, nil
}

// OpenRevocations checks a revocation list's signature.
func OpenRevocations(data []byte, pub ed25519.PublicKey) (*RevocationList, error) {
	var rl RevocationList
	if err := json.Unmarshal(data, &rl); err != nil || rl.Type != RevocationListType {
		return nil, critmin.Errorf(critmin.EINVALID, "not a critmin revocation list: %v", err)
	}
	if err := CheckSignature(&rl, rl.Signature, pub); err != nil {
		return nil, critmin.Errorf(critmin.EINVALID, "revocation list signature: %v", err)
	}
	return &rl, nil
}

// Find returns the revocation of a certificate, if listed.
func (rl *RevocationList) Find(id string) *Revocation {
	for i := range rl.Revoked {
		if rl.Revoked[i].ID == id {
			return &rl.Revoked[i]
		}
	}
	return nil
}

// certLog is the "cm:log" member of a certificate: a signed checkpoint
// and the inclusion proof of every event the certificate rests on.
type certLog struct {
	Checkpoint string      `json:"checkpoint"`
	Entries    []*LogEntry `json:"entries"`
}

// checkCertLog checks a certificate's log member offline: the checkpoint
// is signed by pub, every entry is in its tree, and every traceability
// event's hash is that of an entry's record.
func checkCertLog(c Certificate, pub ed25519.PublicKey) (*Checkpoint, int, error) {
	raw, ok := c["cm:log"]
	if !ok {
		return nil, 0, fmt.Errorf("the certificate carries no log proofs")
	}
	b, _ := json.Marshal(raw)
	var lg certLog
	if err := json.Unmarshal(b, &lg); err != nil {
		return nil, 0, fmt.Errorf("cm:log: %v", err)
	}
	cp, err := OpenCheckpoint([]byte(lg.Checkpoint), pub)
	if err != nil {
		return nil, 0, err
	}
	hashes := map[string]bool{}
	for _, e := range lg.Entries {
		if err := CheckEntry(e, cp); err != nil {
			return nil, 0, err
		}
		if !e.Record.Declaration {
			h, err := epcis.HashStored(json.RawMessage(e.Record.Raw), json.RawMessage(e.Record.Context))
			if err != nil {
				return nil, 0, fmt.Errorf("event %s: %v", e.Record.EventID, err)
			}
			hashes[e.Record.EventID+" "+h] = true
		}
	}
	subj, _ := c["credentialSubject"].(map[string]any)
	infos, _ := subj["traceabilityInformation"].([]any)
	n := 0
	for _, info := range infos {
		m, _ := info.(map[string]any)
		evs, _ := m["traceabilityEvents"].([]any)
		for _, ev := range evs {
			t, _ := ev.(map[string]any)
			id, _ := t["linkName"].(string)
			h, _ := t["hashDigest"].(string)
			if !hashes[id+" "+h] {
				return nil, 0, fmt.Errorf("traceability event %s: no record in the log with hash %s", id, h)
			}
			n++
		}
	}
	return cp, n, nil
}
