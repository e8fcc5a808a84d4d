package sqldb

// supportedOriginMigration is the migration whose Go step is
// replaySupportedOrigin.
const supportedOriginMigration = 120

func init() { goStepsWithStore[supportedOriginMigration] = replaySupportedOrigin }

// replaySupportedOrigin is migration 0120's Go step (issue 9, fixZc,
// new-user check nu38b items 2 and 4). Kept origin mixes (lot_origin)
// written before it re-scaled a gained product's carried shares to its
// capped figure, although they already spread the whole content its
// inputs held, their part of unknown origin included: a gained lot fed to
// a run that gained again counted that part twice (custody.elementCap
// Whole, "w"). They kept no figure of what a product gaining within the
// site's tolerance is supported by (custody.Mix.Supported, "s"), so the
// next run was judged against the gained figure and gains within the
// tolerance added up unflagged. On a store holding a TransformationEvent
// the step replays the log as verify does and rewrites each lot
// projection table that differs; other stores are left alone. Running it
// again changes nothing.
var replaySupportedOrigin = replayWhere("runs", `events WHERE event_type = 'TransformationEvent'`)
