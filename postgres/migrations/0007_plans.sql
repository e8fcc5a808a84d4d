-- Planning jobs: request, input (the planning file with ledger supplies),
-- result (the plans) and solver log, so that /plans/{id} survives a restart.
CREATE TABLE plan_jobs (
	id          TEXT PRIMARY KEY,
	network     TEXT NOT NULL,
	scenarios   TEXT NOT NULL,
	status      TEXT NOT NULL,
	error       TEXT NOT NULL DEFAULT '',
	created_us  BIGINT NOT NULL,
	finished_us BIGINT,
	request     TEXT NOT NULL DEFAULT '{}',
	input       TEXT NOT NULL DEFAULT '{}',
	result      TEXT NOT NULL DEFAULT 'null',
	log         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_jobs_created ON plan_jobs (created_us);
