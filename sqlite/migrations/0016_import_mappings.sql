-- Saved column mappings of CSV import sources (issue 15): for each named
-- source (a weighbridge, a laboratory) the kind of its files, which CSV
-- column holds each field (JSON object field → header) and the defaults
-- for fields its files lack.
CREATE TABLE import_mappings (
	source     TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	columns    TEXT NOT NULL,
	defaults   TEXT NOT NULL,
	updated_us BIGINT NOT NULL,
	updated_by TEXT NOT NULL
);
