package refinery_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// TestForeignCloseIsVoided (fix12c gap 2): a close signed by a key the
// installation does not trust (stored before the store checked signers)
// blocks every reader, which names the record and the way out; an admin
// voids it with the installation's key, nothing is deleted, readers
// proceed (the period is as if never closed) and it can be closed again.
// The Cu recovery of the re-close is the two-product figure: conc 8 t ×
// 10 % = 0.8 t Cu of feed 100 t × 1 % = 1 t → 0.8 before reconciliation,
// 0.816… after it (TestTwoProduct's arithmetic: 8.16 % yield × 10/1).
func TestForeignCloseIsVoided(t *testing.T) {
	ctx := context.Background()
	db, key := testStore(t)
	inst := db.PeriodKeys()
	foreignPub, foreign, _ := ed25519.GenerateKey(rand.Reader)
	// A foreign close, as an installation before fix12c could store it.
	db.TrustPeriodKeys(foreignPub)
	bad := closeTwoProduct(t, db, foreign)
	// A store from before keys were pinned has no pin entry.
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM audit_log WHERE action = 'refinery.key'`); err != nil {
		t.Fatal(err)
	}
	db.TrustPeriodKeys(inst...)

	_, err := refinery.RecoveryFor(ctx, db, twoProductSite, "Cu", "2025-10")
	if !errors.Is(err, refinery.ErrTampered) || !strings.Contains(err.Error(), "period record 1 ") || !strings.Contains(err.Error(), "void-record --seq 1") {
		t.Fatalf("reader before the void: %v, want the record named and void-record --seq 1", err)
	}
	// Only an admin, with a reason, with the installation's key.
	admin := refinery.Actor{Name: "controller", Role: critmin.RoleAdmin}
	if _, err := refinery.VoidRecord(ctx, db, bad.Seq, op, "foreign", key, at); critmin.ErrorCode(err) != critmin.EFORBIDDEN {
		t.Errorf("void by an operator: %v, want EFORBIDDEN", err)
	}
	if _, err := refinery.VoidRecord(ctx, db, bad.Seq, admin, " ", key, at); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("void without a reason: %v, want EINVALID", err)
	}
	if _, err := refinery.VoidRecord(ctx, db, bad.Seq, admin, "foreign", foreign, at); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("void signed by the foreign key: %v, want EINVALID", err)
	}
	if _, err := refinery.VoidRecord(ctx, db, 99, admin, "foreign", key, at); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("void of no record: %v, want EINVALID", err)
	}
	v, err := refinery.VoidRecord(ctx, db, bad.Seq, admin, "signed by a test key, not ours", key, at)
	if err != nil {
		t.Fatal(err)
	}
	if v.Action != critmin.PeriodVoid || v.Result != bad.Hash || v.Prev != bad.Hash {
		t.Errorf("void record %+v", v)
	}
	if _, err := refinery.VoidRecord(ctx, db, bad.Seq, admin, "again", key, at); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("second void: %v, want ECONFLICT", err)
	}
	// Readers proceed: the period is open.
	if _, err := refinery.RecoveryFor(ctx, db, twoProductSite, "Cu", "2025-10"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("reader after the void: %v, want ENOTFOUND (never closed)", err)
	}
	if rep, err := db.Verify(ctx, nil, nil); err != nil || rep.PeriodProblem != "" {
		t.Errorf("verify after the void: %+v %v", rep, err)
	}
	good := closeTwoProduct(t, db, key)
	got, err := refinery.RecoveryFor(ctx, db, twoProductSite, "Cu", "2025-10")
	if err != nil || len(got) != 1 || got[0].Seq != good.Seq || got[0].Fraction < 0.81 || got[0].Fraction > 0.82 {
		t.Fatalf("recovery after re-close: %+v %v, want conc ≈ 0.816 from record %d", got, err, good.Seq)
	}
	// Nothing deleted; the installation's own close cannot be voided.
	recs, _ := db.PeriodRecords(ctx, "", "")
	if len(recs) != 3 || recs[0].Hash != bad.Hash {
		t.Errorf("history %d records, want the foreign close, its void and the re-close", len(recs))
	}
	if _, err := refinery.VoidRecord(ctx, db, good.Seq, admin, "x", key, at); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("void of the installation's own close: %v, want ECONFLICT (reopen it)", err)
	}
}

// TestAnchorHashCheckedByReaders (fix12c gap 5): an anchor whose stored
// content was edited without its hash is refused by every reader, not
// only by critmin verify.
func TestAnchorHashCheckedByReaders(t *testing.T) {
	db, key := testStore(t)
	closeTwoProduct(t, db, key)
	if _, err := db.Write.ExecContext(context.Background(), `UPDATE audit_log SET subject = subject || ' ' WHERE action = ?`, critmin.AuditRefineryPeriod); err != nil {
		t.Fatal(err)
	}
	refusedEverywhere(t, db, "no longer gives its hash")
}
