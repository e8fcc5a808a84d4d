-- Mass-balance declarations (ISO 22095 §11): one per site, kept whole as
-- validated JSON and replaced by a new declaration.
CREATE TABLE mass_balance_declarations (
	site        TEXT PRIMARY KEY,
	declared_us BIGINT NOT NULL,
	body        TEXT NOT NULL
);
