-- The refinery's period audit trail (closes and reopens), one hash chain.
CREATE TABLE refinery_periods (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	site      TEXT NOT NULL,
	period    TEXT NOT NULL,
	action    TEXT NOT NULL CHECK (action IN ('close', 'reopen')),
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
CREATE INDEX refinery_periods_site ON refinery_periods (site, period, seq);
