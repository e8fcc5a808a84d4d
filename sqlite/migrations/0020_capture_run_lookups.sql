-- Capture's origin step reads the edges of every transformation run a
-- batch touches (sqldb/origin.go, edgesOfRuns): the events carrying the
-- run's transformationID, then the lot_links rows of those events. Neither
-- column had an index, so every capture batch scanned the whole events
-- table and the whole lot_links table — a cost that grew with the store
-- (EXPLAIN QUERY PLAN: "SCAN lot_links", "SCAN events"). Only the events
-- that carry a transformationID enter the partial index.
CREATE INDEX events_transformation_id ON events (transformation_id) WHERE transformation_id IS NOT NULL;
CREATE INDEX lot_links_event_id ON lot_links (event_id);
