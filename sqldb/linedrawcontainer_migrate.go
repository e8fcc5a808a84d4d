package sqldb

// lineDrawContainerMigration is the migration whose Go step is
// replayLineDrawContainer.
const lineDrawContainerMigration = 130

func init() { goStepsWithStore[lineDrawContainerMigration] = replayLineDrawContainer }

// replayLineDrawContainer is migration 0130's Go step (issue 9, fixPi;
// new-user check n9a-1, n9a-2). Stores written before it read a lot
// drawn by a quantity line out of a container that had brought it to the
// site as still in the container: a run fed the container whole, or a
// dispatch of it, took the lot's loose stock received later in its place
// (ledger.ContainerShare now cuts it to what is left of the parts that
// travelled in it). On a store holding an event naming a container in
// its epcList it replays the log as verify does and rewrites each lot
// projection table that differs, event_contents included; other stores
// are left alone. Running it again changes nothing.
var replayLineDrawContainer = replayContents
