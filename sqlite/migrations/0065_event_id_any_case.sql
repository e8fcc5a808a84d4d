-- eventIDs are canonicalised at capture (epcis.CanonicalEventID: a UUID URN
-- and an event hash ID in lower case, the "urn" scheme and NID of any URN
-- in lower case), but events stored by older versions keep the eventID as
-- they captured it (URN:UUID:AB…), and their chained bytes are not
-- rewritten. A lookup in another letter case finds them through these
-- indexes: the candidates whose eventID (or a declaration's
-- correctiveEventID) equals the one asked for ignoring letter case are read
-- by lower(…), and those whose canonical spelling is the asked one's are
-- kept (sqldb.eventIDSpellings). Nothing stored changes.
CREATE INDEX events_event_id_lower ON events (lower(event_id));
CREATE INDEX event_attrs_corrective_lower ON event_attrs (kind, lower(val)) WHERE kind = 'corrective';
