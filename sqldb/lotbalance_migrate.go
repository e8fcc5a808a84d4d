package sqldb

// lotBalanceMigration is the migration whose Go step is replayLotBalance.
const lotBalanceMigration = 125

func init() { goStepsWithStore[lotBalanceMigration] = replayLotBalance }

// replayLotBalance is migration 0125's Go step (issue 8, n8b items 1
// and 2). Stores written before it let a part that rejoined the lot's
// body bring back what runs had taken of it (the receipt of a trip's
// last container, or of its rest by a line, after a run fed the first
// container: 10 t standing beside 6 t consumed of a 10 t lot), and read
// the loose rest of a lot shipped by a line under the bill of its
// containers' trip as a further step of that trip (4 t left at the mine
// that had left). Such a lot now fails the lot balance check
// (ledger.CheckLotBalance) that capture and verify make. On a store
// holding a lot with a part it replays the log as verify does and
// rewrites each lot projection table that differs; other stores are
// left alone. Running it again changes nothing.
var replayLotBalance = replayWhere("lots with a part", `lots WHERE parts LIKE '%"status"%'`)
