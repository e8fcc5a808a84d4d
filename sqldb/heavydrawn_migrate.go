package sqldb

// heavyDrawnMigration is the migration whose Go step is
// replayHeavyDrawn.
const heavyDrawnMigration = 137

func init() { goStepsWithStore[heavyDrawnMigration] = replayHeavyDrawn }

// replayHeavyDrawn is migration 0137's Go step (issue 9, builder
// fixQm). Stores written before it split a line draw at a container's
// site between the lot's loose stock and its containers with a weighed
// receipt's gain left out of the container (custody sitePackings.weighed
// booked losses only), so the gain read as loose stock and the draw took
// that much too little out of the container: PK 3 t packed into C1,
// [C1] received weighing "PK 3.015 t", "PK 1 t" drawn by a run's line
// took 0.985 t out of C1, and a run fed C1 whole after a 1.015 t
// unpacking took 1.015 t of PK where C1 held 1 t
// (ledger.Holdings.HeldAt books the gain in the container). On a store
// holding an event naming a container in its epcList it replays the log
// as verify does and rewrites each lot projection table that differs,
// event_contents included; other stores are left alone. Running it again
// changes nothing.
var replayHeavyDrawn = replayContents
