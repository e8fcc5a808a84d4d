-- Derived-row counts (issue 8, a reader must not serve a figure from a
-- deleted derived row): a deleted row has no seal to check, so each lots
-- row's seal (0072, sqldb/seal.go) also covers the number of lot_links
-- rows into the lot (child = id) and of its lot_moves rows, kept by the
-- writers in the transaction that adds or deletes them. Readers count
-- both in the statement that reads the lot and refuse (409 naming the
-- table and the lot) a lot whose stored rows number otherwise. The
-- migration's Go step fills the counts of the rows as they stand and
-- reseals the lots.
ALTER TABLE lots ADD COLUMN link_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lots ADD COLUMN move_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX lot_moves_lot ON lot_moves (lot);
