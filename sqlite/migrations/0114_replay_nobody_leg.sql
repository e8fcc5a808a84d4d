-- A receipt naming no bill of lading on a lot every tonne of which left
-- as parts (no body: the lot follows its last shipment) is matched to the
-- last shipment's leg when it states no weight or weighs as near it as
-- another part (before: it closed the first part shipped) (issue 15,
-- fix15zd). This migration has no SQL of its own: its Go step
-- (sqldb.replayNoBodyLeg, registered in goStepsWithStore) replays the
-- event log as `critmin verify` does on a store holding any part and
-- rewrites each lot projection table that differs, in this migration's
-- transaction.
SELECT 1;
