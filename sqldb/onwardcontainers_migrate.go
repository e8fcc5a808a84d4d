package sqldb

// onwardContainersMigration is the migration whose Go step is
// replayOnwardContainers.
const onwardContainersMigration = 124

func init() { goStepsWithStore[onwardContainersMigration] = replayOnwardContainers }

// replayOnwardContainers is migration 0124's Go step (issue 8, fixOa).
// Stores written before it kept a part shipped on from where a part was
// received (critmin.LotPart.OnwardOf) without the containers it left in
// (LotPart.Containers), where the first trip's part names them: the lot
// API's onward part had no containers field. On a store holding an event
// naming a container in its epcList (containerShipments) the step
// replays the log as verify does and rewrites each lot projection table
// that differs, event_contents included; other stores are left alone.
// Running it again changes nothing.
var replayOnwardContainers = replayContents
