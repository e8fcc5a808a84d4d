package commercial_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// meetAtNoteLock is a store whose first two note writes wait for each
// other before taking the trade lock: both issuers have drafted their
// note (seeing no note yet) before either stores, the interleaving a
// race produces by chance, made certain.
type meetAtNoteLock struct {
	critmin.Store
	mu    sync.Mutex
	calls int
	meet  sync.WaitGroup
}

func (m *meetAtNoteLock) UpdateTradeDocs(ctx context.Context, kind string, ids []string, update func(context.Context, map[string]*critmin.TradeDoc) ([]*critmin.TradeDoc, error)) error {
	if kind == critmin.TradeNotes {
		m.mu.Lock()
		m.calls++
		first := m.calls <= 2
		m.mu.Unlock()
		if first {
			m.meet.Done()
			m.meet.Wait()
		}
	}
	return m.Store.UpdateTradeDocs(ctx, kind, ids, update)
}

// Issue 13, credit notes issued at once: the note is stored under the
// trade lock (PostgreSQL: Dialect.LockTrade, an advisory transaction
// lock; SQLite: its single writer), after checking that no other note
// was issued since the draft. Two clerks ask for the same correction at
// the same instant, on SQLite and on PostgreSQL: exactly one note is
// issued, the other is refused 409, and the lot carries one note.
//
// The T-NOTE final invoice settles 100 000 kg at 10 % H2O: 90 dmt × 20 %
// Cu × 10 000 USD/t = 180 000.00 USD. The receipt is corrected to
// 99 000 kg (outturn 1 % below loading, beyond the 0.5 % franchise, so
// discharge weights stand): 99 × 0.9 = 89.1 dmt × 20 % × 10 000 =
// 178 200.00; the one note is 178 200 − 180 000 = −1 800.00 USD. Two
// notes would invoice the correction twice (−3 600.00).
func TestConcurrentNotesOneIssued(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := openBackend(t, backend)
			s := demoOn(t, db)
			ctx := context.Background()
			lot := "urn:critmin:test:lot:NOTE-RACE"
			receipt := noteLot(t, s, lot)
			if _, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			fin, err := s.IssueAt(ctx, "T-NOTE", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			retract(t, s, receipt, "2025-12-01T09:00:00Z")
			capture(t, s, map[string]any{"type": "ObjectEvent", "eventID": "urn:uuid:d13f0000-0000-4000-8000-0000000000f1", "eventTime": "2025-10-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
				"quantityList": qty(lot, 99000), "sensorElementList": h2o(10)})
			gate := &meetAtNoteLock{Store: s.Store}
			gate.meet.Add(2)
			racing := *s
			racing.Store = gate
			notes := make([]*commercial.Note, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					notes[i], errs[i] = racing.IssueNoteAt(ctx, "T-NOTE", lot, "receipt weight corrected", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC))
				}()
			}
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
					eq(t, "note total", notes[i].Total, "-1800")
				case critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "another note issued"):
					t.Errorf("issuer %d: %v; want issued or 409 (another note issued since it was read)", i+1, err)
				}
			}
			if won != 1 {
				t.Fatalf("%d notes issued at once; want 1 (the correction invoiced once: −1 800.00, not −3 600.00)", won)
			}
			stored, err := s.Notes(ctx, fin.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != 1 {
				t.Fatalf("%d notes stored on %s; want 1", len(stored), fin.ID)
			}
			eq(t, "stored note total", stored[0].Total, "-1800")
		})
	}
}
