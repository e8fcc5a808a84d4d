-- Token lifecycle (expiry, revocation, last use) and server-side browser
-- sessions: the cookie holds a random session ID whose SHA-256 is kept
-- here, never the API token. Sessions live in the database so that every
-- server on one database recognises them.
ALTER TABLE tokens ADD COLUMN expires_us BIGINT;
ALTER TABLE tokens ADD COLUMN revoked_us BIGINT;
ALTER TABLE tokens ADD COLUMN last_used_us BIGINT;

CREATE TABLE sessions (
	id_hash    TEXT PRIMARY KEY,
	token_id   BIGINT NOT NULL REFERENCES tokens (id),
	created_us BIGINT NOT NULL,
	expires_us BIGINT NOT NULL
);
CREATE INDEX sessions_token ON sessions (token_id);
