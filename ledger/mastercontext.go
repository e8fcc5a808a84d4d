package ledger

import (
	"context"

	"github.com/critmin/critmin"
)

type masterKey struct{}

// WithMasterData returns ctx carrying the master data of the document
// being captured (its epcisHeader vocabulary), for the capture-time check
// (Service.ClaimCheck) to read with MasterDataOf: a master-data change
// that would overturn an accepted claim or a final statement — a site's
// cm:custodyModel resent with another value — is refused there, in the
// capture transaction, like an event that would.
func WithMasterData(ctx context.Context, master []critmin.MasterDataElement) context.Context {
	if len(master) == 0 {
		return ctx
	}
	return context.WithValue(ctx, masterKey{}, master)
}

// MasterDataOf is the master data WithMasterData put in ctx, or nil.
func MasterDataOf(ctx context.Context) []critmin.MasterDataElement {
	m, _ := ctx.Value(masterKey{}).([]critmin.MasterDataElement)
	return m
}

type stagedKey struct{}

// Staged is what the capture-time check (Service.ClaimCheck) is told of
// the events a streamed capture staged in its earlier batches: they are
// in the store (read through the capture transaction) but belong to the
// document being captured, so a check that compares a document's events
// with each other judges a pair of which one was staged by an earlier
// batch as it judges a pair within one batch — 400 at the same field, not
// a conflict with the record (issue 9, new-user finding nu36b-4).
type Staged struct {
	// Has reports whether the event with eventID id was staged by an
	// earlier batch of this capture.
	Has func(id string) bool
	// Proceed is set under the proceed capture error behaviour: an event
	// staged earlier cannot be set aside any more, so a check refusing
	// one of a pair names the event of the batch being checked instead
	// (the staged one stands, and the record holds no contradiction) —
	// and, so that the answer never depends on where a batch boundary
	// falls, the later event in document order of a pair both in the
	// batch (nu38b-3). Set for every capture under proceed, streamed or
	// read whole.
	Proceed bool
}

// WithStaged returns ctx carrying st (StagedOf).
func WithStaged(ctx context.Context, st Staged) context.Context {
	return context.WithValue(ctx, stagedKey{}, st)
}

// StagedOf is the Staged WithStaged put in ctx; its Has reports false
// for every event when none was put (a document checked in one piece).
func StagedOf(ctx context.Context) Staged {
	st, _ := ctx.Value(stagedKey{}).(Staged)
	if st.Has == nil {
		st.Has = func(string) bool { return false }
	}
	return st
}
