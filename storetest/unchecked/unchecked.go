// Package unchecked stores EPCIS documents as a store written before a
// capture check was added holds them. It is for tests of how stored
// records read (a store must still open and answer); new records go
// through ledger.Service.Capture. It stands apart from storetest so that
// packages storetest imports (plan) can use it in their own tests.
package unchecked

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// MustStore stores the events of the EPCIS document body in s, recorded
// at now, each decoded as capture and replay decode it
// (ledger.DecodeMineral) but with none of the capture's refusals — an
// assay without cm:basis, refused since issue 9, is stored and read as
// dry, marked BasisNotStated; a stated origin contradicting its mine is
// stored and read as origin_conflict. Any decoding or store error fails
// tb.
func MustStore(tb testing.TB, s critmin.Store, body string, now time.Time) {
	tb.Helper()
	doc, err := epcis.ParseDocument([]byte(body), false)
	if err != nil {
		tb.Fatalf("store unchecked: %v", err)
	}
	job := &critmin.CaptureJob{CaptureID: "cap-unchecked-" + now.Format("20060102150405.000000000"), CreatedAt: now, EventCount: len(doc.Events), Errors: []critmin.CaptureError{}}
	var events []*critmin.Event
	for i := range doc.Events {
		ev, verr := doc.Decode(i, now)
		if verr != nil {
			tb.Fatalf("store unchecked: event %d: %v", i, verr)
		}
		mf, ferrs := ledger.DecodeMineral(ev, doc.Pointer(i))
		if len(ferrs) > 0 {
			tb.Fatalf("store unchecked: %s: %s", ferrs[0].Pointer, ferrs[0].Reason)
		}
		ev.Mineral, ev.CaptureID = mf, job.CaptureID
		events = append(events, ev)
	}
	if _, err := s.CaptureEvents(context.Background(), job, events, doc.Master); err != nil {
		tb.Fatalf("store unchecked: %v", err)
	}
}
