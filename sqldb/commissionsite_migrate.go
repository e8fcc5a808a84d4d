package sqldb

// commissionSiteMigration is the migration whose Go step is
// replayCommissionSites.
const commissionSiteMigration = 117

func init() { goStepsWithStore[commissionSiteMigration] = replayCommissionSites }

// replayCommissionSites is migration 0117's Go step (issue 9, fix9av).
// Kept origin mixes (lot_origin) written before it took an origin lot's
// stated cm:originCountry or cm:originMine at its word, whatever master
// data gives the site it was commissioned at: a lot stating Pakistan,
// commissioned at a mine in China, kept Pakistan 100 % in every mix
// downstream (lot list, lots CSV, risk ledger, planner supplies). A mix
// now keeps the origin lots it takes as stated with their countries
// (custody.Mix.Stated), which every reader checks against where each was
// commissioned by today's master data, computing the lot on demand where
// they differ. On a store holding any kept mix the step replays
// the log as verify does and rewrites each lot projection table that
// differs; a store without one is left alone. Running it again changes
// nothing.
var replayCommissionSites = replayWhere("kept origin mixes", `lot_origin`)
