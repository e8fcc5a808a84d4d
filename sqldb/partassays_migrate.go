package sqldb

// partAssaysMigration is the migration whose Go step is replayPartAssays.
const partAssaysMigration = 104

func init() { goStepsWithStore[partAssaysMigration] = replayPartAssays }

// replayPartAssays is migration 0104's Go step (issue 15, fix15a). Lots
// stored before it kept one list of assays: an assay of a part where it
// was received superseded the lot's own, and the part kept none
// (critmin.LotPart.Assays). It replays the log on a store holding any
// part and rewrites each lot projection table that differs; other stores
// are left alone. Running it again changes nothing.
var replayPartAssays = replayWhere("lots with a part", `lots WHERE parts LIKE '%"shipEventID"%'`)
