package sqldb

// containerFedMigration is the migration whose Go step is
// replayContainerFed.
const containerFedMigration = 122

func init() { goStepsWithStore[containerFedMigration] = replayContainerFed }

// replayContainerFed is migration 0122's Go step (issues 8/9, fixNe,
// new-user finding n9-c). Stores written before it kept a run fed a
// container whole (inputEPCList naming an SSCC) as a genealogy edge from
// the container alone: the lots packed in it stayed in stock with their
// whole mass and no child, so they could be fed again. Today's capture
// gives the run an input line of each lot the container held
// (ledger.WithContents) and consumes them. On a store holding any event
// of gainedOriginStores (a run among them) the step replays the log as
// verify does and rewrites each lot projection table that differs,
// event_contents included; other stores are left alone. Running it again
// changes nothing.
var replayContainerFed = replayGainedOrigin
