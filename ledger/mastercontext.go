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
