-- Projection rows written before fixOa (issue 8): a part shipped on from
-- where a part of the lot was received, in containers the shipment
-- named, was kept without those containers (the lot API's onward part
-- had no containers field, the first trip's part had).
-- This migration has no SQL of its own: its Go step
-- (sqldb.replayOnwardContainers, registered in goStepsWithStore) replays
-- the event log as `critmin verify` does on a store holding an event
-- naming a container, and rewrites each lot projection table that
-- differs, event_contents included, in this migration's transaction.
SELECT 1;
