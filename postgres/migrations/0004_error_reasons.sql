-- Error declarations (EPCIS 2.0 §7.4.1.2) are queried by reason
-- (EQ_errorReason) through event_attrs rows of kind 'errorReason', which
-- capture writes from now on; this fills them in for declarations stored
-- before, with the standard reasons (CBV 2.0 §7.5) in their bare form.
INSERT INTO event_attrs (event_pk, kind, name, val)
SELECT pk, 'errorReason', '',
	CASE WHEN r IN ('urn:epcglobal:cbv:er:did_not_occur', 'https://ref.gs1.org/cbv/ER-did_not_occur', 'http://ref.gs1.org/cbv/ER-did_not_occur', 'cbv:ER-did_not_occur') THEN 'did_not_occur'
	     WHEN r IN ('urn:epcglobal:cbv:er:incorrect_data', 'https://ref.gs1.org/cbv/ER-incorrect_data', 'http://ref.gs1.org/cbv/ER-incorrect_data', 'cbv:ER-incorrect_data') THEN 'incorrect_data'
	     ELSE r END
FROM (SELECT pk, (raw::jsonb -> 'errorDeclaration' ->> 'reason') AS r FROM events WHERE declaration = 1) d
WHERE r IS NOT NULL AND r <> ''
	AND NOT EXISTS (SELECT 1 FROM event_attrs a WHERE a.event_pk = d.pk AND a.kind = 'errorReason');

-- Stores that hold declarations from before retractions were honoured get
-- their projections corrected once, at the next start
-- (sqldb.DB.ApplyStoredDeclarations), which then empties this table.
CREATE TABLE retraction_backfill (pending INTEGER NOT NULL);
INSERT INTO retraction_backfill (pending) SELECT 1 WHERE EXISTS (SELECT 1 FROM events WHERE declaration = 1);
