-- Run member counts (issue 8, a capture must not build on a deleted
-- derived row): capture reads a run's earlier members back
-- (transformation_members, sealed by 0075) to link a later event of the
-- same transformationID to them (ledger.RunLinks); a member deleted by
-- hand has no seal left to check, and the run would go on without it.
-- Each run now has a row here holding, under its seal (sqldb/seal.go),
-- how many member rows critmin wrote for it, kept by the writers in the
-- transaction that adds or deletes them. Capture continuing a run and
-- the run's readers count the members and refuse (409 naming the table
-- and the run) a run whose rows number otherwise. The migration's Go
-- step counts the rows as they stand and seals them.
CREATE TABLE transformation_runs (
	transformation_id TEXT PRIMARY KEY,
	member_count      INTEGER NOT NULL,
	seal              TEXT NOT NULL
);
