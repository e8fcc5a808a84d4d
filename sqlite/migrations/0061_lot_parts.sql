-- parts: the parts of a lot that movements sent away from where the rest
-- of it stays (critmin.Lot.Parts, JSON), each with its shipped weight,
-- state (in_transit, received), places and events. Lots stored before this
-- migration took a partial shipment's quantity as the lot's mass; the
-- migration's Go step (sqldb.replayLotParts, registered in
-- goStepsWithStore) replays the event log as `critmin verify` does and
-- rewrites each lot projection table that differs, in this migration's
-- transaction.
ALTER TABLE lots ADD COLUMN parts TEXT NOT NULL DEFAULT '[]';
