-- The EPCIS event ledger, its index tables, the lot projection, master
-- data, capture jobs and API tokens. Times are microseconds since the Unix
-- epoch (UTC) so that both backends compare and order them the same way.
CREATE TABLE contexts (
	id   BIGSERIAL PRIMARY KEY,
	hash TEXT NOT NULL UNIQUE,
	body TEXT NOT NULL
);

CREATE TABLE capture_jobs (
	capture_id  TEXT PRIMARY KEY,
	created_us  BIGINT NOT NULL,
	finished_us BIGINT,
	running     BIGINT NOT NULL,
	success     BIGINT NOT NULL,
	behaviour   TEXT NOT NULL,
	event_count BIGINT NOT NULL,
	stored      BIGINT NOT NULL,
	errors      TEXT NOT NULL,
	duplicates  TEXT NOT NULL,
	token       TEXT NOT NULL
);

CREATE TABLE events (
	pk                BIGSERIAL PRIMARY KEY,
	event_id          TEXT NOT NULL,
	declaration       BIGINT NOT NULL,
	event_type        TEXT NOT NULL,
	event_time        BIGINT NOT NULL,
	record_time       BIGINT NOT NULL,
	tz                TEXT,
	action            TEXT,
	biz_step          TEXT,
	disposition       TEXT,
	read_point        TEXT,
	biz_location      TEXT,
	transformation_id TEXT,
	capture_id        TEXT NOT NULL,
	context_id        BIGINT REFERENCES contexts (id),
	raw               TEXT NOT NULL,
	-- The tamper-evident chain (custody/chain.go): the record's position,
	-- its predecessor's chain hash and its own.
	chain_seq         BIGINT NOT NULL,
	prev_chain        TEXT NOT NULL,
	chain             TEXT NOT NULL
);
CREATE UNIQUE INDEX events_chain_seq ON events (chain_seq);
-- One stored copy per eventID; error declarations repeat the eventID of
-- the event they declare in error and are stored beside it.
CREATE UNIQUE INDEX events_event_id ON events (event_id) WHERE declaration = 0;
CREATE INDEX events_declared ON events (event_id) WHERE declaration = 1;
-- Each filter column leads an index that continues with record_time and
-- pk, so that "filter, then the first page in record order" is a range
-- scan, not a sort of every match.
CREATE INDEX events_event_time ON events (event_time, pk);
CREATE INDEX events_record_time ON events (record_time, pk);
CREATE INDEX events_biz_location ON events (biz_location, record_time, pk);
CREATE INDEX events_read_point ON events (read_point, record_time, pk);
CREATE INDEX events_biz_step ON events (biz_step, record_time, pk);
CREATE INDEX events_disposition ON events (disposition, record_time, pk);
CREATE INDEX events_event_type ON events (event_type, record_time, pk);

CREATE TABLE event_epcs (
	event_pk BIGINT NOT NULL,
	role     TEXT NOT NULL,
	epc      TEXT NOT NULL
);
CREATE INDEX event_epcs_epc ON event_epcs (epc, role);

CREATE TABLE event_quantities (
	event_pk  BIGINT NOT NULL,
	role      TEXT NOT NULL,
	epc_class TEXT NOT NULL,
	quantity  DOUBLE PRECISION,
	uom       TEXT
);
CREATE INDEX event_quantities_class ON event_quantities (epc_class, role);

-- Sources, destinations, business transactions and top-level ILMD fields.
CREATE TABLE event_attrs (
	event_pk BIGINT NOT NULL,
	kind     TEXT NOT NULL,
	name     TEXT NOT NULL,
	val      TEXT NOT NULL
);
CREATE INDEX event_attrs_value ON event_attrs (kind, name, val);

-- Lots consumed and produced under each transformationID: EPCIS 2.0
-- §7.4.6 makes all TransformationEvents with one ID a single
-- transformation, so genealogy joins across them through this table.
CREATE TABLE transformation_members (
	transformation_id TEXT NOT NULL,
	role              TEXT NOT NULL,
	epc_class         TEXT NOT NULL,
	quantity          DOUBLE PRECISION,
	uom               TEXT NOT NULL
);
CREATE INDEX transformation_members_id ON transformation_members (transformation_id);

CREATE TABLE lots (
	id             TEXT PRIMARY KEY,
	commodity      TEXT NOT NULL,
	quantity       DOUBLE PRECISION NOT NULL,
	uom            TEXT,
	wet_t          DOUBLE PRECISION NOT NULL,
	dry_t          DOUBLE PRECISION NOT NULL,
	moisture       DOUBLE PRECISION,
	origin_country TEXT NOT NULL,
	origin_mine    TEXT NOT NULL,
	supplier       TEXT NOT NULL,
	location       TEXT NOT NULL,
	read_point     TEXT NOT NULL,
	status         TEXT NOT NULL,
	disposition    TEXT NOT NULL,
	owner          TEXT NOT NULL,
	custodian      TEXT NOT NULL,
	first_us       BIGINT NOT NULL,
	last_us        BIGINT NOT NULL,
	event_count    BIGINT NOT NULL,
	assays         TEXT NOT NULL,
	claims         TEXT NOT NULL
);
CREATE INDEX lots_last ON lots (last_us);
CREATE INDEX lots_commodity ON lots (commodity, status);

-- Genealogy edges, upstream (parent) to downstream (child): kind is
-- transformation (input lot to output lot), aggregation or association
-- (a lot or EPC packed into a container, bag or vessel). Quantities are
-- those the event gave for each side.
CREATE TABLE lot_links (
	parent       TEXT NOT NULL,
	child        TEXT NOT NULL,
	event_id     TEXT NOT NULL,
	kind         TEXT NOT NULL,
	parent_qty   DOUBLE PRECISION,
	parent_uom   TEXT NOT NULL,
	child_qty    DOUBLE PRECISION,
	child_uom    TEXT NOT NULL,
	event_time   BIGINT NOT NULL,
	biz_location TEXT NOT NULL,
	PRIMARY KEY (parent, child, event_id)
);
CREATE INDEX lot_links_child ON lot_links (child);

CREATE TABLE lot_moves (
	lot      TEXT NOT NULL,
	from_loc TEXT NOT NULL,
	to_loc   TEXT NOT NULL,
	tonnes   DOUBLE PRECISION NOT NULL,
	event_id TEXT NOT NULL
);

CREATE TABLE master_data (
	vtype TEXT NOT NULL,
	id    TEXT NOT NULL,
	attrs TEXT NOT NULL,
	PRIMARY KEY (vtype, id)
);

CREATE TABLE tokens (
	id         BIGSERIAL PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	role       TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	created_us BIGINT NOT NULL
);

-- One root a UTC day: the chain hash of the day's last record, which
-- commits to every record before it.
CREATE TABLE chain_roots (
	day      TEXT PRIMARY KEY,
	last_seq BIGINT NOT NULL,
	root     TEXT NOT NULL,
	events   BIGINT NOT NULL
);

-- The origin mix of each produced lot per dry tonne (custody.Mix), kept by
-- capture one transformation at a time; stale when an upstream fact
-- changed after it was computed, and then recomputed on demand.
CREATE TABLE lot_origin (
	lot   TEXT PRIMARY KEY,
	mix   TEXT NOT NULL,
	stale BIGINT NOT NULL
);
