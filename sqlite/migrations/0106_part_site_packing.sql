-- A packing, unpacking or association of a lot at a site where a part of
-- it was received (away from the lot's body) concerns that part: it no
-- longer moves the body there and rejoins the part (2 t packed at
-- Karachi, where 5 t of a 20 t lot were received, read 20 t at Karachi:
-- issue 15, fix15z F1). This migration has no SQL of its own: its Go
-- step (sqldb.replayPartSitePacking, registered in goStepsWithStore)
-- replays the event log as `critmin verify` does on a store holding any
-- received or rejoined part and rewrites each lot projection table that
-- differs, in this migration's transaction.
SELECT 1;
