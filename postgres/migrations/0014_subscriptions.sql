-- Named queries and their subscriptions (EPCIS 2.0 REST binding,
-- /queries), and the outbox of notifications to webhooks. Everything a
-- subscription needs lives here, not in a server's memory, so that any of
-- several servers on one database can run and deliver it, and none is
-- lost across a restart or kill -9.
CREATE TABLE named_queries (
	name       TEXT PRIMARY KEY,
	params     TEXT NOT NULL,
	created_us BIGINT NOT NULL
);

-- A webhook subscription. last_seq is the ledger position (events.chain_seq,
-- which follows commit order) up to which events have been turned into
-- notifications; next_run_us is the next scheduled run (stream
-- subscriptions run whenever events arrive); lease_* let one server at a
-- time run it.
CREATE TABLE subscriptions (
	id              TEXT PRIMARY KEY,
	query_name      TEXT NOT NULL REFERENCES named_queries (name) ON DELETE CASCADE,
	dest            TEXT NOT NULL,
	secret          TEXT NOT NULL,
	stream          INTEGER NOT NULL,
	schedule        TEXT NOT NULL,
	report_if_empty INTEGER NOT NULL,
	epc_format      TEXT NOT NULL DEFAULT '',
	initial_us      BIGINT,
	created_us      BIGINT NOT NULL,
	last_seq        BIGINT NOT NULL,
	next_run_us     BIGINT,
	last_notified_us BIGINT,
	lease_owner     TEXT NOT NULL DEFAULT '',
	lease_until_us  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX subscriptions_query ON subscriptions (query_name);

-- The outbox: one row per notification, written in the transaction that
-- advances its subscription's last_seq, deleted never (delivered rows keep
-- the delivery state the subscriptions page shows). A server claims due
-- rows for a lease; a row whose lease ran out (its server died) is due
-- again, so delivery is at least once; event_ids let the receiver
-- de-duplicate.
CREATE TABLE notifications (
	id              BIGSERIAL PRIMARY KEY,
	subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
	body            TEXT NOT NULL,
	event_ids       TEXT NOT NULL,
	created_us      BIGINT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	failures        INTEGER NOT NULL DEFAULT 0,
	next_attempt_us BIGINT NOT NULL,
	claimed_until_us BIGINT NOT NULL DEFAULT 0,
	delivered_us    BIGINT,
	last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notifications_due ON notifications (next_attempt_us) WHERE delivered_us IS NULL;
CREATE INDEX notifications_subscription ON notifications (subscription_id);
