package sqldb

// partPartiesMigration is the migration whose Go step is
// replayPartParties.
const partPartiesMigration = 105

func init() { goStepsWithStore[partPartiesMigration] = replayPartParties }

// replayPartParties is migration 0105's Go step (issue 15, fix15c3).
// Lots stored before it rejoined a part received where the body stood
// (or where the body came) whatever its parties: the body took a part of
// another owner or custodian, or a part's receipt naming a new owner
// made the whole body that owner's; and they dried what runs took of a
// part at the part's latest moisture (critmin.LotPart.DryTonnes now
// dries each take at its own). It replays the log on a store holding any
// received or rejoined part and rewrites each lot projection table that
// differs; other stores are left alone. Running it again changes nothing.
var replayPartParties = replayWhere("lots with a received or rejoined part",
	`lots WHERE parts LIKE '%"received"%' OR parts LIKE '%"rejoined"%'`)
