-- A part of a lot keeps its own owner and custodian: the lot's when it
-- was shipped, until its receipt names a destination owning_party or
-- possessing_party (CBV 2.0 §7.5: ownership and custody pass at the
-- receipt for what was received; issue 15, fix15o: a part received by a
-- new owner read the lot's). This migration has no SQL of its own: its
-- Go step (sqldb.replayPartOwner, registered in goStepsWithStore)
-- replays the event log as `critmin verify` does on a store holding any
-- part and rewrites each lot projection table that differs, in this
-- migration's transaction.
SELECT 1;
