package sqldb

// tripEndWeighedMigration is the migration whose Go step replays the
// projection again for the trip-end rules of builder r2arrive.
const tripEndWeighedMigration = 150

// Migration 0150 (builder r2arrive; new-user check on suitetime R2): a
// receiving naming no bill of lading after the arriving, unloading or
// accepting of the same trip's end restates what that step brought in
// and ends the rest (ledger.LessTripEnd): "L 4 t" and "L 3 t" shipped,
// arriving "L 4 t", receiving "L 7 t" books the 3 t trip at 3 t. Stores
// written before read the receiving as the 3 t part received at 7 t
// (14 t of a 10 t lot). On a store holding a receipt step it replays the
// log as verify does and rewrites each lot projection table that
// differs (replayBillessReceipt's step); running it again changes
// nothing.
func init() { goStepsWithStore[tripEndWeighedMigration] = replayBillessReceipt }
