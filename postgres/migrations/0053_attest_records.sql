-- Authoritative tables no event carries (certificates and their
-- revocations, mass-balance declarations, trade records, import mappings,
-- named queries, datasets: sqldb.AttestedTables) get an audit-chain entry
-- with the hash of each row's content on every write, and `critmin verify`
-- checks each table against those entries. This migration has no SQL of
-- its own: its Go step (sqldb.backfillAttested, registered in
-- goStepsWithStore) records an entry for every row already stored,
-- attesting the state at upgrade time.
SELECT 1;
