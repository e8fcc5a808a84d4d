-- Rate limits shared by every server of one store (http.rateLimit): one
-- row per caller key ("token:NAME" or "addr:IP") holding the theoretical
-- arrival time of the generic cell rate algorithm (GCRA, ITU-T I.371), in
-- microseconds since the Unix epoch. PostgreSQL deployments run several
-- servers on one database, so the limit must be counted here rather than
-- in each process; a SQLite store has one process and keeps it in memory
-- (the table exists for a uniform schema).
CREATE TABLE rate_limits (
	key    TEXT PRIMARY KEY,
	tat_us BIGINT NOT NULL
);
