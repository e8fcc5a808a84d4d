package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// MustStoreUnchecked stores the events of an EPCIS document as a store
// written before a capture check was added holds them: each event decoded
// as capture and replay decode it (ledger.DecodeMineral), with none of
// the capture's refusals — an assay without cm:basis, refused since
// issue 9, is stored and read as dry, marked BasisNotStated. It is for
// tests of how stored records read (a store must still open); new records
// go through ledger.Service.Capture.
func MustStoreUnchecked(tb testing.TB, s critmin.Store, body string) {
	tb.Helper()
	doc, err := epcis.ParseDocument([]byte(body), false)
	if err != nil {
		tb.Fatalf("store unchecked: %v", err)
	}
	now := time.Now().UTC()
	job := &critmin.CaptureJob{CaptureID: "cap-unchecked-" + now.Format("150405.000000000"), CreatedAt: now, EventCount: len(doc.Events), Errors: []critmin.CaptureError{}}
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
