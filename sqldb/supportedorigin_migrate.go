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
// tolerance added up unflagged. Stores written before fixZa and fixZb
// kept a lot packed in several containers and moved by an event naming
// only them at the first container's share, a receipt of some of those
// containers as ending the whole lot's trip, a container shipped on
// after a trip at what was packed rather than what it carried, and a
// container move declared with its packing without its contents
// (event_contents). On a store holding any event of gainedOriginStores
// (a run, an event naming a container, a declared packing) the step
// replays the log as verify does and rewrites each lot projection table
// that differs, event_contents included; other stores are left alone.
// Running it again changes nothing.
var replaySupportedOrigin = replayGainedOrigin
