-- What each container held when an event moved it (issue 8 §2, issue 15
-- §2; new-user finding nu32-7). A shipping or receiving ObjectEvent that
-- names only a container (an SSCC or a BIC code) in its epcList moves the
-- lots packed in it at that event's time (EPCIS 2.0 §7.3.5: packings
-- less unpackings, events declared in error left out): one row per lot,
-- keyed by the event, with the container and the lot (canonical
-- identifiers) and what stays of the lot in the container.
-- The lot projection reads these rows as the event's own lines, and
-- `critmin verify` rebuilds and compares them (sqldb.derivedTables).
-- The Go step (sqldb.replayContents, registered in goStepsWithStore)
-- replays the event log as `critmin verify` does on a store holding an
-- event naming a container in its epcList and rewrites each lot
-- projection table that differs, this one included, in this migration's
-- transaction.
CREATE TABLE event_contents (
	event_id  TEXT NOT NULL,
	container TEXT NOT NULL,
	quantity  DOUBLE PRECISION,
	uom       TEXT NOT NULL DEFAULT '',
	canon     TEXT NOT NULL
);
CREATE INDEX event_contents_event ON event_contents (event_id);
CREATE INDEX event_contents_lot ON event_contents (canon);
CREATE INDEX event_contents_container ON event_contents (container);
