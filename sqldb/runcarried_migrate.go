package sqldb

// runCarriedMigration is the migration whose Go step is
// replayRunCarriedLinks.
const runCarriedMigration = 103

func init() { goStepsWithStore[runCarriedMigration] = replayRunCarriedLinks }

// replayRunCarriedLinks is migration 0103's Go step (issue 9, fix9s).
// Links stored before it kept replay = 0 on a later event's input line
// to an output an earlier event of the run stated, so what the run
// produced (ledger.RunProduced) could count that output line again; such
// a link is now Carried (replay = 2, ledger.RunLinks). It replays the
// log on a store holding a run of more than one event (the only runs
// with such a link) and rewrites each lot projection table that
// differs; other stores are left alone. Running it again changes
// nothing.
var replayRunCarriedLinks = replayWhere("runs of more than one event",
	`events WHERE transformation_id IS NOT NULL AND declaration = 0 GROUP BY transformation_id HAVING COUNT(*) > 1`)
