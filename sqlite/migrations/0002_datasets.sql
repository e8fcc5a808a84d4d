-- Imported editions of reference datasets, each kept whole as validated.
CREATE TABLE datasets (
	name        TEXT NOT NULL,
	edition     TEXT NOT NULL,
	imported_us INTEGER NOT NULL,
	body        TEXT NOT NULL,
	PRIMARY KEY (name, edition)
);
