-- Plan jobs shared by every server on one database (issue 14): the
-- process running a job (owner) renews its lease while it runs and reads
-- cancel_requested, which any server may set; done is the job's progress.
-- A running job whose lease has lapsed lost its owner and is marked
-- abandoned by the next server that reads it. Jobs stored before this
-- migration have no lease (0) and so read as abandoned if still running.
ALTER TABLE plan_jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE plan_jobs ADD COLUMN lease_until_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plan_jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plan_jobs ADD COLUMN done INTEGER NOT NULL DEFAULT 0;
CREATE INDEX plan_jobs_status ON plan_jobs (status);
