-- A period record may void an earlier one the installation cannot vouch
-- for (signed by a foreign key, or changed after it was signed): action
-- 'void', its result the voided record's hash (refinery.VoidRecord,
-- docs/refinery.md "Foreign close records"). SQLite cannot alter a CHECK
-- constraint, so the table is rebuilt with every row and seq kept.
CREATE TABLE refinery_periods_new (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	site      TEXT NOT NULL,
	period    TEXT NOT NULL,
	action    TEXT NOT NULL CHECK (action IN ('close', 'reopen', 'void')),
	actor     TEXT NOT NULL,
	role      TEXT NOT NULL,
	reason    TEXT NOT NULL DEFAULT '',
	at_us     INTEGER NOT NULL,
	problem   TEXT NOT NULL DEFAULT '',
	result    TEXT NOT NULL DEFAULT '',
	prev      TEXT NOT NULL,
	hash      TEXT NOT NULL UNIQUE,
	key_id    TEXT NOT NULL,
	signature TEXT NOT NULL
);
INSERT INTO refinery_periods_new (seq, site, period, action, actor, role, reason, at_us, problem, result, prev, hash, key_id, signature)
	SELECT seq, site, period, action, actor, role, reason, at_us, problem, result, prev, hash, key_id, signature FROM refinery_periods;
DROP TABLE refinery_periods;
ALTER TABLE refinery_periods_new RENAME TO refinery_periods;
CREATE INDEX refinery_periods_site ON refinery_periods (site, period, seq);
