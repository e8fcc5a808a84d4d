package sqldb

// namedHoldingsMigration is the migration whose Go step is
// replayNamedHoldings.
const namedHoldingsMigration = 110

func init() { goStepsWithStore[namedHoldingsMigration] = replayNamedHoldings }

// replayNamedHoldings is migration 0110's Go step (issue 15, fix15q).
// Lots stored before it booked a shipment naming a source owner whose
// holding a declaration in error had taken away on another owner's
// holding at the site, let a shipment draw a holding below zero, left a
// dispatch from where nothing stood out of the lot's parts, and read a
// receipt of a declared shipment as an arrival of the whole lot. Such a
// lot now fails the holdings check the store makes as it writes
// (ledger.CheckHoldings), so the next event of it would be refused. It
// replays the log on a store holding any part or any error declaration
// and rewrites each lot projection table that differs; other stores are
// left alone. Running it again changes nothing.
var replayNamedHoldings = replayWhere("lots with a part, or error declarations",
	`(SELECT 1 AS hit FROM lots WHERE parts LIKE '%"shipEventID"%' UNION ALL SELECT 1 FROM events WHERE declaration = 1) AS any_hit`)
