-- A transformation link from an input line an earlier event of the run
-- already consumed to a later event's output records the genealogy only:
-- replay = 1, and it never counts as consumption again (ledger.RunLinks,
-- docs/origin.md "A run's accounting"). Rows stored before this migration
-- keep 0 (a restated output there still counts its inputs twice);
-- `critmin verify` reports those lot_links rows as differing from the
-- replay.
ALTER TABLE lot_links ADD COLUMN replay INTEGER NOT NULL DEFAULT 0;
