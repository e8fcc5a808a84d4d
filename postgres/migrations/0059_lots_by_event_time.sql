-- Lots were folded in capture order: an event older than a lot's latest,
-- and a corrective event replayed after a declaration, set nothing a
-- later event left unsaid, so a lot could lose its location, owner and
-- disposition. This migration has no SQL of its own: its Go step
-- (sqldb.replayLotsByEventTime, registered in goStepsWithStore) replays
-- the event log as `critmin verify` does, each lot in event-time order,
-- and rewrites each lot projection table that differs, in this
-- migration's transaction.
SELECT 1;
