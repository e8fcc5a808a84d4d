package plan

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// mustStoreUnchecked stores a document's events as a store written
// before a capture check holds them, as storetest.MustStoreUnchecked
// does (which this internal test package cannot import: storetest
// imports plan): decoded as capture decodes them, with none of its
// refusals. It is for tests of how stored records read.
func mustStoreUnchecked(tb testing.TB, s critmin.Store, body string) {
	tb.Helper()
	doc, err := epcis.ParseDocument([]byte(body), false)
	if err != nil {
		tb.Fatalf("store unchecked: %v", err)
	}
	now := time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC)
	job := &critmin.CaptureJob{CaptureID: "cap-unchecked", CreatedAt: now, EventCount: len(doc.Events), Errors: []critmin.CaptureError{}}
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
