-- A part of a lot received where the lot's body stands now rejoins the
-- body (lots.parts[].status "rejoined"; critmin.PartRejoined): its mass
-- and moisture are the body's and it counts in no sum of parts. Before,
-- such a part stayed "received" and a weighing of the body counted it
-- twice (issue 15, fix15p). This migration has no SQL of its own: its Go
-- step (sqldb.replayPartRejoin, registered in goStepsWithStore) replays
-- the event log as `critmin verify` does on a store holding any lot with
-- a part and rewrites each lot projection table that differs, in this
-- migration's transaction.
SELECT 1;
