package storetest

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqldb"
)

// migrationStage names the three reads of a replay migration's check:
// the store as captured today, the store rolled back to before the
// migration, and the store after reopening ran it.
type migrationStage int

const (
	asCaptured migrationStage = iota
	beforeMigration
	afterMigration
)

func (s migrationStage) String() string {
	switch s {
	case asCaptured:
		return "as captured"
	case beforeMigration:
		return "before the migration"
	}
	return "after the migration"
}

// near compares figures in tonnes (or kilograms) to 1e-9.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// migrationDoc wraps events in the EPCIS document, with the mineral
// context, that the replay migrations' checks capture.
func migrationDoc(events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// execRebound runs q (with ? placeholders, rebound for PostgreSQL) on
// db's write pool, failing the test on an error.
func execRebound(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Write.ExecContext(context.Background(), rebind(db, q), args...); err != nil {
		t.Fatal(err)
	}
}

// checkReplayMigration is the shape every check of a migration that
// replays the lot projection shares, on SQLite and PostgreSQL alike
// (open opens, then reopens, the same store): open the store and capture
// into it (setup); check the current projection (check, asCaptured);
// roll back the step's effect to the projection before the migration
// (rollback), forget that version ran and reseal the derived rows, so
// the store reads as one written before it; check the old projection
// (check, beforeMigration); reopen, which runs the migration; check the
// repaired projection (check, afterMigration); and check that
// `critmin verify`'s rebuild from the log equals what is stored. check
// reports with t.Errorf; a failure as captured or before the migration
// stops the test, the setting being wrong.
func checkReplayMigration(t *testing.T, open func() (*sqldb.DB, error), version int,
	setup, rollback func(db *sqldb.DB), check func(db *sqldb.DB, stage migrationStage)) {
	t.Helper()
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	setup(db)
	if check(db, asCaptured); t.Failed() {
		t.FailNow()
	}
	rollback(db)
	execRebound(t, db, `DELETE FROM schema_migrations WHERE version = `+strconv.Itoa(version))
	if err := db.ResealDerived(ctx); err != nil {
		t.Fatal(err)
	}
	if check(db, beforeMigration); t.Failed() {
		t.FailNow()
	}
	db.Close()
	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(db, afterMigration)
	// critmin verify: the rebuild from the log equals what is stored. A
	// fixture's legacy record that breaks a container rule capture now
	// enforces stays in the log (a migration repairs derived rows, not
	// records): verify names it, and names nothing else.
	rep := verifyFull(t, db, nil, true)
	legacy := rep.ContainerRuleProblem != nil && legacyRuleBreaks[rep.ContainerRuleProblem.Event]
	if !rep.OK() && !(legacy && rep.Problem == nil && rep.Difference == nil && rep.PeriodProblem == "" && rep.RecordProblem == nil && rep.LotBalanceProblem == "") {
		t.Errorf("verify after the migration: %v %v %v; want the rebuild equal to what is stored", rep.Problem, rep.Difference, rep.ContainerRuleProblem)
	}
}

// legacyRuleBreaks is the fixtures' records stored unchecked that break
// a container rule (ledger.StoredContainerRule), which verify names
// after their migration: ga-ship, [C1] (6 t of GA) beside a 5 t line
// (6 > 5 × 1.005 = 5.025 t; MigrateReceiptContents); RB, a run fed a
// container a run had emptied (MigrateContainerEmptied).
var legacyRuleBreaks = map[string]bool{"urn:t:ev:ga-ship": true, "urn:t:ev:RB": true}

// oldParts reads lot's parts as captured, lets edit put them back in the
// shape of before a migration, and returns them as the JSON the lots
// table stores, for a rollback's UPDATE.
func oldParts(t *testing.T, db *sqldb.DB, lot string, edit func(parts []critmin.LotPart)) string {
	t.Helper()
	q, err := db.FindLot(context.Background(), lot)
	if err != nil {
		t.Fatal(err)
	}
	edit(q.Parts)
	parts, err := json.Marshal(q.Parts)
	if err != nil {
		t.Fatal(err)
	}
	return string(parts)
}
