-- The prefix lookup of extension-field query parameters
-- (sqldb.remotePrefixesUsed) reads the events captured with a remote
-- @context: "context_id IN (…) AND pk > ? ORDER BY pk". Without an index on
-- context_id every query scanned the events after the last one read, all
-- of them on a fresh server. (context_id, pk) answers each context's
-- events after the cursor from the index.
CREATE INDEX events_context_pk ON events (context_id, pk);
