-- Server keys shared by every server of one store: page_token signs the
-- nextPageToken values (HMAC-SHA256), so that a client cannot edit a
-- token's cursor or expiry, and any server of the store accepts the tokens
-- another issued. The first server to need a key inserts a random one;
-- the others read it (INSERT ... ON CONFLICT DO NOTHING, then SELECT).
CREATE TABLE server_keys (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
