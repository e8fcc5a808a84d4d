package sqldb

// noBodyLegMigration is the migration whose Go step is replayNoBodyLeg.
const noBodyLegMigration = 114

func init() { goStepsWithStore[noBodyLegMigration] = replayNoBodyLeg }

// replayNoBodyLeg is migration 0114's Go step (issue 15, fix15zd). Lots
// stored before it, every tonne of which had left as parts (no body: the
// lot following its last shipment, the one its views name as the body's),
// had a receipt naming no bill of lading and stating no weight, or
// weighing as near the last shipment as another part, close the first
// part shipped (5 t under a, where the 15 t under b was the body's leg;
// the lot read 25 t after a 10 t receipt). It now closes the body's leg
// (ledger.receivedPart). It replays the log on a store holding any part
// and rewrites each lot projection table that differs; other stores are
// left alone. Running it again changes nothing.
var replayNoBodyLeg = replayWhere("lots with a part",
	`(SELECT 1 AS hit FROM lots WHERE parts LIKE '%"shipEventID"%') AS any_hit`)
