-- An assay is of what stood where it was taken (docs/origin.md; issue
-- 15, fix15a): one taken where a received part of a lot stands, or on a
-- part's dispatch or receipt, is the part's (critmin.LotPart.Assays, the
-- lot's when it left), never the lot's: it superseded the lot's own
-- assays before. This migration has no SQL of its own: its Go step
-- (sqldb.replayPartAssays, registered in goStepsWithStore) replays the
-- event log as `critmin verify` does on a store holding any part and
-- rewrites each lot projection table that differs, in this migration's
-- transaction.
SELECT 1;
