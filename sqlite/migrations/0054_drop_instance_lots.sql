-- A TransformationEvent that named an instance in its inputEPCList or
-- outputEPCList (an SSCC fed whole, an SGTIN of a lot) made a lot row of
-- it with no commodity, which the lot lists showed. The projection now
-- keeps lots only for classes and for instances with mineral facts of
-- their own (critmin.Lot.Material). This migration has no SQL of its own:
-- its Go step (sqldb.dropInstanceLots, registered in goStepsWithStore)
-- replays the event log as `critmin verify` does and rewrites each lot
-- projection table that differs, in this migration's transaction.
SELECT 1;
