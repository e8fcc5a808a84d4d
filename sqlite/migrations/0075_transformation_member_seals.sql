-- Transformation members sealed (issue 8, a capture must not build on an
-- edited derived row): capture reads a run's earlier members back to link
-- a later event of the same transformationID (ledger.RunLinks), so a
-- member row edited by hand — a quantity doubled — would be built into
-- new genealogy links and sealed under them. Every row now carries the
-- seal its writer computed (sqldb/seal.go, as 0072 for lots, lot_links,
-- lot_moves and lot_origin); capture recomputes it and refuses (409
-- naming the table, the run and the lot) a row whose seal is missing or
-- differs. The migration's Go step seals the rows stored before it.
ALTER TABLE transformation_members ADD COLUMN seal TEXT;
