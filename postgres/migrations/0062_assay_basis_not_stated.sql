-- An assay without cm:basis is read as dry and now marked so in the lot
-- projection (assays[].basisNotStated), and the kept origin mixes carry
-- the anomaly basis_not_stated. This migration has no SQL of its own: its
-- Go step (sqldb.markBasisNotStated, registered in goStepsWithStore)
-- replays the event log as `critmin verify` does on a store holding any
-- assay and rewrites each lot projection table that differs, in this
-- migration's transaction.
SELECT 1;
