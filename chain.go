package critmin

import "context"

// ChainRecord is one stored event record as the tamper-evident chain sees
// it: its position, identity and stored content, and the chain hashes that
// link it to its predecessor. The custody package computes and checks them.
type ChainRecord struct {
	Seq         int64  `json:"seq"`
	PK          int64  `json:"pk"`
	EventID     string `json:"eventID"`
	Declaration bool   `json:"declaration"`
	EventTime   int64  `json:"eventTimeMicros"`
	RecordTime  int64  `json:"recordTimeMicros"`
	CaptureID   string `json:"captureID"`
	// ContextHash is the SHA-256 of the stored @context ("" for none).
	ContextHash string `json:"contextHash"`
	// StoredContextHash is the hash the contexts table keeps for the row's
	// context, compared with ContextHash to catch an edited context.
	StoredContextHash string `json:"-"`
	Raw               string `json:"event"`
	Context           string `json:"context,omitempty"`
	PrevChain         string `json:"prevChain"`
	Chain             string `json:"chain"`
}

// ChainRoot commits to every record up to the last of one UTC day.
type ChainRoot struct {
	Day     string `json:"day"`
	LastSeq int64  `json:"lastSeq"`
	Root    string `json:"root"`
	Events  int64  `json:"events"`
}

// ChainStore reads the chain for verification and export.
type ChainStore interface {
	// ScanChain calls fn for every record in chain order.
	ScanChain(ctx context.Context, fn func(*ChainRecord) error) error
	// ChainRange returns the records with from ≤ seq ≤ to.
	ChainRange(ctx context.Context, from, to int64) ([]*ChainRecord, error)
	ChainRoots(ctx context.Context) ([]ChainRoot, error)
}
