-- taken_t: the wet tonnes of a lot that runs have taken by stating an
-- input quantity (ledger.Project). A lot part-consumed stays in stock with
-- wet_t − taken_t remaining (critmin.Lot.RemainingWetTonnes); one whose
-- runs took all of it (within the consumption tolerance), or a run named
-- without a quantity, is consumed. Rows stored before this migration keep
-- 0: `critmin rebuild` recomputes them from the events.
ALTER TABLE lots ADD COLUMN taken_t REAL NOT NULL DEFAULT 0;
