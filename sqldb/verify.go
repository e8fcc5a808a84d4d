package sqldb

import (
	"context"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// VerifyReport is what a full verification found: the counts checked
// and the first problem — a broken chain, audit chain or log (Problem),
// or a derived table that differs from its rebuild (Difference).
type VerifyReport struct {
	Records    int64            `json:"records"`
	DayRoots   int              `json:"dayRoots"`
	Audit      int64            `json:"auditEntries"`
	Head       critmin.LogHead  `json:"head"`
	Rebuild    *RebuildStats    `json:"rebuild,omitempty"`
	Problem    *custody.Problem `json:"problem,omitempty"`
	Difference *Difference      `json:"difference,omitempty"`
}

// OK reports whether nothing was found.
func (r *VerifyReport) OK() bool { return r.Problem == nil && r.Difference == nil }

// Verify checks everything a certificate rests on, in order: the chain
// of event records (custody.VerifyStore), the audit chain, the log's
// stored hashes and head — and, given an older signed checkpoint, that
// the log extends it — and then, when scratch is not nil, rebuilds every
// derived table into scratch and compares (Rebuild). It stops at the
// first problem.
func (db *DB) Verify(ctx context.Context, scratch *DB, old *custody.Checkpoint) (*VerifyReport, error) {
	rep := &VerifyReport{}
	chain, err := custody.VerifyStore(ctx, db)
	if err != nil {
		return nil, err
	}
	rep.Records, rep.DayRoots, rep.Problem = chain.Records, chain.Roots, chain.Problem
	if rep.Problem != nil {
		return rep, nil
	}
	if rep.Audit, rep.Problem, err = custody.VerifyAudit(ctx, db); err != nil || rep.Problem != nil {
		return rep, err
	}
	head, p, err := custody.CheckLog(ctx, db, old)
	if err != nil {
		return nil, err
	}
	if head != nil {
		rep.Head = *head
	}
	if rep.Problem = p; p != nil || scratch == nil {
		return rep, nil
	}
	if rep.Head.Size != rep.Records {
		rep.Problem = &custody.Problem{Kind: custody.LogRewritten, Seq: rep.Head.Size, Detail: "the log's size is not the number of chained records"}
		return rep, nil
	}
	// The rebuild replays the records just counted: report it in per cent.
	inner, total := critmin.Progress(ctx), rep.Records
	ctx = critmin.WithProgress(ctx, func(stage string, done, t int64) {
		if t == 0 {
			t = total
		}
		inner(stage, done, t)
	})
	rep.Difference, rep.Rebuild, err = db.Rebuild(ctx, scratch)
	return rep, err
}
