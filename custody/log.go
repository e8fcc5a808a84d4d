package custody

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"github.com/critmin/critmin/units"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The verifiable log follows Certificate Transparency (RFC 6962, RFC 9162
// §2.1) as the Go checksum database implements it (golang.org/x/mod/sumdb/
// tlog): every stored event record is a leaf of a Merkle tree, leaf i
// being the record at chain position i+1; the operator signs checkpoints
// (tree size and root hash) as C2SP signed notes (c2sp.org/signed-note,
// c2sp.org/tlog-checkpoint) with its Ed25519 key; inclusion proofs show
// that a record is in the tree of a checkpoint, consistency proofs that a
// checkpoint's tree extends an older one. Whoever keeps any checkpoint and
// the public key detects a rewritten or truncated log.

// LeafData is the content of a record that its leaf commits to: key,
// identity, times, capture, the hash of its @context and the event JSON
// as stored, each length-prefixed. Its position is the leaf index.
func LeafData(r *critmin.ChainRecord) []byte {
	var b bytes.Buffer
	b.Grow(64 + len(r.EventID) + len(r.CaptureID) + len(r.ContextHash) + len(r.Raw))
	var n [8]byte
	for _, v := range []int64{r.PK, r.EventTime, r.RecordTime} {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		b.Write(n[:])
	}
	decl := byte(0)
	if r.Declaration {
		decl = 1
	}
	b.WriteByte(decl)
	for _, s := range []string{r.EventID, r.CaptureID, r.ContextHash, r.Raw} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		b.Write(n[:])
		b.WriteString(s)
	}
	return b.Bytes()
}

// LeafHash is a record's leaf hash, SHA-256(0x00 ‖ LeafData) (RFC 6962 §2.1).
func LeafHash(r *critmin.ChainRecord) tlog.Hash { return tlog.RecordHash(LeafData(r)) }

// AuditHash is the chain hash of an audit entry (critmin.AuditHash).
func AuditHash(prev string, e *critmin.AuditEntry) string { return critmin.AuditHash(prev, e) }

// LogName is the log's origin line and the signed-note key name: derived
// from the operator's public key, so a verifier holding only the key
// knows it.
func LogName(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "critmin.log/" + hex.EncodeToString(sum[:6])
}

// VerifierKey is the public key in signed-note form (name+hash+key),
// which `critmin verify-cert --pubkey` and note verifiers accept.
func VerifierKey(pub ed25519.PublicKey) string {
	vkey, err := note.NewEd25519VerifierKey(LogName(pub), pub)
	if err != nil {
		panic(err) // the name is valid by construction
	}
	return vkey
}

// noteSigner signs notes with the operator's Ed25519 key.
func noteSigner(key ed25519.PrivateKey) (note.Signer, error) {
	pub := key.Public().(ed25519.PublicKey)
	vkey := VerifierKey(pub)
	parts := strings.Split(vkey, "+")
	skey := "PRIVATE+KEY+" + parts[0] + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, key.Seed()...))
	return note.NewSigner(skey)
}

// Checkpoint is a signed statement of the log's head (c2sp.org/
// tlog-checkpoint): origin, tree size, root hash, then critmin's
// extension line naming the audit chain's size and head.
type Checkpoint struct {
	Origin string
	critmin.LogHead
}

// Text is the checkpoint body the note signs.
func (c *Checkpoint) Text() string {
	head := c.AuditHead
	if head == "" {
		head = "-"
	}
	return fmt.Sprintf("%s\n%d\n%s\naudit %d %s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]), c.AuditSize, head)
}

// parseCheckpoint reads a checkpoint body.
func parseCheckpoint(text string) (*Checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return nil, fmt.Errorf("a checkpoint has an origin, a size and a root hash line")
	}
	c := &Checkpoint{Origin: lines[0]}
	var err error
	if c.Size, err = strconv.ParseInt(lines[1], 10, 64); err != nil || c.Size < 0 {
		return nil, fmt.Errorf("tree size %q is not a number", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return nil, fmt.Errorf("root hash %q is not a base64 SHA-256", lines[2])
	}
	copy(c.Root[:], root)
	for _, l := range lines[3:] {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "audit" {
			if c.AuditSize, err = strconv.ParseInt(f[1], 10, 64); err != nil {
				return nil, fmt.Errorf("audit size %q is not a number", f[1])
			}
			if f[2] != "-" {
				c.AuditHead = f[2]
			}
		}
	}
	return c, nil
}

// SignCheckpoint signs the log's head as a note.
func SignCheckpoint(head critmin.LogHead, key ed25519.PrivateKey) ([]byte, error) {
	s, err := noteSigner(key)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{Origin: LogName(key.Public().(ed25519.PublicKey)), LogHead: head}
	return note.Sign(&note.Note{Text: c.Text()}, s)
}

// OpenCheckpoint checks a signed checkpoint with the operator's public
// key and returns what it states. EINVALID if the signature or the body
// is not right.
func OpenCheckpoint(msg []byte, pub ed25519.PublicKey) (*Checkpoint, error) {
	v, err := note.NewVerifier(VerifierKey(pub))
	if err != nil {
		return nil, err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return nil, critmin.Errorf(critmin.EINVALID, "checkpoint: not signed by this key: %v", err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return nil, critmin.Errorf(critmin.EINVALID, "checkpoint: %v", err)
	}
	if c.Origin != LogName(pub) {
		return nil, critmin.Errorf(critmin.EINVALID, "checkpoint: origin %q is not this key's log %q", c.Origin, LogName(pub))
	}
	return c, nil
}

// hashReader reads a store's stored hashes for tlog.
func hashReader(ctx context.Context, s critmin.LogStore) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return s.LogHashes(ctx, idx) })
}

// TreeHash is the root of the first n leaves of a store's log.
func TreeHash(ctx context.Context, s critmin.LogStore, n int64) (tlog.Hash, error) {
	return tlog.TreeHash(n, hashReader(ctx, s))
}

// ProveInclusion proves that leaf index is in the tree of size size.
func ProveInclusion(ctx context.Context, s critmin.LogStore, index, size int64) (tlog.RecordProof, error) {
	if index < 0 || index >= size {
		return nil, critmin.FieldErrorf("index", "leaf %d is not in a tree of %d", index, size)
	}
	return tlog.ProveRecord(size, index, hashReader(ctx, s))
}

// ProveConsistency proves that the tree of size newSize extends the
// tree of size old. Errors: EINVALID naming "old" unless 1 <= old <=
// newSize.
func ProveConsistency(ctx context.Context, s critmin.LogStore, old, newSize int64) (tlog.TreeProof, error) {
	if old < 1 || old > newSize {
		// RFC 9162 §2.1.4: a consistency proof is between two trees
		// with 0 < first <= second; every tree extends the empty one,
		// so there is nothing to prove from size 0.
		return nil, critmin.FieldErrorf("old", "size %d is not between 1 and %d (a consistency proof needs a non-empty older tree, RFC 9162 §2.1.4)", old, newSize)
	}
	return tlog.ProveTree(newSize, old, hashReader(ctx, s))
}

// EncodeProof writes proof hashes as base64 strings.
func EncodeProof(p []tlog.Hash) []string {
	out := make([]string, len(p))
	for i, h := range p {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// DecodeProof reads proof hashes written by EncodeProof.
func DecodeProof(p []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(p))
	for i, s := range p {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %d is not a base64 SHA-256", i)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// CheckConsistency checks that checkpoint newer extends checkpoint older
// with proof (RFC 9162 §2.1.4). A newer tree smaller than the older one is
// a truncated log.
func CheckConsistency(older, newer *Checkpoint, proof []tlog.Hash) error {
	if newer.Size < older.Size {
		return fmt.Errorf("log truncated: it now has %s records, fewer than the %s of the older checkpoint", units.Int(newer.Size), units.Int(older.Size))
	}
	if err := tlog.CheckTree(proof, newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return fmt.Errorf("log rewritten: the tree of %s records does not extend the signed tree of %s records (%v)", units.Int(newer.Size), units.Int(older.Size), err)
	}
	return nil
}

// LogEntry is a record with its inclusion proof against a checkpoint:
// what a bundle or certificate carries so that a verifier needs neither
// the database nor the server.
type LogEntry struct {
	Index  int64                `json:"index"`
	Record *critmin.ChainRecord `json:"record"`
	Proof  []string             `json:"proof"`
}

// CheckEntry checks that an entry's record is leaf Index of the tree a
// checkpoint signs.
func CheckEntry(e *LogEntry, c *Checkpoint) error {
	if e.Record == nil {
		return fmt.Errorf("leaf %d: no record", e.Index)
	}
	e.Record.ContextHash = ContextHash([]byte(e.Record.Context))
	if e.Index != e.Record.Seq-1 {
		return fmt.Errorf("leaf %d holds record %d", e.Index, e.Record.Seq)
	}
	p, err := DecodeProof(e.Proof)
	if err != nil {
		return fmt.Errorf("leaf %d: %v", e.Index, err)
	}
	if err := tlog.CheckRecord(p, c.Size, c.Root, e.Index, LeafHash(e.Record)); err != nil {
		return fmt.Errorf("event %s (leaf %s) is not in the signed log of %s records: %v", e.Record.EventID, units.Int(e.Index), units.Int(c.Size), err)
	}
	return nil
}

// Log problem kinds.
const (
	LogRewritten = "rewritten"
	LogTruncated = "truncated"
	// LogOther is a checkpoint that is not of this store's log at all:
	// neither its records nor its audit chain match (another store's log,
	// or a log signed by another key).
	LogOther    = "other-log"
	AuditBroken = "audit"
)

// VerifyAudit checks the audit chain: every entry's hash over its content
// and its predecessor's. It returns the first broken entry.
func VerifyAudit(ctx context.Context, s critmin.LogStore) (int64, *Problem, error) {
	prev, next := Genesis, int64(1)
	var p *Problem
	err := s.ScanAudit(ctx, func(e *critmin.AuditEntry) error {
		if p != nil {
			return nil
		}
		switch {
		case e.Seq != next:
			p = &Problem{Kind: AuditBroken, Seq: e.Seq, Detail: fmt.Sprintf("audit entry %d is missing", next)}
		case e.Prev != prev:
			p = &Problem{Kind: AuditBroken, Seq: e.Seq, Detail: "audit entry is chained after another entry than the one before it"}
		case AuditHash(e.Prev, e) != e.Hash:
			p = &Problem{Kind: AuditBroken, Seq: e.Seq, Detail: fmt.Sprintf("audit entry (%s %s) no longer matches its hash", e.Action, e.Subject)}
		}
		prev, next = e.Hash, next+1
		return nil
	})
	return next - 1, p, err
}

// VerifyAuditOnly is VerifyAudit without the count.
func VerifyAuditOnly(ctx context.Context, s critmin.LogStore) (*Problem, error) {
	_, p, err := VerifyAudit(ctx, s)
	return p, err
}

// otherLog tells a checkpoint of another log from a truncated or
// rewritten one, once the records do not extend it: the checkpoint also
// signs the audit chain's head (entry AuditSize), and a store whose
// audit chain holds that many entries but another one there has not had
// its records cut or edited — the checkpoint is of another store's log
// or key. It returns nil when that cannot be told (the checkpoint signs
// no audit entry, or the chain is shorter: it may have been cut too).
func otherLog(ctx context.Context, s critmin.LogStore, head critmin.LogHead, old *Checkpoint) (*Problem, error) {
	if old.AuditSize == 0 || head.AuditSize < old.AuditSize {
		return nil, nil
	}
	var h string
	err := s.ScanAudit(ctx, func(e *critmin.AuditEntry) error {
		if e.Seq == old.AuditSize {
			h = e.Hash
		}
		return nil
	})
	if err != nil || h == old.AuditHead {
		return nil, err
	}
	return &Problem{Kind: LogOther, Seq: 0, Detail: fmt.Sprintf("the checkpoint is not of this store's log: it signs log %s at %d records with audit entry %d, and this store's log (%d records) and audit chain (entry %d) are others — a checkpoint of a different log or key, not this log truncated or rewritten",
		old.Origin, old.Size, old.AuditSize, head.Size, old.AuditSize)}, nil
}

// CheckLog checks a store's log: its stored head against the tree its
// stored hashes make, and, given an older signed checkpoint, that the
// log still holds that tree (same root at that size, proved by a
// consistency proof) and the audit chain still starts with the entries
// it signed. A truncated or rewritten log fails here even when every
// hash in the database was recomputed to match.
func CheckLog(ctx context.Context, s critmin.LogStore, old *Checkpoint) (*critmin.LogHead, *Problem, error) {
	head, err := s.LogHead(ctx)
	if err != nil {
		return nil, nil, err
	}
	root, err := TreeHash(ctx, s, head.Size)
	if err != nil {
		return &head, &Problem{Kind: LogRewritten, Seq: head.Size, Detail: fmt.Sprintf("the stored hashes do not make a tree of %s records: %v", units.Int(head.Size), err)}, nil
	}
	if root != head.Root {
		return &head, &Problem{Kind: LogRewritten, Seq: head.Size, Detail: "the stored tree head does not match the stored hashes"}, nil
	}
	if old == nil {
		return &head, nil, nil
	}
	if head.Size < old.Size {
		if p, err := otherLog(ctx, s, head, old); err != nil || p != nil {
			return &head, p, err
		}
		return &head, &Problem{Kind: LogTruncated, Seq: head.Size, Detail: fmt.Sprintf("log truncated after record %s (expected %s records from checkpoint %s of size %s, root %s)", units.Int(head.Size), units.Int(old.Size), old.Origin, units.Int(old.Size), old.Root)}, nil
	}
	proof, err := ProveConsistency(ctx, s, old.Size, head.Size)
	if err != nil {
		return &head, nil, err
	}
	if err := CheckConsistency(old, &Checkpoint{LogHead: head}, proof); err != nil {
		if p, err := otherLog(ctx, s, head, old); err != nil || p != nil {
			return &head, p, err
		}
		// Name the first leaf that differs, for the report.
		return &head, &Problem{Kind: LogRewritten, Seq: old.Size, Detail: err.Error()}, nil
	}
	if head.AuditSize < old.AuditSize {
		return &head, &Problem{Kind: LogTruncated, Seq: head.AuditSize, Detail: fmt.Sprintf("audit chain truncated after entry %s (expected %s entries from checkpoint %s of size %s)", units.Int(head.AuditSize), units.Int(old.AuditSize), old.Origin, units.Int(old.Size))}, nil
	}
	if old.AuditSize > 0 {
		var h string
		err := s.ScanAudit(ctx, func(e *critmin.AuditEntry) error {
			if e.Seq == old.AuditSize {
				h = e.Hash
			}
			return nil
		})
		if err != nil {
			return &head, nil, err
		}
		if h != old.AuditHead {
			return &head, &Problem{Kind: LogRewritten, Seq: old.AuditSize, Detail: fmt.Sprintf("audit chain rewritten: entry %d is not the one the checkpoint signed", old.AuditSize)}, nil
		}
	}
	return &head, nil, nil
}
