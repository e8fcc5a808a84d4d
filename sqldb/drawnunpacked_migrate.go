package sqldb

// drawnUnpackedMigration is the migration whose Go step is
// replayDrawnUnpacked.
const drawnUnpackedMigration = 133

func init() { goStepsWithStore[drawnUnpackedMigration] = replayDrawnUnpacked }

// replayDrawnUnpacked is migration 0133's Go step (issue 9, builder
// fixQe). Stores written before it read what a container held of a lot
// by two partial rules and took the larger of their cuts: 3 t packed, 1 t
// of it drawn out by a line shipment, 2 t unpacked — a run fed the
// container whole took 1 t (3 − 2 by the packings, 3 − 1 by the line
// draws), where the container held 3 − 1 − 2 = 0 t; a weighed receipt
// followed by a line draw and an unpacking likewise
// (ledger.Holdings.HeldAt now subtracts the line draws too). On a store
// holding an event naming a container in its epcList it replays the log
// as verify does and rewrites each lot projection table that differs,
// event_contents included; other stores are left alone. Running it again
// changes nothing.
var replayDrawnUnpacked = replayContents
