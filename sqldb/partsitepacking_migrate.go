package sqldb

// partSitePackingMigration is the migration whose Go step is
// replayPartSitePacking.
const partSitePackingMigration = 106

func init() { goStepsWithStore[partSitePackingMigration] = replayPartSitePacking }

// replayPartSitePacking is migration 0106's Go step (issue 15, fix15z
// F1). Lots stored before it read a packing, unpacking or association
// (an AggregationEvent or AssociationEvent naming the lot as a child) at
// a site where a part of the lot was received as an event of the whole
// lot: its body moved there and the part rejoined it (ledger.Project;
// now the event concerns the part and the body stays where it stands).
// It replays the log on a store holding any received or rejoined part
// and rewrites each lot projection table that differs; other stores are
// left alone. Running it again changes nothing.
var replayPartSitePacking = replayWhere("lots with a received or rejoined part",
	`lots WHERE parts LIKE '%"received"%' OR parts LIKE '%"rejoined"%'`)
