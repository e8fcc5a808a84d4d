-- Projection rows written before fixOh (issue 8, n8b items 1 and 2): a
-- part rejoining the lot's body brought back what runs had taken of it,
-- and a line shipping the loose rest under the bill of its containers'
-- trip did not join that trip.
-- This migration has no SQL of its own: its Go step
-- (sqldb.replayLotBalance, registered in goStepsWithStore) replays the
-- event log as `critmin verify` does on a store holding a lot with a
-- part, and rewrites each lot projection table that differs, in this
-- migration's transaction.
SELECT 1;
