-- A weighing where a part of a lot was received (an event observing the
-- lot there with a quantity, or a Mass sensor report) now weighs that
-- part (lots.parts[].weighedTonnes) and the lot's total follows; before,
-- it was ignored. This migration has no SQL of its own: its Go step
-- (sqldb.replayPartWeighings, registered in goStepsWithStore) replays the
-- event log as `critmin verify` does on a store holding any received
-- part and rewrites each lot projection table that differs, in this
-- migration's transaction.
SELECT 1;
