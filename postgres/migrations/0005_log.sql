-- The verifiable log (custody/log.go): the Merkle tree over every event
-- record as golang.org/x/mod/sumdb/tlog stores it, one row per stored
-- hash (idx is tlog.StoredHashIndex), and its head. Stores made before
-- this migration get their log built from the events when they are
-- opened (sqldb.SyncLog): SQL has no SHA-256 on both backends.
CREATE TABLE log_hashes (
	idx  BIGINT PRIMARY KEY,
	hash TEXT NOT NULL
);
CREATE TABLE log_tree (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	size BIGINT NOT NULL,
	root TEXT NOT NULL
);

-- The audit chain: token and role changes, master data (which no event
-- carries) and certificate revocations, each entry hash-linked to the one
-- before; its head is in every signed checkpoint.
CREATE TABLE audit_log (
	seq        BIGINT PRIMARY KEY,
	at_us      BIGINT NOT NULL,
	action     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	detail     TEXT NOT NULL,
	capture_id TEXT NOT NULL,
	log_size   BIGINT NOT NULL,
	prev       TEXT NOT NULL,
	hash       TEXT NOT NULL
);

-- Issued certificates, kept so that GET by id returns the same document
-- and an unchanged lot gets the same certificate again; revocation is
-- also an audit entry.
CREATE TABLE certificates (
	id             TEXT PRIMARY KEY,
	lot            TEXT NOT NULL,
	evidence       TEXT NOT NULL,
	signer         TEXT NOT NULL,
	body           TEXT NOT NULL,
	issued_us      BIGINT NOT NULL,
	revoked_us     BIGINT,
	revoked_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX certificates_evidence ON certificates (lot, evidence, signer);
