package sqldb

// containerEmptiedMigration is the migration whose Go step is
// replayContainerEmptied.
const containerEmptiedMigration = 123

func init() { goStepsWithStore[containerEmptiedMigration] = replayContainerEmptied }

// replayContainerEmptied is migration 0123's Go step (issues 8/9, fixOb,
// new-user check after fixNe). Stores written before it let a run fed a
// container whole leave the container holding what it held, so a second
// run fed it took the lots' loose rest in its place. Today a run fed a
// container whole empties it (ledger.Holdings.Feeds) and takes at most
// what stands of each lot at its site (ledger.FedHolding). On a store
// holding any event of gainedOriginStores (a run among them) the step
// replays the log as verify does and rewrites each lot projection table
// that differs, event_contents included; other stores are left alone.
// Running it again changes nothing.
var replayContainerEmptied = replayGainedOrigin
