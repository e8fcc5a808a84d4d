package sqldb

// splitReceiptMigration is the migration whose Go step is
// replaySplitReceipt.
const splitReceiptMigration = 126

func init() { goStepsWithStore[splitReceiptMigration] = replaySplitReceipt }

// replaySplitReceipt is migration 0126's Go step (issues 8 and 9, fixPa
// and fixPe). Stores written before it read a receipt of some of a
// split trip's containers that also named the lot by its weighed line as
// the receipt of the whole trip (the other containers' tonnes vanished
// from the lot), moved a whole lot under an onward bill when one of its
// containers was shipped on from where the trip was received, and let an
// emptied container's dispatch carry what line draws had already taken.
// On a store holding an event naming a container in its epcList it
// replays the log as verify does and rewrites each lot projection table
// that differs; other stores are left alone. Running it again changes
// nothing.
var replaySplitReceipt = replayContents
