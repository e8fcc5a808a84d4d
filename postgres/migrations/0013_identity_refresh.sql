-- The canonical forms of identifiers (docs/identity.md) are computed again:
-- the GS1 Digital Link translation changed after stores were made (serials
-- containing dots, GRAI with an empty serial, new idpat patterns), so rows
-- stored before then carry stale canonical columns and queries in another
-- spelling miss them. SQL cannot compute the canonical form; the Go step of
-- this migration (sqldb.BackfillIdentity, also run by migration 3) rewrites
-- every canonical column that differs from what capture would store today.
SELECT 1;
