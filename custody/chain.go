// Package custody is critmin's Prove job: the tamper-evident chain over
// stored events, signed export bundles, and (over the ledger's genealogy)
// origin composition, rule packs and certificates.
package custody

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/critmin/critmin"
)

// Genesis is the predecessor of the first record.
var Genesis = hex.EncodeToString(make([]byte, 32))

// Digest commits to a record's stored content: key, identity, times,
// capture, context and the event JSON as stored. Its position is not in
// the digest but in the chain: a record moved elsewhere stays intact and
// is caught by its predecessor link.
func Digest(r *critmin.ChainRecord) [32]byte {
	return sha256.Sum256(LeafData(r))
}

// Link returns the chain hash of a record: SHA-256(prev ‖ digest), hex.
func Link(prev string, r *critmin.ChainRecord) string {
	p, _ := hex.DecodeString(prev)
	d := Digest(r)
	sum := sha256.Sum256(append(p, d[:]...))
	return hex.EncodeToString(sum[:])
}

// ContextHash is the hash a record carries for its @context.
func ContextHash(ctx []byte) string {
	if len(ctx) == 0 {
		return ""
	}
	sum := sha256.Sum256(ctx)
	return hex.EncodeToString(sum[:])
}

// Problem kinds found by Verify.
const (
	Altered   = "altered"
	Deleted   = "deleted"
	Reordered = "reordered"
	RootBad   = "root"
)

// Problem is the first break Verify found in the chain.
type Problem struct {
	Kind    string `json:"kind"`
	Seq     int64  `json:"seq"`
	PK      int64  `json:"pk"`
	EventID string `json:"eventID"`
	Detail  string `json:"detail"`
}

func (p *Problem) Error() string {
	if p.Kind == LogTruncated || p.Kind == LogOther {
		// No record is broken: records are missing after the last one kept.
		return p.Detail
	}
	if p.PK == 0 && p.EventID == "" {
		// A whole-log problem (a tree or checkpoint that does not hold):
		// no one record to name.
		return fmt.Sprintf("log %s at size %d — %s", p.Kind, p.Seq, p.Detail)
	}
	return fmt.Sprintf("chain broken at record %d (pk %d, event %s): %s — %s", p.Seq, p.PK, p.EventID, p.Kind, p.Detail)
}

// Verifier checks records fed in chain order.
type Verifier struct {
	prev     string
	expected int64
	// N counts the records checked.
	N int64
	// Roots are day roots to check as their last record passes, by seq.
	Roots map[int64]critmin.ChainRoot
}

// NewVerifier starts a verifier at the beginning of the chain, or after
// the record with seq start-1 whose chain hash is prev (for bundles).
func NewVerifier(start int64, prev string) *Verifier {
	return &Verifier{prev: prev, expected: start}
}

// Check verifies the next record. A record whose own hashes do not match
// its content was altered; a gap in positions means records were deleted;
// an intact record whose predecessor is not the one before it was moved.
func (v *Verifier) Check(r *critmin.ChainRecord) *Problem {
	p := func(kind, format string, args ...any) *Problem {
		return &Problem{Kind: kind, Seq: r.Seq, PK: r.PK, EventID: r.EventID, Detail: fmt.Sprintf(format, args...)}
	}
	switch {
	case r.Seq > v.expected:
		return p(Deleted, "records %d–%d are missing before it", v.expected, r.Seq-1)
	case r.Seq < v.expected:
		return p(Reordered, "position %d appears after %d", r.Seq, v.expected-1)
	}
	if r.StoredContextHash != r.ContextHash {
		return p(Altered, "its @context no longer matches the hash recorded for it")
	}
	if Link(r.PrevChain, r) != r.Chain {
		return p(Altered, "its content no longer matches its chain hash")
	}
	if r.PrevChain != v.prev {
		return p(Reordered, "it is intact but was chained after another record than the one now before it")
	}
	if root, ok := v.Roots[r.Seq]; ok && root.Root != r.Chain {
		return p(RootBad, "the root kept for %s does not match the records", root.Day)
	}
	delete(v.Roots, r.Seq)
	v.prev = r.Chain
	v.expected++
	v.N++
	return nil
}

// Report is the outcome of verifying a whole store.
type Report struct {
	Records int64 `json:"records"`
	Roots   int   `json:"dayRoots"`
	// LogSize is the size of the signed checkpoint a bundle's records
	// were proved in (0: no proofs).
	LogSize int64    `json:"logSize,omitempty"`
	Problem *Problem `json:"problem,omitempty"`
}

// ChainProgressStage is VerifyStore's progress stage: how many records of
// the hash chain have been checked ("hash chain: records checked 10,000").
const ChainProgressStage = "hash chain: records checked"

// VerifyStore recomputes the chain of every stored record and checks the
// day roots against it. It returns the first problem, if any.
func VerifyStore(ctx context.Context, s critmin.ChainStore) (*Report, error) {
	c, err := NewChainCheck(ctx, s)
	if err != nil {
		return nil, err
	}
	prog := critmin.Progress(ctx)
	var n int64
	if err := s.ScanChain(ctx, func(r *critmin.ChainRecord) error {
		n++
		prog(ChainProgressStage, n, 0)
		c.Record(r)
		return nil
	}); err != nil {
		return nil, err
	}
	return c.Report(), nil
}

// ChainCheck is VerifyStore fed with records read by someone else (verify
// reads the chain once for the check and the rebuild): Record each in
// chain order, then Report.
type ChainCheck struct {
	v   *Verifier
	rep *Report
}

// NewChainCheck reads the day roots of s and starts at its first record.
func NewChainCheck(ctx context.Context, s critmin.ChainStore) (*ChainCheck, error) {
	roots, err := s.ChainRoots(ctx)
	if err != nil {
		return nil, err
	}
	v := NewVerifier(1, Genesis)
	v.Roots = map[int64]critmin.ChainRoot{}
	for _, r := range roots {
		v.Roots[r.LastSeq] = r
	}
	return &ChainCheck{v: v, rep: &Report{Roots: len(roots)}}, nil
}

// Record checks the next record; after the first problem it does nothing.
func (c *ChainCheck) Record(r *critmin.ChainRecord) {
	if c.rep.Problem == nil {
		c.rep.Problem = c.v.Check(r)
	}
}

// Report is the outcome once every record was given.
func (c *ChainCheck) Report() *Report {
	rep := *c.rep
	rep.Records = c.v.N
	if rep.Problem == nil && len(c.v.Roots) > 0 {
		for seq, root := range c.v.Roots {
			rep.Problem = &Problem{Kind: RootBad, Seq: seq, Detail: fmt.Sprintf("the root kept for %s names record %d, which is not in the chain", root.Day, seq)}
			break
		}
	}
	return &rep
}
