package critmin

import (
	"context"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// LogHead is the state of the verifiable log a checkpoint commits to:
// the Merkle tree over every event record (RFC 6962 / RFC 9162 §2.1,
// leaf i = record with chain position i+1) and the head of the audit
// chain (token, role and master-data changes).
type LogHead struct {
	// Size is the number of event records in the tree.
	Size int64 `json:"size"`
	// Root is the tree hash (RFC 6962 MTH) of the first Size records.
	Root tlog.Hash `json:"root"`
	// AuditSize is the number of audit entries; AuditHead the chain hash
	// of the last one (hex; "" when there are none).
	AuditSize int64  `json:"auditSize"`
	AuditHead string `json:"auditHead"`
}

// AuditEntry is one entry of the audit chain: a change to who may do
// what (tokens and their roles) or to master data, which no event
// carries. Each entry's Hash is SHA-256 over its predecessor's hash and
// its content (custody.AuditHash); Seq counts from 1.
type AuditEntry struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	Action    string    `json:"action"`
	Subject   string    `json:"subject"`
	Detail    string    `json:"detail"`
	CaptureID string    `json:"captureID,omitempty"`
	// LogSize is the event log's size when the entry was written, which
	// places it among the events for a replay.
	LogSize int64  `json:"logSize"`
	Prev    string `json:"prev"`
	Hash    string `json:"hash"`
}

// Audit actions.
const (
	AuditTokenCreate = "token.create"
	AuditTokenRevoke = "token.revoke"
	AuditMasterData  = "masterdata.set"
	AuditCertRevoke  = "certificate.revoke"
	// AuditRecordSet attests the content of a row of an authoritative
	// table no event carries (certificates, mass-balance declarations,
	// trade records, …): Subject is the table, Detail
	// {"key": [...], "hash": hex SHA-256 of the row's canonical content}.
	// AuditRecordDelete records that the row was removed (no hash).
	// `critmin verify` checks each such table against these entries.
	AuditRecordSet    = "record.set"
	AuditRecordDelete = "record.delete"
	// AuditRefineryPeriod anchors a refinery period record (a close or a
	// reopen) in the audit chain, which signed checkpoints cover: its
	// detail holds the record's seq, action, hash and key
	// (refinery.Anchor), so a record edited, re-signed or deleted no
	// longer matches its anchor.
	AuditRefineryPeriod = "refinery.period"
	// AuditRefineryKey pins the installation's period-signing key in the
	// store: written once, in the transaction of the first period record
	// (Detail {"keyID": base64 Ed25519 public key}). Every later record
	// must be signed by it, whatever key a command is given; the audit
	// chain (and its signed checkpoints) covers it.
	AuditRefineryKey = "refinery.key"
)

// LogStore keeps the verifiable log: the tlog stored hashes (index as
// tlog.StoredHashIndex numbers them) and its head, and the audit chain.
type LogStore interface {
	// LogHashes returns the stored hashes at the given indexes; an index
	// beyond the log is an ENOTFOUND error.
	LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// LogHead returns the log's current head.
	LogHead(ctx context.Context) (LogHead, error)
	// ScanAudit calls fn for every audit entry in order.
	ScanAudit(ctx context.Context, fn func(*AuditEntry) error) error
	// AppendAudit appends entries to the audit chain, filling Seq, Prev
	// and Hash.
	AppendAudit(ctx context.Context, entries ...*AuditEntry) error
}
