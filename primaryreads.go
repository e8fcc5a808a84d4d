package critmin

import "context"

// primaryReadsKey marks a context whose reads all go to the primary
// (PrimaryReads).
type primaryReadsKey struct{}

// PrimaryReads returns a context under which every read of a store whose
// read pool is a streaming replica (serve --db-read) goes to the primary,
// as its consistent reads do; without a replica it changes nothing. The
// HTTP server gives it to the look-ups by ID (a lot with its origin mix,
// events and anomalies; an event by eventID; a capture or plan job; a
// named query, subscription, certificate or trade document), which
// docs/security.md promises read the primary: they keep working while
// only the replica is down, and never mix a primary row with replica-side
// detail (fix14o).
func PrimaryReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryReadsKey{}, true)
}

// PrimaryReadsWanted reports whether ctx came from PrimaryReads.
func PrimaryReadsWanted(ctx context.Context) bool {
	return ctx.Value(primaryReadsKey{}) != nil
}
