package storetest

import (
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/storetest/unchecked"
)

// MustStoreUnchecked stores the events of an EPCIS document as a store
// written before a capture check was added holds them, recorded now
// (unchecked.MustStore): decoded as capture decodes them, with none of
// the capture's refusals. It is for tests of how stored records read;
// new records go through ledger.Service.Capture.
func MustStoreUnchecked(tb testing.TB, s critmin.Store, body string) {
	tb.Helper()
	unchecked.MustStore(tb, s, body, time.Now().UTC())
}
