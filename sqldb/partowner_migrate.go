package sqldb

// partOwnerMigration is the migration whose Go step is replayPartOwner.
const partOwnerMigration = 107

func init() { goStepsWithStore[partOwnerMigration] = replayPartOwner }

// replayPartOwner is migration 0107's Go step (issue 15, fix15o). Lots
// stored before it kept no owner or custodian on their parts
// (critmin.LotPart.Owner, Custodian): a receipt of a part naming a new
// owning_party or possessing_party changed nothing, and the part read
// the lot's parties. It replays the log on a store holding any part and
// rewrites each lot projection table that differs; other stores are left
// alone. Running it again changes nothing.
var replayPartOwner = replayWhere("lots with a part", `lots WHERE parts LIKE '%"shipEventID"%'`)
