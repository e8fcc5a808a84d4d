package sqldb

// partSharesMigration is the migration whose Go step is
// replayPartShares.
const partSharesMigration = 113

func init() { goStepsWithStore[partSharesMigration] = replayPartShares }

// replayPartShares is migration 0113's Go step (issue 15, fix15zb).
// Lots stored before it let a dispatch naming no source party, from a
// site where several parties' received parts stood, take of the first
// owner's parts first (it now takes of each holding pro rata,
// ledger.shareOut, as a weighing there splits); kept no record of what a
// weighing of a received part weighed of it where it stood, or when
// (critmin.LotPart.WeighedThereTonnes, WeighedAt: the part's "weighed
// there" read its mass, what had left before the weighing included);
// and marked weighed a part nothing of which stood there. It replays the
// log on a store holding a lot with a part weighed where it was received
// or shipped on from there and rewrites each lot projection table that
// differs; other stores are left alone. Running it again changes
// nothing.
var replayPartShares = replayWhere("lots with a part weighed or shipped on where it was received",
	`lots WHERE parts LIKE '%"weighEventID"%' OR parts LIKE '%"onwardOf"%'`)
