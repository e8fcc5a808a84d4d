package sqldb

// dispatchPartiesMigration is the migration whose Go step is
// replayDispatchParties.
const dispatchPartiesMigration = 115

func init() { goStepsWithStore[dispatchPartiesMigration] = replayDispatchParties }

// replayDispatchParties is migration 0115's Go step (issue 15, fix15ze;
// nu15g item 5). Lots stored before it gave a part shipped from a
// receipt declared in error (flagged, ledger's shipFromNothing) the
// owner and custodian of the receipt that received nothing of it, and
// no custodian when its dispatch named a carrier but no source
// possessing_party; the part now keeps the parties its dispatch names.
// It replays the log on a store holding any error declaration and
// rewrites each lot projection table that differs; other stores are
// left alone. Running it again changes nothing.
var replayDispatchParties = replayWhere("error declarations",
	`(SELECT 1 AS hit FROM events WHERE declaration = 1) AS any_hit`)
