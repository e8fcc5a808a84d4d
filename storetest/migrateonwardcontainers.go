package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// MigrateOnwardContainers (fixOa, issue 8): migration 0124 rebuilds, on
// SQLite and PostgreSQL alike, a store written when a part shipped on
// from where a part was received kept no containers. Lot OB as
// saOnwardSetup records it (C1 with 6 t shipped to khi, received, shipped
// on to hou); the rollback clears the onward part's containers as the
// binaries before kept it, and verify names the lots row; after 0124 the
// onward part names C1 again (saOnwardContainers).
func MigrateOnwardContainers(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:OB"
	checkReplayMigration(t, open, onwardContainersVersion, func(db *sqldb.DB) {
		saOnwardSetup(t, custody.NewService(db))
	}, func(db *sqldb.DB) {
		parts := oldParts(t, db, lot, func(old []critmin.LotPart) {
			for i := range old {
				if old[i].OnwardOf != "" {
					old[i].Containers = nil
				}
			}
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = ?`, parts, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			l := mustLot(t, db, lot)
			for _, p := range l.Parts {
				if p.OnwardOf != "" && len(p.Containers) != 0 {
					t.Errorf("%v: onward part names %v; want none (the old row)", stage, p.Containers)
				}
			}
			if rep := verifyFull(t, db, nil, true); rep.Difference == nil || rep.Difference.Table != "lots" {
				t.Errorf("%v: verify %v %v; want lots named (the old row)", stage, rep.Problem, rep.Difference)
			}
			return
		}
		saOnwardContainers(t, db, stage.String())
	})
}

// onwardContainersVersion is migration 0124's number.
const onwardContainersVersion = 124
