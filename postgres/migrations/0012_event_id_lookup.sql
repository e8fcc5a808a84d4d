-- Event-ID lookups (GET /epcis/events/{eventID}, EQ_eventID) ask for every
-- stored record of an eventID: the event and the error declarations beside
-- it. The two partial indexes of 0001 each cover one kind of record, and a
-- planner may use a partial index only when the query implies its WHERE, so
-- "event_id = ?" alone scanned the whole table. This index covers both.
CREATE INDEX events_event_id_any ON events (event_id);
