-- Derived-row seals (issue 8, a reader must not serve a figure from an
-- edited derived row): every row of lots, lot_links and lot_moves, and every fresh
-- kept origin mix of lot_origin, carries the seal its writer computed
-- from its values (sqldb/seal.go); readers recompute it and refuse a row
-- whose seal is missing or differs (409 naming the table and row). The
-- migration's Go step seals the rows stored before it.
ALTER TABLE lots ADD COLUMN seal TEXT;
ALTER TABLE lot_links ADD COLUMN seal TEXT;
ALTER TABLE lot_origin ADD COLUMN seal TEXT;
ALTER TABLE lot_moves ADD COLUMN seal TEXT;
