package commercial_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// beforeNoteStore is a store that runs hook once, just before the first
// note document is written under the trade lock: a change another
// session commits between the note's computation and its store.
type beforeNoteStore struct {
	critmin.Store
	hook func()
}

func (b *beforeNoteStore) UpdateTradeDocs(ctx context.Context, kind string, ids []string, update func(context.Context, map[string]*critmin.TradeDoc) ([]*critmin.TradeDoc, error)) error {
	if kind == critmin.TradeNotes && b.hook != nil {
		h := b.hook
		b.hook = nil
		h()
	}
	return b.Store.UpdateTradeDocs(ctx, kind, ids, update)
}

// TestNoteComputedUnderTheLock (fix13s item 1): a note's figures are
// those of the data when it is stored, not when it was first drafted.
//
// The T-NOTE final invoice settles 100 000 kg at 10 % H2O: 90 dmt × 20 %
// Cu × 10 000 USD/t = 180 000.00. The receipt is corrected to 99 000 kg
// and a note is asked for; before it is stored another session corrects
// the receipt again, to 98 000 kg: 98 × 0.9 = 88.2 dmt × 2 000 USD/dmt =
// 176 400.00, so the note is a credit of 176 400 − 180 000 = −3 600.00
// (After 176 400), not the −1 800.00 of the 99 000 kg it was drafted on.
func TestNoteComputedUnderTheLock(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-L"
	receipt := noteLot(t, s, lot)
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	retract(t, s, receipt, "2025-12-01T09:00:00Z")
	first := "urn:uuid:d13f0000-0000-4000-8000-0000000000e4"
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": first, "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		"quantityList": qty(lot, 99000), "sensorElementList": h2o(10)})
	racing := *s
	racing.Store = &beforeNoteStore{Store: s.Store, hook: func() {
		retract(t, s, first, "2025-12-01T09:30:00Z")
		capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000e5", "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
			"quantityList": qty(lot, 98000), "sensorElementList": h2o(10)})
	}}
	n, err := racing.IssueNoteAt(ctx, "T-NOTE", lot, "receipt weight corrected", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "note total", n.Total, "-3600")
	eq(t, "lot value after", n.After, "176400")
	stored, err := s.Notes(ctx, n.Invoice)
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored notes %v, %v; want the one note", stored, err)
	}
	eq(t, "stored note total", stored[0].Total, "-3600")
}
