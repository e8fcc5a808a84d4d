package sqldb

// receiptOwnBOLMigration is the migration whose Go step is
// replayReceiptOwnBOL.
const receiptOwnBOLMigration = 109

func init() { goStepsWithStore[receiptOwnBOLMigration] = replayReceiptOwnBOL }

// replayReceiptOwnBOL is migration 0109's Go step (issue 15, fix15n).
// Lots stored before it read a receipt under one bill of lading as
// closing a part in transit under another (ledger receivedPart), kept no
// moisture on a run's take of a part (critmin.RunTake.Moisture), and
// gave a moisture reading at a site to parts nothing of which stood
// there. It replays the log on a store holding any part and rewrites
// each lot projection table that differs; other stores are left alone.
// Running it again changes nothing.
var replayReceiptOwnBOL = replayWhere("lots with a part",
	`lots WHERE parts LIKE '%"in_transit"%' OR parts LIKE '%"received"%' OR parts LIKE '%"rejoined"%'`)
