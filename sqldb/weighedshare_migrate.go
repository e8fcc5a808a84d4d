package sqldb

// weighedShareMigration is the migration whose Go step is
// replayWeighedShare.
const weighedShareMigration = 132

func init() { goStepsWithStore[weighedShareMigration] = replayWeighedShare }

// replayWeighedShare is migration 0132's Go step (issue 9, fixPl;
// new-user check n8e-2). Stores written before it read a container
// received with a weighed line of a lot as still holding what was packed
// of it: a run fed the container whole, or a dispatch of it, took the
// packed figure (ledger.Holdings.HeldAt now reads the receipt: the
// container holds its share of the weighed line). On a store holding an
// event naming a container in its epcList it replays the log as verify
// does and rewrites each lot projection table that differs,
// event_contents included; other stores are left alone. Running it again
// changes nothing.
var replayWeighedShare = replayContents
