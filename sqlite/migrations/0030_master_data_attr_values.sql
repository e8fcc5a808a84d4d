-- EQ_ATTR_ compares each value of a multi-valued master-data attribute
-- (EPCIS 2.0 §8.2.7.1): master_data_attrs now holds one row per value of
-- a repeated or JSON-array attribute instead of the array's JSON text. The
-- Go step of this migration (sqldb.backfillMasterData) rebuilds the
-- master-data tables from the audit log with the new indexing.
SELECT 1;
