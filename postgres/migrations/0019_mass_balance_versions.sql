-- Mass-balance declarations are versioned (ISO 22095 §11: a claim rests on
-- the rules of its claim period, so a new declaration never rewrites a
-- closed or claimed period). Every version is kept; the former one-row-per-
-- site table becomes version 1 of each site.
CREATE TABLE mass_balance_versions (
	site        TEXT NOT NULL,
	version     INTEGER NOT NULL,
	declared_us BIGINT NOT NULL,
	body        TEXT NOT NULL,
	PRIMARY KEY (site, version)
);
INSERT INTO mass_balance_versions (site, version, declared_us, body)
	SELECT site, 1, declared_us, body FROM mass_balance_declarations;
DROP TABLE mass_balance_declarations;
