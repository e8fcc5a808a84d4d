-- Lot links stored before migration 0045 were written by the old run rule:
-- a later event of a transformationID linked the run's earlier input lines
-- to its outputs as consumption again (replay = 0), so a restated output
-- counted its inputs twice and the kept origin mixes built on those links
-- did too. This migration has no SQL of its own: its Go step
-- (sqldb.rebuildLotProjection, registered in goStepsWithStore) replays the
-- event log with the current rule (ledger.RunLinks), as `critmin verify`
-- does, and rewrites each lot projection table that differs, in this
-- migration's transaction.
SELECT 1;
