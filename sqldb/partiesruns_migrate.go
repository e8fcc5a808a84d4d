package sqldb

// partiesRunsMigration is the migration whose Go step is
// replayPartiesRuns.
const partiesRunsMigration = 112

func init() { goStepsWithStore[partiesRunsMigration] = replayPartiesRuns }

// replayPartiesRuns is migration 0112's Go step (issue 15, fix15t and
// fix15v). Lots stored before it let a transformation (a refinery run)
// naming a source owning_party or possessing_party that held nothing of
// an input lot take from the lot's body or from every part at the site
// (it now takes nothing: ledger.NamedAbsent); closed, by a receipt naming
// no bill of lading while the lot's body was at sea on its own shipment,
// a part shipped under another bill of lading (the receipt is now matched
// to the open leg it weighs nearest); and gave a part shipped from a
// receipt declared in error (EPCIS 2.0 §7.4.1.2) the lot's owner and
// custodian where its dispatch named none (it now has only the parties
// its dispatch names). It replays the log on a store holding any part,
// any error declaration or any TransformationEvent and rewrites each lot
// projection table that differs; other stores are left alone. Running it
// again changes nothing.
var replayPartiesRuns = replayWhere("lots with a part, error declarations, or transformations",
	`(SELECT 1 AS hit FROM lots WHERE parts LIKE '%"shipEventID"%' UNION ALL SELECT 1 FROM events WHERE declaration = 1 UNION ALL SELECT 1 FROM events WHERE event_type = 'TransformationEvent') AS any_hit`)
