package sqldb

// leftFromMigration is the migration whose Go step is replayLeftFrom.
const leftFromMigration = 116

func init() { goStepsWithStore[leftFromMigration] = replayLeftFrom }

// replayLeftFrom is migration 0116's Go step (issue 15, fix15zh). A part
// shipped from nothing (critmin.LotPart.FromRetracted) now keeps what
// its dispatch found where it left (LotPart.LeftFrom: the source
// parties it named and the holdings that stood there then), which its
// flag is worded from; lots stored before it have none. It replays the
// log on a store holding any such part and rewrites each lot projection
// table that differs; other stores are left alone. Running it again
// changes nothing.
var replayLeftFrom = replayWhere("lots with a part shipped from nothing",
	`lots WHERE parts LIKE '%"fromRetracted":true%'`)
