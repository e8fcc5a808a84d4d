-- Who started a plan job (the token's name; '' before this migration): the
-- running jobs of one token are capped (sqldb.StartPlanJob), counted in
-- the database so that every server on it sees the same count.
ALTER TABLE plan_jobs ADD COLUMN started_by TEXT NOT NULL DEFAULT '';
