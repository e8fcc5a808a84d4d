-- Projection rows written before fixPa and fixPe (issues 8 and 9): a
-- receipt of some containers of a split trip with the lot's weighed line
-- ended the whole trip, and a container shipped on from where its trip
-- was received moved the whole lot under the onward bill.
-- This migration has no SQL of its own: its Go step
-- (sqldb.replaySplitReceipt, registered in goStepsWithStore) replays the
-- event log as `critmin verify` does on a store holding an event naming a
-- container, and rewrites each lot projection table that differs, in
-- this migration's transaction.
SELECT 1;
