-- Master data (EPCIS 2.0 §7.2: vocabulary elements with attributes and
-- children, sent in epcisHeader.epcisMasterData) is versioned by record
-- time: master_data holds the current version of each element (the one
-- the latest capture sent), master_data_versions every version.
-- master_data_attrs and master_data_children index the current version
-- for the HASATTR_/EQ_ATTR_ and WD_ query parameters (EPCIS 2.0
-- §8.2.7.1). All four are projections of the chained audit log and are
-- rebuilt by verify.
ALTER TABLE master_data ADD COLUMN children TEXT NOT NULL DEFAULT '[]';
ALTER TABLE master_data ADD COLUMN record_us BIGINT NOT NULL DEFAULT 0;

CREATE TABLE master_data_versions (
	vtype     TEXT NOT NULL,
	id        TEXT NOT NULL,
	record_us BIGINT NOT NULL,
	attrs     TEXT NOT NULL,
	children  TEXT NOT NULL,
	PRIMARY KEY (vtype, id, record_us)
);

-- id_canon is the element's identifier as events' columns hold it: the
-- canonical form of a GS1 key (read_point_canon, biz_location_canon), the
-- bare CBV form of a business step or disposition. name is the attribute
-- name normalised (epcis.NormalizeAttrName).
CREATE TABLE master_data_attrs (
	vtype    TEXT NOT NULL,
	id       TEXT NOT NULL,
	id_canon TEXT NOT NULL,
	name     TEXT NOT NULL,
	val      TEXT NOT NULL
);
CREATE INDEX master_data_attrs_name ON master_data_attrs (name, val);
CREATE INDEX master_data_attrs_element ON master_data_attrs (vtype, id);

-- The hierarchy: one row per (parent, child), both canonical.
CREATE TABLE master_data_children (
	vtype  TEXT NOT NULL,
	parent TEXT NOT NULL,
	child  TEXT NOT NULL,
	PRIMARY KEY (vtype, parent, child)
);
CREATE INDEX master_data_children_parent ON master_data_children (parent);
