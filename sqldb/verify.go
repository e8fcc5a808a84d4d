package sqldb

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
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
	// Periods is the number of refinery period records (closes and
	// reopens) checked; PeriodProblem the first fault of their chain
	// (refinery.VerifyChain: links, hashes, signatures by an installation
	// key, anchors in the audit chain).
	Periods       int    `json:"refineryPeriods"`
	PeriodProblem string `json:"refineryPeriodProblem,omitempty"`
	// PeriodKey is the installation key every period record was checked
	// against (base64), "" when none is known (then PeriodProblem says
	// the signatures were not checked).
	PeriodKey string `json:"refineryPeriodKey,omitempty"`
	// AttestedRows is the number of rows of the authoritative tables no
	// event carries (AttestedTables) checked against their audit entries;
	// RecordProblem the first row that differs, was inserted or was
	// deleted outside critmin.
	AttestedRows  int64          `json:"attestedRows"`
	RecordProblem *RecordProblem `json:"recordProblem,omitempty"`
	// LotBalanceProblem is the first lot whose tonnes are not conserved
	// (ledger.CheckLotBalance: what stands at each site, what is in
	// transit and what runs consumed add up to the lot's mass, none below
	// zero), as stored or as the rebuild replays it: an invariant checked
	// apart from the projection, which the rebuild, replaying through
	// that same projection, cannot check alone. "" when every lot holds.
	LotBalanceProblem string `json:"lotBalanceProblem,omitempty"`
	// ContainerRuleProblem is the first stored live event, in capture
	// order, that breaks a container rule capture enforces
	// (ledger.StoredContainerRule: a run fed a container holding
	// nothing; a line of a lot below what the containers beside it
	// held), read from what each container gave the event
	// (event_contents) as the rebuild replays it: a record stored before
	// the rule reads the same in the rebuild, so the rebuild alone
	// cannot find it. nil when none does.
	ContainerRuleProblem *ledger.ContainerRuleProblem `json:"containerRuleProblem,omitempty"`
	// SiteProblem names each location whose master data changed its
	// country or site kind after events were recorded there (a store
	// from before capture refused it: ledger's checkSiteFixed), with one
	// such event; "" when none did.
	SiteProblem string `json:"siteProblem,omitempty"`
	// NestingProblem is the first stored live packing, in capture order,
	// that keeps a container holding material inside another container
	// (custody.StoredNesting), stored before capture refused it: the
	// ledger follows one level of containers, so where the inner
	// container stands and what it gives are read wrongly, alike in the
	// rebuild. nil when none does.
	NestingProblem *custody.NestingProblem `json:"nestingProblem,omitempty"`
	// TokenNameClashes lists the token names that differ from an older
	// one only in case, kept from before names were compared ignoring
	// case (migration 0064, TokenNameClashes): a warning, not a fault of
	// the record.
	TokenNameClashes []string `json:"tokenNameClashes,omitempty"`
	// XMLNameKeys lists the events (at most MaxXMLNameReports;
	// XMLNameKeysMore counts the rest) holding extension keys that are no
	// XML name, stored before capture refused them (NonXMLNameKeys): a
	// warning, not a fault; XML results escape those names.
	XMLNameKeys     []string `json:"xmlNameKeys,omitempty"`
	XMLNameKeysMore int      `json:"xmlNameKeysMore,omitempty"`
}

// OK reports whether nothing was found.
func (r *VerifyReport) OK() bool {
	return r.Problem == nil && r.Difference == nil && r.PeriodProblem == "" && r.RecordProblem == nil && r.LotBalanceProblem == "" && r.ContainerRuleProblem == nil && r.SiteProblem == "" && r.NestingProblem == nil
}

// Verify checks everything a certificate rests on, in order: the chain
// of event records (custody.VerifyStore), the audit chain, the log's
// stored hashes and head — and, given an older signed checkpoint, that
// the log extends it — and then, when scratch is not nil, rebuilds every
// derived table and compares (Rebuild). It reports the first problem in
// that order. The refinery's period chain (closes and reopens, whose
// recoveries feed the planner and the mass balance) is checked first and
// reported apart (PeriodProblem). Every read sees one snapshot
// (ReadSnapshot): verify is safe on a live store. With the rebuild, the chain is checked as the rebuild reads
// it: the records are read once.
func (db *DB) Verify(ctx context.Context, scratch *DB, old *custody.Checkpoint) (*VerifyReport, error) {
	rep := &VerifyReport{}
	// Every read below sees one snapshot: a capture or a token committed
	// while verify runs is not half seen (the log without its derived
	// rows, or a derived row without its record).
	ctx, endSnapshot, err := db.ReadSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer endSnapshot()
	step := func(name string) {
		if db.VerifyStep != nil {
			db.VerifyStep(name)
		}
	}
	// Records and anchors as of one moment (a close committed between the
	// two reads would look like a truncated chain on a live store).
	periods, anchors, err := refinery.StableChain(ctx, db)
	if err != nil {
		return nil, err
	}
	rep.Periods = len(periods)
	step("periods")
	keys := db.PeriodKeys()
	pin, err := db.PinnedPeriodKey(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case len(periods) > 0 && len(keys) == 0:
		// Without a key every signature verifies under its own KeyID:
		// "signed" would say nothing about who signed.
		rep.PeriodProblem = "signatures not checked: no installation key (the store pins none and no signing.key was given): the records' signers are not known to be this installation"
	case pin != nil && len(db.periodKeys) > 0 && !slices.ContainsFunc(db.periodKeys, func(k ed25519.PublicKey) bool { return k.Equal(pin) }):
		rep.PeriodProblem = fmt.Sprintf("this installation's signing key %.12s… is not the key %.12s… the store pins for its period records (a store restored without its signing.key, or the wrong key given)", refinery.KeyID(db.periodKeys[0]), refinery.KeyID(pin))
	}
	if len(keys) > 0 {
		rep.PeriodKey = refinery.KeyID(keys[0])
	}
	if rep.PeriodProblem == "" {
		if err := refinery.VerifyChain(periods, anchors, keys); err != nil {
			rep.PeriodProblem = err.Error()
		}
	}
	if rep.AttestedRows, rep.RecordProblem, err = db.VerifyAttested(ctx); err != nil {
		return nil, err
	}
	step("attested")
	if rep.SiteProblem, err = db.siteProblem(ctx); err != nil {
		return nil, err
	}
	if rep.NestingProblem, err = db.nestingProblem(ctx); err != nil {
		return nil, err
	}
	step("nesting")
	if rep.TokenNameClashes, err = db.TokenNameClashes(ctx); err != nil {
		return nil, err
	}
	if rep.Audit, rep.Problem, err = custody.VerifyAudit(ctx, db); err != nil {
		return nil, err
	}
	auditProblem := rep.Problem
	step("audit")
	var logProblem *custody.Problem
	if auditProblem == nil {
		head, p, err := custody.CheckLog(ctx, db, old)
		if err != nil {
			return nil, err
		}
		if head != nil {
			rep.Head = *head
		}
		logProblem = p
	}
	step("log")
	// The events holding keys that are no XML name (a warning): found by
	// the rebuild as it reads the records, else read here.
	names := func(st *RebuildStats) error {
		if st != nil && st.names != nil {
			rep.XMLNameKeys, rep.XMLNameKeysMore = st.names.result()
		} else if rep.XMLNameKeys, rep.XMLNameKeysMore, err = db.NonXMLNameKeys(ctx); err != nil {
			return err
		}
		step("names")
		return nil
	}
	if scratch == nil || auditProblem != nil || logProblem != nil {
		if err := names(nil); err != nil {
			return nil, err
		}
		chain, err := custody.VerifyStore(ctx, db)
		if err != nil {
			return nil, err
		}
		rep.Records, rep.DayRoots, rep.Problem = chain.Records, chain.Roots, chain.Problem
		if rep.Problem == nil {
			rep.Problem = auditProblem
		}
		if rep.Problem == nil {
			rep.Problem = logProblem
		}
		if rep.LotBalanceProblem, err = db.lotBalanceProblem(ctx); err != nil {
			return nil, err
		}
		if rep.Problem == nil {
			if rep.ContainerRuleProblem, err = db.containerRuleProblem(ctx); err != nil {
				return nil, err
			}
		}
		return rep, nil
	}
	check, err := custody.NewChainCheck(ctx, db)
	if err != nil {
		return nil, err
	}
	// One pass checks the chain and rebuilds from it; the log's size is
	// the number of records it will read.
	prog, n := critmin.Progress(ctx), int64(0)
	scan := func(ctx context.Context, fn func(*critmin.ChainRecord, []value) error) error {
		return db.scanChainRows(ctx, func(r *critmin.ChainRecord, row []value) error {
			n++
			prog("chain and rebuild", n, rep.Head.Size)
			check.Record(r)
			return fn(r, row)
		})
	}
	step("chain check")
	d, stats, rerr := db.rebuild(ctx, scratch, scan, true)
	chain := check.Report()
	rep.Records, rep.DayRoots, rep.Problem = chain.Records, chain.Roots, chain.Problem
	if rep.Problem != nil {
		// A broken chain comes first; the rebuild of what it holds may
		// have failed on it as well.
		if err := names(nil); err != nil {
			return nil, err
		}
		return rep, nil
	}
	var lb *LotBalanceError
	if errors.As(rerr, &lb) {
		// The log replayed leaves a lot's tonnes not conserved: reported,
		// as a stored lot that breaks it is (lotBalanceProblem).
		rep.LotBalanceProblem = fmt.Sprintf("rebuilt from the log: lot %s: %s", lb.Lot, lb.Detail)
		return rep, nil
	}
	if rerr != nil {
		return nil, rerr
	}
	if err := names(stats); err != nil {
		return nil, err
	}
	if rep.Head.Size != rep.Records {
		rep.Problem = &custody.Problem{Kind: custody.LogRewritten, Seq: rep.Head.Size, Detail: "the log's size is not the number of chained records"}
		return rep, nil
	}
	rep.Rebuild, rep.Difference = stats, d
	if d == nil {
		// Every table equals its rebuild, lots included, and every
		// rebuilt lots row passed ledger.CheckLotBalance as the replay
		// wrote it (writeLots refuses one that fails; the replay then
		// stops, LotBalanceError above). The stored rows are then the
		// rebuilt rows, column by column, and the columns the check reads
		// (status, uom, wet_t, taken_t, parts as their JSON text) are
		// among those compared: they hold as well, and are not read a
		// second time. A stored table that differs from its rebuild is
		// checked on its own rows below.
		//
		// The stored contents equal the replay's: the container rules
		// capture enforces are judged on them (containerRuleProblem).
		if rep.ContainerRuleProblem, err = db.containerRuleProblem(ctx); err != nil {
			return nil, err
		}
		return rep, nil
	}
	if rep.LotBalanceProblem, err = db.lotBalanceProblem(ctx); err != nil {
		return nil, err
	}
	return rep, nil
}

// lotBalanceProblem checks every stored lot's tonnes
// (ledger.CheckLotBalance) and words the first lot, by ID, that breaks
// it; "" when all hold.
func (db *DB) lotBalanceProblem(ctx context.Context) (string, error) {
	// lotColumns, not lotReadColumns: the check reads no counts of
	// links and moves.
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+lotColumns+` FROM lots ORDER BY id`)
	if err != nil {
		return "", fmt.Errorf("%s: lot balance: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r lotRow
		if err := rows.Scan(r.ptrs()...); err != nil {
			return "", err
		}
		l := &r.l
		if r.parts != "" && r.parts != "[]" {
			if err := decodeDerived("lots", rowKey("id", l.ID), "parts", r.parts, &l.Parts); err != nil {
				return fmt.Sprintf("lot %s: its parts cannot be read: %v", l.ID, err), nil
			}
		}
		if err := ledger.CheckLotBalance(l); err != nil {
			return fmt.Sprintf("stored lot %s: %v", l.ID, err), nil
		}
	}
	return "", rows.Err()
}
