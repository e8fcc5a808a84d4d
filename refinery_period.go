package critmin

import (
	"context"
	"crypto/ed25519"
	"time"
)

// Period actions of a refinery's metal-accounting period.
const (
	PeriodClose  = "close"
	PeriodReopen = "reopen"
	// PeriodVoid sets aside one earlier record that the installation
	// cannot vouch for (signed by a key it does not trust, or changed
	// after it was signed): an admin signs it with the installation's
	// key, with a reason; its Result is the hash of the record it voids.
	// Nothing is deleted: the voided record stays in the chain, and
	// readers skip it (refinery.VoidRecord, docs/refinery.md).
	PeriodVoid = "void"
)

// PeriodRecord is one entry of a refinery's period audit trail: a close
// (an operator signs off the reconciled month) or a reopen (an admin,
// with a reason). Records form one hash chain across all sites: Hash is
// SHA-256 over Prev and the record's canonical content (refinery.
// RecordHash), and Signature is the Ed25519 signature of Hash by the key
// KeyID. Problem and Result are the period's inputs and reconciliation as
// JSON (empty for a reopen).
type PeriodRecord struct {
	Seq       int64     `json:"seq"`
	Site      string    `json:"site"`
	Period    string    `json:"period"`
	Action    string    `json:"action"`
	Actor     string    `json:"actor"`
	Role      string    `json:"role"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
	Problem   string    `json:"problem,omitempty"`
	Result    string    `json:"result,omitempty"`
	Prev      string    `json:"prev"`
	Hash      string    `json:"hash"`
	KeyID     string    `json:"keyID"`
	Signature string    `json:"signature"`
}

// RefineryStore keeps the refinery's period audit trail. It never updates
// or deletes a record.
type RefineryStore interface {
	// AppendPeriodRecord stores rec as the next record of the chain and
	// sets its Seq. It fails with ECONFLICT when rec.Prev is not the hash
	// of the last record (someone appended first), when a close names a
	// period already closed, or when a reopen names one that is not; with
	// EINVALID when no installation key is known (PeriodKeys is empty) or
	// rec is not signed by one of them (refinery.CheckSigner), so that no
	// writer can record what no reader would trust.
	AppendPeriodRecord(ctx context.Context, rec *PeriodRecord) error
	// LastPeriodHash returns the hash of the chain's last record, "" when
	// there is none.
	LastPeriodHash(ctx context.Context) (string, error)
	// PeriodRecords returns the audit trail: every record for site (all
	// sites if ""), and period (all if ""), oldest first.
	PeriodRecords(ctx context.Context, site, period string) ([]*PeriodRecord, error)
	// ClosedPeriod returns the close record of a period that is closed now;
	// ENOTFOUND when it is open or was never closed.
	ClosedPeriod(ctx context.Context, site, period string) (*PeriodRecord, error)
	// PeriodAnchors returns the audit entries (AuditRefineryPeriod) that
	// anchor the period records, in audit order: AppendPeriodRecord
	// writes a record and its anchor in one transaction.
	PeriodAnchors(ctx context.Context) ([]*AuditEntry, error)
	// PeriodKeys returns the public keys of this installation that may
	// sign period records (the signing key, and earlier keys the operator
	// still trusts); empty when none were configured.
	PeriodKeys() []ed25519.PublicKey
	// PinnedPeriodKey returns the installation key pinned in the store
	// (critmin.AuditRefineryKey) by its first period record; nil when
	// none is pinned yet.
	PinnedPeriodKey(ctx context.Context) (ed25519.PublicKey, error)
}
