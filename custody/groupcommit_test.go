package custody_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// TestGroupedCapturesConsumeOnce (issue 11 §7, group commit): captures
// queued on one handle share one write transaction (sqldb group.go), so
// the capture-time check of each must read what the captures before it in
// the group wrote, uncommitted. Three runs through ONE handle at once each
// consume all 100 000 KGM (100 t) of lot PKX, and a fourth capture makes
// an unrelated feed lot. The gate holds each check until all four are
// queued, so they join one group (asserted from CaptureGroups). Exactly
// one run is accepted, the other two find "only 0 t of its 100 t remain"
// and are refused, the unrelated capture is stored — a refusal rolls back
// only its own savepoint — and each accepted capture returned only after
// the group committed: its lot is readable through the read pool (a
// separate connection, which sees committed data only) as soon as Capture
// returns.
func TestGroupedCapturesConsumeOnce(t *testing.T) {
	for name, open := range raceBackends {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t, 1)[0]
			setup := doc(map[string]string{"mb": "mass_balance"},
				feed("PKX", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"))
			if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: []byte(setup)}); err != nil {
				t.Fatal(err)
			}
			var docs [][]byte
			var outs []string
			for i := range 3 {
				id := fmt.Sprintf("G%d", i)
				docs = append(docs, mbDoc(xformRun(id, "mb", "PKX", 100000, "O"+id, 1, "")))
				outs = append(outs, "urn:t:lot:O"+id)
			}
			docs = append(docs, []byte(doc(map[string]string{"mb": "mass_balance"}, feed("FREE", "ree_concentrate", "PAK", 5, "Nd:4", "Pr:1"))))
			tx0, joined0 := db.CaptureGroups()
			errs := raceOneHandle(t, db, docs, []string{outs[0], outs[1], outs[2], "urn:t:lot:FREE"})
			tx1, joined1 := db.CaptureGroups()
			if joined1-joined0 != 4 || tx1-tx0 >= 4 {
				t.Fatalf("4 captures joined %d transactions (%d joins): no group formed, the test proves nothing", tx1-tx0, joined1-joined0)
			}
			if errs[3] != nil {
				t.Fatalf("the unrelated capture was refused: %v", errs[3])
			}
			oneWins(t, db, errs[:3], outs, critmin.ECONFLICT, "urn:t:lot:PKX", "only 0 t of its 100 t remain")
		})
	}
}

// raceOneHandle captures every document through one handle at once (the
// gate holds each check until all have reached theirs, or a moment has
// passed) and returns each capture's error. After each capture returns
// without error, its lot must be readable at once through the read pool.
func raceOneHandle(t *testing.T, db *sqldb.DB, docs [][]byte, lots []string) []error {
	t.Helper()
	g := newGate(len(docs))
	svc := ledger.NewService(db)
	svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
	svc.ClaimCheck = g.wrap(custody.CaptureClaimCheck(db))
	errs := make([]error, len(docs))
	done := make(chan int)
	for i := range docs {
		go func() {
			_, errs[i] = svc.Capture(context.Background(), ledger.CaptureRequest{Body: docs[i]})
			if errs[i] == nil {
				ls, err := db.FindLotsByID(context.Background(), []string{lots[i]})
				if err != nil || len(ls) != 1 {
					errs[i] = fmt.Errorf("capture %d acknowledged before its group committed: lot %s not readable (%v): %w", i, lots[i], err, critmin.Errorf(critmin.EINTERNAL, "early ack"))
				}
			}
			done <- i
		}()
	}
	for range docs {
		<-done
	}
	return errs
}
