-- One identity per GS1 key (docs/identity.md): beside each identifier as
-- captured, its canonical form for matching — the canonical GS1 Digital
-- Link URI for a GS1 key (epcis.Canonical), the identifier itself for any
-- other URI. Queries compare canonical forms, so an EPC URN and a Digital
-- Link spelling of one key match each other. Rows stored before this
-- migration get their canonical forms from the Go step of migration 3
-- (sqldb.backfillIdentity), which first copies the captured value.
ALTER TABLE events ADD COLUMN read_point_canon TEXT;
ALTER TABLE events ADD COLUMN biz_location_canon TEXT;
ALTER TABLE event_epcs ADD COLUMN canon TEXT;
ALTER TABLE event_quantities ADD COLUMN canon TEXT;
ALTER TABLE event_attrs ADD COLUMN canon TEXT;
ALTER TABLE lots ADD COLUMN location_canon TEXT;
UPDATE events SET read_point_canon = read_point, biz_location_canon = biz_location;
UPDATE event_epcs SET canon = epc;
UPDATE event_quantities SET canon = epc_class;
UPDATE event_attrs SET canon = val;
UPDATE lots SET location_canon = location;
CREATE INDEX events_read_point_canon ON events (read_point_canon, record_time);
CREATE INDEX events_biz_location_canon ON events (biz_location_canon, record_time);
CREATE INDEX event_epcs_canon ON event_epcs (canon, role);
CREATE INDEX event_quantities_canon ON event_quantities (canon, role);
CREATE INDEX event_attrs_canon ON event_attrs (kind, name, canon);
CREATE INDEX lots_location_canon ON lots (location_canon);
