-- A part shipped on from several parts of a lot received at one site
-- carries the mass-weighted moisture of what it took of each (parts taken
-- first in first out by the order they were shipped), not the first
-- part's: 10 t at 8 % and 5 t at 4 % shipped on read 8 % (13.8 t dry),
-- now 1/15 = 6.667 % (14.0 t dry) (issue 15, fix15u). This migration has
-- no SQL of its own: its Go step (sqldb.replayOnwardMoisture, registered
-- in goStepsWithStore) replays the event log as `critmin verify` does on
-- a store holding any onward part and rewrites each lot projection table
-- that differs, in this migration's transaction.
SELECT 1;
