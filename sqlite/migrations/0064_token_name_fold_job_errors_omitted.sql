-- Token names are unique ignoring case (fix14): name_key is the name
-- case-folded (critmin.TokenNameKey: each character its smallest case
-- variant, as strings.EqualFold compares), unique. The Go step of this
-- migration (sqldb.foldTokenNames) fills it: the oldest token of each
-- folded name gets the plain key; any later case variant kept from before
-- (e.g. "Alice" beside "alice") gets the key and "#" and its id, so
-- nothing is lost, and critmin verify lists it (tokenNameClashes).
ALTER TABLE tokens ADD COLUMN name_key TEXT;
-- A capture job's error list is capped (ledger.MaxReportedErrors); the
-- errors past the cap are counted here (0 before this migration).
ALTER TABLE capture_jobs ADD COLUMN errors_omitted INTEGER NOT NULL DEFAULT 0;
